"""通报问责 and 考核 in real headless Chromium (issue 13, items 4 and 5): the office records a
问责 through the form (a refusal marked beside its field first), closes April, and the leader
reads the frozen ranking with the record beside it; screenshots of each page at 1366x768,
1920x1080 and 390x844 go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.api.web.test_browser import served, sign_in  # noqa: F401 - the fixture
from tests.browser import fresh_page, shoot, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = ((1366, 768), (1920, 1080), (390, 844))


def _shots(page: Page, url: str, pages: dict[str, str]) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            visit(page, f"{url}{path}")
            # nothing wider than the window: the tables scroll inside their cards
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, (name, width)
            shoot(page, f"{name}-{width}x{height}")


def test_the_office_records_and_closes_and_the_leader_reads_it(served: str, browser: Browser) -> None:  # noqa: F811
    with fresh_page(browser) as (_context, page, errors):
        sign_in(page, served, "office")
        page.goto(f"{served}/accountability")
        page.select_option("select[name=kind]", "accountability")
        page.select_option("select[name=unit]", "water")
        page.fill("textarea[name=reason]", "城北水厂立项逾期，督办通知逾期未回复")
        submit(page, "form.accountability-form button[type=submit]")
        assert "问责须写明被问责的责任人" in page.inner_text("#error-person")  # no person: refused
        assert page.input_value("textarea[name=reason]") == "城北水厂立项逾期，督办通知逾期未回复"
        page.select_option("select[name=kind]", "criticism")
        submit(page, "form.accountability-form button[type=submit]")
        assert "已登记" in page.inner_text("main")
        row = page.locator("tr[data-kind=criticism]")
        assert row.count() == 1 and "市水务局" in row.inner_text() and "通报批评" in row.inner_text()
        page.goto(f"{served}/assessments")
        page.fill("input[name=period]", "2026-04")
        submit(page, "form.assessment-close button[type=submit]")
        assert page.url.endswith("/assessments/2026-04?closed=1")
        assert "已关账" in page.inner_text("main")
        sign_in(page, served, "leader")
        page.goto(f"{served}/assessments/2026-04")
        table = page.locator("table.ranking[data-score=efficiency]")
        assert "按时办结率" in table.inner_text() and "市交通运输局" in table.inner_text()
        # the criticism is dated today (May), so April's records beside the ranking hold none
        assert "暂无通报批评或问责记录" in page.inner_text(".assessment-records")
        page.goto(f"{served}/dashboard")
        page.wait_for_selector("#ranking_1[data-drawn='1']")
        assert "城北水厂立项逾期" in page.inner_text(".accountability-records")
        _shots(page, served, {"accountability-leader": "/accountability", "assessments-leader": "/assessments",
                              "assessment-2026-04": "/assessments/2026-04",
                              "unit-water-projects": "/projects?unit=water"})
        sign_in(page, served, "office")
        _shots(page, served, {"accountability-office": "/accountability", "assessments-office": "/assessments"})
        page.goto(f"{served}/accountability?unit=transport&kind=accountability")
        assert page.input_value("select[name=unit]") == "transport"
        assert not errors, errors
