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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from projects.model import Portfolio

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
    late_requests: int = 0        # requests made by the day after the due they would move


def as_of(original_due: dt.date | None, extensions: Iterable[Extension],
          today: dt.date) -> DueAsOf:
    """The deadline of a milestone with these ``extensions`` (its own) as seen on ``today``."""
    approved: list[tuple[dt.date, dt.date, int, Extension]] = []
    known: list[Extension] = []
    pending = False
    for order, ext in enumerate(extensions):
        if not ext.known(today):
            continue
        known.append(ext)
        if ext.approved_by(today):
            assert ext.decided is not None
            approved.append((ext.decided, ext.requested, order, ext))
        elif not ext.decided_by(today):
            pending = True
    approved.sort(key=lambda t: (t[0], t[1], t[2]))
    ordered = tuple(t[3] for t in approved)
    late = 0
    for ext in known:  # the due in force on its request day: the approvals decided by then
        in_force = original_due
        for decided, _, _, earlier in approved:
            if decided <= ext.requested and earlier is not ext:
                in_force = earlier.new_due
        late += requested_late(ext, in_force)
    if not ordered:
        return DueAsOf(original_due, original_due, (), pending, late)
    return DueAsOf(ordered[-1].new_due, original_due, ordered, pending, late)


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


def apply(portfolio: Portfolio, today: dt.date) -> tuple[Portfolio, dict[tuple[str, str], DueAsOf]]:
    """``portfolio`` with each milestone's ``due`` moved by the extensions approved by
    ``today``, and the ``DueAsOf`` of every milestone with a request made by then (what the
    views read for ``original_due``, ``extensions`` and ``extension_pending``). A portfolio
    without extensions comes back as itself; milestones it does not hold are left out."""
    if not portfolio.extensions:
        return portfolio, {}
    dues: dict[tuple[str, str], DueAsOf] = {}
    moved: dict[str, dict[str, dt.date | None]] = {}
    projects = portfolio.project_by_id
    for key, own in by_milestone(portfolio.extensions).items():
        pid, _, mid = key.partition("/")
        project = projects.get(pid)
        if project is None or not any(e.known(today) for e in own):
            continue
        milestone = next((m for m in project.milestones if m.id == mid), None)
        if milestone is None:
            continue
        state = as_of(milestone.due, own, today)
        dues[(pid, mid)] = state
        if state.due != milestone.due:
            moved.setdefault(pid, {})[mid] = state.due
    if not moved:
        return portfolio, dues
    changed = tuple(
        p if p.id not in moved else replace(p, milestones=tuple(
            replace(m, due=moved[p.id][m.id]) if m.id in moved[p.id] else m for m in p.milestones))
        for p in portfolio.projects)
    return replace(portfolio, projects=changed), dues
