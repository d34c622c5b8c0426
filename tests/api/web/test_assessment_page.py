"""考核 pages over real HTTP (issue 13, item 5): the office closes a period through the form
and reads its frozen ranking with the indicators and the period's accountability records
beside it; a refused close says why beside the field and writes nothing; units are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from tests.site import TODAY, Site


async def _close(site: Site, period: str) -> object:
    token = await site.form("/assessments")
    return await site.client.post("/assessments", data={"period": period, "_csrf_token": token},
                                  follow_redirects=False)


async def test_the_office_closes_a_month_and_reads_its_frozen_ranking(site: Site) -> None:
    await site.sign_in("office")
    page = await site.client.get("/assessments")
    assert page.status_code == 200 and "考核关账" in page.text and "尚无已关账的考核期" in page.text
    assert 'value="2026-04"' in page.text  # the month before today's is suggested
    token = await site.form("/accountability")
    kept = site.server.settings
    site.server.settings = dataclasses.replace(kept, today=dt.date(2026, 4, 24))
    try:  # entered in April: April counts it
        await site.client.post("/accountability", data={"kind": "criticism", "unit": "water", "date": "2026-04-20",
                                                         "reason": "水厂扩建滞后", "_csrf_token": token})
    finally:
        site.server.settings = kept
    for day, reason in (("2026-04-27", "四月的事五月才登记"), (TODAY.isoformat(), "五月的事")):
        await site.client.post("/accountability", data={"kind": "criticism", "unit": "water", "date": day,
                                                         "reason": reason, "_csrf_token": token})
    r = await _close(site, "2026-04")
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert r.headers["location"] == "/assessments/2026-04?closed=1"  # type: ignore[attr-defined]
    shown = await site.client.get(r.headers["location"])  # type: ignore[attr-defined]
    assert shown.status_code == 200
    assert "2026年4月" in shown.text and "已关账：得分、名次和指标已冻结" in shown.text
    table = re.search(r'<table class="ranking" data-score="efficiency">(.*?)</table>', shown.text, re.S)
    assert table, shown.text
    assert "按时办结率" in table.group(1) and "通报批评次数" in table.group(1) and "市水务局" in table.group(1)
    water = re.search(r'<tr data-id="water">(.*?)</tr>', table.group(1), re.S)
    assert water and "<td>1</td>" in water.group(1)  # the April criticism, not May's
    assert "水厂扩建滞后" in shown.text and "五月的事" not in shown.text
    assert "四月的事五月才登记" not in shown.text  # entered after April ended: not known on its last day
    listed = await site.client.get("/assessments")
    assert 'href="/assessments/2026-04"' in listed.text and "/api/assessments/2026-04/workbook" in listed.text
    book = await site.client.get("/api/assessments/2026-04/workbook")
    assert book.status_code == 200 and book.content[:2] == b"PK"


async def test_a_refused_close_says_why_beside_the_field(site: Site) -> None:
    await site.sign_in("office")
    for period, words in (("2026-5", "不是月份或季度"), ("2026-05", "尚未结束")):
        r = await _close(site, period)
        assert r.status_code == 422  # type: ignore[attr-defined]
        found = re.search(r'<small class="error" id="error-period" role="alert">(.*?)</small>', r.text)  # type: ignore[attr-defined]
        assert found and words in found.group(1)
        assert f'value="{period}"' in r.text  # type: ignore[attr-defined]
    assert (await site.client.get("/assessments/2026-05")).status_code == 404
    assert "尚无已关账的考核期" in (await site.client.get("/assessments")).text


async def test_leaders_read_without_the_form_and_units_are_refused(site: Site) -> None:
    await site.sign_in("office")
    assert (await _close(site, "2026-Q1")).status_code == 303  # type: ignore[attr-defined]
    await site.sign_in("leader")
    page = await site.client.get("/assessments")
    assert "2026年第一季度" in page.text and "考核关账" not in page.text
    refused = await site.client.post("/assessments", data={"period": "2026-04", "_csrf_token": site.csrf()})
    assert refused.status_code == 403
    for role in ("owner", "unit"):
        await site.sign_in(role)
        assert (await site.client.get("/assessments")).status_code == 403
        assert (await site.client.get("/assessments/2026-Q1")).status_code == 403
