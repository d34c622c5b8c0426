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
from tests.projects.contractor_files import DATA

MPP = Path(__file__).resolve().parents[1] / "data" / "mpp"
PLANS = sorted(MPP.glob("task-links-*.mpp"))


def _paired(plan: Path) -> Path:
    return DATA / f"mpxj-task-links-project{plan.name.split('project')[1][:4]}-mspdi.xml"


@pytest.fixture(scope="module")
def converted() -> dict[str, Schedule]:
    """Every vendored plan, converted together in one JVM."""
    scheds = mpp.read_files([(p.read_bytes(), p.name) for p in PLANS])
    return {p.name: s for p, s in zip(PLANS, scheds, strict=True)}


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


def test_zero_slack_is_not_compared_as_mpxj_writes_none() -> None:
    """MPXJ's MSPDI writer leaves out every zero duration, slack included: tasks 9 and 10 (the
    critical ones, 0 h) carry no stored float after conversion, so 14 of 16 are compared."""
    xml = mpp.to_mspdi([(PLANS[0].read_bytes(), PLANS[0].name)])[0]
    paired = read_schedule(_paired(PLANS[0]).read_bytes(), "x.xml")
    assert {a.id: a.file_total_float_hours for a in paired.activities if a.id in ("9", "10")} == {"9": 0.0, "10": 0.0}
    assert {a.id: a.file_total_float_hours for a in mpp.read_converted(xml, "p.mpp").activities
            if a.id in ("9", "10")} == {"9": None, "10": None}


def test_the_cli_reads_an_mpp(converted: dict[str, Schedule], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", str(PLANS[-1]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["agreement"] == {"compared": 14, "equal": 14}
    assert {a["id"] for a in doc["activities"]} == {str(i) for i in range(1, 17)}


@pytest.mark.parametrize(("data", "words"), [
    (b"", ["empty"]),
    (b"Name,Start\nfoundation,2026-01-05\n", ["not an MS Project file", "bytes 0-7"]),
])
def test_hostile_bytes_are_refused_before_java(data: bytes, words: list[str]) -> None:
    with pytest.raises(mpp.MppFileError) as got:
        mpp.check_container(data, "plan.mpp")
    assert all(w in str(got.value) for w in words)
    assert got.value.suggestions
