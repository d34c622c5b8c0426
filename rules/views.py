"""The run-time subjects compiled rules read: milestone, project, unit, notice, person and
complaint views.

Owns ``MilestoneView``, ``ProjectView``, ``UnitView``, ``NoticeView``, ``PersonView``,
``ComplaintView``, the four rates and ``build_views``. Invariants:

- Attribute names are exactly the spec's field names (``dsl.schema.FIELDS``); a field the
  schema marks never-missing is never ``None``. Missing is ``None``.
- One view object per unit, project, milestone and notice: notified units compare by identity.
- Everything is relative to one as-of day ``today``: ``m.done`` means finished on or before
  it, ``n.responded`` answered on or before it; only complaints received by it exist, answered
  once ``responded <= today``, rated once ``rated <= today``.
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

from dsl.values import Duration
from projects import cadence as _cadence
from projects import catalogue
from projects.accountability import counts as accountability_counts
from projects.complaints import ComplaintTally
from projects.extensions import DueAsOf
from projects.model import (
    Category,
    Complaint,
    ComplaintKind,
    Kind,
    Level,
    Milestone,
    Notice,
    Person,
    Portfolio,
    Project,
    Rating,
    Unit,
)
from projects.subjects import subject_project


class Workdays(Protocol):
    """The part of ``projects.calendar.WorkCalendar`` the views need."""

    def workdays(self, a: dt.date, b: dt.date) -> int: ...

    def add_workdays(self, d: dt.date, n: int) -> dt.date: ...

    def is_workday(self, d: dt.date) -> bool: ...


class _Unset:
    __slots__ = ()


#: A lazily computed field not computed yet (``None`` is a value: missing).
_UNSET: Any = _Unset()


class _Context:
    """What every view of one build shares: the day and the calendar (for the lazy fields)."""

    __slots__ = ("calendar", "today")

    def __init__(self, today: dt.date, calendar: Workdays) -> None:
        self.today = today
        self.calendar = calendar


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


class Tally:
    """The counts behind the four rates of one portfolio, unit, project or person: milestones
    due by today, finished of those, on time, early; notices due by today, answered in time."""

    __slots__ = ("answered", "due", "early", "finished", "notices_due", "on_time")

    def __init__(self) -> None:
        self.due = self.finished = self.on_time = self.early = 0
        self.notices_due = self.answered = 0

    def milestone(self, due: dt.date, finished: dt.date | None) -> None:
        """Count a milestone due by today (``finished`` is ``None`` when not done by today)."""
        self.due += 1
        if finished is not None:
            self.finished += 1
            if finished <= due:
                self.on_time += 1
                if finished < due:
                    self.early += 1

    def notice(self, n: NoticeView, today: dt.date) -> None:
        """Count a notice due by today, and whether it was answered in time."""
        if n.due > today:
            return
        self.notices_due += 1
        r = n.response_date
        if r is not None and r <= n.due:
            self.answered += 1

    def add_milestones(self, other: Tally) -> None:
        """Add ``other``'s milestone counts (a project's, into the portfolio's)."""
        self.due += other.due
        self.finished += other.finished
        self.on_time += other.on_time
        self.early += other.early

    def rates(self) -> Rates:
        due, finished = self.due, self.finished
        return Rates(
            self.on_time / due if due else None,
            finished / due if due else None,
            self.early / finished if finished else None,
            self.answered / self.notices_due if self.notices_due else None,
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

    __slots__ = ("_cards", "accountabilities", "complaint_response_rate", "complaints", "criticisms",
                 "extensions", "id", "level", "milestones", "model", "name", "notices", "parent",
                 "people", "projects", "rates", "satisfaction_rate", "workload")

    def __init__(self, unit: Unit) -> None:
        self.model = unit
        self.id = unit.id
        self.name = unit.name
        self.level = unit.level
        self.parent: UnitView | None = None
        self.milestones: tuple[MilestoneView, ...] = ()
        self.projects: tuple[ProjectView, ...] = ()
        self.notices: tuple[NoticeView, ...] = ()
        self.people: tuple[PersonView, ...] = ()
        self.extensions = 0  # approved extensions of its milestones by today
        self.criticisms = 0  # 通报批评 records of the unit by today (issue 13)
        self.accountabilities = 0  # 问责 records of the unit or its people by today
        self.rates = Rates()
        # issue 13: its complaints received by today, and what they count towards
        self.complaints: tuple[ComplaintView, ...] = ()
        self.workload = 0  # its milestones due by today plus its complaints received by today
        self.complaint_response_rate: float | None = None
        self.satisfaction_rate: float | None = None
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

    __slots__ = ("_planned", "_weights", "budget", "category", "co_units", "done", "due",
                 "forecast", "id", "instruction", "milestones", "model", "name", "paid", "person",
                 "progress", "rates", "report_every", "source", "unit", "urgent")

    def __init__(self, project: Project, unit: UnitView, forecast: dt.date | None,  # noqa: PLR0917
                 co_units: tuple[UnitView, ...] = (), person: PersonView | None = None,
                 report_every: Duration | None = None) -> None:
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
        # version 2 (issue 12)
        self.co_units = co_units
        self.person = person
        self.urgent = project.urgent
        self.source = project.source
        self.instruction = project.instruction
        self.report_every = report_every
        self._weights: tuple[int, ...] = ()  # the milestones' weights in ``progress``
        self._planned: float | None = _UNSET

    @property
    def planned_progress(self) -> float | None:
        """序时进度 weighted like ``progress``, over the milestones that have one."""
        found = self._planned
        if found is _UNSET:
            total = weighted = 0.0
            for mv, weight in zip(self.milestones, self._weights, strict=True):
                share = mv.planned_progress
                if share is not None:
                    total += weight
                    weighted += weight * share
            found = self._planned = weighted / total if total else None
        return found

    def __repr__(self) -> str:
        return f"ProjectView({self.id!r})"


class PersonView(_RatesMixin):
    """A responsible person (责任人) as rules see them, with the milestones they answer for."""

    __slots__ = ("accountabilities", "id", "milestones", "model", "name", "post", "rates", "unit")

    def __init__(self, person: Person, unit: UnitView) -> None:
        self.model = person
        self.id = person.id
        self.name = person.name
        self.unit = unit
        self.post = person.post
        self.milestones: tuple[MilestoneView, ...] = ()
        self.rates = Rates()
        self.accountabilities = 0  # 问责 records naming them by today (issue 13)

    def __repr__(self) -> str:
        return f"PersonView({self.id!r})"


#: The milestone fields ``MilestoneView`` sets itself; every other catalogued field a rule can
#: read is copied from the model as it is (``_MILESTONE_PLAIN``), so a new catalogued field
#: reaches the rules without a change here.
_MILESTONE_OWN = ("_cadence", "_ctx", "_next", "_planned", "amount", "co_units", "critical",
                  "done", "due", "extension_pending", "extensions", "finished", "float",
                  "forecast", "id", "key", "kind", "late", "late_extension_requests", "model",
                  "name", "original_due", "overdue", "paid", "person", "progress", "project",
                  "report_every", "start", "unit", "updated")
_MILESTONE_PLAIN = tuple(f.name for f in catalogue.MILESTONE if f.dsl is not None and f.name not in _MILESTONE_OWN)


def _plain_copier(names: tuple[str, ...]) -> Any:
    """``copy(view, m)``: each of ``names`` (catalogue field names) from the model ``m`` to the
    view, as straight-line assignments (a loop of ``setattr`` cost a view a third of a µs)."""
    env: dict[str, Any] = {}
    body = "".join(f"    view.{name} = m.{name}\n" for name in names)
    exec(f"def copy(view, m):\n{body}    return None\n", env)  # our own text, from the catalogue
    return env["copy"]


_copy_plain = _plain_copier(_MILESTONE_PLAIN)


class MilestoneView:
    """A milestone as rules see it, with its schedule (forecast, float, critical)."""

    __slots__ = _MILESTONE_OWN + _MILESTONE_PLAIN

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
        # version 2 (issue 12): set by ``build_views``; the lazy ones on first read
        self.person: PersonView | None = None
        self.co_units: tuple[UnitView, ...] = ()
        self.report_every: Duration | None = None
        self._cadence: _cadence.Cadence | None = None
        self.original_due = m.due
        self.extensions = 0
        self.extension_pending = False
        self.late_extension_requests = 0
        self._ctx: _Context | None = None
        self._next: dt.date | None = _UNSET
        self._planned: float | None = _UNSET
        _copy_plain(self, m)  # the catalogue's newer fields (schedule_slip, resourced...)

    @property
    def links(self) -> int:
        """How many links (``after`` entries) this milestone has."""
        return len(self.model.after)

    @property
    def fs_links(self) -> int:
        """Its finish-to-start links."""
        return sum(1 for d in self.model.after if d.type == "FS")

    @property
    def leads(self) -> int:
        """Its links with a negative lag (a lead)."""
        return sum(1 for d in self.model.after if d.lag < 0)

    @property
    def lags(self) -> int:
        """Its links with a positive lag."""
        return sum(1 for d in self.model.after if d.lag > 0)

    @property
    def next_report(self) -> dt.date | None:
        """When the next progress report is due (``projects.cadence.next_report``)."""
        found = self._next
        if found is _UNSET:
            ctx = self._ctx
            found = self._next = None if ctx is None or self._cadence is None else \
                _cadence.next_report(self._cadence, self.start, self.updated, self.done,
                                     today=ctx.today, cal=ctx.calendar)  # type: ignore[arg-type]
        return found

    @property
    def report_overdue(self) -> int | None:
        """Working days from ``next_report`` to today when today is later, else 0."""
        ctx = self._ctx
        due = self.next_report
        if due is None or ctx is None:
            return None
        return _cadence.report_overdue(due, ctx.today, ctx.calendar)  # type: ignore[arg-type]

    @property
    def planned_progress(self) -> float | None:
        """序时进度: the share of the planned working days (start to the moved due) elapsed."""
        found = self._planned
        if found is _UNSET:
            ctx = self._ctx
            found = self._planned = None if ctx is None else _cadence.planned_progress(
                self.start, self.due, ctx.today, ctx.calendar)  # type: ignore[arg-type]
        return found

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
        self.project = subject_project(n.subject)

    def __repr__(self) -> str:
        return f"NoticeView({self.id!r})"


class ComplaintView:
    """A complaint (群众投诉 / 咨询 / 建议) as rules see it, as of one day."""

    __slots__ = ("due", "id", "kind", "model", "overdue", "project", "rating", "received",
                 "responded", "response_date", "satisfied", "title", "unit")

    def __init__(self, c: Complaint, unit: UnitView, project: ProjectView | None,  # noqa: PLR0917
                 today: dt.date, calendar: Workdays, tally: ComplaintTally | None = None) -> None:
        """``c`` received by ``today``; counted into its unit's ``tally`` when one is given
        (what ``ComplaintTally.add`` counts, from the values read here once)."""
        self.model = c
        self.id = c.id
        self.title = c.title
        self.kind: ComplaintKind = c.kind
        self.unit = unit
        self.project = project
        self.received = c.received
        self.due = c.due
        answered = c.responded is not None and c.responded <= today
        self.responded = answered
        self.response_date = c.responded if answered else None
        end = c.responded if answered else today
        assert end is not None
        self.overdue = calendar.workdays(c.due, end) if end > c.due else 0
        rated = c.rating is not None and c.rated is not None and c.rated <= today
        self.rating: Rating | None = c.rating if rated else None
        self.satisfied = None if self.rating is None else self.rating.satisfied
        if tally is not None:
            tally.received += 1
            if c.due <= today:
                tally.due += 1
                if answered and end <= c.due:
                    tally.answered_in_time += 1
            if rated:
                tally.rated += 1
                tally.satisfied += self.satisfied  # type: ignore[operator]

    def __repr__(self) -> str:
        return f"ComplaintView({self.id!r})"


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
    people: tuple[PersonView, ...] = ()
    complaints: tuple[ComplaintView, ...] = ()

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
        self.unit_counts: dict[str, Tally] = {uid: Tally() for uid in self.units}
        for u in portfolio.units:
            if u.parent is not None:
                self.units[u.id].parent = self.unit(u.parent)
        self.people = {x.id: PersonView(x, self.unit(x.unit)) for x in portfolio.people}
        self.person_milestones: dict[str, list[MilestoneView]] = {x: [] for x in self.people}
        self.person_counts: dict[str, Tally] = {x: Tally() for x in self.people}
        self.durations: dict[_cadence.Cadence, Duration] = {}

    def person(self, pid: str | None) -> PersonView | None:
        # the loader refuses unknown people; one a hand-built portfolio names is no one
        return None if pid is None else self.people.get(pid)

    def duration(self, c: _cadence.Cadence | None) -> Duration | None:
        if c is None:
            return None
        found = self.durations.get(c)
        if found is None:
            found = self.durations[c] = Duration(c.amount, c.unit)
        return found

    def unit(self, uid: str) -> UnitView:
        # The loader refuses unknown units; a hand-built portfolio may still name one.
        view = self.units.get(uid)
        if view is None:
            view = self.units[uid] = UnitView(Unit(id=uid, name=uid))
            self.unit_milestones[uid], self.unit_projects[uid] = [], []
            self.unit_notices[uid], self.unit_counts[uid] = [], Tally()
        return view


def build_views(portfolio: Portfolio, schedule: ScheduleLike, today: dt.date,
                calendar: Workdays,
                dues: dict[tuple[str, str], DueAsOf] | None = None) -> Views:
    """Every subject of ``portfolio`` as of ``today`` and every rate, in one pass over the
    milestones (the notices after them). ``dues`` are the milestones whose ``due`` approved
    extensions moved (``projects.extensions.apply``): ``portfolio`` already carries the moved
    ``due``; these give ``original_due``, ``extensions`` and ``extension_pending``."""
    b = _Builder(portfolio, today)
    ctx = _Context(today, calendar)
    dues = dues or {}
    people, person_milestones, person_counts = b.people, b.person_milestones, b.person_counts
    unit_milestones, unit_counts = b.unit_milestones, b.unit_counts
    workdays, schedule_of = calendar.workdays, schedule.milestone
    scheduled = getattr(schedule, "knows_nothing", False) is False  # else no look-ups at all
    # a whole ``Schedule`` gives its figures by node (``Schedule.columns``): no value per milestone
    columns = getattr(schedule, "columns", None) if scheduled else None
    if columns is not None:
        nodes_of, forecasts, floats, criticals, durations = columns()
    # and each project's forecast without its critical path (``Schedule.project_forecast``)
    project_forecast = getattr(schedule, "project_forecast", None) if scheduled else None
    no_nodes: dict[str, int] = {}
    projects: dict[str, ProjectView] = {}
    milestones: dict[tuple[str, str], MilestoneView] = {}
    all_milestones: list[MilestoneView] = []
    total = Tally()
    project_counts: dict[str, Tally] = {}
    for p in portfolio.projects:
        pid = p.id
        owner = b.unit(p.unit)
        co_units = tuple(b.unit(u) for u in p.co_units)
        project_person = b.person(p.person)
        project_cadence = p.report_every
        forecast_p = (project_forecast(pid) if project_forecast is not None
                      else getattr(_get(schedule.project, pid), "forecast", None))
        pv = ProjectView(p, owner, forecast_p, co_units, project_person, b.duration(project_cadence))
        projects[pid] = pv
        b.unit_projects[owner.id].append(pv)
        views: list[MilestoneView] = []
        latest: dt.date | None = None
        paid, all_done, total_weight, weighted = 0.0, bool(p.milestones), 0, 0.0
        weights: list[int] = []
        c = Tally()
        nodes = nodes_of.get(pid, no_nodes) if columns is not None else no_nodes
        for m in p.milestones:
            key = (pid, m.id)
            if columns is not None:
                i = nodes.get(m.id)
                if i is None:  # a milestone the schedule does not know
                    forecast, total_float, critical, duration = None, None, False, 0
                else:
                    forecast, total_float = forecasts[i], floats[i]
                    critical, duration = bool(criticals[i]), durations[i] or 0
            else:
                try:
                    ms = schedule_of(key) if scheduled else None
                except KeyError:  # a milestone the schedule does not know
                    ms = None
                if ms is None:
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
                    c.milestone(due, finished)
                    unit_counts[responsible.id].milestone(due, finished)
                    who = m.person if m.person is not None else p.person
                    if who is not None and who in person_counts:
                        person_counts[who].milestone(due, finished)
            mv = MilestoneView(m, key, pv, responsible, finished, overdue, forecast,
                               total_float, critical)
            mv._ctx = ctx
            person = project_person if m.person is None else b.person(m.person)
            if person is not None:
                mv.person = person
                person_milestones[person.id].append(mv)
            mv.co_units = co_units if m.co_units is None else tuple(b.unit(u) for u in m.co_units)
            own = m.report_every
            if own is not None:
                mv._cadence, mv.report_every = own, b.duration(own)
            elif project_cadence is not None:
                mv._cadence, mv.report_every = project_cadence, pv.report_every
            moved = dues.get(key)
            if moved is not None:
                mv.original_due = moved.original_due
                mv.extensions = len(moved.approved)
                mv.extension_pending = moved.pending
                mv.late_extension_requests = moved.late_requests
                responsible.extensions += mv.extensions
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
            # ``max(int(duration), 1)``, without the two calls for the usual whole number
            weight = duration if type(duration) is int and duration > 1 else max(int(duration), 1)
            weights.append(weight)
            total_weight += weight
            weighted += weight * share
        pv.milestones = tuple(views)
        pv._weights = tuple(weights)
        pv.due = latest
        pv.paid, pv.done = paid, all_done
        pv.progress = weighted / total_weight if total_weight else None
        all_milestones.extend(views)
        project_counts[pid] = c
        total.add_milestones(c)
    notices: list[NoticeView] = []
    for n in portfolio.notices:
        nv = NoticeView(n, b.unit(n.unit), today, calendar)
        notices.append(nv)
        b.unit_notices[nv.unit.id].append(nv)
        b.unit_counts[nv.unit.id].notice(nv, today)
        total.notice(nv, today)
        if nv.project is not None and nv.project in projects:
            project_counts[nv.project].notice(nv, today)
    for pid, pv in projects.items():
        pv.rates = project_counts[pid].rates()
    complaints: list[ComplaintView] = []
    unit_complaints: dict[str, list[ComplaintView]] = {}
    tallies: dict[str, ComplaintTally] = {}
    for complaint in portfolio.complaints:
        if complaint.received > today:
            continue  # not received yet: it does not exist
        uid = complaint.unit
        tally = tallies.get(uid)
        if tally is None:
            tally = tallies[uid] = ComplaintTally()
            unit_complaints[uid] = []
        cv = ComplaintView(complaint, b.unit(uid),
                           None if complaint.project is None else projects.get(complaint.project),
                           today, calendar, tally)
        complaints.append(cv)
        unit_complaints[uid].append(cv)
    held = accountability_counts(portfolio.accountability, {x.id: x.unit for x in portfolio.people}, today)
    unit_people: dict[str, list[PersonView]] = {}
    for xid, xv in people.items():
        xv.accountabilities = held.person_accountabilities.get(xid, 0)
        xv.milestones = tuple(person_milestones[xid])
        xv.rates = person_counts[xid].rates()
        unit_people.setdefault(xv.unit.id, []).append(xv)
    for uid, u in b.units.items():
        u.milestones, u.projects = tuple(unit_milestones[uid]), tuple(b.unit_projects[uid])
        u.notices = tuple(b.unit_notices[uid])
        u.people = tuple(unit_people.get(uid, ()))
        u.rates = unit_counts[uid].rates()
        tally = tallies.get(uid)
        u.workload = unit_counts[uid].due
        if tally is not None:
            u.complaints = tuple(unit_complaints[uid])
            u.workload += tally.received
            u.complaint_response_rate = tally.response_rate
            u.satisfaction_rate = tally.satisfaction_rate
        u.criticisms = held.criticisms.get(uid, 0)
        u.accountabilities = held.unit_accountabilities.get(uid, 0)
    return Views(today, tuple(all_milestones), tuple(projects.values()), tuple(b.units.values()),
                 tuple(notices), milestones, projects, b.units, total.rates(),
                 tuple(people.values()), tuple(complaints))


def unlink(views: Views) -> None:
    """Break the links from each unit, project and person down to the views it holds (each of
    which links back up to it), so that the views of one pass, once dropped, are freed by
    their reference counts at once rather than by the cyclic collector: a report group's
    scoped evaluation left some thousands of them, many times a second, for the collector's
    young-generation passes to find and free (13,000 objects a pass). After it, no rule may run over
    ``views`` and no explanation of them be computed (``rules.engine.evaluate`` with
    ``explained`` computes its findings' explanations first)."""
    for u in views.units:
        u.milestones = u.projects = u.notices = u.people = u.complaints = ()
    for p in views.projects:
        p.milestones = ()
    for x in views.people:
        x.milestones = ()


def _get(lookup: Any, key: Any) -> Any:
    """A schedule entry, or ``None`` for a subject the schedule does not know."""
    try:
        return lookup(key)
    except KeyError:
        return None


def subjects_of(views: Views, kind: str) -> Sequence[Any]:
    """The subjects a rule ``for KIND`` runs over."""
    return {"milestone": views.milestones, "project": views.projects, "unit": views.units,
            "notice": views.notices, "person": views.people, "complaint": views.complaints}[kind]
