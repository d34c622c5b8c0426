"""Light pages in real headless Chromium against the real `duban serve` with the demo: every
chart page draws with the partial plotly.js bundle (no unknown trace type, no console error),
the bundle arrives compressed and cacheable for a year, and the browser runs in zh-CN."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

from dashboards.embed import plotly_bundle
from tests.browser import SHOTS, context_options, launch_options
from tests.e2e.conftest import start, stop

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

SIZES = ((1366, 768), (1920, 1080), (390, 844))
#: bytes over the wire, compressed body and decoded body of the page's plotly.js
TIMING = """() => { const e = performance.getEntriesByType('resource').find(r => r.name.includes('/static/plotly'));
    return [e.transferSize, e.encodedBodySize, e.decodedBodySize]; }"""


def _sign_in(page: Page, url: str, user: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", f"duban-{user}")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _chart_pages(url: str, token: str) -> list[str]:
    projects = httpx.get(f"{url}/api/projects", params={"limit": 200},
                         headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert len(projects) >= 3
    return ["/dashboard", "/dashboard/rates", "/dashboard/screen",
            *(f"/projects/{p['id']}" for p in projects)]


def _visit_every_chart_page(browser: Browser, url: str, pages: list[str], width: int, height: int) -> None:
    """One fresh browser profile at one size: sign in, draw each chart page, check the bundle."""
    bundle = plotly_bundle()
    context = browser.new_context(**context_options(width, height))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} at {m.location}")
            if m.type == "error" or "trace type" in m.text.lower() else None)
    scripts: list[Response] = []
    page.on("response", lambda r: scripts.append(r) if "/static/plotly" in r.url else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _sign_in(page, url, "office")
    drawn = 0
    transfers: list[list[int]] = []
    for path in pages:
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
        transfers.append(page.evaluate(TIMING))
        plots = page.locator("script.figure").all()
        assert plots, f"{path} embeds no figure"
        for node in plots:
            target = node.get_attribute("data-target")
            page.locator(f"[id='{target}'][data-drawn='1']").wait_for(timeout=30_000)
            assert page.locator(f"[id='{target}'] .main-svg").count() >= 1, (path, target)
            drawn += 1
        page.screenshot(path=str(SHOTS / f"light-office{path.replace('/', '-')}-{width}x{height}.png"),
                        full_page=path != "/dashboard/screen")
    assert problems == [], problems
    assert drawn >= len(pages)
    urls = {r.url for r in scripts}
    assert urls == {f"{url}/static/plotly-basic-{bundle.version}.min.js"}, urls
    headers = scripts[0].all_headers()
    assert headers["content-encoding"] in ("br", "gzip"), headers
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    sizes = scripts[0].request.sizes()
    assert sizes["responseBodySize"] == bundle.compressed[headers["content-encoding"]].stat().st_size
    # the first page got the compressed copy; each chart page after it takes the browser's cache
    assert transfers[0][1:] == [sizes["responseBodySize"], bundle.path.stat().st_size], transfers
    assert all(t[0] == 0 for t in transfers[1:]), transfers
    context.close()


def test_every_chart_page_draws_with_the_partial_bundle(tmp_path: Path) -> None:
    """As the office (who sees every page and project) at three sizes: each figure of each
    chart page is drawn, the browser logs no error and no unknown trace type, only the partial
    bundle is loaded, compressed, with a one-year immutable cache, once per browser."""
    running = start(tmp_path, {"DUBAN_DEMO": "1"})
    try:
        token = running.duban("users", "token", "office").stdout.strip()
        pages = _chart_pages(running.url, token)
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options())
            for width, height in SIZES:
                _visit_every_chart_page(browser, running.url, pages, width, height)
            browser.close()
    finally:
        stop(running)


def _date_input_shot(p: object, url: str, env: dict[str, str], flag: str, locale: str) -> bytes:
    options = launch_options()
    options["env"] = {**os.environ, **env}
    options["args"] = [a for a in options["args"] if not a.startswith("--lang=")] + [flag]
    browser = p.chromium.launch(**options)  # type: ignore[attr-defined]
    context = browser.new_context(**{**context_options(1366, 768), "locale": locale})
    page = context.new_page()
    _sign_in(page, url, "office")
    page.goto(f"{url}/rules")
    shot = page.locator("input[type=date]").first.screenshot()
    browser.close()
    return shot


def test_the_test_browser_shows_date_inputs_in_chinese_form(tmp_path: Path) -> None:
    """The browser the tests drive draws a date input as a zh-CN browser does, differently from
    an en-US one (the same page, the same value): the tests' screenshots show what users see."""
    running = start(tmp_path, {"DUBAN_DEMO": "1"})
    try:
        with sync_playwright() as p:
            zh = _date_input_shot(p, running.url, {"LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"},
                                  "--lang=zh-CN", "zh-CN")
            en = _date_input_shot(p, running.url, {"LANGUAGE": "en_US:en", "LANG": "en_US.UTF-8"},
                                  "--lang=en-US", "en-US")
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / "date-input-zh-CN.png").write_bytes(zh)
            (SHOTS / "date-input-en-US.png").write_bytes(en)
        assert zh != en
    finally:
        stop(running)


def test_the_api_docs_load_from_the_app_alone(tmp_path: Path) -> None:
    """/schema draws the API docs with the Redoc the app serves (compressed, cached for a year):
    with every address outside the app refused, as on an offline network, the docs still show
    their operations, and no script, style or font is asked of another host."""
    running = start(tmp_path, {"DUBAN_DEMO": "0"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_options())
            context = browser.new_context(**context_options(1366, 768))
            outside: list[str] = []

            def only_the_app(route: Any) -> None:
                if route.request.url.startswith(running.url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", only_the_app)
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            responses: list[Response] = []
            page.on("response", lambda r: responses.append(r) if "/static/redoc" in r.url else None)
            page.goto(f"{running.url}/schema")
            page.get_by_text("duban 督办 API").first.wait_for(timeout=60_000)
            page.locator("h2", has_text="ListProjects").first.wait_for(timeout=60_000)
            page.screenshot(path=str(SHOTS / "api-docs-1366x768.png"))
            # Redoc's attribution image in the side bar is the one address in its bundle; an
            # image that cannot load blocks nothing (the docs above were drawn without it)
            assert set(outside) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}, outside
            assert problems == [], problems
            assert len(responses) == 1
            headers = responses[0].all_headers()
            assert headers["content-encoding"] in ("br", "gzip")
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
            browser.close()
    finally:
        stop(running)
