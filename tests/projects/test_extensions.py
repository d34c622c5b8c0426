"""Extensions as of a day: pending, approved from the decision day, several, original kept."""

from __future__ import annotations

import datetime as dt

from projects.extensions import (
    APPROVED,
    DECISIONS,
    REJECTED,
    Extension,
    as_of,
    by_milestone,
    requested_late,
)

D = dt.date
DUE = D(2026, 6, 30)


def ext(requested: dt.date, new_due: dt.date, decided: dt.date | None = None,
        decision: str | None = None, milestone: str = "T001/m1") -> Extension:
    return Extension(milestone, requested, new_due, "因用地报批延迟", decided, decision)


def test_nothing_requested() -> None:
    got = as_of(DUE, [], D(2026, 6, 1))
    assert (got.due, got.original_due, got.approved, got.pending) == (DUE, DUE, (), False)


def test_the_contract_example_through_time() -> None:
    e = ext(D(2026, 6, 20), D(2026, 7, 31), D(2026, 6, 23), APPROVED)
    before = as_of(DUE, [e], D(2026, 6, 19))       # not yet asked
    assert (before.due, before.pending) == (DUE, False)
    asked = as_of(DUE, [e], D(2026, 6, 20))        # asked, pending
    assert (asked.due, asked.pending, asked.approved) == (DUE, True, ())
    still = as_of(DUE, [e], D(2026, 6, 22))        # decided after the as-of day: not yet
    assert (still.due, still.pending) == (DUE, True)
    moved = as_of(DUE, [e], D(2026, 6, 23))        # the decision day: moved
    assert (moved.due, moved.original_due, moved.pending, moved.approved) == (
        D(2026, 7, 31), DUE, False, (e,))


def test_rejected_keeps_due_and_ends_pending() -> None:
    e = ext(D(2026, 6, 20), D(2026, 7, 31), D(2026, 6, 23), REJECTED)
    got = as_of(DUE, [e], D(2026, 7, 1))
    assert (got.due, got.pending, got.approved) == (DUE, False, ())
    assert as_of(DUE, [e], D(2026, 6, 21)).pending


def test_several_the_latest_approved_counts() -> None:
    first = ext(D(2026, 6, 10), D(2026, 7, 31), D(2026, 6, 12), APPROVED)
    rejected = ext(D(2026, 7, 20), D(2026, 9, 30), D(2026, 7, 22), REJECTED)
    second = ext(D(2026, 7, 25), D(2026, 8, 31), D(2026, 7, 28), APPROVED)
    pending = ext(D(2026, 8, 20), D(2026, 10, 31))
    all_four = [second, pending, rejected, first]   # file order does not matter
    assert as_of(DUE, all_four, D(2026, 6, 11)).due == DUE
    assert as_of(DUE, all_four, D(2026, 6, 12)).due == D(2026, 7, 31)
    assert as_of(DUE, all_four, D(2026, 7, 23)).due == D(2026, 7, 31)
    assert as_of(DUE, all_four, D(2026, 7, 26)).pending
    late = as_of(DUE, all_four, D(2026, 8, 1))
    assert (late.due, late.pending, late.approved) == (D(2026, 8, 31), False, (first, second))
    last = as_of(DUE, all_four, D(2026, 8, 21))
    assert (last.due, last.pending, len(last.approved)) == (D(2026, 8, 31), True, 2)


def test_latest_by_decision_day_not_by_new_date() -> None:
    # the later decision shortens the extension again: it counts
    long = ext(D(2026, 6, 1), D(2026, 9, 30), D(2026, 6, 2), APPROVED)
    short = ext(D(2026, 6, 3), D(2026, 7, 15), D(2026, 6, 5), APPROVED)
    assert as_of(DUE, [short, long], D(2026, 6, 6)).due == D(2026, 7, 15)
    # same decision day: the later request counts
    a = ext(D(2026, 6, 1), D(2026, 9, 30), D(2026, 6, 5), APPROVED)
    b = ext(D(2026, 6, 2), D(2026, 7, 15), D(2026, 6, 5), APPROVED)
    assert as_of(DUE, [b, a], D(2026, 6, 6)).due == D(2026, 7, 15)


def test_without_a_due() -> None:
    e = ext(D(2026, 6, 20), D(2026, 7, 31), D(2026, 6, 23), APPROVED)
    got = as_of(None, [e], D(2026, 7, 1))
    assert (got.due, got.original_due) == (D(2026, 7, 31), None)


def test_grouping_and_lateness_and_spellings() -> None:
    a = ext(D(2026, 6, 1), D(2026, 7, 1), milestone="P1/a")
    b = ext(D(2026, 6, 2), D(2026, 7, 2), milestone="P1/b")
    c = ext(D(2026, 6, 3), D(2026, 7, 3), milestone="P1/a")
    assert by_milestone([a, b, c]) == {"P1/a": (a, c), "P1/b": (b,)}
    assert requested_late(ext(D(2026, 7, 1), D(2026, 8, 1)), DUE)
    assert not requested_late(ext(D(2026, 6, 30), D(2026, 8, 1)), DUE)
    assert not requested_late(ext(D(2026, 7, 1), D(2026, 8, 1)), None)
    assert DECISIONS["同意"] == APPROVED and DECISIONS["不同意"] == REJECTED
