"""The server's values and errors, shared by ``api.service`` and ``api.reports``: what a
change refuses with (``InputError``, ``ForbiddenError``), the cached ``Snapshot`` and what an
evaluation stored (``EvaluationOutcome``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from projects.errors import DubanError
from projects.model import Portfolio


class ApiError(DubanError):
    """Base of every error the server raises on purpose (see the tree in ``projects/errors.py``)."""


class InputError(ApiError, ValueError):
    """A value a user sent that cannot be right: which field, what is wrong, what would do."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", where=where)


class ForbiddenError(ApiError, PermissionError):
    """The signed-in user's role or unit does not allow this change."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    portfolio: Portfolio
    calendar: Any
    versions: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    id: int | None
    as_of: dt.date
    rulebook_version: int | None
    findings: tuple[Any, ...]
    errors: tuple[Any, ...]
    notices_changed: tuple[str, ...] = ()  # issued, escalated or rectified
    stored: Any = None  # the evaluation as stored (``rules.repository.StoredEvaluation``), when known
    #: A report's answer: its project's stored current findings as its writer holds them
    #: (``rules.repository.HeldFinding``, in row order), when known
    current: tuple[Any, ...] | None = None
    #: The notices it issued, escalated or rectified as now stored (``StoredNotice``), when known
    notices: tuple[Any, ...] | None = None


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
