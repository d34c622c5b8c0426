"""Run-time values the rule language adds to Python's: ``Duration``.

A duration keeps the unit it was written in (``10 workdays``, ``3 days``, ``2 weeks``):
workdays need the calendar to mean anything, so they are never silently turned into days.
"""

from __future__ import annotations

from dataclasses import dataclass

_SINGULAR = {"days": "day", "workdays": "workday", "weeks": "week"}
_CHINESE = {"days": "天", "workdays": "个工作日", "weeks": "周"}


@dataclass(frozen=True, slots=True)
class Duration:
    """``amount`` of ``unit`` (``"days" | "workdays" | "weeks"``)."""

    amount: int
    unit: str

    @property
    def calendar_days(self) -> int | None:
        """Calendar days for ``days`` / ``weeks``; None for ``workdays``."""
        if self.unit == "days":
            return self.amount
        if self.unit == "weeks":
            return self.amount * 7
        return None

    @property
    def chinese(self) -> str:
        """As a Chinese message reads it: ``10 个工作日``, ``3 天``, ``2 周``."""
        return f"{self.amount} {_CHINESE[self.unit]}"

    def __str__(self) -> str:
        unit = _SINGULAR[self.unit] if abs(self.amount) == 1 else self.unit
        return f"{self.amount} {unit}"
