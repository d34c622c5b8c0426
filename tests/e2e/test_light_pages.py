"""Light pages in real headless Chromium against the real `duban serve` with the demo: every
chart page draws with the partial plotly.js bundle (no unknown trace type, no console error),
the bundle arrives compressed and cacheable for a year, and the browser runs in zh-CN."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, StorageState

from api.app import API_TITLE
from dashboards.embed import plotly_bundle
from tests.browser import SHOTS, context_options, fresh_page, launch_options, shoot, submit
from tests.e2e.conftest import Running, start, stop

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

SIZES = ((1366, 768), (1920, 1080), (390, 844))
#: bytes over the wire, compressed body and decoded body of the page's plotly.js
TIMING = """() => { const e = performance.getEntriesByType('resource').find(r => r.name.includes('/static/plotly'));
    return [e.transferSize, e.encodedBodySize, e.decodedBodySize]; }"""


def _sign_in(page: Page, url: str, user: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", f"duban-{user}")
    submit(page, "button[type=submit]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`duban serve` with the demo, shared by this module's tests that only read it."""
    running = start(tmp_path_factory.mktemp("demo"), {"DUBAN_DEMO": "1"})
    yield running
    stop(running)


def _chart_pages(url: str, token: str) -> list[str]:
    projects = httpx.get(f"{url}/api/projects", params={"limit": 200},
                         headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert len(projects) >= 3
    return ["/dashboard", "/dashboard/rates", "/dashboard/screen",
            *(f"/projects/{p['id']}" for p in projects)]


def _visit_every_chart_page(browser: Browser, url: str, pages: list[str], width: int, height: int,
                            *, signed_in: StorageState | None) -> StorageState:
    """One fresh browser profile at one size: sign in (or take the cookies of ``signed_in``, the
    office signed in by the first profile), draw each chart page, check the bundle; the
    profile's cookies."""
    bundle = plotly_bundle()
    context = browser.new_context(**context_options(width, height), storage_state=signed_in)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text} at {m.location}")
            if m.type == "error" or "trace type" in m.text.lower() else None)
    scripts: list[Response] = []
    page.on("response", lambda r: scripts.append(r) if "/static/plotly" in r.url else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    if signed_in is None:
        _sign_in(page, url, "office")
    drawn = 0
    transfers: list[list[int]] = []
    for path in pages:
        page.goto(f"{url}{path}")  # until its load event: the deferred plotly.js has run
        transfers.append(page.evaluate(TIMING))
        plots = page.locator("script.figure").all()
        assert plots, f"{path} embeds no figure"
        for node in plots:
            target = node.get_attribute("data-target")
            page.locator(f"[id='{target}'][data-drawn='1']").wait_for(timeout=30_000)
            assert page.locator(f"[id='{target}'] .main-svg").count() >= 1, (path, target)
            drawn += 1
        shoot(page, f"light-office{path.replace('/', '-')}-{width}x{height}", full_page=path != "/dashboard/screen")
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
    cookies = context.storage_state()
    context.close()
    return cookies


def test_every_chart_page_draws_with_the_partial_bundle(demo: Running, browser: Browser) -> None:
    """As the office (who sees every page and project): at 1366x768 each figure of each chart
    page is drawn, then at 1920x1080 and 390x844 each figure of each kind of page (``_kinds``);
    the browser logs no error and no unknown trace type, only the partial bundle is loaded,
    compressed, with a one-year immutable cache, once per browser profile.
    The office signs in with the form in the first profile; the others start with its cookies
    (each still a fresh profile with its own HTTP cache)."""
    token = demo.duban("users", "token", "office").stdout.strip()
    pages = _chart_pages(demo.url, token)
    signed_in: StorageState | None = None
    for width, height in SIZES:
        signed_in = _visit_every_chart_page(browser, demo.url, pages if signed_in is None else _kinds(pages),
                                            width, height, signed_in=signed_in)


def _kinds(pages: list[str]) -> list[str]:
    """Each kind of chart page once (the three dashboards, the first and the last project page):
    what the bigger and the smaller screens draw after the first has drawn every page. A page's
    traces do not change with its size, only its layout, and the project pages share theirs;
    the phone and big-screen layouts of every role's pages are test_browser's
    test_every_page_fits_reads_chinese_and_hides_rule_code_at_three_sizes."""
    projects = [p for p in pages if p.startswith("/projects/")]
    return [p for p in pages if not p.startswith("/projects/")] + [projects[0], projects[-1]]


def _date_input_shot(browser: Browser, url: str, locale: str) -> bytes:
    context = browser.new_context(**{**context_options(1366, 768), "locale": locale})
    try:
        page = context.new_page()
        _sign_in(page, url, "office")
        page.goto(f"{url}/rules")
        return page.locator("input[type=date]").first.screenshot()
    finally:
        context.close()


def test_the_test_browser_shows_date_inputs_in_chinese_form(demo: Running, browser: Browser) -> None:
    """The browser the tests drive (the session's, as every browser test gets it) draws a date
    input as a zh-CN browser does, differently from an en-US one started with the English
    environment and flag (the same page, the same value): the screenshots show what users see."""
    zh = _date_input_shot(browser, demo.url, "zh-CN")
    options = launch_options()
    options["env"] = {**os.environ, "LANGUAGE": "en_US:en", "LANG": "en_US.UTF-8"}
    options["args"] = [a for a in options["args"] if not a.startswith("--lang=")] + ["--lang=en-US"]
    english = browser.browser_type.launch(**options)
    try:
        en = _date_input_shot(english, demo.url, "en-US")
    finally:
        english.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "date-input-zh-CN.png").write_bytes(zh)
    (SHOTS / "date-input-en-US.png").write_bytes(en)
    assert zh != en


def _only_the_app(context: BrowserContext, url: str) -> list[str]:
    """Refuse every request of ``context`` outside the app at ``url``, as an offline network
    would; the list it returns fills with the addresses refused."""
    outside: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_app)
    return outside


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080), (390, 844)])
def test_the_api_reference_is_whole_without_a_script_at_every_size(demo: Running, browser: Browser,
                                                                   width: int, height: int) -> None:
    """/schema is the whole API reference with JavaScript switched off and every address
    outside the app refused: the title, the table of contents, every operation; a link of the
    table of contents brings its operation into view; the page itself never scrolls sideways
    (a wide table scrolls in its own box), at the desk, on the big screen and on a phone."""
    context = browser.new_context(**context_options(width, height), java_script_enabled=False)
    try:
        outside = _only_the_app(context, demo.url)
        page = context.new_page()
        answer = page.goto(f"{demo.url}/schema")
        assert answer is not None and answer.status == 200
        assert page.locator("h1").first.inner_text().startswith(API_TITLE)
        assert page.locator("article[id^=op-]").count() > 40
        assert page.locator("nav a[href^='#op-']").count() == page.locator("article[id^=op-]").count()
        assert page.locator("script").count() == 0 and outside == []
        shoot(page, f"api-reference-{width}x{height}", full_page=False)
        link = page.locator("nav a[href='#op-reportMilestone']")
        if width < 800:  # the table of contents is above the reference on a phone
            link.scroll_into_view_if_needed()
        link.click()
        target = page.locator("#op-reportMilestone")
        target.wait_for()
        top = target.bounding_box()
        assert top is not None and -1 <= top["y"] < height / 2, top
        assert "报送节点 Report a milestone" in target.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shoot(page, f"api-reference-report-{width}x{height}", full_page=False)
    finally:
        context.close()


def test_the_api_docs_load_from_the_app_alone(tmp_path: Path, browser: Browser) -> None:
    """/schema/redoc draws the API docs with the Redoc the app serves (compressed, cached for a year):
    with every address outside the app refused, as on an offline network, the docs still show
    their operations, and no script, style or font is asked of another host. The page fetches
    the OpenAPI document once, gzipped and revalidated by its ETag, and Redoc replaces the
    title and loading line the page painted first."""
    running = start(tmp_path, {"DUBAN_DEMO": "0"})
    context = browser.new_context(**context_options(1366, 768))
    try:
        outside = _only_the_app(context, running.url)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        responses: list[Response] = []
        page.on("response", lambda r: responses.append(r) if "/static/redoc" in r.url else None)
        documents: list[Response] = []
        page.on("response", lambda r: documents.append(r) if r.url.endswith("/schema/openapi.json") else None)
        page.goto(f"{running.url}/schema/redoc")
        page.get_by_text(API_TITLE).first.wait_for(timeout=60_000)
        page.locator("h2", has_text="项目列表 List projects").first.wait_for(timeout=60_000)
        shoot(page, "api-docs-1366x768", full_page=False)
        # Redoc's attribution image in the side bar is the one address in its bundle; an
        # image that cannot load blocks nothing (the docs above were drawn without it)
        assert set(outside) <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}, outside
        assert problems == [], problems
        assert len(responses) == 1
        headers = responses[0].all_headers()
        assert headers["content-encoding"] in ("br", "gzip")
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert len(documents) == 1
        document = documents[0].all_headers()
        assert document["content-encoding"] == "gzip" and document["cache-control"] == "public, no-cache"
        assert document["etag"].endswith('-gzip"')
        assert page.locator("#docs-status").count() == 0  # Redoc drew over the loading line
    finally:
        context.close()
        stop(running)


def test_the_login_page_puts_the_dashboards_files_in_the_cache(demo: Running, browser: Browser) -> None:
    """The login page asks for plotly.js (prefetch) while nobody has signed in yet; once the
    leader signs in, the dashboard draws with that copy from the browser's cache (nothing of it
    over the wire again) and its resource timing shows the whole bundle."""
    bundle = plotly_bundle()
    with fresh_page(browser, 1366, 768) as (_, page, errors):
        with page.expect_response(lambda r: "/static/plotly" in r.url) as ahead:
            page.goto(f"{demo.url}/login")
        assert ahead.value.status == 200
        ahead.value.finished()
        assert ahead.value.request.sizes()["responseBodySize"] == bundle.compressed[
            ahead.value.all_headers()["content-encoding"]].stat().st_size
        page.fill("input[name=username]", "leader")
        page.fill("input[name=password]", "duban-leader")
        submit(page, "button[type=submit]")
        page.locator("[data-drawn='1']").first.wait_for()
        wire, _, decoded = page.evaluate(TIMING)
        assert page.url.endswith("/dashboard")
        assert wire == 0 and decoded == bundle.path.stat().st_size
        assert errors == []
