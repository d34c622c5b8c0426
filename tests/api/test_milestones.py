"""Reading the portfolio and reporting milestones over HTTP, on both backends."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from projects import repository as repo
from tests.api.conftest import TODAY, Api

TODAY_PLUS_ONE = TODAY + dt.timedelta(days=1)


async def test_projects_list_is_paginated_and_filtered(api: Api) -> None:
    """The project list pages with offset/limit and filters by unit."""
    r = await api.client.get("/api/projects?limit=1", headers=api.auth("leader"))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["items"][0]["id"] == "P001"
    r = await api.client.get("/api/projects?unit=water", headers=api.auth("leader"))
    assert [p["id"] for p in r.json()["items"]] == ["P002"]


async def test_unknown_project_is_404_with_a_suggestion(api: Api) -> None:
    """A typo in a project id is a 404 that suggests the nearest id."""
    r = await api.client.get("/api/projects/P0001", headers=api.auth("office"))
    assert r.status_code == 404
    assert r.json()["error"] == "not_found" and "P001" in r.json()["suggestions"]


async def test_report_with_current_version_is_stored_in_history(api: Api) -> None:
    """A report with the current version bumps the version and adds a history entry."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.5, "note": "开标完成"})
    assert r.status_code == 200, r.text
    assert r.json()["milestone"]["version"] == 2 and r.json()["milestone"]["progress"] == 0.5
    h = await api.client.get("/api/projects/P001/milestones/tender/history", headers=api.auth("leader"))
    assert [e["version"] for e in h.json()] == [1, 2]
    assert h.json()[1]["actor"] == "owner" and h.json()[0]["milestone"]["progress"] is None


async def test_stale_version_gets_409_with_the_current_state(api: Api) -> None:
    """A report based on an old version is refused with 409 and the current state, nothing lost."""
    ok = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                                json={"version": 1, "progress": 0.4})
    assert ok.status_code == 200
    stale = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("office"),
                                   json={"version": 1, "progress": 0.9})
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2 and body["current"]["progress"] == 0.4
    assert "send version 2" in body["message"]
    assert body["message"].startswith("节点「P001/tender」在您读取后已被他人修改：您依据的是第 1 版，当前是第 2 版")


async def test_concurrent_reports_from_the_same_version_exactly_one_wins(api: Api) -> None:
    """Two clients reporting from the same version: one 200, one 409, one change in history."""
    results = await asyncio.gather(
        api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                         json={"version": 1, "progress": 0.3}),
        api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("office"),
                         json={"version": 1, "progress": 0.6}),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    h = await api.client.get("/api/projects/P001/milestones/tender/history", headers=api.auth("office"))
    assert [e["version"] for e in h.json()] == [1, 2]


async def test_bad_report_values_are_422_and_change_nothing(api: Api) -> None:
    """Progress above 100% and a finish date after today are refused with the field named."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 35})
    assert r.status_code == 422 and r.json()["where"].endswith(".progress")
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "finished": "2026-06-01"})
    assert r.status_code == 422 and "later than today" in r.json()["message"]
    m = await api.client.get("/api/projects/P001/milestones/tender", headers=api.auth("owner"))
    assert m.json()["version"] == 1


async def test_past_day_replays_from_reports_known_then(api: Api) -> None:
    """The portfolio exported as of a past day shows the milestone as it was reported then."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "progress": 0.8})
    assert r.status_code == 200
    today = (await api.server.snapshot()).portfolio.project_by_id["P001"].milestones[1]
    past = await repo.load_portfolio_as_of(api.server.today().replace(day=1))
    assert today.progress == 0.8
    assert past.project_by_id["P001"].milestones[1].progress is None


async def test_reports_arriving_together_commit_as_one_group_refusing_bad_ones_alone(api: Api) -> None:
    """Reports that arrive together share one re-evaluation; a stale and an invalid one among
    them are refused with their own errors and leave nothing, the good ones are all stored."""
    from api.service import InputError  # noqa: PLC0415
    from projects.repository import StaleVersionError  # noqa: PLC0415
    from tests.api.test_evaluations import _publish_standard  # noqa: PLC0415

    await _publish_standard(api)
    audit_before = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    server = api.server
    results = await asyncio.gather(
        server.report_milestone("office", "P001", "tender", {"progress": 0.5}, 1),
        server.report_milestone("office", "P001", "approval", {"progress": 1.0}, 99),
        server.report_milestone("office", "P002", "approval", {"finished": TODAY_PLUS_ONE}, 1),
        server.report_milestone("office", "P002", "approval", {"progress": 0.4}, 1),
        return_exceptions=True,
    )
    assert isinstance(results[1], StaleVersionError)
    assert isinstance(results[2], InputError) and "later than today" in str(results[2])
    (tender, v_tender, ev_tender), (appr, v_appr, ev_appr) = results[0], results[3]  # type: ignore[misc]
    assert (tender.progress, v_tender, appr.progress, v_appr) == (0.5, 2, 0.4, 2)
    assert ev_tender.id == ev_appr.id  # one evaluation for the group
    assert {f.project for f in ev_tender.findings} <= {"P001"}
    assert {f.project for f in ev_appr.findings} <= {"P002"}
    stored = (await api.client.get("/api/evaluations", headers=api.auth("office"))).json()["items"]
    reports = [e for e in stored if e["reason"] == "report"]
    assert len(reports) == 1 and sorted(reports[0]["scope"]) == ["P001", "P002"]
    assert [r.version for r in await repo.milestone_history("P001", "approval")] == [1]
    assert [r.version for r in await repo.milestone_history("P002", "approval")] == [1, 2]
    audit_after = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"]
    assert audit_after == audit_before + 2
    snap = await server.snapshot()
    assert snap.versions[("P001", "tender")] == 2 and snap.versions[("P001", "approval")] == 1


async def test_readers_during_reports_get_the_writers_snapshot_without_reloading(api: Api) -> None:
    """Reads racing a stream of reports never reload the portfolio from the database: the
    writer hands each new snapshot over, and every reader sees a committed revision."""
    server = api.server
    await server.snapshot()
    loads = 0
    load = server._load

    async def counted(revision: int):  # type: ignore[no-untyped-def]
        nonlocal loads
        loads += 1
        return await load(revision)

    server._load = counted  # type: ignore[method-assign]
    seen: list[int] = []
    reporting = True

    async def reader() -> None:
        # Read for as long as the reports run (however slow the machine), then once more.
        while reporting:
            seen.append((await server.snapshot()).revision)
            await asyncio.sleep(0)
        seen.append((await server.snapshot()).revision)

    async def reporter() -> None:
        nonlocal reporting
        try:
            for k in range(6):
                version = (await server.snapshot()).versions[("P001", "build")]
                await server.report_milestone("office", "P001", "build", {"progress": 0.1 + k / 10}, version)
        finally:
            reporting = False

    await asyncio.gather(reporter(), *(reader() for _ in range(4)))
    final = await server.snapshot()
    assert loads == 0
    assert final.versions[("P001", "build")] == 7
    assert max(seen) <= final.revision and len(set(seen)) > 1
    assert next(m for m in final.portfolio.project_by_id["P001"].milestones if m.id == "build").progress == 0.6


async def test_text_with_a_control_character_is_refused_with_its_place(api: Api) -> None:
    """A NUL in a report's note is refused (400, naming the field and the character) on both
    backends, and nothing is stored; tabs and line breaks are fine."""
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "note": "已完成\u0000"})
    assert r.status_code == 400, r.text
    assert "note" in r.json()["message"] and "U+0000" in r.json()["message"]
    assert (await repo.get_milestone("P001", "tender"))[1] == 1
    ok = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                                json={"version": 1, "note": "第一行\n\t第二行"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["milestone"]["note"] == "第一行\n\t第二行"


async def test_portfolios_of_several_past_days_equal_one_day_at_a_time(api: Api) -> None:
    """Reading the history once for several days rebuilds each day's portfolio exactly as
    reading it for that day alone, reports known later left out."""
    from dataclasses import replace  # noqa: PLC0415

    from api.service import now_iso  # noqa: PLC0415

    async with api.server.writing():
        for share, day in ((0.2, dt.date(2026, 4, 1)), (0.4, dt.date(2026, 4, 15)), (0.6, dt.date(2026, 5, 1))):
            old, version = await repo.get_milestone("P001", "tender")
            await repo.update_milestone(replace(old, progress=share), expected_version=version,
                                        actor="t", known_on=day, recorded_at=now_iso())
    days = [dt.date(2026, 3, 1), dt.date(2026, 4, 10), dt.date(2026, 4, 30), dt.date(2026, 5, 6)]
    together = await repo.load_portfolios_as_of(days)
    alone = {day: await repo.load_portfolio_as_of(day) for day in days}
    assert together == alone
    tender = [next((m.progress for m in together[d].milestones() if m.key == ("P001", "tender")), None)
              for d in days]
    assert tender == [None, 0.2, 0.4, 0.6]


async def test_requests_arriving_together_share_one_revision_query(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty snapshot reads at once ask the database for its revision once, not twenty times,
    and a change made since is still seen by the next read."""
    server = api.server
    await server.snapshot()
    asked = 0
    real = repo.revision

    async def counted() -> int:
        nonlocal asked
        asked += 1
        return await real()

    monkeypatch.setattr(repo, "revision", counted)
    snaps = await asyncio.gather(*(server.snapshot() for _ in range(20)))
    assert asked == 1 and len({s.revision for s in snaps}) == 1
    async with server.writing():
        await repo.bump_revision()
    assert (await server.snapshot()).revision == snaps[0].revision + 1


async def test_a_milestone_with_a_start_to_start_lead_is_created_and_read_back(api: Api) -> None:
    """``after`` entries carry a link type and a negative lag through the API; an unknown
    type is refused naming the field."""
    body = {"id": "design", "name": "设计", "kind": "contract",
            "after": [{"on": "tender", "type": "SS", "lag": -2}]}
    r = await api.client.post("/api/projects/P001/milestones", headers=api.auth("office"), json=body)
    assert r.status_code in (200, 201), r.text
    got = await api.client.get("/api/projects/P001/milestones/design", headers=api.auth("office"))
    after = got.json()["after"] if "after" in got.json() else got.json()["milestone"]["after"]
    assert after == [{"on": "tender", "lag": -2, "project": None, "type": "SS"}]
    bad = {**body, "id": "design2", "after": [{"on": "tender", "type": "XX"}]}
    r = await api.client.post("/api/projects/P001/milestones", headers=api.auth("office"), json=bad)
    assert r.status_code == 400 and "type" in r.text
