"""The public side in real headless Chromium (issue 13): a member of the public files a complaint
on /public without an account, the office routes it, the unit answers it, the complainant rates
it once through the private link, and the unit's rates on the public page change; a second
rating through the same link is refused; the public page shows no contact, text or code.
Screenshots of each page at desktop, big-screen and phone sizes go to artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.api.web.test_browser import served, sign_in  # noqa: F401 - served: the fixture
from tests.browser import fresh_page, shoot, submit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONTACT = "resident.li@mail.example"
TEXT = "城北水厂施工车辆夜间鸣笛，<b>影响休息</b>，请协调。"
SIZES = {"desktop": (1366, 768), "screen": (1920, 1080), "phone": (390, 844)}


def shots(page: Page, name: str) -> None:
    """``name`` at each size (the full page), then back to the desktop size."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        shoot(page, f"{name}-{size}-{width}x{height}")
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_complaint_from_filing_to_rating_in_a_real_browser(served: str, browser: Browser) -> None:  # noqa: F811
    with fresh_page(browser, 1366, 768) as (_context, page, errors):

        # The public page, no sign-in: nothing counted yet for the water bureau.
        page.goto(f"{served}/public")
        assert page.url.endswith("/public") and "重点项目进展" in page.inner_text("#projects h2")
        assert page.locator("#complaint-rates tr[data-unit=water]").count() == 0
        assert "尚无已发布的考核结果" in page.inner_text("#ranking")
        shots(page, "public")
        page.goto(f"{served}/public?lang=en")
        assert "Key projects" in page.inner_text("#projects h2")
        shots(page, "public-en")
        page.goto(f"{served}/public?lang=zh")

        # A member of the public files: a wrong contact first, marked beside its field.
        form = page.locator("form[action='/public/complaints']")
        form.locator("input[name=title]").fill("施工车辆夜间鸣笛")
        form.locator("input[value=complaint]").check()
        form.locator("textarea[name=text]").fill(TEXT)
        form.locator("input[name=contact]").fill("打电话给我")
        submit(page, form.locator("button"))
        assert "联系方式应为 11 位手机号码" in page.inner_text("#complain")
        assert page.locator("textarea[name=text]").input_value() == TEXT  # what was written is kept
        shots(page, "public-form-refused")
        page.locator("input[name=contact]").fill(CONTACT)
        submit(page, page.locator("form[action='/public/complaints'] button"))
        code = page.inner_text("#code").strip()
        link = page.get_attribute("#rating-link", "href") or ""
        assert re.fullmatch(r"C-2026-[2-9A-Z]{4}-[2-9A-Z]{4}", code) and "/public/rate?code=" in link
        shots(page, "public-filed")

        # Followed by its code: received, waiting to be routed; nothing of the complainant.
        page.goto(f"{served}/public")
        page.fill("#track input[name=code]", code.lower())
        submit(page, "#track button")
        assert page.get_attribute("td.state", "data-state") == "received"
        assert CONTACT not in page.content() and "影响休息" not in page.content()

        # The office reads the contact and the text as plain text, and routes it to water.
        sign_in(page, served, "office")
        page.goto(f"{served}/complaints")
        card = page.locator(f"#complaint-{code}")
        assert CONTACT in card.inner_text() and "<b>影响休息</b>" in card.locator(".text").inner_text()
        card.locator("select[name=unit]").select_option("water")
        card.locator("input[name=due]").fill("2026-05-06")  # due today: counted in the reply rate at once
        submit(page, card.locator("form.route button"))
        card = page.locator(f"#complaint-{code}")
        assert card.get_attribute("data-state") == "routed" and "市水务局" in card.inner_text()
        shots(page, "complaints-office")

        # The water unit answers it in its inbox; it does not read the contact.
        sign_in(page, served, "unit")
        page.goto(f"{served}/complaints")
        card = page.locator(f"#complaint-{code}")
        assert CONTACT not in page.content()
        card.locator("textarea[name=text]").fill("已约谈施工单位，夜间禁止鸣笛。")
        shots(page, "complaints-unit")
        submit(page, card.locator("form.answer-form button"))
        assert page.locator(f"#complaint-{code}").get_attribute("data-state") == "answered"

        # The complainant rates through the link, once.
        page.context.clear_cookies()
        page.goto(link)
        assert "已约谈施工单位" in page.inner_text(".rate")
        token = page.get_attribute("form.rating-choices input[name=_csrf_token]", "value") or ""
        key = page.get_attribute("form.rating-choices input[name=key]", "value") or ""
        shots(page, "public-rate")
        page.locator("input[name=rating][value=satisfied]").check()
        submit(page, page.locator("form.rating-choices button"))
        assert "感谢您的评价" in page.inner_text(".rate") and page.locator("form.rating-choices").count() == 0
        # the same link again: no form, and a replayed post is refused and changes nothing
        page.goto(link)
        assert page.locator("form.rating-choices").count() == 0 and "满意" in page.inner_text(".rating")
        again = page.request.post(f"{served}/public/rate", form={"code": code, "key": key, "rating": "dissatisfied",
                                                                  "_csrf_token": token})
        assert again.status == 409 and "只能评价一次" in again.text()
        forged = page.request.post(f"{served}/public/rate", form={"code": code, "key": key[:-3] + "abc",
                                                                   "rating": "dissatisfied", "_csrf_token": token})
        assert forged.status == 404
        page.goto(f"{served}/public/track?code={code}")
        assert page.inner_text("td.rating") == "满意"
        shots(page, "public-track")

        # The public page: water's rates now counted (answered by its deadline, rated satisfied);
        # no contact, text, title, code or login name.
        page.goto(f"{served}/public")
        row = page.locator("#complaint-rates tr[data-unit=water]")
        assert row.locator("td").nth(1).inner_text() == "1" and row.locator("td").nth(2).inner_text() == "1"
        assert row.locator(".reply-rate").inner_text() == "100%"
        assert row.locator(".satisfaction-rate").inner_text() == "100%"
        html = page.content()
        for secret in (CONTACT, "影响休息", "夜间鸣笛", code, key, "office", "已约谈"):
            assert secret not in html, secret
        shots(page, "public-after")

        # The office closes April: its ranking shows on the public page, units only.
        sign_in(page, served, "office")
        page.goto(f"{served}/assessments")
        page.fill("form.assessment-close input[name=period]", "2026-04")
        submit(page, "form.assessment-close button")
        page.context.clear_cookies()
        page.goto(f"{served}/public")
        ranking = page.locator("#ranking")
        assert "2026年4月" in ranking.inner_text() and ranking.locator("tr[data-unit]").count() == 3
        assert "尚无已发布的考核结果" not in ranking.inner_text()
        shots(page, "public-ranking")
        page.goto(f"{served}/public?lang=en")
        shots(page, "public-ranking-en")
        assert errors == []
