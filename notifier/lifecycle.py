"""The life cycle of a supervision notice, as a transition table (like h11's ``_state.py``).

Owns the states a notice can be in, the events that move it, and nothing else. Invariants:

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
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Protocol

from notifier.errors import NoticeStateError
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


def reopened_due(issued: dt.date, due: dt.date, today: dt.date, calendar: Workdays) -> dt.date:
    """New deadline after a rejection: as many working days from ``today`` as first given."""
    return calendar.add_workdays(today, max(1, calendar.workdays(issued, due)))
