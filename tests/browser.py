"""Headless Chromium as a Chinese user's browser, for every browser test and benchmark.

Debian's Chromium (``scripts/services.d/chromium.sh`` installs it with ``chromium-l10n``, whose
``zh-CN.pak`` holds the browser's own Chinese) started with ``--lang=zh-CN`` and, because
Chromium on Linux takes its interface language from the environment and ignores ``--lang``
there, ``LANGUAGE=zh_CN:zh``; pages get ``navigator.language`` ``zh-CN`` and the header
``Accept-Language: zh-CN,zh;q=0.9``. So a date input shows ``年/月/日`` as a Chinese browser
shows it, not ``mm/dd/yyyy``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    StorageState,
    sync_playwright,
)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--lang=zh-CN"]
ENV = {"LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8"}
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def chromium() -> str:
    path = os.environ.get("DUBAN_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"no Chromium at {path}: run the tests through scripts/test, which installs it "
                    "(scripts/services.d/chromium.sh)")
    return path


def launch_options() -> dict[str, Any]:
    """Keyword arguments of Playwright's ``chromium.launch`` (and ``launch_persistent_context``)."""
    return {"executable_path": chromium(), "args": FLAGS, "headless": True,
            "env": {**os.environ, **ENV}}


def context_options(width: int = 1400, height: int = 900) -> dict[str, Any]:
    """Keyword arguments of ``browser.new_context`` (and ``launch_persistent_context``)."""
    return {"viewport": {"width": width, "height": height}, "locale": "zh-CN",
            "extra_http_headers": {"Accept-Language": ACCEPT_LANGUAGE}}


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """One headless Chromium for a module's browser tests (each xdist worker its own): every
    test opens its own context in it with ``fresh_page``, a fresh profile (cookies, storage,
    HTTP cache), so no test sees another's state.

    A module, not the session: while Playwright's sync API is open its event loop is the
    thread's running loop, and pytest-asyncio cannot run a test then. pytest closes a module's
    fixtures before the next test of another module, so the async page tests run between
    modules; a module that asks for ``browser`` holds no async test (checked here)."""
    asynchronous = sorted(name for name, value in vars(request.module).items()
                          if name.startswith("test") and inspect.iscoroutinefunction(value))
    if asynchronous:
        pytest.fail(f"{request.module.__name__} asks for the browser fixture and has async tests "
                    f"{asynchronous}: move them to a module of their own", pytrace=False)
    with sync_playwright() as p:
        chromium_ = p.chromium.launch(**launch_options())
        try:
            yield chromium_
        finally:
            chromium_.close()


@contextmanager
def fresh_page(browser: Browser, width: int = 1400, height: int = 900, *,
               signed_in: StorageState | None = None) -> Iterator[tuple[BrowserContext, Page, list[str]]]:
    """A new context of ``browser`` (a fresh profile; with ``signed_in``, the cookies of
    another context's ``storage_state()``: the same user still signed in), its first page at
    ``width`` x ``height``, and the list the page's script errors are appended to; closed when
    the block ends."""
    context = browser.new_context(**context_options(width, height), storage_state=signed_in)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield context, page, errors
    finally:
        context.close()


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save what ``page`` shows as ``artifacts/screenshots/<name>.jpg`` for a person to look at
    (the whole page unless ``full_page`` is false). JPEG at quality 85: the text and charts read
    as well as in a PNG, and Chromium encodes a full page at 1920 wide in a little over half the
    CPU of a PNG (measured: about 0.25 against 0.45 CPU-s a shot); the tests assert on the page's
    DOM, never on these pictures."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.jpg"
    page.screenshot(path=str(path), type="jpeg", quality=85, full_page=full_page)
    return path


def submit(page: Page, target: Locator | str) -> None:
    """Click ``target`` (a form's button or a link, a locator or a selector) and wait until the
    page it leads to has loaded: the new document's ``load`` event, not a guess at idleness."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def wait_drawn(page: Page) -> int:
    """Wait until every figure the page embeds is drawn (``data-drawn`` set when Plotly's
    ``newPlot`` resolved) and holds Plotly's ``.main-svg``; the number of figures."""
    targets = [node.get_attribute("data-target") for node in page.locator("script.figure").all()]
    for target in targets:
        page.locator(f"[id='{target}'][data-drawn='1']").wait_for()
        assert page.locator(f"[id='{target}'] .main-svg").count() >= 1, (page.url, target)
    return len(targets)


def visit(page: Page, url: str) -> int:
    """Open ``url`` (until its ``load`` event) and wait until its figures are drawn; their number."""
    page.goto(url)
    return wait_drawn(page)
