"""The run-time subjects compiled rules read: milestone, project, unit and notice views.

Owns ``MilestoneView``, ``ProjectView``, ``UnitView``, ``NoticeView``, the four rates and
``build_views``. Invariants:

- Attribute names are exactly the spec's field names (``dsl.schema.FIELDS``); a field the
  schema marks never-missing is never ``None``. Missing is ``None``.
- One view object per unit, project, milestone and notice: notified units compare by identity.
- Everything is relative to one as-of day ``today``: ``m.done`` means finished on or before
  it, ``n.responded`` answered on or before it.
- Building is one pass over the milestones (then the notices) that also fills the
  collections (``u.milestones``...), the project sums (``p.paid``, ``p.progress``,
  ``p.done``) and the counts behind every rate (portfolio, units, projects): nothing is
  computed twice and rules read plain slots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from projects.model import Category, Kind, Level, Milestone, Notice, Portfolio, Project, Unit


class Workdays(Protocol):
    """The part of ``projects.calendar.WorkCalendar`` the views need."""

    def workdays(self, a: dt.date, b: dt.date) -> int: ...


RATE_NAMES = ("on_time_rate", "completion_rate", "early_rate", "response_rate")


@dataclass(frozen=True, slots=True)
class Rates:
    """The four rates of the spec; ``None`` when there is nothing to count."""

    on_time_rate: float | None = None
    completion_rate: float | None = None
    early_rate: float | None = None
    response_rate: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in RATE_NAMES}


# Rate counters: [due, finished, on time, early, notices due, answered in time].
def _count_milestone(c: list[int], due: dt.date | None, finished: dt.date | None,
                     today: dt.date) -> None:
    if due is None or due > today:
        return
    c[0] += 1
    if finished is not None:
        c[1] += 1
        if finished <= due:
            c[2] += 1
            if finished < due:
                c[3] += 1


def _count_notice(c: list[int], n: NoticeView, today: dt.date) -> None:
    if n.due > today:
        return
    c[4] += 1
    r = n.response_date
    if r is not None and r <= n.due:
        c[5] += 1


def _rates(c: list[int]) -> Rates:
    due, finished, on_time, early, notices_due, answered = c
    return Rates(
        on_time / due if due else None,
        finished / due if due else None,
        early / finished if finished else None,
        answered / notices_due if notices_due else None,
    )


class _RatesMixin:
    """The four rates as attributes, from ``rates`` (set once ``build_views`` has counted)."""

    __slots__ = ()

    rates: Rates

    @property
    def on_time_rate(self) -> float | None:
        return self.rates.on_time_rate

    @property
    def completion_rate(self) -> float | None:
        return self.rates.completion_rate

    @property
    def early_rate(self) -> float | None:
        return self.rates.early_rate

    @property
    def response_rate(self) -> float | None:
        return self.rates.response_rate


class UnitView(_RatesMixin):
    """A unit as rules see it: ``u.parent``, ``u.milestones``, ``u.red_cards``..."""

    __slots__ = ("_cards", "id", "level", "milestones", "model", "name", "notices", "parent",
                 "projects", "rates")

    def __init__(self, unit: Unit) -> None:
        self.model = unit
        self.id = unit.id
        self.name = unit.name
        self.level = unit.level
        self.parent: UnitView | None = None
        self.milestones: tuple[MilestoneView, ...] = ()
        self.projects: tuple[ProjectView, ...] = ()
        self.notices: tuple[NoticeView, ...] = ()
        self.rates = Rates()
        self._cards: tuple[int, int] | None = None

    def _count_cards(self) -> tuple[int, int]:
        if self._cards is None:
            red = yellow = 0
            for n in self.notices:
                if n.level is Level.RED:
                    red += 1
                elif n.level is Level.YELLOW:
                    yellow += 1
            self._cards = (red, yellow)
        return self._cards

    @property
    def red_cards(self) -> int:
        return self._count_cards()[0]

    @property
    def yellow_cards(self) -> int:
        return self._count_cards()[1]

    def __repr__(self) -> str:
        return f"UnitView({self.id!r})"


class ProjectView(_RatesMixin):
    """A project as rules see it, with the sums and weights over its milestones."""

    __slots__ = ("budget", "category", "done", "due", "forecast", "id", "milestones", "model",
                 "name", "paid", "progress", "rates", "unit")

    def __init__(self, project: Project, unit: UnitView, forecast: dt.date | None) -> None:
        self.model = project
        self.id = project.id
        self.name = project.name
        self.category: Category = project.category
        self.unit = unit
        self.budget = project.budget
        self.forecast = forecast
        # Set by ``build_views`` in its pass over the milestones:
        self.due: dt.date | None = None  # the latest milestone due
        self.milestones: tuple[MilestoneView, ...] = ()
        self.paid = 0.0  # the sum of the known ``paid``
        self.progress: float | None = None  # weighted by planned duration (at least 1)
        self.done = False  # every milestone done (and at least one)
        self.rates = Rates()

    def __repr__(self) -> str:
        return f"ProjectView({self.id!r})"


class MilestoneView:
    """A milestone as rules see it, with its schedule (forecast, float, critical)."""

    __slots__ = ("amount", "critical", "done", "due", "finished", "float", "forecast", "id",
                 "key", "kind", "late", "model", "name", "overdue", "paid", "progress",
                 "project", "start", "unit", "updated")

    def __init__(self, m: Milestone, key: tuple[str, str], project: ProjectView,  # noqa: PLR0917 (built 40,000 times a run)
                 unit: UnitView, finished: dt.date | None, overdue: int | None,
                 forecast: dt.date | None, total_float: float | None, critical: bool) -> None:
        """``finished`` only when on or before the as-of day; ``overdue`` already counted."""
        self.model = m
        self.key = key
        self.id = m.id
        self.name = m.name
        self.kind: Kind = m.kind
        self.project = project
        self.unit = unit
        self.start = m.start
        self.due = m.due
        self.done = finished is not None
        self.finished = finished
        self.progress = m.progress
        self.amount = m.amount
        self.paid = m.paid
        self.updated = m.updated
        self.overdue = overdue
        self.late = bool(overdue)
        self.forecast = forecast
        self.float = total_float
        self.critical = critical

    @property
    def subject(self) -> str:
        return f"milestone:{self.key[0]}/{self.key[1]}"

    def __repr__(self) -> str:
        return f"MilestoneView({self.key[0]}/{self.key[1]})"


class NoticeView:
    """A supervision notice as rules see it."""

    __slots__ = ("due", "id", "issued", "level", "model", "overdue", "project", "responded",
                 "response_date", "rule", "title", "unit")

    def __init__(self, n: Notice, unit: UnitView, today: dt.date, calendar: Workdays) -> None:
        self.model = n
        self.id = n.id
        self.title = n.title
        self.unit = unit
        self.rule = n.rule
        self.level: Level | None = Level(n.level) if n.level is not None else None
        self.issued = n.issued
        self.due = n.due
        answered = n.responded is not None and n.responded <= today
        self.responded = answered
        self.response_date = n.responded if answered else None
        end = self.response_date if answered else today
        assert end is not None
        self.overdue = calendar.workdays(n.due, end) if end > n.due else 0
        self.project = _project_of(n.subject)

    def __repr__(self) -> str:
        return f"NoticeView({self.id!r})"


def _project_of(subject: str | None) -> str | None:
    """The project a notice's subject belongs to (``milestone:P1/x`` and ``project:P1``)."""
    if not subject:
        return None
    kind, _, rest = subject.partition(":")
    if kind == "milestone":
        return rest.partition("/")[0] or None
    if kind == "project":
        return rest or None
    return None


class ScheduleLike(Protocol):
    """The part of ``projects.schedule.Schedule`` the views need."""

    def milestone(self, key: tuple[str, str]) -> Any: ...

    def project(self, pid: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Views:
    """All subjects of one portfolio on one day, in file order, plus lookups by id."""

    today: dt.date
    milestones: tuple[MilestoneView, ...]
    projects: tuple[ProjectView, ...]
    units: tuple[UnitView, ...]
    notices: tuple[NoticeView, ...]
    milestone_by_key: dict[tuple[str, str], MilestoneView]
    project_by_id: dict[str, ProjectView]
    unit_by_id: dict[str, UnitView]
    portfolio_rates: Rates = Rates()

    def rates(self) -> Rates:
        return self.portfolio_rates


class _Builder:
    """The state of one ``build_views`` pass."""

    def __init__(self, portfolio: Portfolio, today: dt.date) -> None:
        self.today = today
        self.units = {u.id: UnitView(u) for u in portfolio.units}
        self.unit_milestones: dict[str, list[MilestoneView]] = {uid: [] for uid in self.units}
        self.unit_projects: dict[str, list[ProjectView]] = {uid: [] for uid in self.units}
        self.unit_notices: dict[str, list[NoticeView]] = {uid: [] for uid in self.units}
        self.unit_counts: dict[str, list[int]] = {uid: [0] * 6 for uid in self.units}
        for u in portfolio.units:
            if u.parent is not None:
                self.units[u.id].parent = self.unit(u.parent)

    def unit(self, uid: str) -> UnitView:
        # The loader refuses unknown units; a hand-built portfolio may still name one.
        view = self.units.get(uid)
        if view is None:
            view = self.units[uid] = UnitView(Unit(id=uid, name=uid))
            self.unit_milestones[uid], self.unit_projects[uid] = [], []
            self.unit_notices[uid], self.unit_counts[uid] = [], [0] * 6
        return view


def build_views(portfolio: Portfolio, schedule: ScheduleLike, today: dt.date,
                calendar: Workdays) -> Views:
    """Every subject of ``portfolio`` as of ``today`` and every rate, in one pass over the
    milestones (the notices after them)."""
    b = _Builder(portfolio, today)
    unit_milestones, unit_counts = b.unit_milestones, b.unit_counts
    workdays, schedule_of = calendar.workdays, schedule.milestone
    projects: dict[str, ProjectView] = {}
    milestones: dict[tuple[str, str], MilestoneView] = {}
    all_milestones: list[MilestoneView] = []
    total = [0] * 6
    project_counts: dict[str, list[int]] = {}
    for p in portfolio.projects:
        pid = p.id
        owner = b.unit(p.unit)
        pv = ProjectView(p, owner, getattr(_get(schedule.project, pid), "forecast", None))
        projects[pid] = pv
        b.unit_projects[owner.id].append(pv)
        views: list[MilestoneView] = []
        latest: dt.date | None = None
        paid, all_done, total_weight, weighted = 0.0, bool(p.milestones), 0, 0.0
        c = [0] * 6
        for m in p.milestones:
            key = (pid, m.id)
            try:
                ms = schedule_of(key)
            except KeyError:  # a milestone the schedule does not know
                forecast, total_float, critical, duration = None, None, False, 0
            else:
                forecast, total_float = ms.forecast, ms.float
                critical, duration = bool(ms.critical), ms.duration or 0
            uid = m.unit
            responsible = owner if uid is None else b.unit(uid)
            due, finished = m.due, m.finished
            if finished is not None and finished > today:
                finished = None  # finishes after the as-of day: not done yet
            if due is None:
                overdue: int | None = None
            else:
                end = today if finished is None else finished
                overdue = workdays(due, end) if end > due else 0
                if latest is None or due > latest:
                    latest = due
                if due <= today:  # the rates count what was due by today
                    counts = unit_counts[responsible.id]
                    c[0] += 1
                    counts[0] += 1
                    if finished is not None:
                        c[1] += 1
                        counts[1] += 1
                        if finished <= due:
                            c[2] += 1
                            counts[2] += 1
                            if finished < due:
                                c[3] += 1
                                counts[3] += 1
            mv = MilestoneView(m, key, pv, responsible, finished, overdue, forecast,
                               total_float, critical)
            milestones[key] = mv
            views.append(mv)
            unit_milestones[responsible.id].append(mv)
            if m.paid is not None:
                paid += m.paid
            if finished is None:
                all_done = False
                share = m.progress or 0.0
            else:
                share = 1.0
            weight = max(int(duration), 1)
            total_weight += weight
            weighted += weight * share
        pv.milestones = tuple(views)
        pv.due = latest
        pv.paid, pv.done = paid, all_done
        pv.progress = weighted / total_weight if total_weight else None
        all_milestones.extend(views)
        project_counts[pid] = c
        for i in range(4):
            total[i] += c[i]
    notices: list[NoticeView] = []
    for n in portfolio.notices:
        nv = NoticeView(n, b.unit(n.unit), today, calendar)
        notices.append(nv)
        b.unit_notices[nv.unit.id].append(nv)
        _count_notice(b.unit_counts[nv.unit.id], nv, today)
        _count_notice(total, nv, today)
        if nv.project is not None and nv.project in projects:
            _count_notice(project_counts[nv.project], nv, today)
    for pid, pv in projects.items():
        pv.rates = _rates(project_counts[pid])
    for uid, u in b.units.items():
        u.milestones, u.projects = tuple(unit_milestones[uid]), tuple(b.unit_projects[uid])
        u.notices = tuple(b.unit_notices[uid])
        u.rates = _rates(unit_counts[uid])
    return Views(today, tuple(all_milestones), tuple(projects.values()), tuple(b.units.values()),
                 tuple(notices), milestones, projects, b.units, _rates(total))


def _get(lookup: Any, key: Any) -> Any:
    """A schedule entry, or ``None`` for a subject the schedule does not know."""
    try:
        return lookup(key)
    except KeyError:
        return None


def subjects_of(views: Views, kind: str) -> Sequence[Any]:
    """The subjects a rule ``for KIND`` runs over."""
    return {"milestone": views.milestones, "project": views.projects, "unit": views.units,
            "notice": views.notices}[kind]
