"""Contractors' P6 XER schedules: our total float agrees with P6's own on every file, and bad
files are refused saying what and where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from projects.contractor import ScheduleFileError, read_xer, schedule

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "schedules"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/schedules")
XER_FILES = sorted(p.name for p in DATA.glob("*.xer"))


def _text(name: str) -> str:
    return (DATA / name).read_bytes().decode("cp1252")


def test_there_are_xer_files_to_check() -> None:
    assert XER_FILES == ["xernative-sample.xer", "xernative-wk2.xer"]


@pytest.mark.parametrize("name", XER_FILES)
def test_total_float_agrees_with_p6_for_every_activity(name: str) -> None:
    rows = schedule(read_xer(_text(name), name))
    stored = [r for r in rows if r.activity.file_total_float_hours is not None]
    assert stored
    wrong = [(r.activity.id, r.activity.file_total_float_hours, r.total_float_hours)
             for r in stored if abs(r.activity.file_total_float_hours - r.total_float_hours) > 1]
    assert wrong == [], f"{name}: (activity, P6's float, ours) that disagree"


@pytest.mark.parametrize("name", XER_FILES)
def test_not_started_early_dates_equal_p6s(name: str) -> None:
    """Equal as working moments: P6 sometimes writes a finish as the next working day's start
    (Wed 16:00 written Thu 08:00); no working time lies between the two."""
    sched = read_xer(_text(name), name)
    for r in schedule(sched):
        if r.activity.status == "not started" and r.activity.kind == "task":
            cal = sched.calendars[r.activity.calendar]
            assert r.activity.file_early_finish and r.activity.file_late_finish
            assert cal.work_minutes(r.early_finish, r.activity.file_early_finish) == 0, r.activity.id
            assert cal.work_minutes(r.late_finish, r.activity.file_late_finish) == 0, r.activity.id


def test_sample_by_hand() -> None:
    """xernative-sample: 25 activities, the standard 5-day 8-hour calendar with the week after
    Christmas 2021 off; A1010 (40 h) runs Tue 30 Nov 08:00 to Mon 6 Dec 17:00."""
    sched = read_xer(_text("xernative-sample.xer"))
    assert len(sched.activities) == 25 and len(sched.links) == 40
    first = next(r for r in schedule(sched) if r.activity.id == "A1010")
    assert str(first.early_start) == "2021-11-30 08:00:00"
    assert str(first.early_finish) == "2021-12-06 17:00:00"
    assert first.total_float_hours == 0 and first.critical


def test_the_started_activity_keeps_its_actual_start() -> None:
    rows = schedule(read_xer(_text("xernative-wk2.xer")))
    started = [r for r in rows if r.activity.status == "started"]
    assert len(started) == 1
    assert started[0].early_start == started[0].activity.actual_start


def _mutate(old: str, new: str) -> str:
    text = _text("xernative-sample.xer")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("text", "words"), [
    ("hello\tworld\n", ["file.xer:1", "ERMHDR"]),
    ("\n".join(_text("xernative-sample.xer").splitlines()[:60]), ["truncated", "%E"]),
])
def test_not_xer_or_truncated_is_refused(text: str, words: list[str]) -> None:
    with pytest.raises(ScheduleFileError) as err:
        read_xer(text)
    for w in words:
        assert w in str(err.value)


def test_a_link_to_a_missing_activity_names_its_row() -> None:
    text = _text("xernative-sample.xer")
    lines = text.splitlines()
    no = next(i for i, line in enumerate(lines) if line.startswith("%T\tTASKPRED")) + 3
    cells = lines[no - 1].split("\t")
    cells[3] = "999999"  # pred_task_id
    lines[no - 1] = "\t".join(cells)
    with pytest.raises(ScheduleFileError) as err:
        read_xer("\n".join(lines) + "\n")
    assert f"file.xer:{no} (TASKPRED" in str(err.value) and "999999" in str(err.value)


def test_an_unknown_calendar_is_refused() -> None:
    text = _mutate("\t37896\t368\t4081\t597\t", "\t37896\t368\t4081\t4242\t")
    with pytest.raises(ScheduleFileError) as err:
        read_xer(text)
    assert "4242" in str(err.value) and "TASK A1010" in str(err.value)


def test_a_cycle_is_refused() -> None:
    sched = read_xer(_text("xernative-sample.xer"))
    last, first = sched.activities[-1].id, sched.activities[0].id
    from dataclasses import replace  # noqa: PLC0415

    from projects.contractor import Link  # noqa: PLC0415
    looped = replace(sched, links=(*sched.links, Link(last, first)))
    with pytest.raises(ScheduleFileError) as err:
        schedule(looped)
    assert "cycle" in str(err.value) and first in str(err.value)


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(DATA / "xernative-wk2.xer"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["agreement"] == {"compared": 197, "equal": 197}
    assert set(doc["activities"][0]) == {
        "id", "name", "early_start", "early_finish", "late_start", "late_finish",
        "total_float_hours", "file_total_float_hours", "critical",
        "free_float_hours", "file_free_float_hours", "baseline_start", "baseline_finish",
        "baseline_slip_working_days"}
    assert doc["free_float_agreement"] == {"compared": 197, "equal": 197}


def test_cli_refuses_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.xer"
    bad.write_text("not a schedule\n", encoding="utf-8")
    assert main(["schedule", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.xer:1" in err and "不是 P6 XER 文件" in err


def test_as_late_as_possible_uses_up_its_free_float() -> None:
    """A1050 (Floor, L1) has 64 h of total and 16 h of free float; as late as possible it
    starts 2 working days later, with no free float left and 48 h of total float."""
    sched = read_xer(_text("xernative-sample.xer"))
    before = {r.activity.id: r for r in schedule(sched)}["A1050"]
    assert (before.free_float_hours, before.total_float_hours) == (16.0, 64.0)
    from dataclasses import replace  # noqa: PLC0415

    alap = replace(sched, activities=tuple(replace(a, constraint="as late as possible") if a.id == "A1050" else a
                                           for a in sched.activities))
    after = {r.activity.id: r for r in schedule(alap)}["A1050"]
    cal = sched.calendars[before.activity.calendar]
    assert cal.work_minutes(before.early_start, after.early_start) == 16 * 60
    assert (after.free_float_hours, after.total_float_hours) == (0.0, 48.0)
    assert after.late_finish == before.late_finish
