"""What an evaluation produces: findings, rule failures, score rows and rates.

Owns the value types ``Finding``, ``RuleFailure``, ``ScoreRow``, ``EvaluationRates`` and
``Evaluation``. All are frozen; a finding names its subject by a stable id
(``milestone:P001/tender``, ``project:P001``, ``unit:transport``, ``notice:N-1``) so that two
evaluations can be compared and the notifier can key notices on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from projects.model import Level
from rules.views import Rates

#: An explanation line: (the clause, what its parts were worth and whether it held).
ExplainLine = tuple[str, object]


_FIELDS = ("rule", "title", "subject", "level", "message", "notify", "respond_by", "explain",
           "project", "unit")


class Finding:
    """One rule lit on one subject, at the highest level whose clause held.

    A frozen value with the fields ``rule, title, subject, level, message, notify (unit ids,
    in order, without repeats), respond_by (as-of day + the rule's within; None without
    notify), explain, project, unit``. ``explain`` may be given as a tuple or as a
    zero-argument function: the engine passes a function so the explanation of a finding is
    computed the first time it is read (or compared, or serialized) and then kept; its
    content is the same either way.
    """

    __slots__ = ("_explain", "level", "message", "notify", "project", "respond_by", "rule",
                 "subject", "title", "unit")
    __match_args__ = ("rule", "title", "subject", "level", "message", "notify", "respond_by",
                      "explain", "project", "unit")

    rule: str
    title: str
    subject: str
    level: Level
    message: str
    notify: tuple[str, ...]
    respond_by: dt.date | None
    _explain: tuple[ExplainLine, ...] | Callable[[], tuple[ExplainLine, ...]]
    project: str | None
    unit: str | None

    def __init__(self, rule: str, title: str, subject: str, level: Level, message: str,  # noqa: PLR0917 (positional, as the dataclass was)
                 notify: tuple[str, ...] = (), respond_by: dt.date | None = None,
                 explain: tuple[ExplainLine, ...] | Callable[[], tuple[ExplainLine, ...]] = (),
                 project: str | None = None, unit: str | None = None) -> None:
        put = object.__setattr__
        put(self, "rule", rule)
        put(self, "title", title)
        put(self, "subject", subject)
        put(self, "level", level)
        put(self, "message", message)
        put(self, "notify", notify)
        put(self, "respond_by", respond_by)
        put(self, "_explain", explain)
        put(self, "project", project)
        put(self, "unit", unit)

    @property
    def explain(self) -> tuple[ExplainLine, ...]:
        value = self._explain
        if not isinstance(value, tuple):
            value = value()
            object.__setattr__(self, "_explain", value)
        return value

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (-self.level.rank, self.rule, self.subject)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Finding is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Finding is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Finding)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"Finding({inner})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Finding, self._values())


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule or score that raised at run time; reported once with the first subject."""

    rule: str
    subject: str
    error: str
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}: " if self.file else ""
        return f"{place}rule `{self.rule}` failed on {self.subject}: {self.error}"


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """A unit's value of a score and its rank (1 = best; ties share; missing: no rank)."""

    unit: str
    value: float | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class EvaluationRates:
    portfolio: Rates
    units: Mapping[str, Rates]
    projects: Mapping[str, Rates]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything one run of a rulebook over a portfolio on one day found."""

    as_of: dt.date
    findings: tuple[Finding, ...]
    rates: EvaluationRates
    scores: Mapping[str, tuple[ScoreRow, ...]]
    errors: tuple[RuleFailure, ...] = ()
    projects: frozenset[str] | None = None  # the projects covered; None: all
