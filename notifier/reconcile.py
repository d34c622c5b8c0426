"""From findings to notice actions: the pure heart of the notifier.

Owns ``reconcile``: given the notices still open and the findings of one evaluation, say which
notices to issue, which to escalate and which to mark rectified. Invariants:

- One open notice per rule × subject × notified unit. Re-running the same evaluation yields
  no action at all (idempotent), so re-evaluating never sends a notice twice.
- A finding whose level rose above its open notice's issues a new notice at the new level
  that ``escalates`` the old one, and the old one becomes ``escalated``. A level that falls
  keeps the open notice as it is (the higher notice still stands until the finding clears).
- A finding that is no longer lit rectifies its open notices — but only notices the
  evaluation actually covered: not those of projects outside a partial evaluation, nor of
  rules that failed at run time.
- No database, no clock: ``today`` is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from notifier.lifecycle import (
    OPEN_STATES,
    NoticeState,
    Workdays,
    issued_due,
    weekdays_calendar,
)
from projects.model import Level


class FindingLike(Protocol):
    """The fields of ``rules.engine.Finding`` the notifier reads."""

    @property
    def rule(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def level(self) -> Level: ...
    @property
    def message(self) -> str: ...
    @property
    def notify(self) -> tuple[str, ...]: ...
    @property
    def respond_by(self) -> dt.date | None: ...
    @property
    def explain(self) -> tuple[tuple[str, object], ...]: ...
    @property
    def project(self) -> str | None: ...
    @property
    def unit(self) -> str | None: ...


Key = tuple[str, str, str]  # (rule, subject, notified unit)


class OpenNotice(NamedTuple):
    """What ``reconcile`` needs to know of a notice still being followed up (a named tuple:
    a report group makes one for each open notice of its projects, some hundreds, and a
    frozen dataclass costs several times as much to make)."""

    code: str
    rule: str
    subject: str
    unit: str
    level: Level
    state: NoticeState = NoticeState.ISSUED
    project: str | None = None

    @property
    def key(self) -> Key:
        return (self.rule, self.subject, self.unit)


@dataclass(frozen=True, slots=True)
class NewNotice:
    """A notice to issue: the finding that caused it, the unit it goes to, its deadline."""

    rule: str
    subject: str
    unit: str
    level: Level
    title: str  # the rule's title
    message: str  # the rule's message for this subject
    issued: dt.date
    due: dt.date
    explain: tuple[tuple[str, object], ...] = ()
    project: str | None = None
    escalates: str | None = None  # code of the notice this one replaces

    @property
    def key(self) -> Key:
        return (self.rule, self.subject, self.unit)


@dataclass(frozen=True, slots=True)
class Actions:
    """What an evaluation changes: notices to issue, codes escalated, codes rectified."""

    issue: tuple[NewNotice, ...] = ()
    escalated: tuple[str, ...] = ()
    rectified: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.issue or self.escalated or self.rectified)


def _level(value: object) -> Level:
    return value if isinstance(value, Level) else Level(str(value))


def reconcile(
    open_notices: Iterable[OpenNotice],
    findings: Iterable[FindingLike],
    today: dt.date,
    *,
    calendar: Workdays | None = None,
    projects: Collection[str] | None = None,
    failed_rules: Collection[str] = (),
) -> Actions:
    """Compare open notices with the findings of an evaluation made on ``today``.

    ``projects``: the projects a partial evaluation covered (``None``: everything).
    ``failed_rules``: rules the engine could not run; their notices are left alone.
    """
    cal = calendar or weekdays_calendar()
    current: dict[Key, OpenNotice] = {}
    for n in open_notices:
        if n.state not in OPEN_STATES:
            continue
        # Should two be open for one key (an old data import), the higher level stands.
        held = current.get(n.key)
        if held is None or _level(n.level).rank > _level(held.level).rank:
            current[n.key] = n

    issue: list[NewNotice] = []
    escalated: list[str] = []
    lit: set[Key] = set()
    for f in findings:
        level = _level(f.level)
        if level is Level.GREEN or not f.notify:
            continue
        due = issued_due(today, f.respond_by, cal)
        for unit in dict.fromkeys(f.notify):  # keep order, drop repeats
            key = (f.rule, f.subject, unit)
            if key in lit:
                continue
            lit.add(key)
            held = current.get(key)
            if held is not None and _level(held.level).rank >= level.rank:
                continue
            if held is not None:
                escalated.append(held.code)
            issue.append(
                NewNotice(
                    rule=f.rule,
                    subject=f.subject,
                    unit=unit,
                    level=level,
                    title=f.title,
                    message=f.message,
                    issued=today,
                    due=due,
                    explain=tuple(f.explain),
                    project=f.project,
                    escalates=held.code if held is not None else None,
                )
            )

    covered = None if projects is None else frozenset(projects)
    failed = frozenset(failed_rules)
    rectified = [
        n.code
        for key, n in current.items()
        if key not in lit
        and n.rule not in failed
        and (covered is None or (n.project is not None and n.project in covered))
    ]
    return Actions(tuple(issue), tuple(escalated), tuple(rectified))
