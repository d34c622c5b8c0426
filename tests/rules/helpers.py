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
