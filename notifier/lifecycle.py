"""The life cycle of a supervision notice, as a transition table (like h11's ``_state.py``).

Owns the states a notice can be in, the events that move it, what a notice is issued with
(its first state and deadline), and what each step a person takes needs (``STEPS``): who may
take it, which text it cannot go without, and that a new deadline lies after today. The store
and the server call these checks; nobody checks on the life cycle's behalf. Invariants:

- ``TRANSITIONS`` is the whole truth: ``next_state`` only looks it up.
- ``rectified`` and ``escalated`` are terminal: a closed notice takes no further event.
- A rejected response reopens the notice (``reopened``) with a new deadline; it can be
  answered again.
- ``rectify`` (the finding cleared) and ``escalate`` (the finding rose to a higher level and
  a new notice replaced this one) come from evaluations, never from a person.

::

    issued ──respond──> responded ──accept──> accepted
      ^                   │
      └──(reopened)<──reject
    any open state ──rectify──> rectified      any open state ──escalate──> escalated

A person's steps, and what each needs (``STEPS``)::

    respond   by the addressed unit (or the office for it)   needs text
    accept    by the office                                  needs nothing
    reject    by the office                                  needs a reason; a new deadline, if
                                                             given, after today
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from notifier.errors import NoticeForbiddenError, NoticeInputError, NoticeStateError
from projects.calendar import WorkCalendar


class NoticeState(StrEnum):
    ISSUED = "issued"  # 已下发
    RESPONDED = "responded"  # 已回复，待审核
    ACCEPTED = "accepted"  # 回复已认可，待整改
    REOPENED = "reopened"  # 回复被退回，重新限期
    RECTIFIED = "rectified"  # 整改完成
    ESCALATED = "escalated"  # 已升级为更高等级的通知


class NoticeEvent(StrEnum):
    RESPOND = "respond"
    ACCEPT = "accept"
    REJECT = "reject"
    RECTIFY = "rectify"
    ESCALATE = "escalate"


S, E = NoticeState, NoticeEvent

#: (state, event) -> new state. Anything absent is refused.
TRANSITIONS: dict[tuple[NoticeState, NoticeEvent], NoticeState] = {
    (S.ISSUED, E.RESPOND): S.RESPONDED,
    (S.REOPENED, E.RESPOND): S.RESPONDED,
    (S.RESPONDED, E.ACCEPT): S.ACCEPTED,
    (S.RESPONDED, E.REJECT): S.REOPENED,
    **{(s, E.RECTIFY): S.RECTIFIED for s in (S.ISSUED, S.RESPONDED, S.ACCEPTED, S.REOPENED)},
    **{(s, E.ESCALATE): S.ESCALATED for s in (S.ISSUED, S.RESPONDED, S.ACCEPTED, S.REOPENED)},
}

#: States in which the notice is still being followed up.
OPEN_STATES: frozenset[NoticeState] = frozenset(
    {S.ISSUED, S.RESPONDED, S.ACCEPTED, S.REOPENED}
)

#: States in which the unit has answered (for the engine's ``n.responded``).
ANSWERED_STATES: frozenset[NoticeState] = frozenset({S.RESPONDED, S.ACCEPTED})

STATE_CHINESE: dict[NoticeState, str] = {
    S.ISSUED: "已下发",
    S.RESPONDED: "已回复",
    S.ACCEPTED: "回复已认可",
    S.REOPENED: "已退回重办",
    S.RECTIFIED: "整改完成",
    S.ESCALATED: "已升级",
}


def allowed_events(state: NoticeState) -> tuple[NoticeEvent, ...]:
    """The events a notice in ``state`` accepts, in table order."""
    return tuple(e for (s, e) in TRANSITIONS if s == state)


def next_state(state: NoticeState, event: NoticeEvent, *, notice: str = "?") -> NoticeState:
    """The state after ``event``; raises ``NoticeStateError`` (with what is allowed) otherwise."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        allowed = tuple(str(e) for e in allowed_events(state))
        raise NoticeStateError(notice, str(state), str(event), allowed) from None


class Workdays(Protocol):
    """The part of ``projects.calendar.WorkCalendar`` the notifier needs."""

    def add_workdays(self, d: dt.date, n: int) -> dt.date: ...

    def workdays(self, a: dt.date, b: dt.date) -> int: ...


def weekdays_calendar() -> Workdays:
    """Fallback working-day calendar (Monday-Friday, no holidays) for when none is passed in:
    ``projects.calendar``'s ``weekdays``. The server passes the portfolio's own calendar; this
    only keeps the notifier usable on its own (tests, a portfolio without a calendar)."""
    return WorkCalendar("weekdays")


#: Working days a unit gets to respond when a finding carries no ``respond_by``.
DEFAULT_RESPOND_WORKDAYS = 5

#: The state every notice is issued in, and the name of its first event in the history.
ISSUED_STATE = S.ISSUED
ISSUE_EVENT = "issue"


def issued_due(today: dt.date, respond_by: dt.date | None, calendar: Workdays) -> dt.date:
    """The deadline a notice is issued with: the finding's ``respond_by``, else
    ``DEFAULT_RESPOND_WORKDAYS`` working days from ``today``."""
    return respond_by or calendar.add_workdays(today, DEFAULT_RESPOND_WORKDAYS)


def reopened_due(issued: dt.date, due: dt.date, today: dt.date, calendar: Workdays) -> dt.date:
    """New deadline after a rejection: as many working days from ``today`` as first given."""
    return calendar.add_workdays(today, max(1, calendar.workdays(issued, due)))


# -- the checks of a person's step -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """What a person's event needs: who takes it, and the text it cannot go without."""

    by: str  # "addressed unit" (or the office answering for it) | "office"
    needs: str | None  # the field that must hold some text, if any


STEPS: dict[NoticeEvent, Step] = {
    E.RESPOND: Step(by="addressed unit", needs="text"),
    E.ACCEPT: Step(by="office", needs=None),
    E.REJECT: Step(by="office", needs="reason"),
}

#: What to write when a needed text is missing, in Chinese and English.
MISSING_TEXT: dict[str, tuple[str, str]] = {
    "text": ("回复须写明已办理的情况，或尚未办结的原因和预计完成时间",
             "a response needs some text: what was done, or why not yet and when it will be"),
    "reason": ("退回须说明理由，责任单位才能据此整改",
               "say why the response is rejected, so the unit can fix it"),
}


def check_step(code: str, event: NoticeEvent, *, text: str | None = None,
               reason: str | None = None, new_due: dt.date | None = None,
               today: dt.date | None = None) -> str | None:
    """Refuse a step that lacks what ``STEPS`` says it needs; returns the needed text, stripped.

    Raises ``NoticeInputError`` naming the field, in zh and en: a response without text, a
    rejection without a reason, a new deadline on or before ``today``.
    """
    step = STEPS.get(event)
    if step is None:  # rectify and escalate come from evaluations, never from a person
        raise NoticeStateError(code, "open", str(event), tuple(str(e) for e in STEPS))
    given = {"text": text, "reason": reason}.get(step.needs or "")
    if step.needs is not None and not (given or "").strip():
        zh, en = MISSING_TEXT[step.needs]
        raise NoticeInputError(code, step.needs, f"{zh} — {en}", zh=zh, en=en)
    if new_due is not None and today is not None and new_due <= today:
        zh = f"新的期限须晚于今天（{today.isoformat()}）"
        en = f"{new_due.isoformat()} is not after today ({today.isoformat()}); give a later day"
        raise NoticeInputError(code, "new_due", f"{zh} — {en}", zh=zh, en=en)
    return given.strip() if given else None


def check_responder(code: str, addressed: str, unit: str | None) -> None:
    """Only the unit a notice is addressed to may respond (``unit`` ``None``: the office, who
    may answer for any unit). Raises ``NoticeForbiddenError`` naming the addressed unit."""
    if unit is not None and unit != addressed:
        raise NoticeForbiddenError(
            code, f"通知 {code} 发给 {addressed}，只有该单位可以回复 — notice {code} is addressed "
            f"to unit {addressed}; only it may respond")
