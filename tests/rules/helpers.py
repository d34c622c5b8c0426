"""Small literal portfolios and a holiday-aware calendar for the engine tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dsl import compile_rulebook
from projects.model import (
    Category,
    Dependency,
    Kind,
    Milestone,
    Notice,
    Portfolio,
    Project,
    Unit,
)

D = dt.date


class HolidayCalendar:
    """Monday to Friday minus the given holidays."""

    def __init__(self, holidays: frozenset[dt.date] = frozenset()) -> None:
        self.holidays = holidays

    def is_workday(self, d: dt.date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        while n:
            d += dt.timedelta(days=step)
            if self.is_workday(d):
                n -= step
        return d

    def workdays(self, a: dt.date, b: dt.date) -> int:
        sign, lo, hi = (1, a, b) if a <= b else (-1, b, a)
        n, d = 0, lo
        while d < hi:
            d += dt.timedelta(days=1)
            n += self.is_workday(d)
        return sign * n


def ms(mid: str, kind: Kind = Kind.PROGRESS, project: str = "P001", **kw: Any) -> Milestone:
    after = tuple(Dependency(a) for a in kw.pop("after", ()))
    return Milestone(project, mid, kw.pop("name", mid), kind, after=after, **kw)


def portfolio(*milestones: Milestone, notices: tuple[Notice, ...] = (),
              budget: float | None = 1000.0) -> Portfolio:
    by_project: dict[str, list[Milestone]] = {}
    for m in milestones:
        by_project.setdefault(m.project, []).append(m)
    units = (Unit("city", "市人民政府"), Unit("transport", "市交通运输局", parent="city"),
             Unit("water", "市水务局"))
    projects = tuple(Project(pid, f"项目{pid}", Category.PROJECT, "transport", budget, tuple(ms_))
                     for pid, ms_ in by_project.items())
    return Portfolio(units, projects, notices, calendar="weekdays")


def rulebook(text: str) -> Any:
    return compile_rulebook({"t.rules": text})
