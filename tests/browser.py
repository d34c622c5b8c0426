"""Headless Chromium as a Chinese user's browser, for every browser test and benchmark.

Debian's Chromium (``scripts/services.d/chromium.sh`` installs it with ``chromium-l10n``, whose
``zh-CN.pak`` holds the browser's own Chinese) started with ``--lang=zh-CN`` and, because
Chromium on Linux takes its interface language from the environment and ignores ``--lang``
there, ``LANGUAGE=zh_CN:zh``; pages get ``navigator.language`` ``zh-CN`` and the header
``Accept-Language: zh-CN,zh;q=0.9``. So a date input shows ``年/月/日`` as a Chinese browser
shows it, not ``mm/dd/yyyy``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

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


@contextmanager
def profile_page(profile: Path, width: int = 1400, height: int = 900) -> Iterator[tuple[BrowserContext, Page, list[str]]]:
    """Chromium on a fresh profile directory ``profile`` (Playwright passes it as
    ``--user-data-dir``), its first page at ``width`` x ``height``, and the list the page's
    script errors are appended to; closed when the block ends."""
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(str(profile), **launch_options(),
                                                       **context_options(width, height))
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            yield browser, page, errors
        finally:
            browser.close()
