"""Extensions (延期申请) as of a day: which requests exist, which are pending, the moved ``due``.

Per ``supervision.md``: a request exists once ``requested <= today``; it is pending until it
is decided (``decided <= today``). An approved extension moves the milestone's ``due`` to its
``new_due`` from its ``decided`` day on; with several, the latest approved one counts (by
decision day, then by request day, then by file order). The file's ``due`` stays as
``original_due``. Values in, values out: the loader builds ``Extension`` records, the engine
asks ``as_of`` for each milestone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

APPROVED: Final = "approved"
REJECTED: Final = "rejected"
#: Every spelling of a decision, to its name.
DECISIONS: Final = {"approved": APPROVED, "同意": APPROVED, "rejected": REJECTED,
                    "不同意": REJECTED}


@dataclass(frozen=True, slots=True)
class Extension:
    """One request to move ``milestone`` (``PROJECT/MILESTONE``) to ``new_due``."""

    milestone: str
    requested: dt.date
    new_due: dt.date
    reason: str
    decided: dt.date | None = None
    decision: str | None = None  # APPROVED | REJECTED, with ``decided``

    def known(self, today: dt.date) -> bool:
        """Whether the request had been made by ``today``."""
        return self.requested <= today

    def decided_by(self, today: dt.date) -> bool:
        """Whether it had been decided by ``today``."""
        return self.decided is not None and self.decided <= today

    def approved_by(self, today: dt.date) -> bool:
        """Whether it had been approved by ``today``."""
        return self.decision == APPROVED and self.decided_by(today)

    def pending(self, today: dt.date) -> bool:
        """Requested by ``today`` and not yet decided then."""
        return self.known(today) and not self.decided_by(today)


@dataclass(frozen=True, slots=True)
class DueAsOf:
    """A milestone's deadline as of one day."""

    due: dt.date | None           # the moved due (the original when nothing approved)
    original_due: dt.date | None  # the file's due
    approved: tuple[Extension, ...]  # approved by the day, in decision order
    pending: bool                 # a request made and not yet decided


def as_of(original_due: dt.date | None, extensions: Iterable[Extension],
          today: dt.date) -> DueAsOf:
    """The deadline of a milestone with these ``extensions`` (its own) as seen on ``today``."""
    approved: list[tuple[dt.date, dt.date, int, Extension]] = []
    pending = False
    for order, ext in enumerate(extensions):
        if not ext.known(today):
            continue
        if ext.approved_by(today):
            assert ext.decided is not None
            approved.append((ext.decided, ext.requested, order, ext))
        elif not ext.decided_by(today):
            pending = True
    if not approved:
        return DueAsOf(original_due, original_due, (), pending)
    approved.sort(key=lambda t: (t[0], t[1], t[2]))
    ordered = tuple(t[3] for t in approved)
    return DueAsOf(ordered[-1].new_due, original_due, ordered, pending)


def by_milestone(extensions: Sequence[Extension]) -> dict[str, tuple[Extension, ...]]:
    """The extensions grouped by milestone key, in file order within each."""
    out: dict[str, list[Extension]] = {}
    for ext in extensions:
        out.setdefault(ext.milestone, []).append(ext)
    return {k: tuple(v) for k, v in out.items()}


def requested_late(ext: Extension, due_when_requested: dt.date | None) -> bool:
    """Whether ``ext`` was asked for after the deadline it would move (the due in force on the
    request day, moved by earlier approvals)."""
    return due_when_requested is not None and ext.requested > due_when_requested
