"""Importing a contractor's schedule into the portfolio on both backends: a project made from
the file's activities with kinds, dates, progress and typed links; re-importing next month's
file updates the same project, keeps its reports and notices and records what changed; bad
files and maps are refused with nothing imported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from api import audit
from api.schedules import import_schedule
from projects import repository as repo
from projects.contractor import ScheduleFileError
from projects.errors import PortfolioError
from tests.api.conftest import MPP_PLANS, Api
from tests.projects.contractor_files import DATA, edit_xer, xer_text

SAMPLE = "xernative-sample.xer"


async def _import(api: Api, data: bytes, name: str = SAMPLE, **kw: object) -> dict[str, Any]:
    return await import_schedule(api.server, data, name, pid=kw.pop("pid", "C001"),  # type: ignore[arg-type]
                                 unit=kw.pop("unit", "transport"), actor="office", **kw)  # type: ignore[arg-type]


async def _project(api: Api, pid: str = "C001"):  # type: ignore[no-untyped-def]
    return (await api.server.snapshot()).portfolio.project_by_id[pid]


async def test_a_schedule_makes_a_project_of_its_activities(api: Api) -> None:
    record = await _import(api, (DATA / SAMPLE).read_bytes())
    assert record["created"] and len(record["added"]) == 25 and record["milestones_stored"] == 25
    p = await _project(api)
    assert (p.unit, p.name, len(p.milestones)) == ("transport", "TAKT", 25)
    first = p.milestones[0]
    assert (first.id, first.name, first.kind.value) == ("A1010", "Studs", "progress")
    assert (first.start, first.due, first.finished) == (dt.date(2021, 11, 30), dt.date(2021, 12, 6), None)
    by_id = {m.id: m for m in p.milestones}
    assert {d.on for d in by_id["A1020"].after} == {"A1010"}
    assert record["forecast"]["A1010"] == "2021-12-06"
    entries, _ = await audit.entries(action="schedule.import")
    assert entries and entries[0].subject == "project:C001" and len(entries[0].after["added"]) == 25


async def test_types_and_lags_of_links_come_along(api: Api) -> None:
    """wk2 has SS, FF and SF links: they arrive as typed after entries."""
    await _import(api, (DATA / "xernative-wk2.xer").read_bytes(), "xernative-wk2.xer", pid="C002")
    p = await _project(api, "C002")
    kinds = {d.type for m in p.milestones for d in m.after}
    assert kinds == {"FS", "SS", "FF", "SF"}
    started = next(m for m in p.milestones if m.id == "340")  # begun 23 Feb 2014, 0 % by duration
    assert (started.start, started.finished, started.progress) == (dt.date(2014, 2, 23), None, None)


async def test_reimporting_next_months_file_updates_keeps_history_and_records_changes(api: Api) -> None:
    await _import(api, (DATA / SAMPLE).read_bytes())
    notices_before = {n.id for n in await api.server.notices() if "C001" in str(n.subject)}
    again = await _import(api, (DATA / SAMPLE).read_bytes())
    assert (again["created"], again["added"], again["changed"], again["milestones_stored"]) == (False, [], {}, 0)
    nxt = edit_xer(xer_text(SAMPLE), change={"A1010": {"target_end_date": "2021-12-08 17:00"},
                                              "A1030": {"task_name": "Studs (revised)"}},
                   drop=["A1250"], add=[("A1240", "A1260", "Final clean")])
    record = await _import(api, nxt.encode("cp1252"))
    assert record["added"] == ["A1260"] and record["removed"] == ["A1250"]
    assert record["due_moved_days"] == {"A1010": 2}
    assert record["changed"]["A1030"]["name"][1] == "Studs (revised)"
    measured = {"schedule_slip", "forecast_slip", "float_eroded"}  # what the import measures
    assert {mid for mid, diff in record["changed"].items() if set(diff) - measured} == {"A1010", "A1030"}
    # A1260 adds two days after A1240 before the file's must-finish-by: the chain loses 2 days
    assert record["changed"]["A1240"] == {"float_eroded": [None, 2]}
    p = await _project(api)
    ids = [m.id for m in p.milestones]
    assert "A1260" in ids and "A1250" in ids  # removed from the file, kept with its reports
    history = await repo.milestone_history("C001", "A1010")
    assert [h.version for h in history] == [1, 2]
    assert history[-1].milestone.due == dt.date(2021, 12, 8)
    notices_after = {n.id for n in await api.server.notices() if "C001" in str(n.subject)}
    assert notices_before <= notices_after
    entries, total = await audit.entries(action="schedule.import")
    assert total == 3 and entries[0].after["removed"] == ["A1250"]


async def test_office_fields_survive_a_reimport(api: Api) -> None:
    await _import(api, (DATA / SAMPLE).read_bytes())
    m, version = await repo.get_milestone("C001", "A1010")
    from dataclasses import replace  # noqa: PLC0415

    from api.service import now_iso  # noqa: PLC0415
    async with api.server.writing():
        await repo.update_milestone(replace(m, amount=5_000_000.0, note="监理抽查"), expected_version=version,
                                    actor="office", known_on=api.server.today(), recorded_at=now_iso())
        await repo.bump_revision()
    await _import(api, (DATA / SAMPLE).read_bytes())
    kept = next(x for x in (await _project(api)).milestones if x.id == "A1010")
    assert (kept.amount, kept.note) == (5_000_000.0, "监理抽查")


async def test_a_map_selects_activities_and_gives_kinds(api: Api) -> None:
    """Only the Studs and the Floor activities (five levels each), the studs as contract, the
    rest completion; the links between taken activities run through the ones left out
    (Studs -> Gyp -> Paint -> Ceil -> Floor becomes Floor after Studs)."""
    mapping = {"select": [{"name": "Studs"}, {"name": "Floor", "wbs": "L*"}],
               "kinds": [{"kind": "合同", "name": "Studs"}], "default_kind": "completion"}
    await _import(api, (DATA / SAMPLE).read_bytes(), map_data=mapping)
    p = await _project(api)
    assert sorted({m.name for m in p.milestones}) == ["Floor", "Studs"] and len(p.milestones) == 10
    assert {m.name: m.kind.value for m in p.milestones} == {"Studs": "contract", "Floor": "completion"}
    by_id = {m.id: m for m in p.milestones}
    assert "A1010" in {d.on for d in by_id["A1050"].after}
    assert all(d.on in by_id for m in p.milestones for d in m.after)


@pytest.mark.parametrize(("mapping", "words"), [
    ({"select": [{"nmae": "x"}]}, ["select[0].nmae", "未知的条件"]),
    ({"kinds": [{"kind": "bridge", "name": "*"}]}, ["kinds[0].kind", "bridge", "approval"]),
    ({"select": [{"name": "nothing matches this"}]}, ["selects no activity", "没有选中"]),
    (["not", "a", "mapping"], ["a map file is a mapping"]),
])
async def test_a_bad_map_is_refused_and_nothing_is_imported(api: Api, mapping: object, words: list[str]) -> None:
    with pytest.raises(ScheduleFileError) as err:
        await _import(api, (DATA / SAMPLE).read_bytes(), map_data=mapping)
    for w in words:
        assert w in str(err.value)
    assert "C001" not in (await api.server.snapshot()).portfolio.project_by_id


async def test_bad_files_and_unknown_units_import_nothing(api: Api) -> None:
    before_total = (await audit.entries())[1]
    truncated = "\n".join(xer_text(SAMPLE).splitlines()[:70]).encode()
    with pytest.raises(ScheduleFileError, match="truncated"):
        await _import(api, truncated)
    with pytest.raises(ScheduleFileError, match="MS Project XML"):
        await _import(api, b"hello", "notes.txt")
    with pytest.raises(PortfolioError, match="nowhere"):
        await _import(api, (DATA / SAMPLE).read_bytes(), unit="nowhere")
    assert "C001" not in (await api.server.snapshot()).portfolio.project_by_id
    assert (await audit.entries())[1] == before_total


async def test_an_mspdi_file_imports_too(api: Api) -> None:
    name = "mpxj-task-links-project2013-mspdi.xml"
    record = await _import(api, (DATA / name).read_bytes(), name, pid="M001")
    assert len(record["added"]) == 16
    p = await _project(api, "M001")
    assert {d.type for m in p.milestones for d in m.after} == {"FS", "SS", "FF", "SF"}
    lagged = next(m for m in p.milestones if m.id == "10")
    assert [(d.on, d.lag) for d in lagged.after] == [("9", 10)]  # 2 weeks = 10 workdays


async def test_an_mpp_file_imports_as_its_xml_export(api: Api, mpp_converted: dict[str, bytes]) -> None:
    """An .mpp (converted by MPXJ, once per session) makes the same project as its XML."""
    plan = MPP_PLANS[-1]
    record = await _import(api, plan.read_bytes(), plan.name, pid="M002")
    assert len(record["added"]) == 16 and record["source"] == plan.name
    p = await _project(api, "M002")
    assert {d.type for m in p.milestones for d in m.after} == {"FS", "SS", "FF", "SF"}
    assert [(d.on, d.lag) for d in next(m for m in p.milestones if m.id == "10").after] == [("9", 10)]
    xml = "mpxj-task-links-project2019-mspdi.xml"
    await _import(api, (DATA / xml).read_bytes(), xml, pid="M003")
    q = await _project(api, "M003")
    assert [(m.id, m.due, m.after) for m in p.milestones] == [(m.id, m.due, m.after) for m in q.milestones]


async def test_a_bad_mpp_imports_nothing(api: Api) -> None:
    before_total = (await audit.entries())[1]
    cut = MPP_PLANS[-1].read_bytes()[:100_000]
    with pytest.raises(ScheduleFileError, match="truncated"):
        await _import(api, cut, "cut.mpp", pid="M004")
    with pytest.raises(ScheduleFileError, match="not an MS Project file"):
        await _import(api, b"Name,Start\n", "renamed.mpp", pid="M004")
    assert "M004" not in (await api.server.snapshot()).portfolio.project_by_id
    assert (await audit.entries())[1] == before_total


def test_the_import_command(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`duban import FILE.xer --project --unit [--map]` makes the project, says what it did,
    and refuses a schedule file without --project, a bad map and a bad file."""
    import yaml  # noqa: PLC0415

    from api.cli import main  # noqa: PLC0415

    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'd.sqlite'}")
    monkeypatch.setenv("DUBAN_TODAY", "2026-05-06")
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"units": [{"id": "roads", "name": "市政处"}],
                                                         "projects": []}), encoding="utf-8")
    assert main(["import", str(tmp_path / "units.yaml")]) == 0
    capsys.readouterr()
    (tmp_path / "map.yaml").write_text("select:\n  - name: Studs\ndefault_kind: 竣工\n", encoding="utf-8")
    args = ["import", str(DATA / SAMPLE), "--project", "C9", "--unit", "roads", "--map", str(tmp_path / "map.yaml")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "C9" in out and "新建" in out and "added 5" in out
    assert main(args) == 0
    assert "更新" in capsys.readouterr().out
    assert main(["import", str(DATA / SAMPLE), "--unit", "roads"]) == 2
    assert "--project" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("kinds: [{kind: nope}]\n", encoding="utf-8")
    assert main([*args[:-1], str(tmp_path / "bad.yaml")]) == 1
    assert "nothing imported" in capsys.readouterr().err
    (tmp_path / "bad.xer").write_text("ERMHDR\t8.0\n%T\tTASK\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "bad.xer"), "--project", "C9", "--unit", "roads"]) == 1
    err = capsys.readouterr().err
    assert "未导入任何内容" in err and "truncated" in err


def test_the_import_command_reads_an_mpp(tmp_path, monkeypatch, capsys, mpp_converted) -> None:  # type: ignore[no-untyped-def]
    """`duban import FILE.mpp --project --unit` makes the project; a truncated .mpp is refused
    saying where, and nothing is imported."""
    import yaml  # noqa: PLC0415

    from api.cli import main  # noqa: PLC0415

    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'd.sqlite'}")
    monkeypatch.setenv("DUBAN_TODAY", "2026-05-06")
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"units": [{"id": "roads", "name": "市政处"}],
                                                         "projects": []}), encoding="utf-8")
    assert main(["import", str(tmp_path / "units.yaml")]) == 0
    (tmp_path / "cut.mpp").write_bytes(MPP_PLANS[0].read_bytes()[:60_000])
    assert main(["import", str(tmp_path / "cut.mpp"), "--project", "M9", "--unit", "roads"]) == 1
    err = capsys.readouterr().err
    assert "未导入任何内容" in err and "cut.mpp: 60000 字节 / bytes" in err and "truncated" in err
    assert main(["import", str(MPP_PLANS[0]), "--project", "M9", "--unit", "roads"]) == 0
    out = capsys.readouterr().out
    assert "M9" in out and "新建" in out and "added 16" in out


async def test_the_api_imports_an_uploaded_mpp(api: Api, mpp_converted: dict[str, bytes]) -> None:
    plan = MPP_PLANS[1]
    files = {"file": (plan.name, plan.read_bytes(), "application/vnd.ms-project")}
    r = await api.client.post("/api/projects/M7/schedule", headers=api.auth("office"), files=files,
                              data={"unit": "transport"})
    assert r.status_code == 200, r.text
    assert r.json()["created"] is True and len(r.json()["added"]) == 16
    bad = {"file": ("plan.mpp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "application/vnd.ms-project")}
    r = await api.client.post("/api/projects/M8/schedule", headers=api.auth("office"), files=bad,
                              data={"unit": "transport"})
    assert r.status_code == 422 and "plan.mpp" in r.text and "sector size" in r.text
    assert "M8" not in (await api.server.snapshot()).portfolio.project_by_id


async def test_the_api_imports_an_uploaded_schedule_for_the_office_only(api: Api) -> None:
    """POST /api/projects/{pid}/schedule with the file, the unit and a map; an owner is
    refused; a bad file answers 422 with where it went wrong."""
    files = {"file": (SAMPLE, (DATA / SAMPLE).read_bytes(), "application/octet-stream"),
             "map": ("map.yaml", b"select:\n  - name: Studs\n", "application/x-yaml")}
    r = await api.client.post("/api/projects/C7/schedule", headers=api.auth("owner"), files=files,
                              data={"unit": "transport"})
    assert r.status_code == 403
    r = await api.client.post("/api/projects/C7/schedule", headers=api.auth("office"), files=files,
                              data={"unit": "transport", "name": "承包商计划"})
    assert r.status_code == 200, r.text
    assert r.json()["created"] is True and len(r.json()["added"]) == 5
    p = await _project(api, "C7")
    assert p.name == "承包商计划" and len(p.milestones) == 5
    bad = {"file": ("cut.xer", "\n".join(xer_text(SAMPLE).splitlines()[:70]).encode(), "application/octet-stream")}
    r = await api.client.post("/api/projects/C7/schedule", headers=api.auth("office"), files=bad,
                              data={"unit": "transport"})
    assert r.status_code == 422 and "cut.xer:70" in r.text and "truncated" in r.text


async def test_a_slip_between_updates_is_a_field_the_slip_rule_lights_on(api: Api) -> None:
    """Next month's file moves A1010's finish from Monday 6 to Tuesday 14 December (6 working
    days on the file's Monday-to-Friday calendar) and A1020's from 14 December to 31 January
    (34 weekdays, less the calendar's holiday week of 27 to 31 December: 29): the re-import stores each milestone's schedule_slip, and the slip rule lights A1010 yellow
    and A1020 red, nothing else. Importing the same file again clears the slips."""
    from pathlib import Path  # noqa: PLC0415

    from dsl import compile_rulebook  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415

    source = (Path(__file__).resolve().parents[2] / "rules" / "contractor" / "slip.rules").read_text(encoding="utf-8")
    book = compile_rulebook({"slip.rules": source})
    await _import(api, (DATA / SAMPLE).read_bytes())
    assert all(m.schedule_slip is None for m in (await _project(api)).milestones)
    nxt = edit_xer(xer_text(SAMPLE), change={"A1010": {"target_end_date": "2021-12-14 17:00"},
                                              "A1020": {"target_end_date": "2022-01-31 17:00"},
                                              "A1030": {"target_end_date": "2021-12-01 17:00"}})
    await _import(api, nxt.encode("cp1252"))
    stored, _ = await repo.get_milestone("C001", "A1010")
    assert stored.schedule_slip == 6
    slips = {m.id: m.schedule_slip for m in (await _project(api)).milestones if m.schedule_slip}
    assert slips == {"A1010": 6, "A1020": 29}  # A1030 moved earlier: no slip
    snap = await api.server.snapshot()
    ev = evaluate(book, snap.portfolio, dt.date(2021, 11, 30))
    assert not ev.errors, ev.errors
    lit = {f.subject: str(f.level) for f in ev.findings if "C001" in f.subject}
    assert lit == {"milestone:C001/A1010": "yellow", "milestone:C001/A1020": "red"}
    finding = next(f for f in ev.findings if f.subject == "milestone:C001/A1010")
    assert "计划完成推迟 6 个工作日" in finding.message
    await _import(api, nxt.encode("cp1252"))
    assert all(m.schedule_slip is None for m in (await _project(api)).milestones)


async def test_the_forecast_slip_and_eroded_float_are_fields_the_slip_rules_light_on(api: Api) -> None:
    """Next month's file makes Floor A1100 six days longer (40 -> 88 hours; it had 6 days of
    float) and moves Paint A1030's planned finish by a week without touching its work. The
    re-import measures the computed schedule against the last import: A1100's forecast (CPM
    early finish) slips 6 working days and its float erodes 6; its predecessor Floor A1050
    keeps its forecast but loses 6 days of float; A1150 and A1200 after it slip 4 and 2; the
    project's finish (A1250, critical) does not move. A1030 slips only in its planned finish
    (20 to 27 December: schedule_slip 4, the 27th in the calendar's holiday week), not in its forecast. The rules light A1100's forecast yellow and the
    float of A1050 and A1100 yellow, nothing else; the same file again clears them."""
    from pathlib import Path  # noqa: PLC0415

    from dsl import compile_rulebook  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415

    source = (Path(__file__).resolve().parents[2] / "rules" / "contractor" / "slip.rules").read_text(encoding="utf-8")
    book = compile_rulebook({"slip.rules": source})
    await _import(api, (DATA / SAMPLE).read_bytes())
    nxt = edit_xer(xer_text(SAMPLE), change={"A1100": {"target_drtn_hr_cnt": "88", "remain_drtn_hr_cnt": "88"},
                                              "A1030": {"target_end_date": "2021-12-27 17:00"}})
    record = await _import(api, nxt.encode("cp1252"))
    measured = {m.id: (m.schedule_slip, m.forecast_slip, m.float_eroded) for m in (await _project(api)).milestones
                if m.schedule_slip or m.forecast_slip or m.float_eroded}
    assert measured == {"A1030": (4, None, None), "A1050": (None, None, 6), "A1100": (None, 6, 6),
                        "A1150": (None, 4, 4), "A1200": (None, 2, 2)}
    stored, _ = await repo.get_milestone("C001", "A1100")
    assert (stored.forecast_slip, stored.float_eroded) == (6, 6)
    assert record["compare"]["slipped"][0] == {"id": "A1100", "name": "Floor", "old": "2022-01-21",
                                               "new": "2022-01-31", "working_days": 6}
    snap = await api.server.snapshot()
    ev = evaluate(book, snap.portfolio, dt.date(2021, 11, 30))
    assert not ev.errors, ev.errors
    lit = sorted((f.rule, f.subject, str(f.level)) for f in ev.findings if "C001" in f.subject)
    assert lit == [("float_eroded", "milestone:C001/A1050", "yellow"), ("float_eroded", "milestone:C001/A1100", "yellow"),
                   ("forecast_slip", "milestone:C001/A1100", "yellow")]
    finding = next(f for f in ev.findings if f.rule == "forecast_slip")
    assert "预测完成推迟 6 个工作日" in finding.message
    await _import(api, nxt.encode("cp1252"))
    assert all(m.forecast_slip is None and m.float_eroded is None for m in (await _project(api)).milestones)


def test_the_import_command_prints_the_compare_of_a_reimport(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """A re-import prints, in Chinese (English with --lang en), what slipped since the last
    import as the file computes it. Floor A1100 six days longer slips 6 working days (and A1150,
    A1200 after it 4 and 2); a five-day touch-up A1260 added after the last activity A1250 must
    still finish by the file's must-finish-by date, so every activity loses 5 days of float more
    (A1050: 8 -> -3, 11 lost), 25 in all, 20 listed and the rest counted; the critical path was
    the nine of the sample and is now all 24 left with no float (A1160 and A1210 keep some),
    A1260 last. A first import prints none."""
    import yaml  # noqa: PLC0415

    from api.cli import main  # noqa: PLC0415

    monkeypatch.setenv("DUBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'd.sqlite'}")
    monkeypatch.setenv("DUBAN_TODAY", "2026-05-06")
    (tmp_path / "units.yaml").write_text(yaml.safe_dump({"units": [{"id": "roads", "name": "市政处"}],
                                                         "projects": []}), encoding="utf-8")
    assert main(["import", str(tmp_path / "units.yaml")]) == 0
    args = ["--project", "C9", "--unit", "roads"]
    assert main(["import", str(DATA / SAMPLE), *args]) == 0
    assert "与上一次导入对比" not in capsys.readouterr().out
    nxt = tmp_path / "next.xer"
    nxt.write_text(edit_xer(xer_text(SAMPLE), change={"A1100": {"target_drtn_hr_cnt": "88", "remain_drtn_hr_cnt": "88"}},
                            add=[("A1250", "A1260", "Touch-up")]), encoding="cp1252")
    assert main(["import", str(nxt), *args]) == 0
    out = capsys.readouterr().out
    assert "与上一次导入对比（按文件重新计算的进度计划）：" in out
    assert "    A1100 Floor：2022-01-21 → 2022-01-31，推迟 6 个工作日" in out
    assert "  预测完成推迟：3 项\n    A1100 Floor：2022-01-21 → 2022-01-31，推迟 6 个工作日\n" in out
    assert "    A1200 Floor：2022-02-10 → 2022-02-14，推迟 2 个工作日\n" in out
    assert "  总时差减少：25 项\n    A1050 Floor：总时差 8 → -3 个工作日，减少 11\n" in out
    assert "    …… 另有 5 项\n" in out
    assert "  新增节点：A1260" in out and "  文件中已删除（保留）：无" in out
    was = out.split("  原关键路径：")[1].split("\n")[0]
    now = out.split("  现关键路径：")[1].split("\n")[0]
    assert was == "A1010 → A1020 → A1030 → A1040 → A1090 → A1140 → A1190 → A1240 → A1250"
    assert len(now.split(" → ")) == 24 and now.endswith("A1250 → A1260")
    assert "A1100" in now and "A1160" not in now and "A1210" not in now
    assert out.index("预测完成推迟") < out.index("总时差减少") < out.index("新增节点") < out.index("原关键路径")
    assert main(["--lang", "en", "import", str(nxt), *args]) == 0  # the same file again: nothing slipped
    out = capsys.readouterr().out
    assert "Compared with the last import" in out and "forecast finishes that slipped: 0" in out
    assert "float eroded: 0" in out and "critical path is: A1010 -> " in out and "预测" not in out


async def test_resource_loading_is_stored_for_dcma_point_10(api: Api) -> None:
    """The sample's one resource (Van Haren on A1020) is stored as A1020 resourced; the other 24
    activities, all a working day or longer, are stored as not resourced (SQLite and
    PostgreSQL alike); a re-import without the assignment turns A1020's flag off."""
    await _import(api, (DATA / SAMPLE).read_bytes())
    flags = {m.id: m.resourced for m in (await _project(api)).milestones}
    assert flags["A1020"] is True and sum(1 for v in flags.values() if v is False) == 24
    bare = "\n".join(x for x in xer_text(SAMPLE).splitlines() if not x.startswith("%R\t8089\t")) + "\n"
    await _import(api, bare.encode("cp1252"))
    stored, _ = await repo.get_milestone("C001", "A1020")
    assert stored.resourced is False
