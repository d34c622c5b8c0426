"""Cadences, ``N months`` arithmetic, next report dates and 序时进度 on the ``cn`` calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.cadence import (
    Cadence,
    CadenceError,
    add,
    add_months,
    next_report,
    parse_cadence,
    planned_progress,
    report_overdue,
    roll_forward,
)
from projects.calendar import WorkCalendar

CN = WorkCalendar("cn")
D = dt.date


@pytest.mark.parametrize(("text", "want"), [
    ("1 months", Cadence(1, "months")),
    ("1 month", Cadence(1, "months")),
    ("2 weeks", Cadence(2, "weeks")),
    ("1 week", Cadence(1, "weeks")),
    ("10 workdays", Cadence(10, "workdays")),
    ("1 workday", Cadence(1, "workdays")),
    ("3 days", Cadence(3, "days")),
    ("1 day", Cadence(1, "days")),
    ("  2   Weeks ", Cadence(2, "weeks")),
    ("weekly", Cadence(1, "weeks")),
    ("Monthly", Cadence(1, "months")),
    ("周报", Cadence(1, "weeks")),
    ("月报", Cadence(1, "months")),
    ("2个月", Cadence(2, "months")),
    ("2 周", Cadence(2, "weeks")),
])
def test_cadence_spellings(text: str, want: Cadence) -> None:
    assert parse_cadence(text) == want


@pytest.mark.parametrize(("value", "says"), [
    ("2 wekks", 'did you mean "2 weeks"'),
    ("2 fortnights", "write days, workdays, weeks or months"),
    ("weekley", 'did you mean "weekly"'),
    ("soon", "expected a duration such as 1 weeks"),
    ("", "empty cadence"),
    ("0 weeks", "at least 1 week"),
    ("3", "has no unit"),
    (3, "write 3 weeks"),
    (True, "not bool"),
    (None, "not NoneType"),
    ("-1 weeks", "is not a cadence"),
])
def test_cadence_that_is_not_a_duration(value: object, says: str) -> None:
    with pytest.raises(CadenceError) as e:
        parse_cadence(value)
    assert says in str(e.value)


def test_cadence_prints_singular_and_chinese() -> None:
    assert str(Cadence(1, "months")) == "1 month"
    assert str(Cadence(2, "weeks")) == "2 weeks"
    assert Cadence(2, "months").chinese == "2 个月"
    assert parse_cadence(str(Cadence(3, "workdays"))) == Cadence(3, "workdays")


@pytest.mark.parametrize(("day", "n", "want"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),     # the contract's example: clamped
    (D(2028, 1, 31), 1, D(2028, 2, 29)),     # leap year
    (D(2028, 2, 29), 12, D(2029, 2, 28)),    # a leap day a year on
    (D(2028, 2, 29), 48, D(2032, 2, 29)),
    (D(2026, 3, 31), -1, D(2026, 2, 28)),    # backwards clamps too
    (D(2026, 3, 15), -3, D(2025, 12, 15)),   # across a year backwards
    (D(2026, 11, 30), 3, D(2027, 2, 28)),    # across a year forwards
    (D(2026, 5, 31), 1, D(2026, 6, 30)),
    (D(2026, 6, 30), 1, D(2026, 7, 30)),     # not "month end to month end"
    (D(2026, 7, 4), 0, D(2026, 7, 4)),
])
def test_add_months(day: dt.date, n: int, want: dt.date) -> None:
    assert add_months(day, n) == want


def test_add_each_unit() -> None:
    assert add(D(2026, 3, 6), 1, "days", CN) == D(2026, 3, 7)
    assert add(D(2026, 3, 6), 2, "weeks", CN) == D(2026, 3, 20)
    assert add(D(2026, 1, 31), 1, "months", CN) == D(2026, 2, 28)
    # Friday + 1 workday across the 2026 Spring Festival: 02-13 Fri, 02-14 Sat is a makeup day
    assert add(D(2026, 2, 13), 1, "workdays", CN) == D(2026, 2, 14)
    assert add(D(2026, 2, 14), 1, "workdays", CN) == D(2026, 2, 24)
    with pytest.raises(ValueError, match="unknown unit"):
        add(D(2026, 1, 1), 1, "years", CN)


def test_roll_forward_over_holidays_and_makeup_days() -> None:
    assert roll_forward(D(2026, 3, 4), CN) == D(2026, 3, 4)        # a Wednesday
    assert roll_forward(D(2026, 3, 7), CN) == D(2026, 3, 9)        # Saturday -> Monday
    assert roll_forward(D(2026, 10, 1), CN) == D(2026, 10, 8)      # National Day week
    assert roll_forward(D(2026, 10, 10), CN) == D(2026, 10, 10)    # a makeup Saturday
    assert roll_forward(D(2026, 1, 1), CN) == D(2026, 1, 4)        # New Year -> makeup Sunday


def test_next_report_from_start_or_last_report() -> None:
    weekly = Cadence(1, "weeks")
    # no report yet: start + 1 week
    assert next_report(weekly, D(2026, 3, 2), None, False, today=D(2026, 3, 4), cal=CN) == D(2026, 3, 9)
    # last report counts instead of start
    assert next_report(weekly, D(2026, 3, 2), D(2026, 3, 11), False, today=D(2026, 3, 12),
                       cal=CN) == D(2026, 3, 18)
    # a report dated after today is not known yet: start counts (as-of replay)
    assert next_report(weekly, D(2026, 3, 2), D(2026, 3, 11), False, today=D(2026, 3, 5),
                       cal=CN) == D(2026, 3, 9)
    # overdue reports keep their date: it does not jump past today
    assert next_report(weekly, D(2026, 3, 2), None, False, today=D(2026, 4, 30), cal=CN) == D(2026, 3, 9)


def test_next_report_on_a_holiday_moves_to_the_next_working_day() -> None:
    monthly = Cadence(1, "months")
    # 2026-09-01 + 1 month = 10-01, National Day: the next working day is 10-08
    assert next_report(monthly, D(2026, 9, 1), None, False, today=D(2026, 9, 2), cal=CN) == D(2026, 10, 8)
    # 2026-01-31 + 1 month = 02-28, a makeup Saturday: stays
    assert next_report(monthly, D(2026, 1, 5), D(2026, 1, 31), False, today=D(2026, 2, 1),
                       cal=CN) == D(2026, 2, 28)
    # 2026-04-04 + 2 weeks = 04-18 Saturday -> 04-20 Monday
    assert next_report(Cadence(2, "weeks"), D(2026, 4, 4), None, False, today=D(2026, 4, 5),
                       cal=CN) == D(2026, 4, 20)
    # leap year month end: 2028-01-31 + 1 month = 2028-02-29, a Tuesday
    assert next_report(monthly, D(2028, 1, 31), None, False, today=D(2028, 2, 1),
                       cal=WorkCalendar("weekdays")) == D(2028, 2, 29)
    # workday cadences always land on working days: 2026-09-30 + 1 workday = 10-08
    assert next_report(Cadence(1, "workdays"), D(2026, 9, 30), None, False, today=D(2026, 9, 30),
                       cal=CN) == D(2026, 10, 8)


def test_no_next_report() -> None:
    weekly = Cadence(1, "weeks")
    assert next_report(None, D(2026, 3, 2), None, False, today=D(2026, 3, 4), cal=CN) is None
    assert next_report(weekly, D(2026, 3, 2), None, True, today=D(2026, 3, 4), cal=CN) is None
    assert next_report(weekly, D(2026, 3, 5), None, False, today=D(2026, 3, 4), cal=CN) is None
    assert next_report(weekly, None, None, False, today=D(2026, 3, 4), cal=CN) is None
    # no start, but a report by today: the cadence runs from it
    assert next_report(weekly, None, D(2026, 3, 2), False, today=D(2026, 3, 4), cal=CN) == D(2026, 3, 9)


def test_report_overdue_counts_working_days() -> None:
    assert report_overdue(None, D(2026, 3, 4), CN) is None
    assert report_overdue(D(2026, 3, 9), D(2026, 3, 9), CN) == 0
    assert report_overdue(D(2026, 3, 9), D(2026, 3, 2), CN) == 0
    assert report_overdue(D(2026, 3, 9), D(2026, 3, 10), CN) == 1
    # 09-30 -> 10-08: the National Day week counts one working day
    assert report_overdue(D(2026, 9, 30), D(2026, 10, 8), CN) == 1
    assert report_overdue(D(2026, 9, 30), D(2026, 10, 10), CN) == 3  # 10-08, 10-09, 10-10


def test_planned_progress_in_working_days() -> None:
    # 2026-03-02 Mon .. 03-13 Fri: ten working days
    start, due = D(2026, 3, 2), D(2026, 3, 13)
    assert planned_progress(start, due, D(2026, 3, 1), CN) == 0.0
    assert planned_progress(start, due, D(2026, 3, 2), CN) == pytest.approx(0.1)  # today counts
    assert planned_progress(start, due, D(2026, 3, 6), CN) == pytest.approx(0.5)
    assert planned_progress(start, due, D(2026, 3, 8), CN) == pytest.approx(0.5)  # weekend
    assert planned_progress(start, due, D(2026, 3, 13), CN) == 1.0
    assert planned_progress(start, due, D(2026, 9, 1), CN) == 1.0
    assert planned_progress(None, due, D(2026, 3, 6), CN) is None
    assert planned_progress(start, None, D(2026, 3, 6), CN) is None
    # across the National Day week: 09-28 .. 10-09 has 28, 29, 30, 08, 09, 10-10? no: 10-09 due
    s, d = D(2026, 9, 28), D(2026, 10, 9)
    assert planned_progress(s, d, D(2026, 10, 5), CN) == pytest.approx(3 / 5)
    # a plan lying wholly in a holiday: 0 before its due date, 1 from it
    assert planned_progress(D(2026, 10, 3), D(2026, 10, 6), D(2026, 10, 4), CN) == 0.0
    assert planned_progress(D(2026, 10, 3), D(2026, 10, 6), D(2026, 10, 6), CN) == 1.0
    # due before start (a file the loader refuses) never gives more than 1 or less than 0
    assert planned_progress(D(2026, 3, 9), D(2026, 3, 2), D(2026, 3, 5), CN) == 0.0
