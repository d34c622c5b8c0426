"""The run-time subjects compiled rules read: milestone, project, unit and notice views.

Owns ``MilestoneView``, ``ProjectView``, ``UnitView``, ``NoticeView``, the four rates and
``build_views``. Invariants:

- Attribute names are exactly the spec's field names (``dsl.schema.FIELDS``); a field the
  schema marks never-missing is never ``None``. Missing is ``None``.
- One view object per unit, project, milestone and notice: notified units compare by identity.
- Everything is relative to one as-of day ``today``: ``m.done`` means finished on or before
  it, ``n.responded`` answered on or before it.
- Building is one pass over the milestones; collections (``u.milestones``...) and rates are
  computed on first access and kept, so 40,000 milestones cost little when a rulebook reads
  few of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
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


def compute_rates(milestones: Iterable[MilestoneView], notices: Iterable[NoticeView],
                  today: dt.date) -> Rates:
    """The rates over the milestones due by ``today`` and the notices due by ``today``."""
    due = on_time = finished = early = 0
    for m in milestones:
        d = m.due
        if d is None or d > today:
            continue
        due += 1
        if m.done:
            finished += 1
            f = m.finished
            assert f is not None
            if f <= d:
                on_time += 1
                if f < d:
                    early += 1
    notices_due = answered = 0
    for n in notices:
        if n.due > today:
            continue
        notices_due += 1
        r = n.response_date
        if r is not None and r <= n.due:
            answered += 1
    return Rates(
        on_time / due if due else None,
        finished / due if due else None,
        early / finished if finished else None,
        answered / notices_due if notices_due else None,
    )


class _RatesMixin:
    """Lazy rates: computed from ``_rate_sources()`` on first access of any of them."""

    __slots__ = ()

    _rates: Rates | None
    _today: dt.date

    def _rate_sources(self) -> tuple[Iterable[MilestoneView], Iterable[NoticeView]]:
        raise NotImplementedError

    @property
    def rates(self) -> Rates:
        if self._rates is None:
            milestones, notices = self._rate_sources()
            self._rates = compute_rates(milestones, notices, self._today)
        return self._rates

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

    __slots__ = ("_rates", "_today", "id", "level", "milestones", "model", "name", "notices",
                 "parent", "projects")

    def __init__(self, unit: Unit, today: dt.date) -> None:
        self.model = unit
        self.id = unit.id
        self.name = unit.name
        self.level = unit.level
        self.parent: UnitView | None = None
        # Lists while ``build_views`` fills them, tuples once it is done.
        self.milestones: Sequence[MilestoneView] = []
        self.projects: Sequence[ProjectView] = []
        self.notices: Sequence[NoticeView] = []
        self._rates: Rates | None = None
        self._today = today

    @property
    def red_cards(self) -> int:
        return sum(1 for n in self.notices if n.level is Level.RED)

    @property
    def yellow_cards(self) -> int:
        return sum(1 for n in self.notices if n.level is Level.YELLOW)

    def _rate_sources(self) -> tuple[Iterable[MilestoneView], Iterable[NoticeView]]:
        return self.milestones, self.notices

    def __repr__(self) -> str:
        return f"UnitView({self.id!r})"


class ProjectView(_RatesMixin):
    """A project as rules see it: sums and weights over its milestones, computed lazily."""

    __slots__ = ("_agg", "_notices", "_rates", "_today", "budget", "category", "due",
                 "forecast", "id", "milestones", "model", "name", "unit", "weights")

    def __init__(self, project: Project, unit: UnitView, today: dt.date,
                 forecast: dt.date | None) -> None:
        self.model = project
        self.id = project.id
        self.name = project.name
        self.category: Category = project.category
        self.unit = unit
        self.budget = project.budget
        self.forecast = forecast
        self.due: dt.date | None = None
        self.milestones: tuple[MilestoneView, ...] = ()
        self.weights: tuple[int, ...] = ()
        self._notices: list[NoticeView] = []
        self._agg: tuple[float, float | None, bool] | None = None
        self._rates: Rates | None = None
        self._today = today

    def _aggregate(self) -> tuple[float, float | None, bool]:
        if self._agg is None:
            paid = 0.0
            done = bool(self.milestones)
            total_weight = 0
            weighted = 0.0
            for m, w in zip(self.milestones, self.weights, strict=True):
                if m.paid is not None:
                    paid += m.paid
                if not m.done:
                    done = False
                share = 1.0 if m.done else (m.progress or 0.0)
                total_weight += w
                weighted += w * share
            progress = weighted / total_weight if total_weight else None
            self._agg = (paid, progress, done)
        return self._agg

    @property
    def paid(self) -> float:
        return self._aggregate()[0]

    @property
    def progress(self) -> float | None:
        return self._aggregate()[1]

    @property
    def done(self) -> bool:
        return self._aggregate()[2]

    def _rate_sources(self) -> tuple[Iterable[MilestoneView], Iterable[NoticeView]]:
        return self.milestones, self._notices

    def __repr__(self) -> str:
        return f"ProjectView({self.id!r})"


class MilestoneView:
    """A milestone as rules see it, with its schedule (forecast, float, critical)."""

    __slots__ = ("amount", "critical", "done", "due", "finished", "float", "forecast", "id",
                 "key", "kind", "late", "model", "name", "overdue", "paid", "progress",
                 "project", "start", "unit", "updated")

    def __init__(self, m: Milestone, project: ProjectView, unit: UnitView, today: dt.date,
                 calendar: Workdays, *, forecast: dt.date | None, total_float: float | None,
                 critical: bool) -> None:
        self.model = m
        self.key = m.key
        self.id = m.id
        self.name = m.name
        self.kind: Kind = m.kind
        self.project = project
        self.unit = unit
        self.start = m.start
        self.due = m.due
        finished = m.finished
        done = finished is not None and finished <= today
        self.done = done
        self.finished = finished if done else None
        self.progress = m.progress
        self.amount = m.amount
        self.paid = m.paid
        self.updated = m.updated
        due = m.due
        if due is None:
            overdue: int | None = None
        else:
            end = finished if done else today
            assert end is not None
            overdue = calendar.workdays(due, end) if end > due else 0
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

    def rates(self) -> Rates:
        return compute_rates(self.milestones, self.notices, self.today)


def _placeholder_unit(uid: str, today: dt.date) -> UnitView:
    return UnitView(Unit(id=uid, name=uid), today)


def build_views(portfolio: Portfolio, schedule: ScheduleLike, today: dt.date,
                calendar: Workdays) -> Views:
    """Every subject of ``portfolio`` as of ``today``, in one pass over the milestones."""
    units = {u.id: UnitView(u, today) for u in portfolio.units}

    def unit_view(uid: str) -> UnitView:
        # The loader refuses unknown units; a hand-built portfolio may still name one.
        view = units.get(uid)
        if view is None:
            view = units[uid] = _placeholder_unit(uid, today)
        return view

    for u in portfolio.units:
        if u.parent is not None:
            units[u.id].parent = unit_view(u.parent)
    projects: dict[str, ProjectView] = {}
    milestones: dict[tuple[str, str], MilestoneView] = {}
    all_milestones: list[MilestoneView] = []
    for p in portfolio.projects:
        owner = unit_view(p.unit)
        ps = _get(schedule.project, p.id)
        pv = ProjectView(p, owner, today, getattr(ps, "forecast", None))
        projects[p.id] = pv
        _append(owner.projects, pv)
        views: list[MilestoneView] = []
        weights: list[int] = []
        latest: dt.date | None = None
        for m in p.milestones:
            ms = _get(schedule.milestone, m.key)
            if ms is None:
                forecast, total_float, critical, duration = None, None, False, 0
            else:
                forecast, total_float = ms.forecast, ms.float
                critical, duration = bool(ms.critical), ms.duration or 0
            responsible = unit_view(m.unit) if m.unit is not None else owner
            mv = MilestoneView(m, pv, responsible, today, calendar, forecast=forecast,
                               total_float=total_float, critical=critical)
            milestones[m.key] = mv
            views.append(mv)
            weights.append(max(int(duration), 1))
            _append(responsible.milestones, mv)
            if m.due is not None and (latest is None or m.due > latest):
                latest = m.due
        pv.milestones = tuple(views)
        pv.weights = tuple(weights)
        pv.due = latest
        all_milestones.extend(views)
    notices: list[NoticeView] = []
    for n in portfolio.notices:
        nv = NoticeView(n, unit_view(n.unit), today, calendar)
        notices.append(nv)
        _append(nv.unit.notices, nv)
        if nv.project is not None and nv.project in projects:
            projects[nv.project]._notices.append(nv)
    for u in units.values():
        u.milestones, u.projects, u.notices = (tuple(u.milestones), tuple(u.projects),
                                               tuple(u.notices))
    return Views(today, tuple(all_milestones), tuple(projects.values()), tuple(units.values()),
                 tuple(notices), milestones, projects, units)


def _append(items: Sequence[Any], item: Any) -> None:
    assert isinstance(items, list)
    items.append(item)


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
