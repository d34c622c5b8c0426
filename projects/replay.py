"""As-of replay: the portfolio as it was known on an earlier day.

Owns ``as_of(portfolio, day)``. On ``day``:

- a milestone finished after ``day`` is not finished yet (``finished=None``);
- a report dated after ``day`` has not been made (``updated=None``);
- a notice issued after ``day`` does not exist; a response after ``day`` has not come
  (``responded=None``);
- a complaint received after ``day`` does not exist; an answer after ``day`` has not come
  (``responded=None``); a rating after ``day`` has not been given (``rating`` and ``rated``
  ``None``);
- an accountability record dated after ``day`` has not been made (records count from their
  ``date``).

What a portfolio *file* cannot replay: progress, money paid and dates as they were reported
before their last change. A file holds only the latest report, so ``as_of`` cannot un-report
progress or payments. The server keeps every report (``projects.repository``) and rebuilds the
portfolio known on ``day`` from that history before calling ``as_of`` for the rest.

Pure and cheap: values that do not change are returned as the same objects (a project with
nothing to undo, the whole portfolio when nothing changes), so a replay of today costs one walk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from projects import accountability
from projects.extensions import DueAsOf
from projects.extensions import apply as apply_extensions
from projects.model import Complaint, Milestone, Notice, Portfolio, Project


def as_of(portfolio: Portfolio, day: dt.date) -> Portfolio:
    """``portfolio`` as known on ``day`` (see the module header)."""
    projects = tuple(_project(p, day) for p in portfolio.projects)
    notices = tuple(_notice(n, day) for n in portfolio.notices if n.issued <= day)
    complaints = _complaints(portfolio.complaints, day)
    same_projects = all(a is b for a, b in zip(projects, portfolio.projects, strict=True))
    same_notices = len(notices) == len(portfolio.notices) and all(
        a is b for a, b in zip(notices, portfolio.notices, strict=True))
    records = accountability.as_of(portfolio.accountability, day)
    if same_projects and same_notices and complaints is portfolio.complaints \
            and records is portfolio.accountability:
        return portfolio
    return replace(portfolio, projects=projects if not same_projects else portfolio.projects,
                   notices=notices if not same_notices else portfolio.notices,
                   complaints=complaints, accountability=records)


def known_on(portfolio: Portfolio, day: dt.date) -> tuple[Portfolio, dict[tuple[str, str], DueAsOf]]:
    """``as_of(portfolio, day)`` with each milestone's ``due`` moved by the extensions approved
    by ``day`` (``projects.extensions.apply``), and the extension state of the milestones with
    a request made by then: what the engine, its schedule and every view evaluate."""
    return apply_extensions(as_of(portfolio, day), day)


def _project(p: Project, day: dt.date) -> Project:
    changed = None
    for i, m in enumerate(p.milestones):
        if (m.finished is not None and m.finished > day) or (m.updated is not None and m.updated > day):
            if changed is None:
                changed = list(p.milestones)
            changed[i] = _milestone(m, day)
    return p if changed is None else replace(p, milestones=tuple(changed))


def _milestone(m: Milestone, day: dt.date) -> Milestone:
    return replace(
        m,
        finished=m.finished if m.finished is not None and m.finished <= day else None,
        updated=m.updated if m.updated is not None and m.updated <= day else None,
    )


def _complaints(complaints: tuple[Complaint, ...], day: dt.date) -> tuple[Complaint, ...]:
    """The complaints received by ``day``, each with only the answer and rating known then
    (the same tuple when nothing changes)."""
    changed = False
    out = []
    for c in complaints:
        if c.received > day:
            changed = True
            continue
        if (c.responded is not None and c.responded > day) or (c.rated is not None and c.rated > day):
            changed = True
            out.append(_complaint(c, day))
        else:
            out.append(c)
    return tuple(out) if changed else complaints


def _complaint(c: Complaint, day: dt.date) -> Complaint:
    rated = c.rated is not None and c.rated <= day
    return replace(c, responded=c.responded if c.responded is not None and c.responded <= day else None,
                   rating=c.rating if rated else None, rated=c.rated if rated else None)


def _notice(n: Notice, day: dt.date) -> Notice:
    if n.responded is not None and n.responded > day:
        return replace(n, responded=None)
    return n
