"""MS Project XML (MSPDI) files: our total and free float agree with Project's own on every
file of the shared folder (the one file that disagrees is explained and the cause proven),
Project's calendars, lags, constraints and progress are honoured, and bad files are refused
saying the element and line."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from api.cli import main
from projects.contractor import ScheduleFileError, read_mspdi, read_schedule, schedule

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "schedules"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/schedules")
XML_FILES = sorted(p.name for p in DATA.glob("*.xml"))
#: The one file whose float differs from ours, and why: written by MPXJ's legacy writer, not
#: by Project, its task 2 states Duration PT800H while its own Start and Finish span 400
#: working hours, and Project's dates (and so its float) follow the 400.
EXPLAINED = {"mpxj-sample.xml": "2"}


def _read(name: str):  # type: ignore[no-untyped-def]
    return read_mspdi((DATA / name).read_bytes(), name)


def test_there_are_mspdi_files_from_every_version() -> None:
    versions = [f"mpxj-task-links-project{y}-mspdi.xml" for y in (2003, 2007, 2010, 2013, 2016, 2019)]
    assert set(versions) <= set(XML_FILES)
    assert {"mpxj-sample.xml", "mpxj-mspdirelations.xml"} <= set(XML_FILES)


def _wrong(rows):  # type: ignore[no-untyped-def]
    return {r.activity.id: (r.activity.file_total_float_hours, r.total_float_hours) for r in rows
            if r.activity.file_total_float_hours is not None
            and abs(r.activity.file_total_float_hours - r.total_float_hours) > 1}


@pytest.mark.parametrize("name", XML_FILES)
def test_total_float_agrees_with_project(name: str) -> None:
    sched = _read(name)
    rows = schedule(sched)
    assert sum(r.activity.file_total_float_hours is not None for r in rows) >= 5
    wrong = _wrong(rows)
    if name not in EXPLAINED:
        assert wrong == {}, f"{name}: (Project's total slack, ours) that disagree"
        return
    # the explained file: the cause is the one task whose Duration contradicts its own dates
    uid = EXPLAINED[name]
    task = next(a for a in sched.activities if a.id == uid)
    assert task.planned_start and task.planned_finish
    span = sched.calendars[task.calendar].work_minutes(task.planned_start, task.planned_finish) / 60
    assert (task.duration_hours, span) == (800.0, 400.0)
    assert wrong and all(ours - theirs == task.duration_hours - span for theirs, ours in wrong.values())
    fixed = replace(sched, activities=tuple(
        replace(a, duration_hours=span, remaining_hours=span) if a.id == uid else a
        for a in sched.activities))
    assert _wrong(schedule(fixed)) == {}


@pytest.mark.parametrize("name", [n for n in XML_FILES if n not in EXPLAINED])
def test_free_slack_and_critical_agree_with_project(name: str) -> None:
    rows = schedule(_read(name))
    free = [(r.activity.id, r.activity.file_free_float_hours, r.free_float_hours) for r in rows
            if r.activity.file_free_float_hours is not None
            and abs(r.activity.file_free_float_hours - r.free_float_hours) > 1]
    assert free == []
    assert [r.activity.id for r in rows if r.activity.file_critical is not None
            and r.activity.file_critical != r.critical] == []


def test_task_links_by_hand() -> None:
    """Project 2019's file: UID 10 follows UID 9 FS with a lag of 2 weeks (LagFormat 9,
    48000 tenths of a minute = 10 working days): Thu 18 Oct 17:00 + 10 days is Fri 2 Nov
    08:00; UID 12 follows UID 11 SF + 2 days; UID 16 follows UID 15 FF + 2 days."""
    sched = _read("mpxj-task-links-project2019-mspdi.xml")
    links = {(lk.pred, lk.succ): lk for lk in sched.links}
    assert (links["9", "10"].type, links["9", "10"].lag_hours) == ("FS", 80.0)
    assert (links["11", "12"].type, links["15", "16"].type, links["13", "14"].type) == ("SF", "FF", "SS")
    rows = {r.activity.id: r for r in schedule(sched)}
    assert rows["10"].early_start == dt.datetime(2018, 11, 2, 8, 0)
    assert rows["9"].critical and rows["10"].critical and not rows["1"].critical
    assert rows["16"].early_finish == dt.datetime(2018, 10, 22, 17, 0)  # 18 Oct 17:00 + 2 days
    assert rows["4"].total_float_hours == 72.0  # Project: 43200 tenths of a minute


def test_manual_tasks_keep_their_dates_and_start_links_leave_their_late_dates() -> None:
    """Project 2016 and 2019 wrote the same plan as manually scheduled tasks: SS and SF
    successors do not drive a manual task's late dates (UID 13: 88 h, not 2013's 72 h)."""
    old = {r.activity.id: r for r in schedule(_read("mpxj-task-links-project2013-mspdi.xml"))}
    new = {r.activity.id: r for r in schedule(_read("mpxj-task-links-project2016-mspdi.xml"))}
    assert not old["13"].activity.manual and new["13"].activity.manual
    assert (old["13"].total_float_hours, new["13"].total_float_hours) == (72.0, 88.0)
    assert (old["11"].total_float_hours, new["11"].total_float_hours) == (80.0, 88.0)


def _file(tasks: str, calendars: str = "", extra: str = "") -> bytes:
    week = "".join(
        f"<WeekDay><DayType>{d}</DayType><DayWorking>{0 if d in (1, 7) else 1}</DayWorking></WeekDay>"
        for d in range(1, 8))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
<Name>t.xml</Name><StartDate>2025-06-02T08:00:00</StartDate><CalendarUID>1</CalendarUID>
<MinutesPerDay>480</MinutesPerDay>{extra}
<Calendars>
<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>
<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>{week}</WeekDays>{calendars}</Calendar>
</Calendars>
<Tasks>
{tasks}
</Tasks>
</Project>
""".encode()


def _task(uid: int, hours: int, *more: str) -> str:
    return (f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>T{uid}</Name>"
            f"<Duration>PT{hours}H0M0S</Duration>{''.join(more)}</Task>")


def _link(pred: int, kind: int = 1, lag: int = 0, fmt: int = 7) -> str:
    return (f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID><Type>{kind}</Type>"
            f"<LinkLag>{lag}</LinkLag><LagFormat>{fmt}</LagFormat></PredecessorLink>")


def _dates(data: bytes) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {r.activity.id: (r.early_start, r.early_finish) for r in schedule(read_mspdi(data))}


def test_exceptions_and_work_weeks_of_the_calendar() -> None:
    """A holiday on Tue 3 June 2025 and a work week of 10-hour Saturdays in June: 24 hours
    from Mon 2 June run Mon, Wed, Thu (Tue is off)."""
    exc = ("<Exceptions><Exception><TimePeriod><FromDate>2025-06-03T00:00:00</FromDate>"
           "<ToDate>2025-06-03T23:59:00</ToDate></TimePeriod><DayWorking>0</DayWorking>"
           "</Exception></Exceptions>"
           "<WorkWeeks><WorkWeek><TimePeriod><FromDate>2025-06-01T00:00:00</FromDate>"
           "<ToDate>2025-06-30T23:59:00</ToDate></TimePeriod><WeekDays><WeekDay><DayType>7</DayType>"
           "<DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>07:00:00</FromTime>"
           "<ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay></WeekDays>"
           "</WorkWeek></WorkWeeks>")
    got = _dates(_file(_task(1, 24) + _task(2, 10, _link(1)), exc))
    assert got["1"] == (dt.datetime(2025, 6, 2, 8), dt.datetime(2025, 6, 5, 17))
    assert got["2"] == (dt.datetime(2025, 6, 6, 8), dt.datetime(2025, 6, 7, 9))  # Fri 8 h + Sat 07:00-09:00


def test_recurring_weekly_exception() -> None:
    """Every Wednesday of June 2025 off (Type 6, DaysOfWeek 8 = Wednesday)."""
    exc = ("<Exceptions><Exception><TimePeriod><FromDate>2025-06-01T00:00:00</FromDate>"
           "<ToDate>2025-06-30T23:59:00</ToDate></TimePeriod><Occurrences>5</Occurrences>"
           "<Type>6</Type><Period>1</Period><DaysOfWeek>8</DaysOfWeek><DayWorking>0</DayWorking>"
           "</Exception></Exceptions>")
    got = _dates(_file(_task(1, 40), exc))
    assert got["1"][1] == dt.datetime(2025, 6, 9, 17)  # Mon, Tue, Thu, Fri, Mon


def test_elapsed_and_percent_lags() -> None:
    """An FS lag of 2 elapsed days (LagFormat 8) runs through the weekend; 50 % of a 16-hour
    predecessor is 8 working hours."""
    got = _dates(_file(_task(1, 40) + _task(2, 8, _link(1, 1, 2 * 24 * 600, 8))
                       + _task(3, 16) + _task(4, 8, _link(3, 1, 50, 19))))
    assert got["1"][1] == dt.datetime(2025, 6, 6, 17)  # Fri
    assert got["2"][0] == dt.datetime(2025, 6, 9, 8)  # Fri 17:00 + 48 h = Sun 17:00 -> Mon
    assert got["4"][0] == dt.datetime(2025, 6, 5, 8)  # Tue 17:00 + 8 h


def test_constraints() -> None:
    """Start no earlier than Thu 5 June (4); finish no later than Wed 4 June (7) gives the
    task negative float."""
    got = schedule(read_mspdi(_file(
        _task(1, 8, "<ConstraintType>4</ConstraintType><ConstraintDate>2025-06-05T08:00:00</ConstraintDate>")
        + _task(2, 24, "<ConstraintType>7</ConstraintType><ConstraintDate>2025-06-03T17:00:00</ConstraintDate>"))))
    rows = {r.activity.id: r for r in got}
    assert rows["1"].early_start == dt.datetime(2025, 6, 5, 8)
    assert rows["2"].total_float_hours == -8.0 and rows["2"].critical


def test_started_and_finished_tasks() -> None:
    """A finished task keeps its actual dates; a started one resumes at <Resume> with its
    remaining duration."""
    got = _dates(_file(
        _task(1, 16, "<ActualStart>2025-06-02T08:00:00</ActualStart>",
              "<ActualFinish>2025-06-03T17:00:00</ActualFinish><RemainingDuration>PT0H0M0S</RemainingDuration>")
        + _task(2, 16, _link(1), "<ActualStart>2025-06-04T08:00:00</ActualStart>",
                "<RemainingDuration>PT8H0M0S</RemainingDuration><Resume>2025-06-05T08:00:00</Resume>")))
    assert got["1"] == (dt.datetime(2025, 6, 2, 8), dt.datetime(2025, 6, 3, 17))
    assert got["2"] == (dt.datetime(2025, 6, 4, 8), dt.datetime(2025, 6, 5, 17))


def test_summary_tasks_are_not_scheduled_and_their_links_reach_their_leaves() -> None:
    tasks = ("<Task><UID>10</UID><Name>Phase</Name><Summary>1</Summary><OutlineLevel>1</OutlineLevel></Task>"
             + _task(1, 8, "<OutlineLevel>2</OutlineLevel>")
             + _task(2, 8, "<OutlineLevel>2</OutlineLevel>")
             + _task(3, 8, "<OutlineLevel>1</OutlineLevel>", _link(10)))
    sched = read_mspdi(_file(tasks))
    assert [a.id for a in sched.activities] == ["1", "2", "3"]
    assert {(lk.pred, lk.succ) for lk in sched.links} == {("1", "3"), ("2", "3")}


def _refused(data: bytes, name: str = "file.xml") -> str:
    with pytest.raises(ScheduleFileError) as err:
        read_schedule(data, name)
    return str(err.value)


def test_not_xml_is_refused_with_its_line() -> None:
    msg = _refused(b"<Project>\n<Name>x</Name>\n<<oops\n</Project>\n")
    assert "file.xml:3" in msg and "不是格式正确的 XML" in msg and "not well-formed" in msg


def test_not_a_schedule_at_all() -> None:
    msg = _refused(b"hello, world\n", "notes.txt")
    assert "notes.txt:1" in msg and "XER" in msg and "MS Project XML" in msg
    msg = _refused(b"<html><body/></html>")
    assert "<html>" in msg and "<Project>" in msg


def test_truncated_is_refused() -> None:
    data = (DATA / "mpxj-task-links-project2010-mspdi.xml").read_bytes()
    cut = data[: len(data) // 2]
    msg = _refused(cut, "cut.xml")
    assert "truncated" in msg and "截断" in msg
    lines = cut.count(b"\n") + 1
    assert f"cut.xml:{lines}" in msg
    at_a_tag = data[: data.index(b"</Tasks>")]  # cut between two elements
    assert "truncated" in _refused(at_a_tag)


def test_a_link_to_a_missing_task_names_its_element_and_line() -> None:
    data = _file(_task(1, 8) + "\n" + _task(2, 8, _link(99)))
    line = data.decode().splitlines().index(next(x for x in data.decode().splitlines()
                                                if "<PredecessorUID>99" in x)) + 1
    msg = _refused(data)
    assert f"file.xml:{line} (<PredecessorLink>)" in msg and "'99'" in msg and "不存在" in msg


def test_an_unknown_calendar_is_refused() -> None:
    msg = _refused(_file(_task(1, 8, "<CalendarUID>7</CalendarUID>")))
    assert "(<Task>)" in msg and "'7'" in msg and "<Calendars>" in msg


def test_a_cycle_is_refused_with_the_links_lines() -> None:
    sched = read_mspdi(_file(_task(1, 8, _link(3)) + "\n" + _task(2, 8, _link(1)) + "\n" + _task(3, 8, _link(2))))
    with pytest.raises(ScheduleFileError) as err:
        schedule(sched)
    msg = str(err.value)
    assert "cycle" in msg and "成环" in msg and "(PredecessorLink)" in msg and "file.xml:" in msg


def test_a_dtd_is_refused() -> None:
    """No entity expansion (billion laughs) and no external entities: a DTD is refused."""
    data = (b'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY a "aaaa">]>\n'
            b"<Project><Name>&a;</Name></Project>")
    msg = _refused(data)
    assert "DTD" in msg and "file.xml:2" in msg


def test_mpp_is_refused_saying_what_to_do() -> None:
    msg = _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "plan.mpp")
    assert "另存为" in msg and "Save As > XML" in msg


def test_cli_reads_mspdi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(DATA / "mpxj-task-links-project2007-mspdi.xml"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["agreement"] == {"compared": 16, "equal": 16}
    assert doc["free_float_agreement"] == {"compared": 16, "equal": 16}
    assert {a["id"] for a in doc["activities"]} == {str(i) for i in range(1, 17)}
    assert doc["data_date"] == "2014-10-17T08:00"
