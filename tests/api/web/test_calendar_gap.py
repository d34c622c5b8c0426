"""The office's notice page warns when deadlines reach a year without holiday data (the
packaged PRC calendar ends with 2026), and stops once a portfolio file adds the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from api.controllers.transfer import import_checked
from projects.model import CalendarYear, Portfolio
from tests.site import Site

WARNING = "2027 年的法定节假日和调休尚未载入"


async def test_the_notice_page_warns_of_a_year_without_holidays_until_it_is_added(site: Site) -> None:
    await site.sign_in("office")
    page = await site.client.get("/notices")
    assert page.status_code == 200
    assert "calendar-gap" not in page.text  # 6 May 2026: the next 60 days lie in 2026

    site.server.settings = replace(site.server.settings, today=dt.date(2026, 12, 2))
    page = await site.client.get("/notices")
    assert WARNING in page.text and "calendar_years" in page.text
    english = await site.client.get("/notices?lang=en")
    assert "holidays and makeup workdays of 2027 are not loaded" in english.text

    year = CalendarYear(2027, frozenset({dt.date(2027, 2, 8)}))
    counts = await import_checked(site.server, Portfolio(calendar_years=(year,)), "office", source="test",
                                  calendar=True)
    assert counts["calendar_years"] == 1
    page = await site.client.get("/notices?lang=zh")
    assert "calendar-gap" not in page.text


async def test_other_roles_do_not_see_the_notice_page(site: Site) -> None:
    site.server.settings = replace(site.server.settings, today=dt.date(2026, 12, 2))
    for role in ("leader", "owner", "unit"):
        await site.sign_in(role)
        page = await site.client.get("/notices")
        assert page.status_code == 403, role
        assert WARNING not in page.text
