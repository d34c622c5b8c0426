"""Report cadences (报送周期), ``N months`` arithmetic and 序时进度: values in, values out.

A cadence is written ``N workdays | N days | N weeks | N months`` (``1 month`` and the other
singular spellings too), or ``weekly`` / ``周报`` (1 weeks) and ``monthly`` / ``月报``
(1 months). ``parse_cadence`` turns such a text into a ``Cadence`` or raises ``CadenceError``
with what would be right.

``next_report`` follows ``supervision.md``: a milestone with a cadence that has started and is
not done reports next on its last report (``updated``, or ``start`` when it has none) plus the
cadence, moved forward to the next working day when that falls on a rest day.
``planned_progress`` is the share of the planned working days elapsed by today.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Final

from projects.calendar import WorkCalendar
from projects.errors import ProjectsError, suggest

#: Every spelling of a unit, to its plural name.
UNITS: Final = {
    "workday": "workdays", "workdays": "workdays",
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
    "个工作日": "workdays", "工作日": "workdays", "天": "days", "日": "days",
    "周": "weeks", "个月": "months", "月": "months",
}
#: Words that are a whole cadence.
WORDS: Final = {
    "weekly": (1, "weeks"), "周报": (1, "weeks"), "每周": (1, "weeks"),
    "monthly": (1, "months"), "月报": (1, "months"), "每月": (1, "months"),
}
_SINGULAR: Final = {"workdays": "workday", "days": "day", "weeks": "week", "months": "month"}
_CHINESE: Final = {"workdays": "个工作日", "days": "天", "weeks": "周", "months": "个月"}
_RIGHT: Final = ("a duration such as 1 weeks, 2 weeks, 1 months or 10 workdays, "
                 "or weekly (周报) / monthly (月报)")


class CadenceError(ProjectsError, ValueError):
    """A cadence that is not a duration; the message says what would be right."""


@dataclass(frozen=True, slots=True)
class Cadence:
    """``amount`` (at least 1) of ``unit`` (``workdays | days | weeks | months``)."""

    amount: int
    unit: str

    def __str__(self) -> str:
        unit = _SINGULAR[self.unit] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"

    @property
    def chinese(self) -> str:
        """``1 周``, ``2 个月``, ``10 个工作日``."""
        return f"{self.amount} {_CHINESE[self.unit]}"


def parse_cadence(value: object) -> Cadence:
    """The cadence ``value`` spells; ``CadenceError`` saying what would be right otherwise."""
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, int) and not isinstance(value, bool):
            raise CadenceError(f"{value} has no unit; write {value} weeks, {value} months, "
                               f"{value} days or {value} workdays")
        raise CadenceError(f"expected {_RIGHT}, not {type(value).__name__}")
    text = " ".join(value.split())
    if not text:
        raise CadenceError(f"empty cadence; expected {_RIGHT}")
    if text.lower() in WORDS:
        return Cadence(*WORDS[text.lower()])
    digits = len(text) - len(text.lstrip("0123456789"))
    number, unit = text[:digits], text[digits:].strip()
    if not number:
        hint = suggest(text.lower(), tuple(WORDS))
        raise CadenceError(f'"{value}" is not a cadence; '
                           + (f'did you mean "{hint}"? ' if hint else "") + f"expected {_RIGHT}")
    if not unit:
        raise CadenceError(f'"{value}" has no unit; write {number} weeks, {number} months, '
                           f"{number} days or {number} workdays")
    plural = UNITS.get(unit.lower())
    if plural is None:
        hint = suggest(unit.lower(), tuple(u for u in UNITS if u.isascii()))
        raise CadenceError(f'unknown unit "{unit}" in "{value}"; '
                           + (f'did you mean "{number} {hint}"?' if hint else
                              "write days, workdays, weeks or months"))
    amount = int(number)
    if amount < 1:
        raise CadenceError(f'"{value}": a cadence must be at least 1 {_SINGULAR[plural]}')
    return Cadence(amount, plural)


def add_months(day: dt.date, n: int) -> dt.date:
    """``day`` plus ``n`` months (``n`` may be negative): the same day of that month, or its
    last day when it has fewer (2026-01-31 + 1 months = 2026-02-28; 2028-02-29 + 12 = 2029-02-28)."""
    months = day.year * 12 + (day.month - 1) + n
    year, month = divmod(months, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add(day: dt.date, amount: int, unit: str, cal: WorkCalendar) -> dt.date:
    """``day + amount unit``: workdays step on ``cal`` (only days after ``day`` count)."""
    if unit == "days":
        return day + dt.timedelta(days=amount)
    if unit == "weeks":
        return day + dt.timedelta(days=7 * amount)
    if unit == "months":
        return add_months(day, amount)
    if unit == "workdays":
        return cal.add_workdays(day, amount)
    raise ValueError(f"unknown unit {unit!r}")


def roll_forward(day: dt.date, cal: WorkCalendar) -> dt.date:
    """``day`` when it is a working day, else the next working day."""
    return day if cal.is_workday(day) else cal.add_workdays(day, 1)


def next_report(cadence: Cadence | None, start: dt.date | None, updated: dt.date | None,
                done: bool, *, today: dt.date, cal: WorkCalendar) -> dt.date | None:
    """When the next progress report is due, or None: no cadence, done, or not started by
    ``today`` (``start`` after it, or neither a start nor a report)."""
    if cadence is None or done:
        return None
    if start is not None and start > today:
        return None
    last = updated if updated is not None and updated <= today else start
    if last is None:
        return None
    return roll_forward(add(last, cadence.amount, cadence.unit, cal), cal)


def report_overdue(next_due: dt.date | None, today: dt.date, cal: WorkCalendar) -> int | None:
    """Working days from ``next_due`` to ``today`` when today is later, else 0; None with it."""
    if next_due is None:
        return None
    return cal.workdays(next_due, today) if today > next_due else 0


def planned_progress(start: dt.date | None, due: dt.date | None, today: dt.date,
                     cal: WorkCalendar) -> float | None:
    """序时进度: working days from ``start`` to ``today`` over those from ``start`` to ``due``
    (both ends included), between 0 and 1; None without ``start`` or ``due``. A plan with no
    working day in it is 0 before its due date and 1 from it."""
    if start is None or due is None:
        return None
    if today < start:
        return 0.0
    if today >= due:
        return 1.0
    before = start - dt.timedelta(days=1)
    total = cal.workdays(before, due)
    if total <= 0:
        return 0.0
    return min(1.0, max(0.0, cal.workdays(before, today) / total))
