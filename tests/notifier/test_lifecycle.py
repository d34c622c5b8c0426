"""The notice life cycle table, what a notice is issued with, and the checks of each step."""

from __future__ import annotations

import datetime as dt

import pytest

from notifier.errors import NoticeForbiddenError, NoticeInputError, NoticeStateError
from notifier.lifecycle import (
    OPEN_STATES,
    STEPS,
    TRANSITIONS,
    NoticeEvent,
    NoticeState,
    allowed_events,
    check_responder,
    check_step,
    issued_due,
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


def test_a_notice_is_issued_due_on_respond_by_or_five_working_days_later() -> None:
    """The finding's own ``respond_by`` stands; without it, five working days from today."""
    cal = weekdays_calendar()
    wednesday = dt.date(2026, 5, 6)
    assert issued_due(wednesday, None, cal) == dt.date(2026, 5, 13)
    assert issued_due(wednesday, dt.date(2026, 5, 8), cal) == dt.date(2026, 5, 8)


def test_every_step_a_person_takes_is_a_transition_and_only_those() -> None:
    """``STEPS`` names respond, accept and reject: the events a person takes, each in the table."""
    assert set(STEPS) == {E.RESPOND, E.ACCEPT, E.REJECT}
    assert all(any(e == event for (_, e) in TRANSITIONS) for event in STEPS)
    with pytest.raises(NoticeStateError, match="cannot rectify"):
        check_step("N-1", E.RECTIFY)


def test_a_response_needs_text_and_gets_it_stripped() -> None:
    """Blank text is refused naming the field in zh and en; good text comes back stripped."""
    assert check_step("N-1", E.RESPOND, text="  已完成  ") == "已完成"
    for blank in (None, "", "  \n "):
        with pytest.raises(NoticeInputError) as info:
            check_step("N-1", E.RESPOND, text=blank)
        assert info.value.where == "text" and "回复须写明" in str(info.value)
        assert info.value.zh and info.value.en and "needs some text" in info.value.en


def test_a_rejection_needs_a_reason_in_words() -> None:
    """No reason, an empty one or a whitespace is refused; the unit must learn why."""
    for blank in (None, "", "   "):
        with pytest.raises(NoticeInputError) as info:
            check_step("N-1", E.REJECT, reason=blank)
        assert info.value.where == "reason" and info.value.zh == "退回须说明理由，责任单位才能据此整改"
    assert check_step("N-1", E.REJECT, reason=" 缺少开标记录 ") == "缺少开标记录"


def test_a_new_deadline_lies_after_today() -> None:
    """A new deadline on or before today is refused with both days named; tomorrow is fine."""
    today = dt.date(2026, 5, 6)
    for day in (today, dt.date(2026, 5, 1)):
        with pytest.raises(NoticeInputError) as info:
            check_step("N-1", E.REJECT, reason="缺", new_due=day, today=today)
        assert info.value.where == "new_due" and "2026-05-06" in str(info.value)
        assert f"{day.isoformat()} is not after today" in str(info.value)
    assert check_step("N-1", E.REJECT, reason="缺", new_due=dt.date(2026, 5, 7), today=today) == "缺"


def test_accepting_needs_nothing() -> None:
    """The office accepts without any text."""
    assert check_step("N-1", E.ACCEPT) is None


def test_only_the_addressed_unit_may_respond() -> None:
    """Another unit is refused, naming the addressed one; the unit itself and the office pass."""
    check_responder("N-1", "transport", "transport")
    check_responder("N-1", "transport", None)
    with pytest.raises(NoticeForbiddenError, match="transport; only it may respond"):
        check_responder("N-1", "transport", "water")
