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


async def test_the_public_page_shows_the_latest_closed_period_and_names_only_the_held_to_account(
        site: Site) -> None:
    """With April closed: the ranking of its score with its indicators for every unit, and the
    April 问责 record naming 王某; 李某, responsible for a project but in no record, is named
    nowhere, neither is the later record's person."""
    from api import assessments  # noqa: PLC0415
    from api.controllers.accountability import record_accountability  # noqa: PLC0415
    from projects import repository as repo  # noqa: PLC0415
    from projects.model import Person  # noqa: PLC0415

    server = site.server
    async with server.writing():
        for person in (Person("wang", "王某", "water", "副局长"), Person("li", "李某", "transport", "科长"),
                       Person("zhao", "赵某", "water", "科员")):
            await repo.save_person(person, create=True)
        await repo.bump_revision()
    await record_accountability(server, "office", {"kind": "accountability", "unit": "water", "person": "wang",
                                                   "date": "2026-04-20", "reason": "水厂立项逾期未办"})
    await record_accountability(server, "office", {"kind": "accountability", "unit": "water", "person": "zhao",
                                                   "date": "2026-05-04", "reason": "五月的记录"})
    await assessments.close_period(server, "office", "2026-04")
    r = await site.client.get("/public")
    ranking = re.search(r'<section class="card ranking" id="ranking">.*?</section>', r.text, re.S).group(0)  # type: ignore[union-attr]
    assert "2026年4月" in ranking and "行政效能得分" in ranking and "按时办结率" in ranking
    assert set(re.findall(r'<tr data-unit="(\w+)">', ranking)) == {"city", "transport", "water"}
    assert "问责 · 市水务局 · 王某：水厂立项逾期未办" in ranking
    assert "李某" not in r.text and "赵某" not in r.text and "五月的记录" not in r.text
    data = (await site.client.get("/api/public")).json()
    assert data["ranking"]["period"] == "2026-04" and "李某" not in str(data) and "赵某" not in str(data)
    en = await site.client.get("/public?lang=en")
    assert "accountability · 市水务局 · 王某" in en.text and "No assessment results" not in en.text
