"""Why a line is red: a lit rule's clauses with the values that decided them, for a leader.

Owns ``explain_rule`` and ``format_value``. Each ``light`` clause of the rule gives one line,
``("红 when today > m.due + grace", "成立：today = 2026-05-06；m.due + grace = 2026-05-20")``:
the clause as written, whether it held (成立 / 不成立 / 缺失), and the value of each
sub-expression the compiled ``Light.explain`` reports. Dates print ISO, ratios as percents,
missing as 缺失.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from dsl.schema import FIELDS, RATIO
from dsl.values import Duration
from projects.model import ComplaintKind, Kind, Level, Rating

MISSING = "缺失"
LEVEL_WORD = {Level.RED: "红", Level.YELLOW: "黄", Level.BLUE: "蓝", Level.GREEN: "绿"}

_RATIO_FIELDS = frozenset(name for fields in FIELDS.values() for name, info in fields.items()
                          if info.type == RATIO)
_LAST_FIELD = re.compile(r"\.(\w+)\s*$")


@cache
def _looks_like_ratio(text: str) -> bool:
    """The static type is not carried by ``Light.explain``; a ratio is a ratio field, a
    division or a percent literal (the spec's three sources of ratios)."""
    match = _LAST_FIELD.search(text)
    if match and match.group(1) in _RATIO_FIELDS:
        return True
    return "/" in text or "%" in text


def _trim(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: object, text: str = "") -> str:
    """A value as a leader reads it; ``text`` (the expression) decides ratio vs number."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Kind | ComplaintKind | Rating):
        return value.chinese
    if isinstance(value, Level):
        return LEVEL_WORD[value]
    if isinstance(value, Duration):
        return value.chinese
    if isinstance(value, int | float):
        if isinstance(value, float) and _looks_like_ratio(text):
            return _trim(value * 100, 1) + "%"
        return str(int(value)) if float(value).is_integer() else _trim(float(value), 2)
    if isinstance(value, tuple):
        return f"{len(value)} 项"
    for attribute in ("name", "title"):
        name = getattr(value, attribute, None)
        if isinstance(name, str):
            return name
    return str(value)


def explain_rule(lights: tuple[Any, ...], env: Any, x: Any) -> tuple[tuple[str, object], ...]:
    """One line per ``light`` clause: the clauses that held first, highest level first."""
    judged = [(light.test(env, x), light) for light in lights]
    judged.sort(key=lambda pair: (pair[0] is not True, -pair[1].level.rank))
    lines: list[tuple[str, object]] = []
    for held, light in judged:
        verdict = "成立" if held is True else "不成立" if held is False else _MISSING_VERDICT
        parts = "；".join([f"{source} = {format_value(value, source)}"
                          for source, value in light.explain(env, x)])
        clause = f"{LEVEL_WORD[light.level]} when {light.text}"
        lines.append((clause, f"{verdict}：{parts}" if parts else verdict))
    return tuple(lines)


_MISSING_VERDICT = f"{MISSING}（不成立）"
