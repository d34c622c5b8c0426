"""The supervision loop over HTTP (issue 12, items 5 and 6), on both backends: the office
manages people and assigns projects; a unit asks for an extension from its inbox; the office
decides once, with a reason; every step audited; every refused step a clear message with its
place, and nothing written."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from projects.checks import parse_portfolio
from projects.errors import PortfolioError
from projects.replay import known_on
from tests.api.conftest import TODAY, Api

PERSON = {"id": "wang", "name": "王某", "unit": "transport", "post": "副局长"}


async def _audit_total(api: Api) -> int:
    return int((await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"])


async def _latest_audit(api: Api) -> dict[str, Any]:
    return (await api.client.get("/api/audit", headers=api.auth("office"))).json()["items"][0]  # type: ignore[no-any-return]


async def test_the_office_manages_people_and_a_person_of_an_unknown_unit_is_refused(api: Api) -> None:
    r = await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)
    assert r.status_code == 201, r.text
    entry = await _latest_audit(api)
    assert (entry["action"], entry["subject"], entry["after"]["unit"]) == ("person.create", "person:wang", "transport")
    before = await _audit_total(api)
    bad = await api.client.post("/api/people", headers=api.auth("office"),
                                json={"id": "li", "name": "李某", "unit": "watr"})
    assert bad.status_code == 422
    assert bad.json()["where"] == "unit" and 'no unit "watr"; did you mean "water"?' in bad.json()["message"]
    moved = await api.client.patch("/api/people/wang", headers=api.auth("office"), json={"unit": "nowhere"})
    assert moved.status_code == 422 and moved.json()["where"] == "unit"
    assert await _audit_total(api) == before  # nothing written
    listed = (await api.client.get("/api/people", headers=api.auth("leader"))).json()
    assert listed == [PERSON]
    assert (await api.client.post("/api/people", headers=api.auth("unit"), json=PERSON)).status_code == 403
    again = await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)
    assert again.status_code == 409


async def test_the_office_assigns_a_project_and_each_wrong_assignment_is_refused(api: Api) -> None:
    await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)
    await api.client.post("/api/people", headers=api.auth("office"), json={"id": "zhao", "name": "赵某", "unit": "city"})
    assign = {"co_units": ["water"], "person": "wang", "urgent": True, "source": "市委常委会第12次会议",
              "instruction": "务必于三季度前见效", "report_every": "2 weeks"}
    r = await api.client.patch("/api/projects/P001", headers=api.auth("office"), json=assign)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["co_units"], got["person"], got["urgent"], got["report_every"]) == (["water"], "wang", True, "2 weeks")
    entry = await _latest_audit(api)
    assert entry["action"] == "project.update" and entry["before"]["co_units"] == []
    assert entry["after"]["instruction"] == "务必于三季度前见效"
    before = await _audit_total(api)
    for change, where, words in [
        ({"report_every": "2 fortnights"}, "report_every", '报送周期不是时长，请写如 周报、月报、2 周、10 个工作日 — unknown unit "fortnights"'),
        ({"report_every": "soon"}, "report_every", "报送周期不是时长"),
        ({"co_units": ["transport"]}, "co_units[0]", "is the lead unit"),
        ({"co_units": ["water", "water"]}, "co_units[1]", "listed twice"),
        ({"co_units": ["watr"]}, "co_units[0]", 'did you mean "water"?'),
        ({"person": "wong"}, "person", 'no person "wong"; did you mean "wang"?'),
        # the person works in the lead unit or a co-unit (projects.checks.person_outside)
        ({"person": "zhao"}, "person", "责任人「zhao」属于单位「city」，不是这里的牵头单位或配合单位"),
        ({"person": "zhao"}, "person", 'person "zhao" works in unit "city", which is neither the lead unit nor a co-unit'),
        ({"unit": "city"}, "unit", "责任人「wang」属于单位「transport」"),  # wang would no longer fit
    ]:
        bad = await api.client.patch("/api/projects/P001", headers=api.auth("office"), json=change)
        assert bad.status_code == 422, (change, bad.text)
        assert bad.json()["where"] == where and words in bad.json()["message"], bad.json()
    assert await _audit_total(api) == before
    shown = (await api.client.get("/api/projects?limit=1", headers=api.auth("leader"))).json()["items"][0]
    assert (shown["co_units"], shown["report_every"]) == (["water"], "2 weeks")  # unchanged
    snap = await api.server.snapshot()
    assert snap.portfolio.project_by_id["P001"].urgent is True
    owner = await api.client.patch("/api/projects/P001", headers=api.auth("owner"), json={"urgent": False})
    assert owner.status_code == 403


async def test_a_unit_requests_an_extension_and_the_office_approves_it_once(api: Api) -> None:
    url = "/api/projects/P001/milestones/build/extensions"  # build: water's, due 2026-12-31
    ask = {"new_due": "2027-01-31", "reason": "因用地报批延迟"}
    r = await api.client.post(url, headers=api.auth("unit"), json=ask)
    assert r.status_code == 201, r.text
    req = r.json()
    assert (req["status"], req["requested"], req["requested_by"]) == ("pending", TODAY.isoformat(), "unit")
    entry = await _latest_audit(api)
    assert (entry["action"], entry["subject"], entry["after"]["new_due"]) == \
        ("extension.request", "milestone:P001/build", "2027-01-31")
    mine = (await api.client.get("/api/extensions?status=pending", headers=api.auth("unit"))).json()
    assert [x["id"] for x in mine] == [req["id"]]
    for role in ("owner", "leader"):  # the project's owner and the leaders see it
        assert [x["id"] for x in (await api.client.get("/api/extensions", headers=api.auth(role))).json()] == [req["id"]]
    decide = f"/api/extensions/{req['id']}/decision"
    assert (await api.client.post(decide, headers=api.auth("unit"),
                                  json={"decision": "approved", "reason": "x"})).status_code == 403
    ok = await api.client.post(decide, headers=api.auth("office"), json={"decision": "同意", "reason": "理由充分"})
    assert ok.status_code == 201, ok.text
    assert (ok.json()["status"], ok.json()["decided_by"], ok.json()["decision_reason"]) == ("approved", "office", "理由充分")
    entry = await _latest_audit(api)
    assert entry["action"] == "extension.approved" and entry["before"]["decision"] is None
    # the deadline moved from today on; the file's due is kept as original_due
    snap = await api.server.snapshot()
    moved, dues = known_on(snap.portfolio, TODAY)
    build = next(m for m in moved.project_by_id["P001"].milestones if m.id == "build")
    assert build.due == dt.date(2027, 1, 31) and dues[("P001", "build")].original_due == dt.date(2026, 12, 31)
    assert known_on(snap.portfolio, TODAY - dt.timedelta(days=1))[0] is not moved  # not known the day before
    exported = (await api.client.get("/api/portfolio", headers=api.auth("office"))).json()
    assert exported["extensions"][0]["decision"] == "approved"
    # a decision is final: the second one is refused and nothing is written
    before = await _audit_total(api)
    twice = await api.client.post(decide, headers=api.auth("office"), json={"decision": "rejected", "reason": "改主意"})
    assert twice.status_code == 409 and "a decision is final" in twice.json()["message"]
    assert twice.json()["where"] == "decision"
    assert await _audit_total(api) == before
    # the next request must be after the moved due, not the original one
    early = await api.client.post(url, headers=api.auth("unit"), json={"new_due": "2027-01-15", "reason": "再延"})
    assert early.status_code == 422 and early.json()["current"] == "2027-01-31"


async def test_each_wrong_request_or_decision_is_refused_with_its_place_and_nothing_written(api: Api) -> None:
    before = await _audit_total(api)
    url = "/api/projects/P001/milestones/{}/extensions"
    cases = [
        ("unit", url.format("buidl"), {"new_due": "2027-01-31", "reason": "r"}, 404, "milestone", 'did you mean "P001/build"?'),
        ("unit", "/api/projects/P009/milestones/build/extensions", {"new_due": "2027-01-31", "reason": "r"},
         404, "milestone", 'no project "P009"'),
        ("unit", url.format("build"), {"new_due": "2026-12-31", "reason": "r"}, 422, "new_due", "不晚于现行期限 2026-12-31"),
        ("unit", url.format("build"), {"new_due": "2026-06-01", "reason": "r"}, 422, "new_due", "must be after the current due"),
        ("unit", url.format("build"), {"new_due": "2027-01-31", "reason": "  "}, 422, "reason", "延期理由不能为空"),
        ("owner", "/api/projects/P002/milestones/approval/extensions", {"new_due": "2027-01-31", "reason": "r"},
         403, None, "只有责任单位可以申请延期"),
        ("office", "/api/extensions/999/decision", {"decision": "approved", "reason": "r"}, 404, None, "999"),
    ]
    for role, path, body, status, where, words in cases:
        r = await api.client.post(path, headers=api.auth(role), json=body)
        assert r.status_code == status, (path, body, r.text)
        assert words in r.json()["message"], r.text
        if where is not None:
            assert r.json()["where"] == where
    assert await _audit_total(api) == before
    assert (await api.client.get("/api/extensions", headers=api.auth("office"))).json() == []
    # a second request while one is pending; a rejection needs a known decision word and a reason
    first = (await api.client.post(url.format("build"), headers=api.auth("unit"),
                                   json={"new_due": "2027-01-31", "reason": "因用地报批延迟"})).json()
    count = await _audit_total(api)
    pending = await api.client.post(url.format("build"), headers=api.auth("unit"),
                                    json={"new_due": "2027-02-28", "reason": "再延"})
    assert pending.status_code == 409 and "still pending" in pending.json()["message"]
    decide = f"/api/extensions/{first['id']}/decision"
    word = await api.client.post(decide, headers=api.auth("office"), json={"decision": "maybe", "reason": "r"})
    assert word.status_code == 422 and word.json()["where"] == "decision"
    blank = await api.client.post(decide, headers=api.auth("office"), json={"decision": "rejected", "reason": ""})
    assert blank.status_code == 422 and blank.json()["where"] == "reason"
    assert await _audit_total(api) == count
    no = await api.client.post(decide, headers=api.auth("office"), json={"decision": "rejected", "reason": "理由不充分"})
    assert no.status_code == 201 and no.json()["status"] == "rejected"
    snap = await api.server.snapshot()
    moved, dues = known_on(snap.portfolio, TODAY)
    assert next(m for m in moved.project_by_id["P001"].milestones if m.id == "build").due == dt.date(2026, 12, 31)
    assert dues[("P001", "build")].pending is False


async def test_the_office_gives_a_milestone_its_own_person_co_units_and_cadence(api: Api) -> None:
    """A milestone's own person, co-units and cadence (the project's when absent) change through
    the report endpoint, by the office only, checked as a project's are, nothing written when wrong."""
    await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)
    url = "/api/projects/P001/milestones/build"  # the water bureau's milestone of a transport project
    version = (await api.client.get(url, headers=api.auth("office"))).json()["version"]
    before = await _audit_total(api)
    for change, where, words in [
        ({"co_units": ["water"]}, "co_units[0]", "「water」是节点 P001/build 的责任单位，配合单位须是另外的单位"),
        ({"co_units": ["transport", "transport"]}, "co_units[1]", "listed twice"),
        ({"co_units": ["watr"]}, "co_units[0]", 'did you mean "water"?'),
        ({"person": "wong"}, "person", 'no person "wong"; did you mean "wang"?'),
        ({"report_every": "soon"}, "report_every", "报送周期不是时长"),
        # wang works for the lead unit of the project, not for this milestone's water bureau
        ({"person": "wang"}, "person", "责任人「wang」属于单位「transport」"),
        ({"person": "wang", "co_units": []}, "person", "不是这里的牵头单位或配合单位"),
    ]:
        bad = await api.client.patch(url, headers=api.auth("office"), json={"version": version, **change})
        assert bad.status_code == 422, (change, bad.text)
        assert bad.json()["where"] == where and words in bad.json()["message"], bad.json()
    assert await _audit_total(api) == before
    assert (await api.client.get(url, headers=api.auth("office"))).json()["version"] == version
    for role, path in (("unit", url), ("owner", "/api/projects/P001/milestones/tender")):
        mine = (await api.client.get(path, headers=api.auth(role))).json()["version"]
        refused = await api.client.patch(path, headers=api.auth(role),
                                         json={"version": mine, "person": "wang", "report_every": "1 week"})
        assert refused.status_code == 403 and "only the office changes person, report_every" in refused.text
    ok = await api.client.patch(url, headers=api.auth("office"), json={
        "version": version, "person": "wang", "co_units": ["transport"], "report_every": "月报"})
    assert ok.status_code == 200, ok.text
    got = ok.json()["milestone"]
    assert (got["person"], got["co_units"], got["report_every"]) == ("wang", ["transport"], "1 month")
    m = next(x for x in (await api.server.snapshot()).portfolio.project_by_id["P001"].milestones if x.id == "build")
    assert (m.person, m.co_units, str(m.report_every)) == ("wang", ("transport",), "1 month")
    entry = await _latest_audit(api)
    assert entry["action"] == "milestone.report" and entry["after"]["person"] == "wang"
    cleared = await api.client.patch(url, headers=api.auth("office"), json={
        "version": got["version"], "person": None, "co_units": [], "report_every": None})
    assert cleared.status_code == 200, cleared.text
    got = cleared.json()["milestone"]
    assert (got["person"], got["co_units"], got["report_every"]) == (None, [], None)
    m = next(x for x in (await api.server.snapshot()).portfolio.project_by_id["P001"].milestones if x.id == "build")
    assert m.co_units == ()  # [] is "no co-units", the milestone's own choice
    inherited = await api.client.patch(url, headers=api.auth("office"), json={
        "version": got["version"], "co_units": None})
    assert inherited.status_code == 200, inherited.text
    assert inherited.json()["milestone"]["co_units"] is None  # null: the project's co-units again,
    m = next(x for x in (await api.server.snapshot()).portfolio.project_by_id["P001"].milestones if x.id == "build")
    assert m.co_units is None  # as the assignment page's 「同项目」 and a file without the key


async def test_an_export_carries_only_the_extension_requests_of_projects_it_shows(api: Api) -> None:
    """Water's request on its own P002 is in water's and the office's export; transport, which
    does not see P002, finds neither the request nor its reason in its own."""
    r = await api.client.post("/api/projects/P002/milestones/approval/extensions", headers=api.auth("unit"),
                              json={"new_due": "2027-01-31", "reason": "用地报批延迟（水务内部）"})
    assert r.status_code == 201, r.text

    async def exported(role: str) -> tuple[list[str], str]:
        got = await api.client.get("/api/portfolio", headers=api.auth(role))
        assert got.status_code == 200, got.text
        return [x["milestone"] for x in got.json().get("extensions", [])], got.text

    assert (await exported("office"))[0] == ["P002/approval"]
    assert (await exported("unit"))[0] == ["P002/approval"]
    milestones, text = await exported("owner")
    assert milestones == [] and "用地报批延迟" not in text


async def test_a_file_and_the_api_say_the_same_of_each_wrong_co_unit_or_person(api: Api) -> None:
    """One check of an assignment (``projects.assignment``): the same bad co-unit or person in a
    portfolio file (the office's own export, changed) and in a PATCH gives the same place and
    the same words in both languages."""
    await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)
    await api.client.post("/api/people", headers=api.auth("office"), json={"id": "zhao", "name": "赵某", "unit": "city"})
    exported = (await api.client.get("/api/portfolio", headers=api.auth("office"))).json()
    url = "/api/projects/P001/milestones/build"  # water's milestone of transport's project
    version = (await api.client.get(url, headers=api.auth("office"))).json()["version"]
    cases: list[tuple[int | None, dict[str, Any]]] = [
        (None, {"co_units": ["watr"]}), (None, {"co_units": ["harbour"]}), (None, {"co_units": ["transport"]}),
        (None, {"co_units": ["water", "water"]}), (None, {"co_units": ["water", " "]}),
        (None, {"person": "wong"}), (None, {"person": "nobody"}), (None, {"person": "zhao"}),
        (2, {"co_units": ["water"]}), (2, {"co_units": ["watr"]}), (2, {"person": "wnag"}),
    ]
    for milestone, change in cases:
        data = copy.deepcopy(exported)
        project = next(p for p in data["projects"] if p["id"] == "P001")
        (project if milestone is None else project["milestones"][milestone]).update(change)
        with pytest.raises(PortfolioError) as caught:
            parse_portfolio(data, today=TODAY)
        (problem,) = caught.value.problems
        place = "projects[0]." if milestone is None else f"projects[0].milestones[{milestone}]."
        assert problem.where.startswith(place) and problem.zh is not None, problem
        if milestone is None:
            bad = await api.client.patch("/api/projects/P001", headers=api.auth("office"), json=change)
        else:
            bad = await api.client.patch(url, headers=api.auth("office"), json={**change, "version": version})
        assert bad.status_code == 422, (change, bad.text)
        where = problem.where.removeprefix(place)
        assert bad.json()["where"] == where, (change, bad.json())
        assert bad.json()["message"] == f"{where}: {problem.zh} — {problem.message}", (change, problem)


async def test_moving_a_person_to_a_unit_outside_their_assignments_is_refused_and_nothing_is_written(api: Api) -> None:
    """A person answers for P001 (led by transport, no co-units): moving them to the water bureau
    would leave P001 with a person outside its units, so the move is refused at ``unit`` naming
    P001, both languages; once water is a co-unit the same move goes through."""
    office = api.auth("office")
    assert (await api.client.post("/api/people", headers=office, json=PERSON)).status_code == 201
    r = await api.client.patch("/api/projects/P001", headers=office, json={"person": "wang", "co_units": []})
    assert r.status_code == 200, r.text
    before = await _audit_total(api)
    moved = await api.client.patch("/api/people/wang", headers=office, json={"unit": "water"})
    assert moved.status_code == 422, moved.text
    said = moved.json()
    assert said["where"] == "unit"
    assert "P001" in said["message"] and "请先改派" in said["message"] and "assign it to someone else first" in said["message"]
    assert await _audit_total(api) == before  # nothing written
    listed = (await api.client.get("/api/people", headers=office)).json()
    assert listed == [PERSON]  # still in transport
    r = await api.client.patch("/api/projects/P001", headers=office, json={"co_units": ["water"]})
    assert r.status_code == 200, r.text
    moved = await api.client.patch("/api/people/wang", headers=office, json={"unit": "water"})
    assert moved.status_code == 200, moved.text
    assert (await api.client.get("/api/people", headers=office)).json()[0]["unit"] == "water"
