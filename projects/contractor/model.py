"""The values a contractor's schedule file holds: activities, links, calendars."""

from __future__ import annotations

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

    def ranges(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        got = self.exceptions.get(day)
        return got if got is not None else self.weekly[day.weekday()]

    def _periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        base = dt.datetime.combine(day, dt.time())
        return [(base + s * MINUTE, base + e * MINUTE) for s, e in self.ranges(day)]

    def _empty(self) -> ScheduleFileError:
        return ScheduleFileError(f"calendar {self.id}", "日历在十年内没有工作时间",
                                 "the calendar has no working time within ten years")

    def next_work(self, t: dt.datetime) -> dt.datetime:
        """The first working moment at or after ``t`` (a finish at 17:00 starts at 08:00 next)."""
        return self.add(t, 0)

    def prev_work(self, t: dt.datetime) -> dt.datetime:
        """The last working moment at or before ``t`` (a start at 08:00 finishes at 17:00 before)."""
        return self.sub(t, 0)

    def add(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` moved forward by ``minutes`` of working time; with 0, to the next working moment."""
        left = dt.timedelta(minutes=minutes)
        day = t.date()
        for _ in range(SEARCH_DAYS):
            for lo, e in self._periods(day):
                if e <= t:
                    continue
                s = max(lo, t)
                if left < e - s or (left == e - s and left > dt.timedelta(0)):
                    return s + left
                left -= e - s
            day += dt.timedelta(days=1)
        raise self._empty()

    def sub(self, t: dt.datetime, minutes: float) -> dt.datetime:
        """``t`` moved back by ``minutes`` of working time; with 0, to the last working moment."""
        left = dt.timedelta(minutes=minutes)
        day = t.date()
        for _ in range(SEARCH_DAYS):
            for s, hi in reversed(self._periods(day)):
                if s >= t:
                    continue
                e = min(hi, t)
                if left < e - s or (left == e - s and left > dt.timedelta(0)):
                    return e - left
                left -= e - s
            day -= dt.timedelta(days=1)
        raise self._empty()

    def work_minutes(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working minutes from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        if b < a:
            return -self.work_minutes(b, a)
        total = dt.timedelta(0)
        day = a.date()
        while day <= b.date():
            for s, e in self._periods(day):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total / MINUTE


@dataclass(frozen=True)
class Link:
    """``pred`` → ``succ`` of ``type`` FS, SS, FF or SF with ``lag_hours`` (negative: a lead)."""

    pred: str
    succ: str
    type: str = "FS"
    lag_hours: float = 0.0


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
