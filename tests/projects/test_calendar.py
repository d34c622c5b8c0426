"""The working-day calendar: statutory holidays, makeup days, fallback years, calendar files."""

from __future__ import annotations

import datetime as dt
import pickle
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.calendar import (
    CalendarFallbackWarning,
    WorkCalendar,
    calendar_for,
    load_calendar_file,
)
from projects.errors import CalendarError
from projects.model import CalendarYear, Portfolio

D = dt.date
CN = WorkCalendar("cn")
WEEKDAYS = WorkCalendar("weekdays")


def test_national_day_2025_is_skipped() -> None:
    """2025-09-30 + 1 workday is 2025-10-09: October 1-8 are holidays."""
    assert CN.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert CN.workdays(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert not CN.is_workday(D(2025, 10, 6))


def test_makeup_saturday_2025_10_11_is_a_workday() -> None:
    """The Saturday after National Day is a makeup workday, so Friday + 1 workday is Saturday."""
    assert CN.is_workday(D(2025, 10, 11))
    assert CN.add_workdays(D(2025, 10, 10), 1) == D(2025, 10, 11)
    assert CN.add_workdays(D(2025, 10, 11), 1) == D(2025, 10, 13)
    assert CN.is_workday(D(2025, 9, 28))  # the Sunday before is one too


def test_spring_festival_2026() -> None:
    """2026-02-15..23 are holidays; 2026-02-14 and 2026-02-28 (Saturdays) are makeup workdays."""
    for day in range(15, 24):
        assert not CN.is_workday(D(2026, 2, day))
    assert CN.is_workday(D(2026, 2, 14))
    assert CN.is_workday(D(2026, 2, 28))
    assert CN.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert CN.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # 13 Feb < d <= 28 Feb: the 14th, 24th..27th, 28th
    assert CN.workdays(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_a_plain_weekend() -> None:
    """Friday + 1 workday is Monday; a weekend day counts no working day."""
    assert CN.add_workdays(D(2026, 3, 6), 1) == D(2026, 3, 9)
    assert CN.add_workdays(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert CN.workdays(D(2026, 3, 6), D(2026, 3, 8)) == 0
    assert CN.workdays(D(2026, 3, 6), D(2026, 3, 9)) == 1
    assert WEEKDAYS.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 1)


def test_zero_and_negative_steps() -> None:
    """``n == 0`` returns the date itself; negative steps are the inverse of positive ones."""
    assert CN.add_workdays(D(2026, 3, 7), 0) == D(2026, 3, 7)
    assert CN.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert CN.add_workdays(D(2026, 3, 9), -1) == D(2026, 3, 6)
    assert CN.workdays(D(2026, 3, 9), D(2026, 3, 6)) == -1


def test_index_and_date_at_agree() -> None:
    """A working day's index leads back to it; a rest day shares the index of the day before."""
    for day in (D(2025, 10, 11), D(2026, 2, 24), D(2026, 3, 9)):
        assert CN.date_at(CN.index(day)) == day
    assert CN.index(D(2025, 10, 5)) == CN.index(D(2025, 9, 30))
    assert CN.index(D(2026, 3, 9)) - CN.index(D(2026, 3, 6)) == 1


def test_2027_falls_back_to_monday_friday_with_one_warning() -> None:
    """A year without data uses Monday-Friday and warns exactly once for this calendar."""
    cal = WorkCalendar("cn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cal.add_workdays(D(2027, 1, 1), 1) == D(2027, 1, 4)
        assert cal.is_workday(D(2027, 10, 1))  # National Day is unknown: a plain Friday
        assert cal.workdays(D(2027, 3, 1), D(2027, 3, 8)) == 5
    fallback = [w for w in caught if issubclass(w.category, CalendarFallbackWarning)]
    assert len(fallback) == 1
    assert "2027" in str(fallback[0].message)
    assert cal.fallback_years == frozenset({2027})


def test_a_copy_of_the_fallback_warning_words_the_same_message() -> None:
    """Pickled, or rebuilt from its arguments as pytest-xdist does with a worker's warnings,
    the warning still names the year once (its text as the year nested the message in itself)."""
    w = CalendarFallbackWarning(2027, "cn")
    text = str(w)
    assert text.startswith("the cn calendar has no statutory holiday data for 2027; ")
    assert text.count("2027") == 3
    for copy in (pickle.loads(pickle.dumps(w)), type(w)(*w.args)):
        assert (copy.year, copy.kind, str(copy)) == (2027, "cn", text)


def test_crossing_into_2027_from_2026_warns_for_2027() -> None:
    """Stepping from a covered year into an uncovered one warns for the year it lands in."""
    cal = WorkCalendar("cn")
    with pytest.warns(CalendarFallbackWarning, match="2027"):
        assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert cal.fallback_years == frozenset({2027})


def test_covered_years_never_warn() -> None:
    """Queries inside the package's years emit no warning at all."""
    cal = WorkCalendar("cn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cal.workdays(D(2004, 1, 1), D(2026, 12, 31))
        cal.add_workdays(D(2010, 5, 5), 300)
    assert cal.fallback_years == frozenset()


def test_a_calendar_year_adds_2027_without_warning() -> None:
    """Years given in a calendar file are covered and their holidays are honoured."""
    y2027 = CalendarYear(2027, frozenset({D(2027, 1, 1), D(2027, 10, 1)}),
                         frozenset({D(2027, 2, 6)}))
    cal = WorkCalendar("cn", [y2027])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
        assert not cal.is_workday(D(2027, 10, 1))
        assert cal.is_workday(D(2027, 2, 6))
    assert cal.fallback_years == frozenset()


def test_load_calendar_file(tmp_path: Path) -> None:
    """A YAML list of years loads into ``CalendarYear`` values with real dates."""
    path = tmp_path / "calendar.yaml"
    path.write_text("- year: 2027\n  holidays: [2027-01-01, 2027-02-06]\n"
                    "  workdays: [2027-02-07]\n- year: 2028\n  holidays: [2028-01-01]\n",
                    encoding="utf-8")
    years = load_calendar_file(path)
    assert years == (
        CalendarYear(2027, frozenset({D(2027, 1, 1), D(2027, 2, 6)}), frozenset({D(2027, 2, 7)})),
        CalendarYear(2028, frozenset({D(2028, 1, 1)}), frozenset()),
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("years:\n  - year: 2027\n    holidays: ['2027-01-01']\n", encoding="utf-8")
    assert load_calendar_file(mapping)[0].holidays == frozenset({D(2027, 1, 1)})


def test_a_bad_calendar_file_names_every_place(tmp_path: Path) -> None:
    """Each problem carries the file, the path into the data and what is expected."""
    path = tmp_path / "calendar.yaml"
    path.write_text("- year: 2027\n  holidays: [2027-01-01, 2027-01-02, 2027-13-01]\n"
                    "  workday: [2027-02-07]\n- year: 2028\n  holidays: [2027-05-01]\n"
                    "- year: 9999\n",
                    encoding="utf-8")
    with pytest.raises(CalendarError) as info:
        load_calendar_file(path)
    text = str(info.value)
    assert f'{path}: years[0].holidays[2]: "2027-13-01" is not a date (YYYY-MM-DD)' in text
    assert f'{path}: years[0]: unknown key "workday"; did you mean "workdays"?' in text
    assert f"{path}: years[1].holidays[0]: 2027-05-01 is not in 2028" in text
    assert f"{path}: years[2].year: 9999 is outside 1900..2200" in text


def test_a_calendar_file_that_is_not_yaml_or_missing(tmp_path: Path) -> None:
    """Unreadable and unparsable files are refused with the file named."""
    with pytest.raises(CalendarError, match="cannot read"):
        load_calendar_file(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- year: [2027\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="not valid YAML"):
        load_calendar_file(bad)


def test_unknown_calendar_kind_suggests() -> None:
    """A misspelt calendar name is refused with the nearest kind."""
    with pytest.raises(CalendarError, match='did you mean "weekdays"'):
        WorkCalendar("weekday")
    with pytest.raises(CalendarError, match='unknown calendar "cm"; expected "cn" or "weekdays"'):
        WorkCalendar("cm")


def test_calendar_for_is_cached_per_kind_and_years() -> None:
    """The same calendar kind and years give the same calendar object."""
    a = calendar_for(Portfolio(calendar="cn"))
    assert calendar_for(Portfolio(calendar="cn")) is a
    assert calendar_for(Portfolio(calendar="weekdays")) is not a
    extra = (CalendarYear(2027, frozenset({D(2027, 1, 1)})),)
    b = calendar_for(Portfolio(calendar="cn", calendar_years=extra))
    assert b is not a
    assert not b.is_workday(D(2027, 1, 1))


@pytest.mark.parametrize("kind", ["cn", "weekdays"])
@settings(max_examples=300, deadline=None)
@given(day=st.dates(D(2020, 1, 1), D(2030, 12, 31)), n=st.integers(0, 400))
def test_workdays_inverts_add_workdays(kind: str, day: dt.date, n: int) -> None:
    """``workdays(d, add_workdays(d, n)) == n`` on both calendars, and the result is a workday."""
    cal = CN if kind == "cn" else WEEKDAYS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarFallbackWarning)
        later = cal.add_workdays(day, n)
        assert cal.workdays(day, later) == n
        assert cal.add_workdays(later, -n) <= day or n == 0
        if n > 0:
            assert cal.is_workday(later)
            assert later > day


def test_column_lookups_match_single_ones() -> None:
    """``indices`` and ``dates_at`` give what ``index`` and ``date_at`` give, ``None`` kept."""
    days = [D(2025, 10, 11), None, D(2026, 2, 20), D(1980, 5, 5), D(2150, 1, 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarFallbackWarning)
        got = CN.indices(days)
        assert got == [None if d is None else CN.index(d) for d in days]
        assert CN.dates_at(got) == [None if i is None else CN.date_at(i) for i in got]


@pytest.mark.parametrize("kind", ["cn", "weekdays"])
def test_dates_at_gives_and_warns_what_date_at_does(kind: str) -> None:
    """``dates_at``'s column of the held days (made once, made again after a warning) gives
    each index's ``date_at`` and the same warnings, each year once, over random columns that
    reach years with no data, before and past the held span, in turns on one calendar."""
    import random  # noqa: PLC0415

    rng = random.Random(7)
    column, single = WorkCalendar(kind), WorkCalendar(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarFallbackWarning)
        n = WorkCalendar(kind).index(D(2099, 12, 31))  # the last held day's
    for _ in range(40):
        indices = [None if rng.random() < 0.1 else rng.randint(-300, n + 300)
                   for _ in range(rng.randint(0, 50))]
        with warnings.catch_warnings(record=True) as by_column:
            warnings.simplefilter("always")
            got = column.dates_at(indices)
        with warnings.catch_warnings(record=True) as by_one:
            warnings.simplefilter("always")
            want = [None if i is None else single.date_at(i) for i in indices]
        assert got == want
        assert [str(w.message) for w in by_column] == [str(w.message) for w in by_one]
        assert column.fallback_years == single.fallback_years
    assert column.fallback_years or kind == "weekdays"  # some columns met years with no data


def test_far_years_count_monday_to_friday_continuously() -> None:
    """Outside the held span the count goes on, Monday-Friday, with no gap at the edges."""
    cal = WorkCalendar("weekdays")
    assert cal.add_workdays(D(2099, 12, 31), 1) == D(2100, 1, 1)  # a Thursday then a Friday
    assert cal.workdays(D(1989, 12, 29), D(1990, 1, 2)) == 2
    assert cal.add_workdays(D(2300, 6, 6), 5) == D(2300, 6, 13)
    assert cal.date_at(cal.index(D(1900, 3, 5))) == D(1900, 3, 5)
