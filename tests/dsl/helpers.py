"""Tiny hand-made subjects and Env for the dsl tests (the real ones live in the engine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dsl import check_rulebook, compile_rulebook
from projects.calendar import WorkCalendar
from projects.model import Category, Kind

FIXTURES = Path(__file__).with_name("fixtures")
FIRST_RULEBOOK = (FIXTURES / "first_rulebook.rules").read_text(encoding="utf-8")


class Subject:
    """A plain object whose attributes are the spec's field names."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"Subject({self.__dict__.get('id')!r})"


_WEEKDAYS = WorkCalendar("weekdays")


class TinyEnv:
    """Monday-to-Friday working days and an explicit upstream map."""

    def __init__(self, today: dt.date, upstream: dict[str, tuple[Any, ...]] | None = None) -> None:
        self.today = today
        self._upstream = upstream or {}

    def add_workdays(self, d: dt.date, n: int) -> dt.date:
        return _WEEKDAYS.add_workdays(d, n)

    def workdays(self, a: dt.date, b: dt.date) -> int:
        return _WEEKDAYS.workdays(a, b)

    def upstream(self, m: Any) -> tuple[Any, ...]:
        return self._upstream.get(m.id, ())

    def downstream(self, m: Any) -> tuple[Any, ...]:
        return ()

    def predecessors(self, m: Any) -> tuple[Any, ...]:
        return self._upstream.get(m.id, ())

    def successors(self, m: Any) -> tuple[Any, ...]:
        return ()


def unit(uid: str = "transport", name: str = "交通局", parent: Any = None, **extra: Any) -> Subject:
    fields: dict[str, Any] = {
        "id": uid, "name": name, "parent": parent, "level": None, "milestones": (),
        "projects": (), "notices": (), "red_cards": 0, "yellow_cards": 0,
        "on_time_rate": None, "completion_rate": None, "early_rate": None, "response_rate": None,
    }
    fields.update(extra)
    return Subject(**fields)


def project(**extra: Any) -> Subject:
    fields: dict[str, Any] = {
        "id": "P001", "name": "城东快速路", "category": Category.PROJECT, "unit": unit(),
        "budget": 1000.0, "paid": 0.0, "progress": 0.0, "due": None, "forecast": None,
        "done": False, "milestones": (), "on_time_rate": None, "completion_rate": None,
        "early_rate": None, "response_rate": None,
    }
    fields.update(extra)
    return Subject(**fields)


def milestone(**extra: Any) -> Subject:
    p = extra.pop("project", None) or project()
    fields: dict[str, Any] = {
        "id": "tender", "name": "施工招标", "kind": Kind.TENDERING, "project": p, "unit": p.unit,
        "start": None, "due": None, "done": False, "finished": None, "progress": None,
        "amount": None, "paid": None, "updated": None, "overdue": 0, "late": False,
        "forecast": None, "float": None, "critical": False,
    }
    fields.update(extra)
    return Subject(**fields)


def notice(**extra: Any) -> Subject:
    fields: dict[str, Any] = {
        "id": "N-1", "title": "关于招标逾期的督办通知", "unit": unit(), "rule": None, "level": None,
        "issued": dt.date(2026, 3, 2), "due": dt.date(2026, 3, 9), "responded": False,
        "response_date": None, "overdue": 0,
    }
    fields.update(extra)
    return Subject(**fields)


def compile_one(text: str) -> Any:
    """Compile one rule file and return its only rule."""
    return compile_rulebook({"t.rules": text}).rules[0]


def condition(expr: str, subject: str = "milestone", var: str = "m") -> Any:
    """The compiled test of ``light red when EXPR`` in a rule for ``subject``."""
    return compile_one(f"rule t: for {subject} {var} light red when {expr}").lights[0].test


def value(expr: str, subject: str = "milestone", var: str = "m") -> Any:
    """A function (env, x) -> the value of ``EXPR`` (through explain of `EXPR is missing`)."""
    light = compile_one(f"rule t: for {subject} {var} light red when ({expr}) is missing").lights[0]
    return lambda env, x: light.explain(env, x)[0][1]


def errors(text: str, file: str = "t.rules") -> list[tuple[int, int, str]]:
    """(line, column, message; suggestion) of every diagnostic of one file."""
    return [(d.line, d.column, d.text) for d in check_rulebook({file: text})]
