"""Who may see what: the one visibility rule that the pages and the API both call (issue 15.7).

- The office and the leaders (``WATCHERS``) see everything: every project, milestone, history,
  finding, notice, and the portfolio-wide figures (evaluations, rates, rankings, rulebooks,
  the audit trail), as the dashboards show them.
- An owner or a responsible unit sees a project when the project is its unit's or one of the
  project's milestones is assigned to it (``sees_project``, the project page's rule). Whoever
  sees a project sees its milestones, their history and its findings, as the project page
  shows them.
- A notice, and a finding that belongs to no project (a unit's own), only its unit sees
  (``sees_unit``), besides the watchers.
- Anything portfolio-wide (evaluations, rates, rankings, rulebooks, the audit trail, the
  dashboards, the reports) only the watchers see (``sees_figures``).
- Contact URLs are secrets: only the office exports them.
- A complaint (issue 13) is read by the watchers and by the unit it is routed to
  (``sees_complaint``); a complaint not yet routed, by the watchers only. The complainant's
  contact only the office reads (``sees_contact``); the public reads neither text nor contact.

A list is filtered to what its reader sees; asking for one thing outside it answers 403 (the
pages a 403 page), never the thing.
"""

from __future__ import annotations

from dataclasses import replace

from api.auth import Principal, roles
from projects.model import Portfolio, Project

WATCHERS = ("office", "leader")
#: The guard of everything portfolio-wide (401 anonymous, 403 an owner or unit).
watching = roles(*WATCHERS)


def sees_everything(who: Principal) -> bool:
    return who.role in WATCHERS


def sees_figures(who: Principal) -> bool:
    """Evaluations, rates, rankings, rulebooks, dashboards, reports: the watchers only."""
    return sees_everything(who)


def sees_unit(who: Principal, unit: str | None) -> bool:
    """A notice addressed to ``unit``, or a finding of ``unit`` that belongs to no project."""
    return sees_everything(who) or (who.unit is not None and who.unit == unit)


def sees_complaint(who: Principal, unit: str | None) -> bool:
    """A complaint routed to ``unit`` (``None``: not routed yet, the watchers only)."""
    return sees_everything(who) or (unit is not None and who.unit == unit)


def sees_contact(who: Principal) -> bool:
    """A complainant's contact: the office only (not the leaders, not the units)."""
    return who.role == "office"


def sees_project(who: Principal, project: Project) -> bool:
    """The project page's rule: its unit's project, or one with a milestone assigned to it."""
    if sees_everything(who):
        return True
    return who.unit is not None and (project.unit == who.unit
                                     or any(m.unit == who.unit for m in project.milestones))


def visible_projects(who: Principal, portfolio: Portfolio) -> frozenset[str] | None:
    """The ids of the projects ``who`` sees; ``None`` for all of them."""
    if sees_everything(who):
        return None
    return frozenset(p.id for p in portfolio.projects if sees_project(who, p))


def visible_portfolio(who: Principal, portfolio: Portfolio) -> Portfolio:
    """``portfolio`` as ``who`` may export it: its projects only (links to others dropped), the
    extension requests of those projects' milestones, the notices, accountability records and
    complaints of its unit (a complaint about a project it does not see keeps no project), every
    unit but no contact unless ``who`` is the office."""
    if who.role != "office":
        portfolio = replace(portfolio, units=tuple(replace(u, contacts=()) for u in portfolio.units))
    seen = visible_projects(who, portfolio)
    if seen is None:
        return portfolio
    projects = []
    for p in portfolio.projects:
        if p.id not in seen:
            continue
        milestones = tuple(replace(m, after=tuple(d for d in m.after if (d.project or p.id) in seen))
                           for m in p.milestones)
        projects.append(replace(p, milestones=milestones))
    notices = tuple(n for n in portfolio.notices if sees_unit(who, n.unit))
    records = tuple(a for a in portfolio.accountability if sees_unit(who, a.unit))
    complaints = tuple(c if c.project is None or c.project in seen else replace(c, project=None)
                       for c in portfolio.complaints if sees_unit(who, c.unit))
    extensions = tuple(x for x in portfolio.extensions if x.milestone.split("/", 1)[0] in seen)
    return replace(portfolio, projects=tuple(projects), notices=notices, accountability=records,
                   complaints=complaints, extensions=extensions)
