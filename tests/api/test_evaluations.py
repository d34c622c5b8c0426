"""Rulebook workflow (draft, check, dry run, publish), evaluations, findings, rates, rankings."""

from __future__ import annotations

from rules.standard import standard_sources
from tests.api.conftest import Api


async def _publish_standard(api: Api) -> dict:
    saved = await api.client.post("/api/rulebooks", headers=api.auth("office"),
                                  json={"sources": standard_sources(), "note": "standard"})
    assert saved.status_code == 201, saved.text
    number = saved.json()["number"]
    checked = await api.client.post(f"/api/rulebooks/{number}/check", headers=api.auth("office"))
    assert checked.status_code == 200 and checked.json()["status"] == "checked", checked.text
    published = await api.client.post(f"/api/rulebooks/{number}/publish", headers=api.auth("office"))
    assert published.status_code == 200, published.text
    return published.json()


async def test_publish_records_the_version_and_evaluates_everything(api: Api) -> None:
    """Publishing the standard rulebook stores a full evaluation that names the version that ran."""
    body = await _publish_standard(api)
    assert body["rulebook"]["status"] == "published"
    evaluation = body["evaluation"]
    assert evaluation["rulebook_version"] == body["rulebook"]["number"] and evaluation["scope"] is None
    assert evaluation["findings"] > 0
    findings = (await api.client.get("/api/findings?limit=500", headers=api.auth("leader"))).json()
    assert findings["total"] == evaluation["findings"]
    assert all(f["explain"] is not None for f in findings["items"])


async def test_report_re_evaluates_only_that_project(api: Api) -> None:
    """Finishing the overdue tender clears its red finding at once; the other project's findings stay."""
    await _publish_standard(api)
    before = (await api.client.get("/api/findings?project=P001&limit=500", headers=api.auth("office"))).json()
    other = (await api.client.get("/api/findings?project=P002&limit=500", headers=api.auth("office"))).json()
    assert any(f["subject"] == "milestone:P001/tender" for f in before["items"])
    r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                               json={"version": 1, "finished": "2026-04-29", "progress": 1.0})
    assert r.status_code == 200, r.text
    assert r.json()["evaluation"]["scope"] == ["P001"]
    after = r.json()["findings"]
    assert not any(f["subject"] == "milestone:P001/tender" and f["rule"] == before["items"][0]["rule"]
                   and f["level"] == "red" and "overdue" in f["rule"] for f in after)
    again = (await api.client.get("/api/findings?project=P002&limit=500", headers=api.auth("office"))).json()
    assert again["total"] == other["total"]


async def test_rulebook_with_errors_is_422_with_located_diagnostics(api: Api) -> None:
    """Checking a rulebook with a typo answers 422 with file, line and column of each error."""
    saved = await api.client.post("/api/rulebooks", headers=api.auth("office"),
                                  json={"sources": {"bad.rules": "rule x \"t\" for milestone m:\n  red when m.dew < today\n"}})
    assert saved.status_code == 201
    r = await api.client.post(f"/api/rulebooks/{saved.json()['number']}/check", headers=api.auth("office"))
    assert r.status_code == 422, r.text
    d = r.json()["diagnostics"][0]
    assert d["file"] == "bad.rules" and d["line"] >= 1 and d["column"] >= 1


async def test_publishing_an_unchecked_draft_is_409(api: Api) -> None:
    """A draft must be checked before it is published."""
    saved = await api.client.post("/api/rulebooks", headers=api.auth("office"), json={"sources": standard_sources()})
    r = await api.client.post(f"/api/rulebooks/{saved.json()['number']}/publish", headers=api.auth("office"))
    assert r.status_code == 409 and "checked first" in r.json()["message"]


async def test_dry_run_evaluates_today_and_a_past_day_without_storing(api: Api) -> None:
    """A dry run answers findings for each day asked and stores no evaluation."""
    saved = await api.client.post("/api/rulebooks", headers=api.auth("office"), json={"sources": standard_sources()})
    number = saved.json()["number"]
    r = await api.client.post(f"/api/rulebooks/{number}/dry-run", headers=api.auth("office"),
                              json={"days": ["2026-05-06", "2026-03-20"]})
    assert r.status_code == 200, r.text
    days = r.json()["days"]
    assert [d["as_of"] for d in days] == ["2026-05-06", "2026-03-20"]
    assert days[0]["findings"] >= days[1]["findings"]
    assert (await api.client.get("/api/evaluations", headers=api.auth("office"))).json()["total"] == 0


async def test_evaluation_as_of_a_past_day_is_stored_but_not_current(api: Api) -> None:
    """An evaluation of a past day is kept with its day and leaves today's findings alone."""
    await _publish_standard(api)
    current = (await api.client.get("/api/findings", headers=api.auth("office"))).json()["total"]
    r = await api.client.post("/api/evaluations", headers=api.auth("office"), json={"as_of": "2026-03-20"})
    assert r.status_code == 201, r.text
    assert r.json()["as_of"] == "2026-03-20"
    assert (await api.client.get("/api/findings", headers=api.auth("office"))).json()["total"] == current
    future = await api.client.post("/api/evaluations", headers=api.auth("office"), json={"as_of": "2027-01-01"})
    assert future.status_code == 422


async def test_rates_and_rankings_come_from_the_latest_full_evaluation(api: Api) -> None:
    """After publishing, rates hold portfolio, unit and project figures and rankings the scores."""
    body = await _publish_standard(api)
    rates = (await api.client.get("/api/rates", headers=api.auth("leader"))).json()
    assert rates["evaluation"] == body["evaluation"]["id"]
    assert set(rates["rates"]) == {"portfolio", "units", "projects"}
    rankings = (await api.client.get("/api/rankings", headers=api.auth("leader"))).json()
    assert isinstance(rankings["scores"], dict)


async def test_notices_issued_by_publishing_reach_the_cached_snapshot(api: Api) -> None:
    """Notices a full evaluation issues are in the server's portfolio right after, so the
    notice rules and the dashboards read them, not a snapshot from before."""
    from notifier import store  # noqa: PLC0415

    await api.server.snapshot()
    body = await _publish_standard(api)
    assert body["evaluation"]["findings"] > 0
    stored = {n.id for n in await store.notices_for_engine(api.server.engine)}
    assert stored, "publishing the standard rulebook over the fixture should issue notices"
    assert {n.id for n in (await api.server.snapshot()).portfolio.notices} == stored
