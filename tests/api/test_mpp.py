"""MS Project ``.mpp`` files (api/mpp.py): converted by MPXJ in a real Java subprocess and read
like their MS Project XML exports. The vendored plans (tests/data/mpp, MANIFEST.md there) are
converted once per session, in one JVM; the computed float agrees with the float each file
stores and with the schedule of the paired MSPDI export. Hostile inputs are refused with what
and where, most of them before Java starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api import mpp
from api.cli import main
from projects.contractor import read_schedule, schedule
from projects.contractor.model import Schedule
from tests.api.conftest import MPP_DATA as MPP
from tests.api.conftest import MPP_PLANS as PLANS
from tests.projects.contractor_files import DATA


def _paired(plan: Path) -> Path:
    return DATA / f"mpxj-task-links-project{plan.name.split('project')[1][:4]}-mspdi.xml"


@pytest.fixture
def converted(mpp_converted: dict[str, bytes]) -> dict[str, Schedule]:
    """Every vendored plan as read from MPXJ's MSPDI (converted once per session)."""
    return {name: mpp.read_converted(xml, name) for name, xml in mpp_converted.items()}


def test_every_version_is_vendored_with_its_pair() -> None:
    assert [p.name.split("project")[1][:4] for p in PLANS] == ["2003", "2007", "2010", "2019"]
    assert all(_paired(p).is_file() for p in PLANS)


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.stem)
def test_the_computed_float_agrees_with_the_files_own(converted: dict[str, Schedule], plan: Path) -> None:
    rows = schedule(converted[plan.name])
    stored = [r for r in rows if r.activity.file_total_float_hours is not None]
    assert len(rows) == 16 and len(stored) == 14
    assert [r.activity.id for r in stored if abs(r.activity.file_total_float_hours - r.total_float_hours) > 1] == []


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.stem)
def test_the_mpp_schedules_as_its_mspdi_export(converted: dict[str, Schedule], plan: Path) -> None:
    """The same float and critical path as the paired XML export, but for two tasks of the
    2010 pair, whose files hold different plans: the .mpp has tasks 11 and 13 manually
    scheduled without a constraint (Project stored 88 h of slack, as 2019 does), its XML export
    has them auto-scheduled, start no earlier than 2014-10-17 (stored 80 h and 72 h). Each
    computed float agrees with its own file's."""
    ours = {r.activity.id: r for r in schedule(converted[plan.name])}
    xml = {r.activity.id: r for r in schedule(read_schedule(_paired(plan).read_bytes(), _paired(plan).name))}
    assert ours.keys() == xml.keys()
    differ = {k for k in ours if (ours[k].total_float_hours, ours[k].critical, ours[k].early_finish)
              != (xml[k].total_float_hours, xml[k].critical, xml[k].early_finish)}
    if "2010" not in plan.name:
        assert differ == set()
        return
    assert differ == {"11", "13"}
    for k in differ:
        a, b = ours[k].activity, xml[k].activity
        assert (a.manual, a.constraint, b.manual, b.constraint) == (True, None, False, "start on or after")
        assert (a.file_total_float_hours, ours[k].total_float_hours) == (88.0, 88.0)
        assert b.file_total_float_hours == xml[k].total_float_hours == {"11": 80.0, "13": 72.0}[k]


def test_zero_slack_is_not_compared_as_mpxj_writes_none(mpp_converted: dict[str, bytes]) -> None:
    """MPXJ's MSPDI writer leaves out every zero duration, slack included: tasks 9 and 10 (the
    critical ones, 0 h) carry no stored float after conversion, so 14 of 16 are compared."""
    xml = mpp_converted[PLANS[0].name]
    paired = read_schedule(_paired(PLANS[0]).read_bytes(), "x.xml")
    assert {a.id: a.file_total_float_hours for a in paired.activities if a.id in ("9", "10")} == {"9": 0.0, "10": 0.0}
    assert {a.id: a.file_total_float_hours for a in mpp.read_converted(xml, "p.mpp").activities
            if a.id in ("9", "10")} == {"9": None, "10": None}


def test_the_cli_reads_an_mpp(mpp_converted: dict[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(PLANS[-1]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["agreement"] == {"compared": 14, "equal": 14}
    assert {a["id"] for a in doc["activities"]} == {str(i) for i in range(1, 17)}


def test_dcma_and_compare_read_mpp_files(mpp_converted: dict[str, bytes],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """`--dcma` on an .mpp, and `compare OLD NEW` of the 2010 .mpp against its own XML export,
    whose tasks 11 and 13 have less float (80 h and 72 h against 88 h: one and two days)."""
    plan = next(p for p in PLANS if "2010" in p.name)
    assert main(["schedule", str(plan), "--dcma", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["number"] for c in doc["dcma"]] == list(range(1, 15))
    assert doc["agreement"] == {"compared": 14, "equal": 14}
    assert main(["schedule", "compare", str(plan), str(_paired(plan)), "--json"]) == 0
    cmp = json.loads(capsys.readouterr().out)
    assert cmp["added"] == [] and cmp["removed"] == []
    assert {x["id"]: (x["old_float_days"], x["new_float_days"]) for x in cmp["float_eroded"]} == {
        "11": (11.0, 10.0), "13": (11.0, 9.0)}


def _truncated_at(cut: int) -> bytes:
    data = PLANS[-1].read_bytes()
    return data[:cut if cut > 0 else len(data) + cut]


def _huge_fat() -> bytes:
    head = bytearray(PLANS[0].read_bytes()[:4096])
    head[44:48] = (0x0FFFFFFF).to_bytes(4, "little")  # declares 256 M FAT sectors (32 TB)
    return bytes(head)


HOSTILE = {
    "empty": (b"", ["empty", "not an MS Project file"]),
    "renamed text": ("名称,开始\nfoundation,2026-01-05\n".encode(), ["not an MS Project file", "bytes 0-7"]),
    "renamed xer": ((DATA / "xernative-sample.xer").read_bytes()[:4000], ["not an MS Project file"]),
    "header only": (_truncated_at(511), ["truncated", "511 字节 / bytes", "512-byte header"]),
    "last sector cut": (_truncated_at(-512), ["truncated", "254976 字节 / bytes"]),
    "half": (_truncated_at(127744), ["truncated"]),
    "huge declared size": (_huge_fat(), ["truncated or damaged"]),
    "bad sector size": (PLANS[0].read_bytes()[:30] + b"\x20\x00" + PLANS[0].read_bytes()[32:1024],
                        ["sector size 2^32"]),
}


@pytest.mark.parametrize("case", HOSTILE, ids=str)
def test_hostile_bytes_are_refused_before_java(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused by the container check, with what and where: the JVM is not even looked for
    (no java on PATH here, so reaching Java would say "Java runtime missing" instead)."""
    data, words = HOSTILE[case]
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(mpp.MppFileError) as got:
        mpp.to_mspdi([(data, "plan.mpp")])
    assert all(w in str(got.value) for w in words), str(got.value)
    assert "plan.mpp" in (got.value.where or "") and got.value.zh and got.value.en
    assert not isinstance(got.value, mpp.MppReaderMissing)


def test_a_password_protected_file_is_refused_by_mpxj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real JVM: MPXJ finds the read password; ours says so in both languages. Its class
    archive here is garbage: the JVM ignores it and converts (refuses) all the same."""
    monkeypatch.setenv("DUBAN_MPP_CACHE", str(tmp_path))
    jvm, lib = mpp._java(), mpp.jars()
    archive = mpp._archive(jvm, lib)
    assert archive is not None and archive.parent == tmp_path
    archive.write_bytes(b"not a class archive" * 100)
    with pytest.raises(mpp.MppFileError) as got:
        mpp.to_mspdi([((MPP / "password-protected-mpp9.mpp").read_bytes(), "locked.mpp")])
    assert "密码" in got.value.zh and "password protected" in got.value.en
    assert got.value.where == "locked.mpp" and got.value.suggestions


def test_a_conversion_past_its_time_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real JVM past the (here tiny) timeout is killed and the file refused, not waited on;
    the class archive it was to write on its way out is not left half-made."""
    monkeypatch.setattr(mpp, "TIMEOUT", 0.05)
    monkeypatch.setenv("DUBAN_MPP_CACHE", str(tmp_path))
    data = (MPP / "password-protected-mpp9.mpp").read_bytes()
    with pytest.raises(mpp.MppFileError, match=r"0\.05 s and was stopped"):
        mpp.to_mspdi([(data, "slow.mpp")])
    assert list(tmp_path.iterdir()) == []


def test_no_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(mpp.MppReaderMissing) as got:
        mpp.to_mspdi([((MPP / "password-protected-mpp9.mpp").read_bytes(), "plan.mpp")])
    assert "Java runtime missing: run scripts/bootstrap" in got.value.en and "Java 运行环境" in got.value.zh
    assert "scripts/bootstrap" in got.value.suggestions


def test_the_cli_refuses_a_hostile_mpp_with_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.mpp").write_text("not a plan", encoding="utf-8")
    assert main(["schedule", str(tmp_path / "notes.mpp")]) == 1
    err = capsys.readouterr().err
    assert "notes.mpp: 字节 0–7 / bytes 0-7" in err and "not an MS Project file" in err
