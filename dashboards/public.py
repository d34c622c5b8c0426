"""What the public page (``/public``, issue 13.6) shows, pure: values in, rows out.

The public may read the key projects with their light and progress, each unit's complaint
reply and satisfaction rates, and the ranking of the latest closed assessment period. It may
never read a contact, a complaint's text or complainant, a finding's message (rule messages
may name a person) or a person's name (only a published accountability record names one).
So the rows built here carry nothing else: ids, project and unit names, a light, numbers.

- ``public_projects(portfolio, evaluation, schedule, today, calendar)``: one row per project
  (``PublicProject``: name, unit's name, category, light, progress as the rule language's
  ``p.progress``, duration-weighted; ``None`` when nothing is known), worst light first.
- ``complaint_rates(complaints, units, today)``: one row per unit that had a complaint by
  ``today`` (``UnitComplaints``), counted by ``projects.complaints.tally_by_unit`` as the rule
  language counts ``u.complaint_response_rate`` and ``u.satisfaction_rate``: the reply rate is
  complaints answered on or before their ``due`` over those whose ``due <= today``; the
  satisfaction rate is satisfied or basically satisfied over rated by today. A rate with
  nothing to count is ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dashboards.figures import project_lights
from projects.complaints import ComplaintTally, tally_by_unit
from projects.model import Complaint, Level, Portfolio
from projects.replay import known_on
from rules.findings import Evaluation
from rules.views import build_views


@dataclass(frozen=True, slots=True)
class PublicProject:
    id: str
    name: str
    unit: str
    category: str
    light: Level
    progress: float | None


@dataclass(frozen=True, slots=True)
class UnitComplaints:
    """One unit's complaint counts and rates as of a day: its ``tally`` (received, due,
    answered_in_time, rated, satisfied; ``response_rate``, ``satisfaction_rate``)."""

    unit: str
    name: str
    tally: ComplaintTally


def public_projects(portfolio: Portfolio, evaluation: Evaluation, schedule: Any, today: dt.date,
                    calendar: Any) -> list[PublicProject]:
    """Every project of ``portfolio`` as the public sees it, worst light first."""
    lights = project_lights(portfolio, evaluation.findings)
    progress: dict[str, float | None] = {}
    if schedule is not None:
        known, dues = known_on(portfolio, today)
        views = build_views(known, schedule, today, calendar, dues)
        progress = {pid: pv.progress for pid, pv in views.project_by_id.items()}
    names = {u.id: u.name for u in portfolio.units}
    rows = [PublicProject(p.id, p.name, names.get(p.unit, p.unit), p.category.value,
                          lights.get(p.id, Level.GREEN), _progress(progress.get(p.id), p))
            for p in portfolio.projects]
    rows.sort(key=lambda r: (-r.light.rank, r.unit, r.name))
    return rows


def _progress(weighted: float | None, project: Any) -> float | None:
    if weighted is not None:
        return weighted
    shares = [1.0 if m.finished is not None else m.progress for m in project.milestones]
    known = [s for s in shares if s is not None]
    return sum(known) / len(known) if known else None


def complaint_rates(complaints: Iterable[Complaint], units: Mapping[str, str],
                    today: dt.date) -> list[UnitComplaints]:
    """Each unit's complaint counts and rates as of ``today`` (``units``: id -> name), in the
    order of ``units``, counted as the rule language counts them (``tally_by_unit``)."""
    tallies = tally_by_unit(complaints, today)
    order = {uid: i for i, uid in enumerate(units)}
    return [UnitComplaints(uid, units.get(uid, uid), t) for uid, t in sorted(tallies.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
