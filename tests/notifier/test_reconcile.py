"""From findings to notice actions, without a database."""

from __future__ import annotations

import datetime as dt

from notifier.lifecycle import NoticeState
from notifier.reconcile import OpenNotice, reconcile
from projects.model import Level

from .conftest import Finding, tender

TODAY = dt.date(2026, 5, 6)


def held(level: Level = Level.YELLOW, code: str = "N-2026-0001", **kw: object) -> OpenNotice:
    return OpenNotice(code, "tender_overdue", "milestone:P001/tender", "transport", level,
                      project="P001", **kw)  # type: ignore[arg-type]


def test_new_finding_issues_one_notice_per_notified_unit() -> None:
    """A lit finding that notifies two units issues two notices, each with its deadline."""
    actions = reconcile([], [tender(notify=("transport", "city", "transport"))], TODAY)
    assert [(n.unit, n.level, n.due) for n in actions.issue] == [
        ("transport", Level.YELLOW, dt.date(2026, 5, 11)),
        ("city", Level.YELLOW, dt.date(2026, 5, 11)),
    ]
    assert actions.escalated == () and actions.rectified == ()


def test_same_finding_again_does_nothing() -> None:
    """Re-evaluating with the notice already open issues nothing."""
    assert not reconcile([held()], [tender()], TODAY)


def test_raised_level_escalates_and_refers_to_the_first() -> None:
    """Yellow to red issues a red notice that escalates the yellow one."""
    actions = reconcile([held()], [tender(Level.RED)], TODAY)
    assert [(n.level, n.escalates) for n in actions.issue] == [(Level.RED, "N-2026-0001")]
    assert actions.escalated == ("N-2026-0001",)


def test_lowered_level_keeps_the_higher_notice() -> None:
    """Red falling back to yellow neither issues nor closes anything."""
    assert not reconcile([held(Level.RED)], [tender(Level.YELLOW)], TODAY)


def test_cleared_finding_rectifies_open_notices_of_any_open_state() -> None:
    """No finding any more: the open notice, even one responded to, is rectified."""
    actions = reconcile([held(state=NoticeState.RESPONDED)], [], TODAY)
    assert actions.rectified == ("N-2026-0001",)
    assert actions.issue == ()


def test_closed_notices_are_ignored() -> None:
    """A rectified notice passed in by mistake neither blocks a new notice nor is rectified."""
    actions = reconcile([held(state=NoticeState.RECTIFIED)], [tender()], TODAY)
    assert len(actions.issue) == 1 and actions.issue[0].escalates is None
    assert actions.rectified == ()


def test_partial_evaluation_leaves_other_projects_alone() -> None:
    """An evaluation of P002 alone does not rectify a notice about P001."""
    assert not reconcile([held()], [], TODAY, projects={"P002"})
    assert reconcile([held()], [], TODAY, projects={"P001"}).rectified == ("N-2026-0001",)


def test_failed_rule_leaves_its_notices_alone() -> None:
    """A rule that failed at run time lit nothing, but its notices stay open."""
    assert not reconcile([held()], [], TODAY, failed_rules={"tender_overdue"})


def test_finding_without_notify_or_green_sends_nothing() -> None:
    """A dashboard-only finding (no notify) and a green one issue no notice."""
    quiet = Finding("bid_window_too_short", "招标期不足", "milestone:P001/tender", Level.RED, "x")
    green = tender(Level.GREEN)
    assert not reconcile([], [quiet, green], TODAY)


def test_missing_respond_by_defaults_to_five_working_days() -> None:
    """Without the engine's deadline a notice gets five working days (Mon-Fri fallback)."""
    f = Finding("r", "t", "project:P001", Level.YELLOW, "m", notify=("transport",), project="P001")
    assert reconcile([], [f], dt.date(2026, 5, 8)).issue[0].due == dt.date(2026, 5, 15)


def test_blue_sends_a_reminder_and_yellow_then_escalates_it() -> None:
    """A blue finding with notify issues a blue reminder; turning yellow issues the card."""
    actions = reconcile([], [tender(Level.BLUE)], TODAY)
    assert [(n.unit, n.level) for n in actions.issue] == [("transport", Level.BLUE)]
    assert not reconcile([held(Level.BLUE)], [tender(Level.BLUE)], TODAY)
    up = reconcile([held(Level.BLUE)], [tender(Level.YELLOW)], TODAY)
    assert [(n.level, n.escalates) for n in up.issue] == [(Level.YELLOW, "N-2026-0001")]
    # a yellow card stays when the finding falls back to a reminder
    assert not reconcile([held(Level.YELLOW)], [tender(Level.BLUE)], TODAY)
