"""P6's secondary constraint (TASK ``cstr_type2`` / ``cstr_date2``): honoured in both passes
in the pairings P6 allows, refused with table and row in the others. Every date below is
worked out by hand on the 25-activity sample (5-day week of 8 hours, 08:00-12:00 and
13:00-17:00, 27 to 31 December 2021 off)."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.contractor import ScheduleFileError, read_xer, schedule
from projects.contractor.dcma import assess
from tests.projects.contractor_files import edit_xer, xer_text

SAMPLE = "xernative-sample.xer"


def _row(text: str, code: str) -> dict[str, dt.datetime | float]:
    r = next(r for r in schedule(read_xer(text)) if r.activity.id == code)
    return {"es": r.early_start, "ef": r.early_finish, "ls": r.late_start, "lf": r.late_finish,
            "tf": r.total_float_hours}


def _constrained(code: str, **cells: str) -> str:
    return edit_xer(xer_text(SAMPLE), change={code: cells})


def test_start_on_or_after_with_finish_on_or_before() -> None:
    """A1050 (40 h) follows A1040 (finishes Wed 5 Jan 17:00) and is otherwise early Thu 6 to
    Wed 12 Jan, late to Mon 24 Jan (64 h of float). Start on or after Mon 10 Jan 08:00: the
    forward pass starts it then, five days to Fri 14 Jan 17:00 (A1100 still waits for A1090,
    also Fri 14 Jan). Secondary finish on or before Thu 13 Jan 17:00: the backward pass finishes
    it late then, five days back to Fri 7 Jan 08:00, and its float is Thu 13 less Fri 14 Jan:
    -8 h. With the primary alone its late finish stays Mon 24 Jan: 6 days, 48 h."""
    both = _constrained("A1050", cstr_type="CS_MSOA", cstr_date="2022-01-10 08:00",
                        cstr_type2="CS_MEOB", cstr_date2="2022-01-13 17:00")
    assert _row(both, "A1050") == {"es": dt.datetime(2022, 1, 10, 8), "ef": dt.datetime(2022, 1, 14, 17),
                                   "ls": dt.datetime(2022, 1, 7, 8), "lf": dt.datetime(2022, 1, 13, 17),
                                   "tf": -8.0}
    primary = _constrained("A1050", cstr_type="CS_MSOA", cstr_date="2022-01-10 08:00")
    assert _row(primary, "A1050")["lf"] == dt.datetime(2022, 1, 24, 17) and _row(primary, "A1050")["tf"] == 48.0
    # nothing else moves: A1040 still has to finish by Wed 5 Jan for A1090 (late start Thu 6)
    assert _row(both, "A1040")["lf"] == dt.datetime(2022, 1, 5, 17) and _row(both, "A1100")["es"] == dt.datetime(2022, 1, 17, 8)
    sched = read_xer(both)
    checks = {c.key: c for c in assess(sched, schedule(sched))}
    assert checks["hard_constraints"].offenders == ("A1050",)  # the secondary is a "no later than"
    assert checks["negative_float"].offenders == ("A1050",)


def test_finish_on_or_before_with_start_on_or_after() -> None:
    """A1210 (40 h) after A1160 is early Tue 4 to Mon 10 Jan, late Fri 14 to Thu 20 Jan.
    Primary finish on or before Tue 18 Jan 17:00: the late finish is then, the late start five
    days back Wed 12 Jan 08:00. Secondary start on or after Fri 7 Jan 08:00: early Fri 7 to Thu
    13 Jan 17:00 (A1220 still starts Mon 17 Jan after it and A1170). Float: Thu 13 to Tue 18
    Jan, 3 days, 24 h; A1160's late finish stays Tue 11 Jan 17:00 (A1170 starts late Wed 12)."""
    text = _constrained("A1210", cstr_type="CS_MEOB", cstr_date="2022-01-18 17:00",
                        cstr_type2="CS_MSOA", cstr_date2="2022-01-07 08:00")
    assert _row(text, "A1210") == {"es": dt.datetime(2022, 1, 7, 8), "ef": dt.datetime(2022, 1, 13, 17),
                                   "ls": dt.datetime(2022, 1, 12, 8), "lf": dt.datetime(2022, 1, 18, 17),
                                   "tf": 24.0}
    assert _row(text, "A1160")["lf"] == dt.datetime(2022, 1, 11, 17)
    assert _row(text, "A1220")["es"] == dt.datetime(2022, 1, 17, 8)


@pytest.mark.parametrize(("cells", "words"), [
    ({"cstr_type": "CS_MSOA", "cstr_date": "2022-01-10 08:00", "cstr_type2": "CS_MEOA",
      "cstr_date2": "2022-01-14 17:00"}, ["CS_MSOA", "CS_MEOA", "CS_MSOB", "CS_MEOB", "不允许"]),
    ({"cstr_type": "CS_MANDSTART", "cstr_date": "2022-01-10 08:00", "cstr_type2": "CS_MEOB",
      "cstr_date2": "2022-01-14 17:00"}, ["CS_MANDSTART", "allowed: 无 / none"]),
    ({"cstr_type": "CS_ALAP", "cstr_type2": "CS_MSOA", "cstr_date2": "2022-01-14 17:00"}, ["CS_ALAP"]),
    ({"cstr_type2": "CS_MEOB", "cstr_date2": "2022-01-14 17:00"}, ["without a primary", "主要限制条件"]),
    ({"cstr_type": "CS_MSOA", "cstr_date": "2022-01-10 08:00", "cstr_type2": "CS_MEOB"}, ["cstr_date2"]),
    ({"cstr_type": "CS_MSOA", "cstr_date": "2022-01-10 08:00", "cstr_type2": "CS_SOMETIME",
      "cstr_date2": "2022-01-14 17:00"}, ["unknown secondary", "CS_SOMETIME"]),
    ({"cstr_type": "CS_MSOA", "cstr_date": "2022-01-10 08:00", "cstr_type2": "CS_MEOB",
      "cstr_date2": "14/01/2022"}, ["cstr_date2", "YYYY-MM-DD HH:MM"]),
])
def test_pairings_p6_does_not_allow_are_refused_with_table_and_row(cells: dict[str, str], words: list[str]) -> None:
    text = _constrained("A1050", **cells)
    line = next(i for i, x in enumerate(text.splitlines(), start=1) if "\tA1050\t" in x)
    with pytest.raises(ScheduleFileError) as err:
        read_xer(text, "c.xer")
    assert err.value.where == f"c.xer:{line} (TASK A1050)"
    for word in words:
        assert word in str(err.value)
