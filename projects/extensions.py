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

from projects.errors import ExtensionError, ExtensionStateError, UnknownIdError

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
    decision_reason: str | None = None  # the office's reason (审批意见)

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
    key = (id(portfolio), today)
    held = _APPLIED.get(key)
    if held is not None and held[0] is portfolio:
        return held[1]
    found = _apply(portfolio, today)
    if len(_APPLIED) >= 8:
        _APPLIED.pop(next(iter(_APPLIED)))
    _APPLIED[key] = (portfolio, found)
    return found


#: The last few ``apply`` results by (portfolio identity, day): an evaluation of the same
#: snapshot on the same day gets the same moved portfolio, so the caches keyed by project
#: identity (adjacency, cross-project links) keep working. Values are immutable.
_APPLIED: dict[tuple[int, dt.date], tuple[Portfolio, tuple[Portfolio, dict[tuple[str, str], DueAsOf]]]] = {}


def _apply(portfolio: Portfolio, today: dt.date) -> tuple[Portfolio, dict[tuple[str, str], DueAsOf]]:
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


# -- the server's steps, checked (issue 12, items 5 and 6): values in, a new record or an error


def request(portfolio: Portfolio, milestone: str, new_due: dt.date, reason: str,
            today: dt.date) -> Extension:
    """A unit's request made ``today`` to move ``milestone`` (``P/m``) to ``new_due``, checked
    against the portfolio as it stands: the milestone exists, has a due, the new date is after
    the due in force today (moved by earlier approvals), the reason is not empty and no other
    request for it is pending. Raises ``UnknownIdError`` or ``ExtensionError`` otherwise."""
    pid, _, mid = milestone.partition("/")
    project = portfolio.project_by_id.get(pid)
    if project is None:
        unknown = UnknownIdError("project", pid, portfolio.project_by_id)
        unknown.where = "milestone"
        raise unknown
    found = next((m for m in project.milestones if m.id == mid), None)
    if found is None:
        unknown = UnknownIdError("milestone", milestone, [f"{pid}/{m.id}" for m in project.milestones])
        unknown.where = "milestone"
        raise unknown
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ExtensionError("延期理由不能为空 — the reason is empty; say why the extension is "
                             "needed, e.g. 因用地报批延迟", where="reason")
    own = by_milestone(portfolio.extensions).get(milestone, ())
    state = as_of(found.due, own, today)
    if state.due is None:
        raise ExtensionError(f"节点 {milestone} 没有计划完成日期 — milestone {milestone} has no due "
                             "date to extend; the office gives it one first", where="milestone")
    if new_due <= state.due:
        raise ExtensionError(
            f"申请延至 {new_due.isoformat()} 不晚于现行期限 {state.due.isoformat()} — the new date must "
            f"be after the current due {state.due.isoformat()}", where="new_due",
            current=state.due.isoformat())
    if state.pending:
        since = max(e.requested for e in own if e.pending(today))
        raise ExtensionStateError(
            f"节点 {milestone} 已有待审批的延期申请（{since.isoformat()} 提出）— a request for "
            f"{milestone} made on {since.isoformat()} is still pending; the office decides it first",
            where="milestone")
    return Extension(milestone=milestone, requested=today, new_due=new_due, reason=text)


def decide(ext: Extension, decision: str, reason: str, today: dt.date) -> Extension:
    """The office's decision on a pending request, made ``today``, with its reason."""
    if ext.decided is not None:
        word = "同意" if ext.decision == APPROVED else "不同意"
        raise ExtensionStateError(
            f"该延期申请已于 {ext.decided.isoformat()} 审批（{word}）— this request was decided on "
            f"{ext.decided.isoformat()} ({ext.decision}); a decision is final",
            where="decision", current=ext.decision)
    found = DECISIONS.get(decision.strip()) or DECISIONS.get(decision.strip().lower()) \
        if isinstance(decision, str) else None
    if found is None:
        raise ExtensionError(f"unknown decision {decision!r}; write approved (同意) or rejected (不同意)",
                             where="decision", suggestions=("approved", "rejected"))
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ExtensionError("审批意见不能为空 — give the reason for the decision (审批意见)",
                             where="reason")
    if today < ext.requested:
        raise ExtensionError(f"the decision ({today.isoformat()}) cannot come before the request "
                             f"({ext.requested.isoformat()})", where="decided")
    return replace(ext, decided=today, decision=found, decision_reason=text)
