"""Links to and from MS Project summary tasks, as Project schedules them: a summary starts with
its earliest task and finishes with its latest; a link into a summary constrains every task
under it; a link from a summary is driven by its finish (FS, FF) or its start (SS, SF). Small
MSPDI files written here, every date worked out by hand (Mon 2 June 2025 08:00 start, a 5-day
week of 08:00-12:00 and 13:00-17:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.contractor import ScheduleFileError, read_mspdi, schedule
from projects.contractor.dcma import assess
from projects.contractor.importer import ImportMap, project_entry
from tests.projects.test_contractor_mspdi import _file, _link, _task


def _summary(uid: int, level: int, *more: str) -> str:
    return (f"<Task><UID>{uid}</UID><Name>S{uid}</Name><Summary>1</Summary>"
            f"<OutlineLevel>{level}</OutlineLevel>{''.join(more)}</Task>")


def _level(n: int) -> str:
    return f"<OutlineLevel>{n}</OutlineLevel>"


FS, SF, SS = 1, 2, 3
#: P; summary 2 over A (after P) and B; X SS from 2; Y SF from 2 with 2 days' lag; summary 7
#: after P over C1, C2 and summary 10 over C3; W FS from 7.
PLAN = _file(
    _task(1, 16, _level(1))
    + _summary(2, 1) + _task(3, 8, _level(2), _link(1)) + _task(4, 24, _level(2))
    + _task(5, 40, _level(1), _link(2, SS))
    + _task(6, 8, _level(1), _link(2, SF, 16 * 600))
    + _summary(7, 1, _link(1)) + _task(8, 8, _level(2)) + _task(9, 16, _level(2))
    + _summary(10, 2) + _task(11, 8, _level(3))
    + _task(12, 8, _level(1), _link(7)))


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour)


def test_links_to_and_from_summaries_by_hand() -> None:
    """Forward: P Mon 2 to Tue 3; A Wed 4; B Mon 2 to Wed 4; summary 2 therefore runs from Mon
    2 08:00 (B, its earliest) to Wed 4 17:00. X (SS from 2) starts with it, Mon 2 08:00, and
    runs five days to Fri 6 17:00 (links from each task, as before, would have held it to A's
    start, Wed 4). Y (SF from 2, 16 h lag) finishes no earlier than Mon 2 08:00 + 16 h = Tue 3
    17:00. Summary 7 follows P: C1, C2 and C3 (under the nested summary 10) all start Wed 4;
    C2 ends Thu 5 17:00, so W (FS from 7) runs Fri 6. The project ends Fri 6 17:00.

    Backward: X, W and Y end late Fri 6 17:00 (Y: 3 days, 24 h of float). B drives summary 2's
    start, so X's late start Mon 2 08:00 binds it: its late finish is Mon 2 08:00 + 24 h = Wed 4
    17:00, no float, critical (Y's SF asks only Mon 9: Fri 6 17:00 - 16 h = Thu 5 08:00, + 24 h).
    A drives nothing: 16 h of float to Fri 6. C1 and C3 must end by W's late start: Thu 5,
    8 h; C2 0. P must end before C2's late start Wed 4 08:00: Tue 3 17:00, no float."""
    sched = read_mspdi(PLAN)
    assert [a.id for a in sched.activities] == ["1", "3", "4", "5", "6", "8", "9", "11", "12"]
    assert sched.summaries == {"2": ("3", "4")}  # 7 drives by its finish: links from its tasks
    assert {(lk.pred, lk.succ, lk.type) for lk in sched.links if lk.succ in {"5", "6", "12"}} == {
        ("2", "5", "SS"), ("2", "6", "SF"), ("8", "12", "FS"), ("9", "12", "FS"), ("11", "12", "FS")}
    rows = {r.activity.id: r for r in schedule(sched)}
    expect = {  # early start, early finish, late start, late finish, total float (h)
        "1": (_at(2, 8), _at(3, 17), _at(2, 8), _at(3, 17), 0),
        "3": (_at(4, 8), _at(4, 17), _at(6, 8), _at(6, 17), 16),
        "4": (_at(2, 8), _at(4, 17), _at(2, 8), _at(4, 17), 0),
        "5": (_at(2, 8), _at(6, 17), _at(2, 8), _at(6, 17), 0),
        "6": (_at(3, 8), _at(3, 17), _at(6, 8), _at(6, 17), 24),
        "8": (_at(4, 8), _at(4, 17), _at(5, 8), _at(5, 17), 8),
        "9": (_at(4, 8), _at(5, 17), _at(4, 8), _at(5, 17), 0),
        "11": (_at(4, 8), _at(4, 17), _at(5, 8), _at(5, 17), 8),
        "12": (_at(6, 8), _at(6, 17), _at(6, 8), _at(6, 17), 0),
    }
    got = {k: (r.early_start, r.early_finish, r.late_start, r.late_finish, r.total_float_hours)
           for k, r in rows.items()}
    assert got == expect
    assert rows["4"].critical and not rows["3"].critical
    assert rows["4"].free_float_hours == 0  # X starts the moment B does


def test_the_earliest_task_drives_a_summary_s_start_links() -> None:
    """When A's predecessor is dropped, A and B both start Mon 2: the first of them in the file
    (A, 8 h) drives summary 2's start; X's late start Mon 2 08:00 then binds A to finish by Mon 2
    17:00 (no float) and leaves B to the project's finish, Fri 6 (16 h of float)."""
    data = PLAN.replace(b"<Duration>PT8H0M0S</Duration><OutlineLevel>2</OutlineLevel>" + _link(1).encode(),
                        b"<Duration>PT8H0M0S</Duration><OutlineLevel>2</OutlineLevel>", 1)
    rows = {r.activity.id: r for r in schedule(read_mspdi(data))}
    assert (rows["3"].early_start, rows["3"].late_finish, rows["3"].total_float_hours) == (_at(2, 8), _at(2, 17), 0)
    assert (rows["4"].late_finish, rows["4"].total_float_hours) == (_at(6, 17), 16)


def test_a_percent_lag_from_a_summary_is_of_the_summary_s_duration() -> None:
    """Summary 2 states Duration 24 h (Mon 2 to Wed 4): a 50 % SS lag is 12 h, so X starts Tue 3
    at 13:00 (Mon 2 08:00 + 8 h is Mon 17:00, + 4 h Tue 12:00, the lunch hour skipped)."""
    data = PLAN.replace(b"<Name>S2</Name><Summary>1</Summary>",
                        b"<Name>S2</Name><Summary>1</Summary><Duration>PT24H0M0S</Duration>", 1)
    data = data.replace(_link(2, SS).encode(), _link(2, SS, 50, 19).encode(), 1)
    sched = read_mspdi(data)
    assert next(lk for lk in sched.links if lk.succ == "5").lag_hours == 12
    x = next(r for r in schedule(sched) if r.activity.id == "5")
    assert x.early_start == dt.datetime(2025, 6, 3, 13, 0)


def test_summaries_in_the_import_and_dcma() -> None:
    """The portfolio has no summaries: X comes after B (SS), the task that starts summary 2; W
    after C1, C2 and C3. DCMA's logic check sees A followed (summary 2 has successors) and the
    tasks under summary 7 preceded: P and B lack a predecessor, X, Y and W a successor."""
    sched = read_mspdi(PLAN)
    rows = schedule(sched)
    project, _ = project_entry(sched, rows, pid="C1", unit="u", mapping=ImportMap(), existing=None)
    after = {m["id"]: m.get("after", []) for m in project["milestones"]}
    assert after["5"] == [{"id": "4", "type": "SS"}]
    assert sorted(after["12"]) == ["11", "8", "9"]
    logic = {c.key: c for c in assess(sched, rows)}["logic"]
    assert logic.offenders == ("1", "4", "5", "6", "12")


def test_a_cycle_through_a_summary_is_refused_with_the_links_lines() -> None:
    """A after X, X SS from summary 2 over A: A waits for its own summary's start."""
    data = PLAN.replace(_link(1).encode(), _link(1).encode() + _link(5).encode(), 1)
    with pytest.raises(ScheduleFileError) as err:
        schedule(read_mspdi(data, "c.xml"))
    msg = str(err.value)
    assert "成环" in msg and "cycle" in msg and "3" in msg and "5" in msg and "c.xml:" in msg
