"""DCMA-14 on the 25-activity P6 file, checked by hand; two updates of a schedule compared;
the `duban schedule --dcma` and `duban schedule compare` commands."""

from __future__ import annotations

import json

import pytest

from api.cli import main
from projects.contractor import ScheduleFileError, read_mspdi, read_xer, schedule
from projects.contractor.compare import compare
from projects.contractor.dcma import assess
from tests.projects.contractor_files import DATA, edit_xer, xer_text

SAMPLE = "xernative-sample.xer"


def _dcma(text: str) -> dict[str, object]:
    sched = read_xer(text)
    return {c.key: c for c in assess(sched, schedule(sched))}


def test_dcma_of_the_sample_by_hand() -> None:
    """xernative-sample: 25 activities, none started, 40 FS links without lag, no
    constraints, the data date Tue 30 Nov 2021 00:00.

    1 logic: A1010 has no predecessor and A1250 no successor: 2/25 = 8 % > 5 %, fails.
    2-4: no leads, no lags, 40/40 FS. 5: no constraints. 6: the most float is 64 h = 8 days.
    7: no negative float. 8: the longest duration is 56 h = 7 days. 9: nothing forecast
    before 30 Nov, no actuals. 11, 14: nothing was due by 30 Nov, so nothing to count.
    10 resources: every activity lasts 32 to 56 h, a working day or more, so all 25 count; only
    A1020 carries a resource (TASKRSRC 8089: Van Haren, 48 labour hours, no cost), so 24/25
    have neither resources nor cost: fails (DCMA's threshold is 0).
    12: A1010 (critical) 600 days longer moves the finish 600 days. 13: the critical path runs
    from Tue 30 Nov 2021 to Mon 21 Feb 2022 17:00: 1 + 18 (December less the Christmas week)
    + 21 + 15 = 55 working days, with no float: CPLI 55/55 = 1."""
    c = _dcma(xer_text(SAMPLE))
    logic = c["logic"]
    assert (logic.count, logic.total, logic.value, logic.passed, logic.offenders) == (2, 25, 0.08, False, ("A1010", "A1250"))
    assert (c["leads"].count, c["lags"].count, c["leads"].total, c["leads"].passed) == (0, 0, 40, True)
    assert (c["relationship_types"].count, c["relationship_types"].value, c["relationship_types"].passed) == (40, 1.0, True)
    for key in ("hard_constraints", "high_float", "negative_float", "high_duration", "invalid_dates"):
        assert (c[key].count, c[key].total, c[key].passed) == (0, 25, True), key
    assert (c["missed"].total, c["missed"].value, c["bei"].total, c["bei"].value) == (0, None, 0, None)
    assert c["critical_path_test"].passed and c["critical_path_test"].offenders == ("A1010",)
    assert (c["cpli"].count, c["cpli"].total, c["cpli"].value, c["cpli"].passed) == (55, 55, 1.0, True)
    res = c["resources"]
    assert (res.count, res.total, res.value, res.passed) == (24, 25, 0.96, False)
    assert "A1020" not in res.offenders and len(set(res.offenders)) == 24
    assert [x.number for x in c.values()] == list(range(1, 15))
    assert {x.threshold for x in c.values()} >= {"<= 5%", "= 0", ">= 90%", ">= 0.95"}


def test_dcma_sees_leads_lags_constraints_float_and_missed_work() -> None:
    """The sample changed: a lead and a lag, a mandatory finish that leaves A1250 30 days
    short (negative float), a 50-day activity, and the data date a month on with A1010 done
    late and A1020 not done."""
    text = xer_text(SAMPLE)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("%T\tTASKPRED"))
    fields = lines[at + 1].split("\t")[1:]
    for k, lag in ((at + 2, "-8"), (at + 3, "16")):
        cells = lines[k].split("\t")
        cells[1 + fields.index("lag_hr_cnt")] = lag
        lines[k] = "\t".join(cells)
    text = "\n".join(lines) + "\n"
    text = edit_xer(text, change={
        "A1250": {"cstr_type": "CS_MANDFIN", "cstr_date": "2022-01-10 17:00"},
        "A1160": {"target_drtn_hr_cnt": "400", "remain_drtn_hr_cnt": "400"},
        "A1010": {"status_code": "TK_Complete", "act_start_date": "2021-11-30 08:00",
                  "act_end_date": "2021-12-10 17:00", "remain_drtn_hr_cnt": "0"}})
    text = text.replace("2021-11-30 00:00", "2021-12-31 00:00", 1)  # last_recalc_date
    c = _dcma(text)
    assert (c["leads"].count, c["leads"].passed, c["lags"].count) == (1, False, 1)
    assert c["hard_constraints"].offenders == ("A1250",)
    assert c["negative_float"].count > 0 and not c["negative_float"].passed
    assert c["high_duration"].offenders == ("A1160",)
    assert "A1010" in c["missed"].offenders  # planned 6 Dec, finished 10 Dec
    assert c["bei"].value is not None and c["bei"].value < 0.95 and not c["bei"].passed


def test_resources_and_cost_count_milestones_and_short_tasks_do_not() -> None:
    """The sample changed: A1030 gets an expense (PROJCOST, 500 of cost, no resource), A1040
    becomes a milestone, A1050 lasts 4 h (less than its calendar's 8-hour day) and A1060 is
    finished: 25 - 3 = 22 counted, of which A1020 (resource) and A1030 (cost) pass: 20."""
    text = edit_xer(xer_text(SAMPLE), change={
        "A1040": {"task_type": "TT_Mile", "target_drtn_hr_cnt": "0", "remain_drtn_hr_cnt": "0"},
        "A1050": {"target_drtn_hr_cnt": "4", "remain_drtn_hr_cnt": "4"},
        "A1060": {"status_code": "TK_Complete", "act_start_date": "2021-11-29 08:00",
                  "act_end_date": "2021-11-29 17:00", "remain_drtn_hr_cnt": "0"}})
    a1030 = next(r for r in read_xer(text).activities if r.id == "A1030")
    task_id = next(line.split("\t")[1] for line in text.splitlines() if "\tA1030\t" in line)
    expense = ("%T\tPROJCOST\n%F\tcost_item_id\ttask_id\tcost_name\ttarget_cost\n"
               f"%R\t1\t{task_id}\tscaffold\t500.00\n")
    text = text.replace("%T\tTASKPRED", expense + "%T\tTASKPRED", 1)
    sched = read_xer(text)
    assert next(a for a in sched.activities if a.id == "A1030").cost == 500.0 and a1030.cost == 0
    res = {c.key: c for c in assess(sched, schedule(sched))}["resources"]
    assert (res.count, res.total, res.passed) == (20, 22, False)
    assert not {"A1020", "A1030", "A1040", "A1050", "A1060"} & set(res.offenders)


def test_mspdi_resources_and_bad_assignments() -> None:
    """mpxj-sample.xml: task 2 (400 h) has First and Second Resource; the other tasks a day or
    longer have only Project's placeholder (ResourceUID -65535): 14 of 15 fail. An assignment to
    a resource or task the file does not hold is refused with its element and line."""
    name = "mpxj-sample.xml"
    data = (DATA / name).read_bytes()
    sched = read_mspdi(data, name)
    two = next(a for a in sched.activities if a.id == "2")
    assert two.resources == ("First Resource", "Second Resource") and two.cost == 352625
    res = {c.key: c for c in assess(sched, schedule(sched))}["resources"]
    assert (res.count, res.total) == (14, 15) and "2" not in res.offenders
    bad = data.replace(b"<ResourceUID>2</ResourceUID>", b"<ResourceUID>77</ResourceUID>", 1)
    with pytest.raises(ScheduleFileError) as err:
        read_mspdi(bad, name)
    line = data[:data.index(b"<ResourceUID>2</ResourceUID>")].count(b"\n") + 1
    assert f"{name}:{line} (<ResourceUID>)" in str(err.value) and "'77'" in str(err.value)
    assert "不在 <Resources> 中" in err.value.zh
    bad = data.replace(b"<TaskUID>3</TaskUID>", b"<TaskUID>300</TaskUID>", 1)
    with pytest.raises(ScheduleFileError, match=r"'300' is not a task of the file"):
        read_mspdi(bad, name)


def test_a_resource_assignment_to_a_missing_activity_names_its_row() -> None:
    text = xer_text(SAMPLE).replace("%R\t8089\t37897\t", "%R\t8089\t99999\t", 1)
    with pytest.raises(ScheduleFileError) as err:
        read_xer(text, "s.xer")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("%R\t8089"))) + 1
    assert err.value.where == f"s.xer:{line} (TASKRSRC 8089)" and "'99999'" in err.value.en
    text = xer_text(SAMPLE).replace("\t1319\t\t\t48\t", "\t4242\t\t\t48\t", 1)
    with pytest.raises(ScheduleFileError, match=r"TASKRSRC 8089.*rsrc_id '4242' is not in the RSRC table"):
        read_xer(text, "s.xer")


def test_manual_tasks_fail_the_critical_path_test() -> None:
    """Project 2019's manually scheduled tasks keep their dates: delaying one moves nothing."""
    name = "mpxj-task-links-project2019-mspdi.xml"
    sched = read_mspdi((DATA / name).read_bytes(), name)
    c = {x.key: x for x in assess(sched, schedule(sched))}
    assert not c["critical_path_test"].passed
    assert c["relationship_types"].value == 5 / 8 and c["lags"].count == 7


def _this_month() -> str:
    return edit_xer(xer_text(SAMPLE), add=[("A1230", "A1255", "Extra coat")])


def _next_month() -> str:
    return edit_xer(xer_text(SAMPLE), change={"A1010": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56"}},
                    add=[("A1230", "A1260", "Touch-up")])


def test_compare_two_updates() -> None:
    """A1010 (critical) takes 2 days more: it and every critical successor finish 2 working
    days later, and so does the project. The project must finish by its scd_end_date (Mon 21
    Feb 2022), so the critical path falls to -2 days of float, every activity loses 2 days,
    and those that had 2 days or less (A1060, A1070, A1080, A1120, A1130, A1200) join the
    critical path; A1255 is gone, A1260 is new."""
    old, new = read_xer(_this_month()), read_xer(_next_month())
    doc = compare(old, schedule(old), new, schedule(new))
    assert doc["finish_slip_working_days"] == 2.0
    assert [a["id"] for a in doc["added"]] == ["A1260"] and [a["id"] for a in doc["removed"]] == ["A1255"]
    slips = {s["id"]: s["working_days"] for s in doc["slipped"]}
    assert slips["A1010"] == 2.0 and slips["A1250"] == 2.0
    assert (doc["slipped"][0]["old_finish"], doc["slipped"][0]["new_finish"]) == ("2021-12-06T17:00", "2021-12-08T17:00")
    eroded = {e["id"]: (e["old_float_days"], e["new_float_days"]) for e in doc["float_eroded"]}
    assert eroded["A1200"] == (2.0, 0.0) and eroded["A1050"] == (8.0, 6.0) and eroded["A1010"] == (0.0, -2.0)
    assert all(e["eroded_days"] == 2.0 for e in doc["float_eroded"]) and len(eroded) == 25
    cp = doc["critical_path"]
    assert sorted(cp["joined"]) == ["A1060", "A1070", "A1080", "A1120", "A1130", "A1200"]
    assert cp["left"] == [] and cp["was"][0] == "A1010"


def test_compare_two_versions_of_project() -> None:
    """Project 2016's manual tasks 11 and 13 have 11 days of float; 2013's auto tasks 10 and
    9: from 2016 to 2013 float erodes by 1 and 2 days, and only there."""
    def read(y: int):  # type: ignore[no-untyped-def]
        name = f"mpxj-task-links-project{y}-mspdi.xml"
        s = read_mspdi((DATA / name).read_bytes(), name)
        return s, schedule(s)
    doc = compare(*read(2016), *read(2013))
    assert {e["id"]: e["eroded_days"] for e in doc["float_eroded"]} == {"11": 1.0, "13": 2.0}
    assert doc["added"] == [] and doc["removed"] == []
    assert doc["critical_path"]["was"] == doc["critical_path"]["is"] == ["9", "10"]


def test_cli_dcma_and_compare(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["schedule", str(DATA / SAMPLE), "--dcma"]) == 0
    out = capsys.readouterr().out
    assert "缺少逻辑关系 / missing logic: 2/25 = 8.0%" in out and "未通过 FAIL" in out and "CPLI" in out
    assert main(["schedule", str(DATA / SAMPLE), "--dcma", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dcma"][0]["key"] == "logic" and doc["agreement"] == {"compared": 25, "equal": 25}
    nxt = tmp_path / "next.xer"
    nxt.write_text(_next_month(), encoding="cp1252")
    assert main(["schedule", "compare", str(DATA / SAMPLE), str(nxt)]) == 0
    out = capsys.readouterr().out
    assert "项目完成推迟 / project finish slip: 2.0" in out and "A1260" in out and "关键路径（现）" in out
    assert main(["schedule", "compare", str(DATA / SAMPLE), str(nxt), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["finish_slip_working_days"] == 2.0
    assert main(["schedule", "compare", str(DATA / SAMPLE)]) == 2
    assert main(["schedule", "compare", str(DATA / SAMPLE), str(tmp_path / "missing.xer")]) == 1
