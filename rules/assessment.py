"""Assessments (考核): a period's scores, ranks and the indicators behind them, as of its last day.

Per ``supervision.md``: the office closes a period (a month ``2026-06`` or a quarter
``2026-Q2``); its figures are computed as of the period's last day from the history and then
frozen. This module is the pure part: ``parse_period`` reads a period, ``assess`` runs a
rulebook over the portfolio as known on the last day and returns the figures as plain JSON-ready
values (``Figures``), which the server stores as they are and compares on a recomputation
(``differences``). Values in, values out: no database, no clock.

The figures hold, per score, its title, what it ranks (units or people) and its rows (rank,
id, name, value), and per unit and per person the indicators a score may read (each unit's
rates, cards, extensions, complaints, criticisms and accountabilities; each person's rates and
accountabilities), labelled from the field catalogue. Ratios are kept as floats rounded to six
places and counts as ints, so a stored record and a recomputation compare equal exactly.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from dsl import CompiledRulebook
from projects import catalogue
from projects.calendar import calendar_for
from projects.model import Portfolio
from projects.replay import known_on
from rules.engine import NO_SCHEDULE, evaluate
from rules.errors import PeriodError
from rules.views import build_views

#: The unit indicators an assessment keeps, in the order its tables show them.
UNIT_INDICATORS: Final = ("workload", "on_time_rate", "completion_rate", "early_rate", "response_rate",
                          "complaint_response_rate", "satisfaction_rate", "red_cards", "yellow_cards",
                          "extensions", "criticisms", "accountabilities")
#: The person indicators.
PERSON_INDICATORS: Final = ("on_time_rate", "completion_rate", "early_rate", "accountabilities")
#: Indicators that are ratios (shown as percents); the others are counts.
RATIOS: Final = frozenset({"on_time_rate", "completion_rate", "early_rate", "response_rate",
                           "complaint_response_rate", "satisfaction_rate"})

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")


@dataclass(frozen=True, slots=True)
class Period:
    """A month or a quarter: its name as written canonically, its first and last day."""

    name: str
    first: dt.date
    last: dt.date

    @property
    def zh(self) -> str:
        """``2026年6月`` or ``2026年第二季度``."""
        year, _, rest = self.name.partition("-")
        if rest.startswith("Q"):
            return f"{year}年第{'一二三四'[int(rest[1]) - 1]}季度"
        return f"{year}年{int(rest)}月"


def parse_period(text: object) -> Period:
    """``2026-06`` (a month) or ``2026-Q2`` (a quarter); raises ``PeriodError`` otherwise."""
    value = text.strip() if isinstance(text, str) else ""
    if m := _MONTH.fullmatch(value):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12 and 1990 <= year <= 2100:
            last = _calendar.monthrange(year, month)[1]
            return Period(f"{year}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last))
    if m := _QUARTER.fullmatch(value):
        year, quarter = int(m.group(1)), int(m.group(2))
        if 1990 <= year <= 2100:
            first_month = 3 * quarter - 2
            last = _calendar.monthrange(year, first_month + 2)[1]
            return Period(f"{year}-Q{quarter}", dt.date(year, first_month, 1),
                          dt.date(year, first_month + 2, last))
    raise PeriodError(f"考核期“{text}”不是月份或季度，请写成 2026-06 或 2026-Q2 — {text!r} is not a month "
                      "or a quarter; write 2026-06 or 2026-Q2", where="period",
                      suggestions=("2026-06", "2026-Q2"))


def closable(period: Period, today: dt.date) -> None:
    """A period can be closed once it has ended (its last day is before ``today``)."""
    if period.last >= today:
        raise PeriodError(f"考核期 {period.name} 至 {period.last.isoformat()} 结束，今天（{today.isoformat()}）"
                          f"尚未结束，不能关账 — period {period.name} ends on {period.last.isoformat()}, "
                          f"not before today ({today.isoformat()}); close it after it ends",
                          where="period", current=period.last.isoformat())


def _plain(value: Any) -> Any:
    """A JSON value that compares exactly after a round trip (floats to six places)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded
    return value


def labels(record: str, names: tuple[str, ...], lang: str = "zh") -> dict[str, str]:
    """The catalogue's label of each indicator of ``record`` (``unit`` or ``person``)."""
    fields = {f.name: f for f in catalogue.rule_fields(record)}
    return {n: (fields[n].zh if lang == "zh" else fields[n].en) if n in fields else n for n in names}


Figures = dict[str, Any]


def assess(rulebook: CompiledRulebook, portfolio: Portfolio, period: Period, *,
           rulebook_version: int | None) -> Figures:
    """The period's figures: ``rulebook`` over ``portfolio`` (as known on the last day: the
    caller passes the history replayed to it) as of ``period.last``; see the module header."""
    day = period.last
    evaluation = evaluate(rulebook, portfolio, day)
    known, dues = known_on(portfolio, day)
    views = build_views(known, NO_SCHEDULE, day, calendar_for(known), dues)
    unit_names = {u.id: u.name for u in portfolio.units}
    person_names = {x.id: x.name for x in portfolio.people}
    scores: dict[str, Any] = {}
    for score in rulebook.scores:
        names = person_names if score.subject == "person" else unit_names
        scores[score.name] = {
            "title": score.title or score.name, "subject": score.subject,
            "rows": [{"rank": row.rank, "id": row.unit, "name": names.get(row.unit, row.unit),
                      "value": _plain(row.value)} for row in evaluation.scores.get(score.name, ())],
        }
    units = {u.id: {"name": u.name, **{k: _plain(getattr(u, k, None)) for k in UNIT_INDICATORS}}
             for u in views.units}
    people = {x.id: {"name": x.name, "unit": x.unit.id,
                     **{k: _plain(getattr(x, k, None)) for k in PERSON_INDICATORS}}
              for x in views.people}
    return {"period": period.name, "first": period.first.isoformat(), "last": day.isoformat(),
            "rulebook_version": rulebook_version, "scores": scores, "units": units, "people": people}


def differences(frozen: Mapping[str, Any], again: Mapping[str, Any]) -> list[str]:
    """Where a recomputation differs from the frozen figures (``scores.efficiency.rows[2]``,
    ``units.transport.on_time_rate``...); empty when they are the same."""
    out: list[str] = []

    def walk(a: Any, b: Any, at: str) -> None:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key), b.get(key), f"{at}.{key}" if at else str(key))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{at}[{i}]")
        elif a != b:
            out.append(at)

    walk(frozen, again, "")
    return out
