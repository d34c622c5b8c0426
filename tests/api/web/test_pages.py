"""Tests of the pages over real HTTP against the real app on SQLite: roles, forms, reports."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from api.web.static import asset_urls
from dashboards.embed import plotly_bundle

pytestmark = pytest.mark.slow


async def test_anonymous_visitors_are_sent_to_the_login_page(site):
    """A page asked for without signing in redirects to the login form and back."""
    r = await site.client.get("/dashboard?lang=en", follow_redirects=False)
    assert r.status_code in (302, 303, 307)
    assert r.headers["location"].startswith("/login?next=/dashboard")


PAGES = {
    "/dashboard": ("leader", "office"), "/dashboard/rates": ("leader", "office"),
    "/reports/ranking.xlsx": ("leader", "office"), "/rules": ("office",),
    "/notices": ("office",), "/my": ("owner", "unit", "office"), "/inbox": ("owner", "unit"),
    "/projects/P001": ("leader", "office", "owner", "unit"),  # unit: responsible for "build"
    "/projects/P003": ("leader", "office", "unit"),
}


@pytest.mark.parametrize("role", ["office", "leader", "owner", "unit"])
async def test_each_page_is_for_its_roles_only(site, role):
    """Every page answers the roles allowed to see it and refuses the others with a 403 page."""
    await site.sign_in(role)
    for path, allowed in PAGES.items():
        r = await site.client.get(path)
        expected = 200 if role in allowed else 403
        assert r.status_code == expected, (path, r.text[:300])
        if expected == 403:
            assert "您的角色无权查看此页面" in r.text and "<html" in r.text
            assert "may not see" not in r.text


async def test_home_sends_each_role_to_its_page(site):
    """The home page sends leaders to the dashboard and owners to their milestones."""
    await site.sign_in("leader")
    assert (await site.client.get("/", follow_redirects=False)).headers["location"] == "/dashboard"
    await site.sign_in("owner")
    assert (await site.client.get("/", follow_redirects=False)).headers["location"] == "/my"


async def test_dashboard_embeds_figures_and_links_plotly_without_inlining_it(site):
    """The dashboard links the versioned plotly.js once, inlines none of it, and embeds every figure as JSON."""
    await site.sign_in("leader")
    r = await site.client.get("/dashboard")
    html = r.text
    assert html.count(asset_urls()["plotly"]) == 1
    assert "cdn" not in html.lower()
    assert len(html) < 200_000
    assert "Plotly.newPlot" not in html  # drawn by the cached script
    ids = re.findall(r'class="figure" data-target="([^"]+)"', html)
    assert {"lights_by_unit", "lights_by_category", "portfolio_map", "rates_by_unit", "funds",
            "notices"} <= set(ids)
    found = re.search(r'data-target="portfolio_map">(.*?)</script>', html, re.S)
    tiles = json.loads(found.group(1))["data"]
    assert sorted(c[0] for t in tiles for c in t["customdata"]) == [
        "/projects/P001", "/projects/P002", "/projects/P003"]
    assert '"template"' not in html
    assert "领导驾驶舱" in html


async def test_english_is_chosen_by_query_and_kept_in_a_cookie(site):
    """?lang=en switches the page to English and a cookie keeps it for the next page."""
    await site.sign_in("leader")
    r = await site.client.get("/dashboard?lang=en")
    assert "Dashboard" in r.text and 'lang="en"' in r.text
    r = await site.client.get("/dashboard")
    assert 'lang="en"' in r.text


async def test_plotly_js_is_served_compressed_once_with_long_cache(site):
    """The partial plotly.js comes from the app at a versioned URL with a one-year immutable
    cache, as the brotli or gzip copy the browser accepts (each its own ETag), plain when it
    accepts neither or refuses them with q=0, and 304 when unchanged."""
    bundle = plotly_bundle()
    url = asset_urls()["plotly"]
    assert url == f"/static/plotly-basic-{bundle.version}.min.js"
    body = bundle.path.read_bytes()
    tags = set()
    for accept, coding in (("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"),
                           ("*", "br"), ("identity", None), ("br;q=0, gzip;q=0", None),
                           ("*;q=0", None)):
        r = await site.client.get(url, headers={"accept-encoding": accept})
        assert r.status_code == 200, accept
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["vary"] == "accept-encoding"
        assert r.headers.get("content-encoding") == coding, accept
        assert r.content == body, accept  # httpx decodes br (brotli is installed) and gzip
        if coding is not None:
            assert int(r.headers["content-length"]) == bundle.compressed[coding].stat().st_size
        tags.add(r.headers["etag"])
        again = await site.client.get(url, headers={"accept-encoding": accept,
                                                    "if-none-match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", accept
    assert len(tags) == 3  # br, gzip and identity are different representations
    missing = await site.client.get("/static/plotly-0.0.0.min.js")
    assert missing.status_code == 404


async def test_report_changes_the_milestone_light(site):
    """An owner reporting a late milestone finished turns its light from red or yellow to green."""
    await site.sign_in("owner")
    page = await site.client.get("/my")
    row = re.search(r'id="m-P001-tender" class="milestone" data-light="(\w+)"', page.text)
    assert row and row.group(1) in ("red", "yellow")  # overdue since 2026-04-30
    version = re.search(r'action="/my/P001/tender".*?name="version" value="(\d+)"', page.text, re.S)
    token = await site.form("/my")
    r = await site.client.post("/my/P001/tender", data={
        "_csrf_token": token, "version": version.group(1), "start": "2026-03-02",
        "finished": "2026-04-29", "progress": "100", "paid": "1800000", "note": "已完成"})
    assert r.status_code == 200  # followed the redirect
    assert "已上报" in r.text
    row = re.search(r'id="m-P001-tender" class="milestone" data-light="(\w+)"', r.text)
    assert row.group(1) == "green"


async def test_bad_report_fields_are_shown_in_place_and_change_nothing(site):
    """A progress over 100 and a finish after today are refused beside their fields; nothing is stored."""
    await site.sign_in("owner")
    token = await site.form("/my")
    r = await site.client.post("/my/P001/tender", data={
        "_csrf_token": token, "version": "1", "progress": "150", "finished": "2026-06-01"})
    assert r.status_code == 422
    assert 'data-field="progress"' in r.text and "0 到 100" in r.text
    assert 'data-field="finished"' in r.text and "晚于今天" in r.text
    assert 'value="150"' in r.text  # what the user typed stays
    snap = await site.server.snapshot()
    tender = next(m for m in snap.portfolio.project_by_id["P001"].milestones if m.id == "tender")
    assert tender.progress is None and tender.finished is None


async def test_stale_report_shows_current_values_and_asks_to_reapply(site):
    """A report based on an old version is refused with the current values and the user's own shown."""
    await site.sign_in("owner")
    token = await site.form("/my")
    first = await site.client.post("/my/P001/tender", data={
        "_csrf_token": token, "version": "1", "start": "2026-03-02", "progress": "40"})
    assert first.status_code == 200
    r = await site.client.post("/my/P001/tender", data={
        "_csrf_token": token, "version": "1", "start": "2026-03-02", "progress": "55"})
    assert r.status_code == 409
    # What happened is the error's own Chinese (StaleVersionError.said), what to do the page's.
    assert "节点「P001/tender」在您读取后已被他人修改：您依据的是第 1 版，当前是第 2 版。以下是当前值" in r.text
    assert "changed since you read it" not in r.text  # the page speaks one language
    assert "55" in r.text  # the user's value, to re-apply
    form = re.search(r'action="/my/P001/tender".*?name="version" value="(\d+)".*?name="progress"[^>]*value="([^"]*)"',
                     r.text, re.S)
    assert form.group(1) == "2" and form.group(2) == "40"


async def test_an_owner_cannot_report_another_units_milestone(site):
    """Posting a report for a project of another unit is refused."""
    await site.sign_in("owner")
    token = await site.form("/my")
    r = await site.client.post("/my/P002/approval", data={"_csrf_token": token, "version": "1"})
    assert r.status_code == 403


async def test_rule_check_marks_a_typo_at_its_line_with_a_suggestion(site):
    """The editor's check endpoint reports an unknown field at its line with the nearest name."""
    await site.sign_in("office")
    await site.client.get("/rules")
    source = 'rule late "逾期":\n    for milestone m\n    light red when today > m.deu\n'
    r = await site.client.post("/rules/check", json={"sources": {"main.rules": source}},
                               headers={"x-csrftoken": site.csrf()})
    assert r.status_code == 200
    body = r.json()
    assert not body["ok"]
    assert any(d["line"] == 3 and "due" in d["text"] for d in body["diagnostics"]), body


async def test_report_downloads_standalone_html_and_excel(site):
    """The offline report embeds plotly.js; the ranking and findings download as Excel workbooks."""
    await site.sign_in("leader")
    r = await site.client.get("/dashboard/report.html")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert len(r.text) > 1_000_000 and "Plotly.newPlot" in r.text
    r = await site.client.get("/reports/findings.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "灯号" and any(str(row[2]).startswith("海东大道改造工程 / ") for row in rows[1:])
    assert not any(str(row[2]).startswith("milestone:") for row in rows[1:])
    projects = list(wb.worksheets[1].iter_rows(values_only=True))
    assert {row[0] for row in projects[1:]} == {"P001", "P002", "P003"}
    r = await site.client.get("/reports/ranking.xlsx")
    assert load_workbook(io.BytesIO(r.content)).sheetnames


async def test_nothing_but_the_versioned_static_files_may_be_cached(site):
    """Every page and answer says no-store: the login form and the public pages (each visitor's
    own CSRF token; a filed complaint's code and private rating link), the signed-in pages, the
    API and the reports; the versioned static files are cached for a year."""
    answers = [await site.client.get("/login"), await site.client.get("/public"),
               await site.client.get("/public/track", params={"code": "C-2026-AAAA-AAAA"})]
    token = re.search(r'name="_csrf_token" value="([^"]+)"', answers[1].text).group(1)
    filed = await site.client.post("/public/complaints", data={
        "title": "路灯不亮", "text": "海东大道路灯不亮", "contact": "13800138000", "_csrf_token": token})
    assert filed.status_code == 200 and "/public/rate?" in filed.text
    answers.append(filed)
    await site.sign_in("leader")
    for path in ("/dashboard", "/dashboard/report.html", "/reports/ranking.xlsx", "/api/me", "/api/public"):
        answers.append(await site.client.get(path))
    for r in answers:
        assert r.status_code in (200, 404), (r.url, r.status_code)
        assert r.headers["cache-control"] == "no-store", r.url
    for url in asset_urls().values():
        r = await site.client.get(url)
        assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable", url


async def test_the_login_page_fetches_the_first_pages_files_ahead_without_running_them(site):
    """While a person types, the browser may fetch the pages' style, script and plotly.js (each
    at its versioned URL) into its cache; the login page itself runs no script."""
    r = await site.client.get("/login")
    ahead = dict(re.findall(r'<link rel="prefetch" href="([^"]+)" as="(\w+)">', r.text))
    urls = asset_urls()
    assert ahead == {urls["duban.css"]: "style", urls["duban.js"]: "script", urls["plotly"]: "script"}
    assert "<script" not in r.text
