"""The notice life cycle table."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.errors import NoticeStateError
from notifier.lifecycle import (
    OPEN_STATES,
    TRANSITIONS,
    NoticeEvent,
    NoticeState,
    allowed_events,
    next_state,
    reopened_due,
    weekdays_calendar,
)

S, E = NoticeState, NoticeEvent


def test_respond_accept_path() -> None:
    """An issued notice is responded to, then the response is accepted."""
    assert next_state(S.ISSUED, E.RESPOND) is S.RESPONDED
    assert next_state(S.RESPONDED, E.ACCEPT) is S.ACCEPTED


def test_reject_reopens_and_allows_a_new_response() -> None:
    """A rejected response reopens the notice, which can then be answered again."""
    assert next_state(S.RESPONDED, E.REJECT) is S.REOPENED
    assert next_state(S.REOPENED, E.RESPOND) is S.RESPONDED


def test_every_open_state_can_be_rectified_or_escalated() -> None:
    """Evaluations close any open notice, whatever the unit did."""
    for s in OPEN_STATES:
        assert next_state(s, E.RECTIFY) is S.RECTIFIED
        assert next_state(s, E.ESCALATE) is S.ESCALATED


def test_closed_states_are_terminal() -> None:
    """Rectified and escalated notices accept no event at all."""
    for s in (S.RECTIFIED, S.ESCALATED):
        assert allowed_events(s) == ()
        assert all((s, e) not in TRANSITIONS for e in E)


def test_refused_event_says_what_is_allowed() -> None:
    """Accepting a notice that was never answered is refused with the allowed events."""
    with pytest.raises(NoticeStateError) as info:
        next_state(S.ISSUED, E.ACCEPT, notice="N-2026-0001")
    assert str(info.value) == (
        "notice 'N-2026-0001' is issued: cannot accept it; allowed now: respond, rectify, escalate"
    )
    assert info.value.allowed == ("respond", "rectify", "escalate")


def test_monday_to_friday_counts_only_days_after() -> None:
    """Friday plus one working day is Monday; the count is its inverse."""
    cal = weekdays_calendar()
    friday = dt.date(2026, 5, 8)
    assert cal.add_workdays(friday, 1) == dt.date(2026, 5, 11)
    assert cal.workdays(friday, dt.date(2026, 5, 11)) == 1
    assert cal.add_workdays(dt.date(2026, 5, 11), -1) == friday
    assert cal.workdays(dt.date(2026, 5, 11), friday) == -1


def test_reopened_due_gives_the_original_number_of_working_days() -> None:
    """A notice first given 3 working days gets 3 working days again from the rejection."""
    cal = weekdays_calendar()
    due = reopened_due(dt.date(2026, 5, 6), dt.date(2026, 5, 11), dt.date(2026, 5, 13), cal)
    assert due == dt.date(2026, 5, 18)
