"""Errors of the ``rules`` package, under ``DubanError`` (the whole tree is drawn in
``projects/errors.py``)::

    RulesError
    ├── RulebookNotFoundError     no stored rulebook version with this number (.suggestions)
    ├── EvaluationNotFoundError   no stored evaluation with this number
    ├── RulebookStateError        a workflow step taken out of order (check, then publish)
    ├── RuleTestError             a rule-test file that cannot be run (.problems, located)
    └── TraceError                an unknown rule or subject to explain

A rulebook that does not parse or check is the rule language's ``dsl.RulebookError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projects.errors import DubanError


class RulesError(DubanError):
    """Base of every error the ``rules`` package raises on purpose."""


class RulebookNotFoundError(RulesError, LookupError):
    """No stored rulebook version with this number; suggests the latest ones."""

    def __init__(self, number: int, known: Sequence[int] = ()) -> None:
        self.number = number
        have = f"; the versions are {', '.join(map(str, known))}" if known else "; none saved yet"
        super().__init__(f"no rulebook version {number}{have}",
                         suggestions=(str(n) for n in known[-3:]))


class EvaluationNotFoundError(RulesError, LookupError):
    """No stored evaluation with this number."""

    def __init__(self, number: int) -> None:
        self.number = number
        super().__init__(f"no evaluation {number}; list them at GET /api/evaluations")


class RulebookStateError(RulesError):
    """A step of the rulebook workflow taken out of order (API: 409)."""

    def __init__(self, number: int, status: str, action: str, needed: str) -> None:
        self.number = number
        super().__init__(f"rulebook version {number} is {status}: to {action} it, it must be {needed}",
                         current=status)


class RuleTestError(RulesError, ValueError):
    """A rule-test file that cannot be run; ``problems`` are located lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))

    def details(self) -> dict[str, Any]:
        return {"problems": list(self.problems)}


class TraceError(RulesError, ValueError):
    """An unknown rule or subject; the message says which and suggests the nearest."""


class PeriodError(RulesError):
    """An assessment period that is not a month (``2026-06``) or a quarter (``2026-Q2``), or
    one that cannot be closed yet (``rules.assessment``)."""
