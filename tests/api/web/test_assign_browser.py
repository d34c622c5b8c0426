"""交办 of a milestone in real headless Chromium (issue 12): from the project page the office
opens a milestone's own assignment, a cadence that is not a duration comes back beside its
field with the rest kept, the corrected one is saved and the project page lists it; then the
project's 交办 form, the milestone's and the project page are shot at 1366x768, 1920x1080 and
390x844 (artifacts/screenshots/), each without sideways scrolling and in Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.api.web.test_browser import ENGLISH, served, sign_in, visible_text  # noqa: F401 - the fixture
from tests.browser import fresh_page, shoot, submit, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = ((1366, 768), (1920, 1080), (390, 844))
PAGES = {"office-milestone-assign": "/projects/P001/milestones/build/assign",
         "office-project-assign": "/projects/P001/assign",
         "office-project-assignments": "/projects/P001", "office-people": "/people"}


def test_the_office_assigns_a_milestone_in_a_real_browser(served: str, browser: Browser) -> None:  # noqa: F811
    with fresh_page(browser) as (context, page, errors):
        sign_in(page, served, "office")
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        for person in ({"id": "li", "name": "李水清", "unit": "water", "post": "科长"},
                       {"id": "wang", "name": "王建国", "unit": "transport", "post": "副局长"}):
            made = page.request.post(f"{served}/api/people", data=person, headers={"x-csrftoken": token})
            assert made.status == 201, made.text()
        page.goto(f"{served}/projects/P001")
        submit(page, "#m-build a[href='/projects/P001/milestones/build/assign']")
        form = page.locator("form.milestone-assignment")
        form.locator("select[name=unit]").select_option("water")
        form.locator("input[name=co_units_from][value=own]").check()
        form.locator("input[name='co_unit:transport']").check()
        form.locator("select[name=person]").select_option("li")
        form.locator("input[name=report_every]").fill("每周两次")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#error-report_every")
        assert page.inner_text("#error-report_every").startswith("报送周期不是时长")
        assert page.locator("input[name='co_unit:transport']").is_checked()  # what was sent is kept
        assert page.locator("input[name=co_units_from][value=own]").is_checked()
        shoot(page, "office-milestone-assign-refused")
        page.fill("input[name=report_every]", "2 周")
        page.click("form.milestone-assignment button[type=submit]")
        page.wait_for_selector("p.ok[role=status]")
        assert page.url.endswith("/projects/P001?assigned=build#m-build")
        assert page.inner_text("p.ok[role=status]") == "主体施工：节点交办已保存。"
        assert page.inner_text("#m-build td[data-field=co_units]").startswith("市交通运输局")
        assert page.inner_text("#m-build td[data-field=report_every]").startswith("2 周")
        assert page.inner_text("#m-build td[data-field=person]").startswith("李水清")
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for name, path in PAGES.items():
                visit(page, f"{served}{path}")
                shot = f"{name}-{width}x{height}"
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, shot
                assert not ENGLISH.search(visible_text(page)), (shot, ENGLISH.search(visible_text(page)))
                shoot(page, shot)
        assert errors == []


def test_an_owner_reports_on_the_cadence_the_office_gave_its_milestone(served: str, browser: Browser) -> None:  # noqa: F811
    """报送 on a cadence in Chromium: the office gives 施工招标 (last reported 2026-04-20) a
    two-week cadence on its own 交办 page; transport's owner sees the next report due 2026-05-06
    (04-20 + 2 weeks is 05-04, inside the May Day holiday of the cn calendar, 05-01..05-05),
    reports, and sees the next one move to 05-20 (05-06 + 2 weeks, a working Wednesday)."""
    with fresh_page(browser) as (_context, page, errors):
        sign_in(page, served, "owner")
        assert page.locator("#m-P001-tender").count() == 1
        assert page.locator("#m-P001-tender small.next-report").count() == 0  # no cadence yet
        sign_in(page, served, "office")
        page.goto(f"{served}/projects/P001/milestones/tender/assign")
        page.fill("input[name=report_every]", "2 周")
        page.click("form.milestone-assignment button[type=submit]")
        page.wait_for_selector("p.ok[role=status]")
        sign_in(page, served, "owner")
        row = page.locator("#m-P001-tender")
        assert row.locator("small.next-report").inner_text() == "下次报送 2026-05-06"
        row.locator("input[name=progress]").fill("60")
        row.locator("button[type=submit]").click()
        page.wait_for_selector("#reported")
        assert page.locator("#m-P001-tender small.next-report").inner_text() == "下次报送 2026-05-20"
        shoot(page, "owner-next-report")
        assert errors == []
