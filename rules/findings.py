"""What an evaluation produces: findings, rule failures, score rows and rates.

Owns the value types ``Finding``, ``RuleFailure``, ``ScoreRow``, ``EvaluationRates`` and
``Evaluation``. All are frozen; a finding names its subject by a stable id
(``milestone:P001/tender``, ``project:P001``, ``unit:transport``, ``notice:N-1``) so that two
evaluations can be compared and the notifier can key notices on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from projects.model import Level
from rules.views import Rates

#: An explanation line: (the clause, what its parts were worth and whether it held).
ExplainLine = tuple[str, object]


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule lit on one subject, at the highest level whose clause held."""

    rule: str
    title: str
    subject: str
    level: Level
    message: str
    notify: tuple[str, ...]  # unit ids, in order, without repeats
    respond_by: dt.date | None  # as-of day + the rule's ``within``; None without ``notify``
    explain: tuple[ExplainLine, ...]
    project: str | None  # the project the subject belongs to, if any
    unit: str | None  # the subject's responsible unit

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (-self.level.rank, self.rule, self.subject)


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
