"""Baselines: a P6 baseline project in the export, P6's planned dates, MS Project's Baseline 0,
and a file without one; DCMA's BEI, missed tasks and CPLI and the slip against the baseline,
all worked out by hand on small variants of the shared files written here."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from api.cli import main
from projects.contractor import ScheduleFileError, read_mspdi, read_xer, schedule
from projects.contractor.dcma import assess
from projects.contractor.importer import ImportMap, project_entry
from tests.projects.contractor_files import DATA, edit_xer, xer_text

SAMPLE = "xernative-sample.xer"
LINKS = "mpxj-task-links-project2013-mspdi.xml"


def _rows(text: str, table: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = text.splitlines()
    at = lines.index(f"%T\t{table}")
    fields = lines[at + 1].split("\t")[1:]
    rows = []
    for line in lines[at + 2:]:
        if not line.startswith("%R"):
            break
        rows.append(dict(zip(fields, line.split("\t")[1:], strict=False)))
    return fields, rows


def _with_baseline_project(text: str, finishes: dict[str, str], missing: tuple[str, ...] = ()) -> str:
    """``text`` with a baseline project (proj_id 900, TAKT-BL, orig_proj_id 368, named by the
    project's sum_base_proj_id): a copy of every TASK row with new task_ids, its early finish
    set where ``finishes`` says (no copy of those ``missing``: added since), and one TASKPRED
    row between two of its copies."""
    p_fields, (project,) = _rows(text, "PROJECT")
    t_fields, tasks = _rows(text, "TASK")
    l_fields, _ = _rows(text, "TASKPRED")

    def line(fields: list[str], row: dict[str, str]) -> str:
        return "%R\t" + "\t".join(row.get(f, "") for f in fields)

    base = {**project, "proj_id": "900", "proj_short_name": "TAKT-BL", "orig_proj_id": "368",
            "sum_base_proj_id": ""}
    text = text.replace(line(p_fields, project),
                        line(p_fields, {**project, "sum_base_proj_id": "900"}) + "\n" + line(p_fields, base), 1)
    copies = [{**t, "proj_id": "900", "task_id": str(900000 + i),
               "early_end_date": finishes.get(t["task_code"], t["early_end_date"])}
              for i, t in enumerate(tasks) if t["task_code"] not in missing]
    last = line(t_fields, tasks[-1])
    text = text.replace(last, "\n".join([last, *(line(t_fields, c) for c in copies)]), 1)
    pred = {"task_pred_id": "990001", "task_id": "900001", "pred_task_id": "900000", "proj_id": "900",
            "pred_proj_id": "900", "pred_type": "PR_FS", "lag_hr_cnt": "0"}
    head = "%F\t" + "\t".join(l_fields)
    return text.replace(head, head + "\n" + line(l_fields, pred), 1)


def _checks(sched):  # type: ignore[no-untyped-def]
    return {c.key: c for c in assess(sched, schedule(sched))}


def test_p6_planned_dates_are_the_baseline_when_the_export_has_no_baseline_project() -> None:
    sched = read_xer(xer_text(SAMPLE))
    assert sched.baseline == "p6 planned"
    a1010 = sched.activities[0]
    assert (a1010.baseline_start, a1010.baseline_finish) == (a1010.planned_start, a1010.planned_finish)
    assert a1010.baseline_finish == dt.datetime(2021, 12, 6, 17, 0) and a1010.baseline_duration_hours == 40
    assert "target_end_date" in sched.baseline_statement()[1]


def test_a_p6_baseline_project_in_the_export_is_the_baseline() -> None:
    """The baseline project TAKT-BL has A1010 finishing Fri 26 Nov 2021 17:00 and A1250 Wed 16
    Feb 2022 17:00; A1260, a copy of A1050 linked after it (8 days of float), was added after
    the baseline (none for it). The data date stays Tue 30 Nov.

    Its 25 rows and its link are not the project's: 26 activities (A1260 added), 41 links.
    BEI: only A1010 was due by 30 Nov (26 Nov) and it is not finished: 0/1, and missed 1/1
    (with the planned dates nothing was due). CPLI: the critical path runs 55 working days
    from 30 Nov to Mon 21 Feb 17:00, the baseline finish is 3 working days before (Thu 17,
    Fri 18, Mon 21 Feb): (55 - 3) / 55 = 0.945 < 0.95, fails (1.0 against the planned dates).
    The slip: A1010 +6 working days (29 Nov to 6 Dec: Mon to Fri and Mon), A1250 +3."""
    text = edit_xer(xer_text(SAMPLE), add=[("A1050", "A1260", "Snagging")])
    text = _with_baseline_project(text, {"A1010": "2021-11-26 17:00", "A1250": "2022-02-16 17:00"},
                                  missing=("A1260",))
    sched = read_xer(text)
    assert (sched.baseline, sched.baseline_name) == ("p6 project", "TAKT-BL")
    assert "TAKT-BL" in sched.baseline_statement()[0] and "TAKT-BL" in sched.baseline_statement()[1]
    assert len(sched.activities) == 26 and len(sched.links) == 41
    by_id = {a.id: a for a in sched.activities}
    assert by_id["A1010"].baseline_finish == dt.datetime(2021, 11, 26, 17, 0)
    assert by_id["A1010"].planned_finish == dt.datetime(2021, 12, 6, 17, 0)
    assert by_id["A1260"].baseline_finish is None
    c = _checks(sched)
    assert (c["bei"].count, c["bei"].total, c["bei"].value, c["bei"].passed) == (0, 1, 0.0, False)
    assert (c["missed"].count, c["missed"].total, c["missed"].offenders) == (1, 1, ("A1010",))
    assert (c["cpli"].count, c["cpli"].total, c["cpli"].value, c["cpli"].passed) == (55, 52, 0.945, False)
    planned = _checks(read_xer(edit_xer(xer_text(SAMPLE), add=[("A1050", "A1260", "Snagging")])))
    assert planned["bei"].total == 0 and planned["cpli"].value == 1.0
    # the import's milestones fall due on the baseline's finish
    project, _ = project_entry(sched, schedule(sched), pid="C1", unit="u", mapping=ImportMap(), existing=None)
    dues = {m["id"]: m["due"] for m in project["milestones"]}
    assert dues["A1010"] == dt.date(2021, 11, 26) and dues["A1260"] == dt.date(2022, 1, 12)  # its planned finish


def test_the_slip_against_the_baseline_in_the_report(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    text = _with_baseline_project(xer_text(SAMPLE), {"A1010": "2021-11-26 17:00", "A1250": "2022-02-16 17:00"})
    path = tmp_path / "bl.xer"
    path.write_text(text, encoding="cp1252")
    assert main(["schedule", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["baseline"]["source"] == "p6 project" and "TAKT-BL" in doc["baseline"]["zh"]
    slips = {a["id"]: a["baseline_slip_working_days"] for a in doc["activities"]}
    assert slips["A1010"] == 6 and slips["A1250"] == 3 and slips["A1020"] == 0
    assert {a["id"]: a["baseline_finish"] for a in doc["activities"]}["A1010"] == "2021-11-26T17:00"
    assert main(["schedule", str(path), "--dcma"]) == 0
    assert "基线为 P6 基线项目 TAKT-BL" in capsys.readouterr().out


def _baselined(data: bytes) -> bytes:
    """Project 2013's task-links file with a status date of Tue 21 Oct 2014 17:00 and Baseline 0
    on tasks 1 (finish Mon 20 Oct), 9 (Thu 16 Oct) and 10 (Fri 31 Oct); task 2 has only a
    Baseline 1, which is not the baseline."""
    data = data.replace(b"<StartDate>2014-10-17T08:00:00</StartDate>",
                        b"<StartDate>2014-10-17T08:00:00</StartDate><StatusDate>2014-10-21T17:00:00</StatusDate>", 1)

    def base(number: int, start: str, finish: str) -> bytes:
        return (f"<Baseline><Number>{number}</Number><Start>{start}T08:00:00</Start>"
                f"<Finish>{finish}T17:00:00</Finish><Duration>PT8H0M0S</Duration></Baseline>").encode()

    for uid, number, day in ((1, 0, "2014-10-20"), (9, 0, "2014-10-16"), (10, 0, "2014-10-31"), (2, 1, "2014-10-10")):
        at = data.index(f"<UID>{uid}</UID>".encode(), data.index(b"<Tasks>"))
        data = data[:at] + base(number, day, day) + data[at:]
    return data


def test_ms_project_baseline_0_is_the_baseline() -> None:
    """Due by the status date (21 Oct 17:00) on Baseline 0: tasks 9 (16 Oct) and 1 (20 Oct);
    neither is finished: BEI 0/2, missed 2/2 (task 2's Baseline 1 of 10 Oct does not count).
    CPLI: 9 working days from 21 Oct 17:00 to the forecast finish Mon 3 Nov 17:00 (22 to 24,
    27 to 31 Oct, 3 Nov), the baseline finish (task 10, Fri 31 Oct) 1 day before: 8/9."""
    sched = read_mspdi(_baselined((DATA / LINKS).read_bytes()), LINKS)
    assert sched.baseline == "mspdi 0"
    by_id = {a.id: a for a in sched.activities}
    assert by_id["9"].baseline_finish == dt.datetime(2014, 10, 16, 17, 0)
    assert by_id["9"].baseline_duration_hours == 8 and by_id["2"].baseline_finish is None
    c = _checks(sched)
    assert (c["bei"].count, c["bei"].total, c["missed"].offenders) == (0, 2, ("1", "9"))
    assert (c["cpli"].count, c["cpli"].total, c["cpli"].value, c["cpli"].passed) == (9, 8, 0.889, False)
    rows = {r.activity.id: r for r in schedule(sched)}
    assert rows["10"].early_finish == dt.datetime(2014, 11, 3, 17, 0)  # the status date moves nothing


def test_a_file_without_a_baseline_says_so_and_falls_back_to_its_dates(capsys: pytest.CaptureFixture[str]) -> None:
    sched = read_mspdi((DATA / LINKS).read_bytes(), LINKS)
    assert sched.baseline == "none" and all(a.baseline_finish is None for a in sched.activities)
    zh, en = sched.baseline_statement()
    assert "没有基线" in zh and "no baseline" in en
    assert main(["schedule", str(DATA / LINKS), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["baseline"]["source"] == "none"
    assert {a["baseline_slip_working_days"] for a in doc["activities"]} == {None}
    assert main(["schedule", str(DATA / LINKS)]) == 0
    assert "文件中没有基线" in capsys.readouterr().out


def test_a_bad_baseline_date_is_refused_with_where() -> None:
    """A Baseline 0 Finish that is not a date names its element and line; so does a baseline
    project's TASK row with a bad early finish (table and row)."""
    data = _baselined((DATA / LINKS).read_bytes()).replace(b"<Finish>2014-10-16T17:00:00</Finish>",
                                                          b"<Finish>16/10/2014</Finish>", 1)
    line = data[:data.index(b"<Finish>16/10/2014</Finish>")].count(b"\n") + 1
    with pytest.raises(ScheduleFileError) as err:
        read_mspdi(data, LINKS)
    assert err.value.where == f"{LINKS}:{line} (<Finish>)" and "16/10/2014" in str(err.value)
    text = _with_baseline_project(xer_text(SAMPLE), {"A1010": "soon"})
    line = next(i for i, x in enumerate(text.splitlines(), start=1) if "\tsoon\t" in x or x.endswith("\tsoon"))
    with pytest.raises(ScheduleFileError) as err:
        read_xer(text, "b.xer")
    assert err.value.where == f"b.xer:{line} (TASK A1010)" and "early_end_date" in str(err.value)
