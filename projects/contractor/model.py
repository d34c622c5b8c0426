"""The values a contractor's schedule file holds: activities, links, calendars."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from projects.errors import ProjectsError

MINUTE = dt.timedelta(minutes=1)
#: How far a calendar is searched for working time before it is called empty.
SEARCH_DAYS = 3660


class ScheduleFileError(ProjectsError, ValueError):
    """A schedule file refused: ``where`` says the table and row (or element and line)."""

    def __init__(self, where: str, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{where}: {zh} / {en}", where=where)


@dataclass(frozen=True)
class Calendar:
    """A work week (``weekly[0]`` is Monday) of ``(start, end)`` minute ranges within the day,
    and exceptions: dates whose ranges replace the week's (an empty tuple: no work)."""

    id: str
    name: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    exceptions: dict[dt.date, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    hours_per_day: float = 8.0
    _cache: list[_Index] = field(default_factory=list, init=False, repr=False, compare=False)

    def ranges(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        got = self.exceptions.get(day)
        return got if got is not None else self.weekly[day.weekday()]

    def _empty(self) -> ScheduleFileError:
        return ScheduleFileError(f"calendar {self.id}", "日历在十年内没有工作时间",
                                 "the calendar has no working time within ten years")

    def _ix(self, t: dt.datetime, minutes: float | None = None, *, back: bool = False) -> _Index:
        """The index, grown (never shrunk) until it covers ``t`` and, unless ``minutes`` is None,
        ``minutes`` of working time after it (before it with ``back``; with 0: some)."""
        ix = self._cache[0] if self._cache else None
        day = t.date()
        lo, hi = (ix.first, ix.last) if ix else (day - _GROW, day + _GROW)
        while True:
            if ix is None or (lo, hi) != (ix.first, ix.last):
                ix = _Index(self, lo, hi)
                self._cache[:] = [ix]
            span = max(hi - lo, _GROW)
            if day - lo < _MARGIN:
                lo = day - span
            elif hi - day < _MARGIN:
                hi = day + span
            elif minutes is None:
                return ix
            elif back and (ix.position(t) - minutes < 0 or (not minutes and not ix.position(t))):
                edge = dt.datetime.combine(lo, dt.time())
                first = min(t, ix.moment(ix.start[0])) if ix.start else t
                if first - edge >= _FAR:
                    raise self._empty()  # ten years without working time before t
                lo -= span
            elif not back and (not ix.cum_end or ix.position(t) + minutes > ix.cum_end[-1]
                               or (not minutes and ix.position(t) == ix.cum_end[-1])):
                edge = dt.datetime.combine(hi, dt.time())
                last = max(t, ix.moment(ix.end[-1])) if ix.end else t
                if edge - last >= _FAR:
                    raise self._empty()  # ten years without working time after t
                hi += span
            else:
                return ix

    def next_work(self, t: dt.datetime) -> dt.datetime:
        """The first working moment at or after ``t`` (a finish at 17:00 starts at 08:00 next)."""
        return self.add(t, 0)

    def prev_work(self, t: dt.datetime) -> dt.datetime:
        """The last working moment at or before ``t`` (a start at 08:00 finishes at 17:00 before)."""
        return self.sub(t, 0)

    def add(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` moved forward by ``minutes`` of working time; with 0, to the next working moment.
        A move that ends exactly at a period's end stays there (17:00, not 08:00 next day)."""
        ix = self._cache[0] if self._cache else None
        at = pos = 0.0
        if ix is not None:  # the common case: well inside the index, with the time there
            at = (t - ix.base) / MINUTE
            pos = ix.position_at(at) if ix.safe_lo <= at <= ix.safe_hi else -1.0
        if ix is None or pos < 0 or pos + minutes >= ix.total:
            ix = self._ix(t, minutes)
            at, pos = ix.minutes(t), ix.position(t)
        if minutes <= 0:
            i = bisect.bisect_right(ix.end, at)
            return ix.moment(max(ix.start[i], at))
        w = pos + minutes
        i = bisect.bisect_left(ix.cum_end, w)
        return ix.moment(ix.start[i] + (w - ix.cum[i]))

    def sub(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` moved back by ``minutes`` of working time; with 0, to the last working moment.
        A move that ends exactly at a period's start stays there (08:00, not 17:00 the day before)."""
        ix = self._cache[0] if self._cache else None
        at = pos = 0.0
        if ix is not None:
            at = (t - ix.base) / MINUTE
            pos = ix.position_at(at) if ix.safe_lo <= at <= ix.safe_hi else -1.0
        if ix is None or pos - minutes <= 0:
            ix = self._ix(t, minutes, back=True)
            at, pos = ix.minutes(t), ix.position(t)
        if minutes <= 0:
            i = bisect.bisect_left(ix.start, at) - 1
            return ix.moment(min(ix.end[i], at))
        w = pos - minutes
        i = bisect.bisect_right(ix.cum, w) - 1
        return ix.moment(ix.start[i] + (w - ix.cum[i]))

    def work_minutes(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working minutes from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.work_minutes(b, a)
        ix = self._cache[0] if self._cache else None
        if ix is not None:
            lo, hi = (a - ix.base) / MINUTE, (b - ix.base) / MINUTE
            if ix.safe_lo <= lo and hi <= ix.safe_hi:
                return ix.position_at(hi) - ix.position_at(lo)
        self._ix(a)
        ix = self._ix(b)  # the index only grows: it still covers a
        return ix.position(b) - ix.position(a)


#: Days the index grows by at least; how close to its edges a query may come before it grows;
#: how far it grows looking for working time before the calendar is called empty.
_GROW, _MARGIN = dt.timedelta(days=400), dt.timedelta(days=2)
_FAR = dt.timedelta(days=SEARCH_DAYS)


class _Index:
    """A calendar's working periods from ``first`` to ``last`` (exclusive) as minutes since
    ``first`` midnight, with the working minutes before each (``cum``) and up to its end
    (``cum_end``): adding, subtracting and counting working time are bisections, not walks."""

    __slots__ = ("base", "cum", "cum_end", "end", "first", "last", "safe_hi", "safe_lo", "start",
                 "total")

    def __init__(self, cal: Calendar, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.base = dt.datetime.combine(first, dt.time())
        self.start: list[float] = []
        self.end: list[float] = []
        self.cum: list[float] = []
        self.cum_end: list[float] = []
        total = 0.0
        day, offset = first, 0
        while day < last:
            for s, e in cal.ranges(day):
                if e <= s:
                    continue
                lo, hi = offset + s, offset + e
                if self.end and self.end[-1] >= lo:  # touching periods (24:00 = 00:00) join
                    self.end[-1] = max(self.end[-1], hi)
                    total = self.cum[-1] + (self.end[-1] - self.start[-1])
                    self.cum_end[-1] = total
                    continue
                self.start.append(lo)
                self.end.append(hi)
                self.cum.append(total)
                total += hi - lo
                self.cum_end.append(total)
            day += dt.timedelta(days=1)
            offset += 24 * 60
        #: minutes within which a query needs no growth check; working minutes in all
        self.safe_lo = _MARGIN / MINUTE
        self.safe_hi = offset - _MARGIN / MINUTE - 24 * 60
        self.total = total

    def minutes(self, t: dt.datetime) -> float:
        return (t - self.base) / MINUTE

    def moment(self, minutes: float) -> dt.datetime:
        return self.base + dt.timedelta(minutes=minutes)

    def position(self, t: dt.datetime) -> float:
        """Working minutes from ``first`` to ``t``."""
        return self.position_at(self.minutes(t))

    def position_at(self, at: float) -> float:
        """Working minutes from ``first`` to ``at`` minutes after its midnight."""
        i = bisect.bisect_right(self.start, at) - 1
        if i < 0:
            return 0.0
        return self.cum[i] + min(at, self.end[i]) - self.start[i]


@dataclass(frozen=True)
class Link:
    """``pred`` → ``succ`` of ``type`` FS, SS, FF or SF with ``lag_hours`` (negative: a lead)."""

    pred: str
    succ: str
    type: str = "FS"
    lag_hours: float = 0.0
    #: the calendar this link's lag is counted on when it is not the schedule's rule: a
    #: calendar id, or "24h" (MS Project's elapsed lags)
    lag_calendar: str | None = None
    #: where the file states the link (``file:line (element)``), for refusals such as a cycle
    where: str = field(default="", compare=False)


@dataclass(frozen=True)
class Activity:
    """One activity as the file stores it; ``file_*`` are the tool's own computed values."""

    id: str
    name: str
    calendar: str
    duration_hours: float
    remaining_hours: float
    kind: str = "task"  # task, start milestone, finish milestone
    status: str = "not started"  # not started, started, finished
    actual_start: dt.datetime | None = None
    actual_finish: dt.datetime | None = None
    constraint: str | None = None
    constraint_date: dt.datetime | None = None
    file_early_start: dt.datetime | None = None
    file_early_finish: dt.datetime | None = None
    file_late_start: dt.datetime | None = None
    file_late_finish: dt.datetime | None = None
    file_total_float_hours: float | None = None
    wbs: str = ""
    file_free_float_hours: float | None = None
    file_critical: bool | None = None
    #: the planned (target / baseline-free) dates the file states, and progress 0..100
    planned_start: dt.datetime | None = None
    planned_finish: dt.datetime | None = None
    percent_complete: float = 0.0
    #: MS Project: where a started task's remaining work resumes; a manually scheduled task
    #: keeps its planned dates and start-driven successors do not drive its late dates
    resume: dt.datetime | None = None
    manual: bool = False
    #: activity codes (type → value) and the WBS path, for import maps
    codes: dict[str, str] = field(default_factory=dict, compare=False)
    wbs_path: str = ""
    #: the resources assigned to it (names) and its budgeted cost (assignments and expenses;
    #: MS Project's Cost), for DCMA point 10
    resources: tuple[str, ...] = field(default=(), compare=False)
    cost: float = 0.0
    #: P6's secondary constraint (``cstr_type2`` / ``cstr_date2``), honoured with the primary
    constraint2: str | None = None
    constraint2_date: dt.datetime | None = None
    #: the baseline the file holds for it (see ``Schedule.baseline``); None: no baseline
    baseline_start: dt.datetime | None = None
    baseline_finish: dt.datetime | None = None
    baseline_duration_hours: float | None = None


@dataclass(frozen=True)
class Schedule:
    """A whole file: its activities in file order, links, calendars and data date."""

    name: str
    data_date: dt.datetime
    activities: tuple[Activity, ...]
    links: tuple[Link, ...]
    calendars: dict[str, Calendar]
    lag_calendar: str = "predecessor"  # predecessor, successor, 24h, project
    default_calendar: str = ""
    must_finish_by: dt.datetime | None = None
    retained_logic: bool = True  # False: progress override
    #: "xer" or "mspdi": which tool's conventions the figures follow
    format: str = "xer"
    #: MS Project's status date, when the file has one (its forward pass starts at the
    #: project start: Project does not hold unstarted work back to the status date)
    status_date: dt.datetime | None = None
    #: where the activities' baseline comes from (a key of ``BASELINES``) and, for a P6
    #: baseline project, its name
    baseline: str = "none"
    baseline_name: str = ""
    #: MS Project summary tasks that links start from (SS, SF: driven by the summary's start),
    #: each with the leaf tasks under it; a summary is not an activity
    summaries: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def baseline_statement(self) -> tuple[str, str]:
        """What the baseline is, in Chinese and English (DCMA BEI, CPLI and the slip use it)."""
        zh, en = BASELINES[self.baseline]
        return zh.format(name=self.baseline_name), en.format(name=self.baseline_name)


#: The baselines a file may hold, as the reports state them.
BASELINES: dict[str, tuple[str, str]] = {
    "p6 project": ("基线为 P6 基线项目 {name}（导出文件中的基线项目的作业日期）",
                   "the baseline is P6's baseline project {name} (its activities' dates in the export)"),
    "p6 planned": ("基线为 P6 的计划日期（target_start_date / target_end_date）；导出文件中没有基线项目",
                   "the baseline is P6's planned dates (target_start_date / target_end_date); "
                   "the export holds no baseline project"),
    "mspdi 0": ("基线为 MS Project 的基线（Baseline 0：开始、完成、工期）",
                "the baseline is MS Project's baseline (Baseline 0: Start, Finish, Duration)"),
    "none": ("文件中没有基线：BEI 与到期未完成以文件当前的计划完成代替（仅供参考），CPLI 用关键路径"
             "自身的总浮时，不给出相对基线的推迟",
             "the file holds no baseline: BEI and missed tasks use its current planned finish "
             "instead (for information only), CPLI the critical path's own total float, and no "
             "slip against a baseline is given"),
}
