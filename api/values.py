"""The server's values and errors, shared by ``api.service`` and ``api.reports``: what a
change refuses with (``InputError``, ``ForbiddenError``), the cached ``Snapshot`` and what an
evaluation stored (``EvaluationOutcome``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
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


Key = tuple[str, str]


class Versions(Mapping[Key, int]):
    """Every milestone's stored version by (project, milestone): a snapshot's, never changed.

    A report group's snapshot differs from the one before in a few versions; copying a
    40,000-entry dict for each group left the cyclic collector young dicts of that size to
    trace every time it ran (over half the references a pass traced). So the versions are a
    base, shared from snapshot to snapshot, under the few changed since (``changed``), which
    are folded into a new base once they outnumber a sixteenth of the base (at least 64, at
    most ``FOLD``).
    """

    __slots__ = ("_base", "_changed", "_len")

    #: The most changes kept above a base before they are folded into a new one.
    FOLD = 1024

    def __init__(self, base: Mapping[Key, int] | None = None) -> None:
        self._base: dict[Key, int] = dict(base or {})
        self._changed: dict[Key, int] = {}
        self._len = len(self._base)

    def changed(self, items: Iterable[tuple[Key, int]]) -> Versions:
        """These versions with ``items`` (key, version) set."""
        new = dict(items)
        held, base = self._changed, self._base
        changed = {**held, **new}
        if len(changed) > min(self.FOLD, max(64, len(base) // 16)):
            return Versions({**base, **changed})
        made = Versions.__new__(Versions)
        made._base, made._changed = base, changed
        # (the keys these items add: the ones held already are counted in ``_len``)
        made._len = self._len + sum(1 for k in new if k not in held and k not in base)
        return made

    def __getitem__(self, key: Key) -> int:
        found = self._changed.get(key)
        return self._base[key] if found is None else found

    def get(self, key: Key, default: Any = None) -> Any:
        found = self._changed.get(key)
        return self._base.get(key, default) if found is None else found

    def __contains__(self, key: object) -> bool:
        return key in self._changed or key in self._base

    def __iter__(self) -> Iterator[Key]:
        yield from self._base
        yield from (k for k in self._changed if k not in self._base)

    def __len__(self) -> int:
        return self._len

    def __repr__(self) -> str:
        return f"Versions({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    portfolio: Portfolio
    calendar: Any
    versions: Versions = field(default_factory=Versions)


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
