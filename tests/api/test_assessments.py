"""Assessments over HTTP (issue 13, item 5), on both backends: the office closes a month or a
quarter; its scores, ranks and indicators are computed as of its last day from the history,
frozen and audited; data that arrives later changes no closed period, and recomputing one from
the history gives the same figures; the workbook has zh headers and no formula."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from api import assessments
from rules.assessment import assess, differences, parse_period
from tests.api.conftest import TODAY, Api
from tests.api.test_evaluations import _publish_standard


async def _audit_total(api: Api) -> int:
    return int((await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"])


async def _close(api: Api, period: str, role: str = "office") -> Any:
    return await api.client.post("/api/assessments", headers=api.auth(role), json={"period": period})


async def test_a_period_closes_once_with_its_figures_as_of_its_last_day(api: Api) -> None:
    """April closes: scores ranked, indicators per unit, as of 2026-04-30, audited with its
    digest; a second close is refused; the frozen record reads back the same."""
    await _publish_standard(api)
    r = await _close(api, "2026-04")
    assert r.status_code == 201, r.text
    got = r.json()
    figures = got["figures"]
    assert (got["period"], got["last_day"], figures["last"]) == ("2026-04", "2026-04-30", "2026-04-30")
    efficiency = figures["scores"]["efficiency"]
    assert efficiency["title"] == "行政效能得分" and efficiency["subject"] == "unit"
    assert {row["id"] for row in efficiency["rows"]} == {"city", "transport", "water"}
    # transport: tender due 04-30 not finished, approval finished on time -> 50%
    assert figures["units"]["transport"]["on_time_rate"] == 0.5
    assert figures["units"]["water"]["criticisms"] == 0
    entry = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["items"][0]
    assert (entry["action"], entry["subject"], entry["after"]["digest"]) == (
        "assessment.close", "assessment:2026-04", got["digest"])
    again = await _close(api, "2026-04")
    assert again.status_code == 409
    read = (await api.client.get("/api/assessments/2026-04", headers=api.auth("leader"))).json()
    assert read["figures"] == figures
    listed = (await api.client.get("/api/assessments", headers=api.auth("leader"))).json()
    assert [a["period"] for a in listed] == ["2026-04"]


async def test_refusals_say_what_and_write_nothing(api: Api) -> None:
    """Not a period, a period not yet ended, no rulebook, another role: refused, nothing stored."""
    before = await _audit_total(api)
    none = await _close(api, "2026-03")
    assert none.status_code == 422 and "尚未发布规则" in none.json()["message"]
    await _publish_standard(api)
    before = await _audit_total(api)
    for period, words in (("2026-13", "不是月份或季度"), ("2026/04", "2026-Q2"), ("2026-05", "尚未结束"),
                          ("2026-Q2", "尚未结束"), ("2026-Q5", "不是月份或季度")):
        r = await _close(api, period)
        assert r.status_code == 422, (period, r.text)
        assert r.json()["where"] == "period" and words in r.json()["message"], r.json()
    for role in ("leader", "owner", "unit"):
        assert (await _close(api, "2026-04", role)).status_code == 403
    assert (await api.client.get("/api/assessments", headers=api.auth("owner"))).status_code == 403
    assert (await api.client.get("/api/assessments/2026-04", headers=api.auth("office"))).status_code == 404
    assert await _audit_total(api) == before
    assert (await api.client.get("/api/assessments", headers=api.auth("office"))).json() == []


async def test_later_data_changes_no_closed_period_and_a_recomputation_agrees(api: Api) -> None:
    """After Q1 and April close, a report arrives saying the tender finished on 04-28 and a
    criticism dated 04-15 is entered: the current figures for April would change, the frozen
    ones do not, and recomputing April and Q1 from the history gives exactly the frozen ones."""
    await _publish_standard(api)
    april = (await _close(api, "2026-04")).json()
    quarter = (await _close(api, "2026-Q1")).json()
    assert quarter["last_day"] == "2026-03-31"
    server = api.server
    kept = server.settings
    server.settings = dataclasses.replace(kept, today=TODAY + dt.timedelta(days=14))
    try:
        m = (await api.client.get("/api/projects/P001/milestones/tender", headers=api.auth("owner"))).json()
        r = await api.client.patch("/api/projects/P001/milestones/tender", headers=api.auth("owner"),
                                   json={"version": m["version"], "finished": "2026-04-28", "progress": 1})
        assert r.status_code == 200, r.text
        r = await api.client.post("/api/accountability", headers=api.auth("office"),
                                  json={"kind": "criticism", "unit": "water", "date": "2026-04-15",
                                        "reason": "水厂立项逾期"})
        assert r.status_code == 201, r.text
        # the data did arrive: April computed from today's data would differ
        published = await server.published_rulebook()
        assert published is not None
        now = (await server.snapshot()).portfolio
        fresh = assess(published[1], now, parse_period("2026-04"), rulebook_version=published[0])
        changed = differences(april["figures"], fresh)
        assert "units.transport.on_time_rate" in changed and "units.water.criticisms" in changed
        # ... but the closed period is frozen, and the history recomputes it exactly
        assert (await api.client.get("/api/assessments/2026-04", headers=api.auth("office"))).json()["figures"] \
            == april["figures"]
        for period, frozen in (("2026-04", april), ("2026-Q1", quarter)):
            check = (await api.client.get(f"/api/assessments/{period}/verify", headers=api.auth("leader"))).json()
            assert check == {"period": period, "same": True, "digest": frozen["digest"], "differences": []}
            assert await assessments.recompute(server, period) == frozen["figures"]
    finally:
        server.settings = kept


async def test_the_workbook_has_zh_headers_and_no_formula(api: Api) -> None:
    """A unit named like a formula stays text in every cell; headers are the catalogue's labels."""
    r = await api.client.post("/api/units", headers=api.auth("office"), json={"id": "evil", "name": "=HYPERLINK(\"x\")"})
    assert r.status_code == 201, r.text
    await _publish_standard(api)
    assert (await _close(api, "2026-04")).status_code == 201
    r = await api.client.get("/api/assessments/2026-04/workbook", headers=api.auth("leader"))
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="duban-assessment-2026-04.xlsx"'
    assert r.headers.get("x-duban-audit-head")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["行政效能得分"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["名次", "单位", "编号", "得分"] and "按时办结率" in header and "通报批评次数" in header
    cells = [c for row in wb["单位指标"].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(c.data_type != "f" for sheet in wb for row in sheet.iter_rows() for c in row)
    public = await assessments.latest_ranking(api.server)
    assert public is not None and public["period"] == "2026-04"
    assert public["scores"][0]["title"] == "行政效能得分"
    assert ("on_time_rate", "按时办结率") in [tuple(x) for x in public["indicators"]]
