"""The public page /public (issue 13.6): open without an account, zh-CN first with an English
switch, the key projects with their light and progress, and nothing it must not show."""

from __future__ import annotations

import re

from tests.site import Site


async def test_anyone_reads_the_public_page_in_chinese_first(site: Site) -> None:
    """Anonymous visitors get the page (not the login page), in Chinese, with every project's
    light and progress; ?lang=en switches to English."""
    r = await site.client.get("/public", follow_redirects=False)
    assert r.status_code == 200, r.text
    assert '<html lang="zh-CN">' in r.text and "重点项目进展" in r.text
    for name in ("海东大道改造工程", "城北水厂扩建", "优化营商环境"):
        assert name in r.text
    rows = re.findall(r'<tr data-light="(\w+)">', r.text)
    assert len(rows) == 3 and set(rows) <= {"red", "yellow", "green"}
    assert "尚无已发布的考核结果" in r.text
    en = await site.client.get("/public?lang=en")
    assert '<html lang="en">' in en.text and "Key projects" in en.text
    assert "No assessment results published yet" in en.text


async def test_the_public_page_shows_no_finding_message_or_login_name(site: Site) -> None:
    """Rule messages (which may name people) and the staff's names never reach the public page."""
    r = await site.client.get("/public")
    board_messages = [f.message for f in (await _board(site)).evaluation.findings]
    assert board_messages, "the portfolio should light something"
    assert not [m for m in board_messages if m in r.text]
    for role in ("office", "leader", "owner"):
        assert f">{role}<" not in r.text


async def _board(site: Site):  # type: ignore[no-untyped-def]
    from dashboards.data import current_board  # noqa: PLC0415

    return await current_board(site.server)
