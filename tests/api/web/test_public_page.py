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


async def test_the_language_switch_stays_on_what_was_shown(site: Site) -> None:
    """From the page a filing answered, the switch leads to the complaint's follow page (never to
    a GET of the form's address, 405); from a follow page it keeps the code."""
    page = await site.client.get("/public")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    filed = await site.client.post("/public/complaints", data={"title": "路灯不亮", "text": "海东大道路灯不亮",
                                                               "contact": "13800138000", "_csrf_token": token})
    code = re.search(r'id="code">([^<]+)<', filed.text).group(1)  # type: ignore[union-attr]
    switch = re.search(r'<a href="([^"]+)" class="lang">', filed.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert switch == f"/public/track?code={code}&lang=en"
    en = await site.client.get(switch)
    assert en.status_code == 200 and "Follow a complaint" in en.text and code in en.text
    await site.client.get("/public?lang=zh")  # back to Chinese (the switch keeps a cookie)
    refused = await site.client.post("/public/complaints", data={"title": "", "_csrf_token": token})
    assert refused.status_code == 422 and '<a href="/public?lang=en" class="lang">' in refused.text
    assert "请填写标题" in refused.text and "请留下手机号码或电子邮箱" in refused.text


async def test_an_anonymous_form_without_its_csrf_token_is_refused(site: Site) -> None:
    """A filing or a rating posted without the form's token (from another site) is refused, and
    nothing is filed."""
    await site.client.get("/public")
    r = await site.client.post("/public/complaints", data={"title": "t", "text": "x", "contact": "13800138000"})
    assert r.status_code == 403
    r = await site.client.post("/public/rate", data={"code": "C-2026-AAAA-AAAA", "key": "k", "rating": "satisfied"})
    assert r.status_code == 403
    from projects import repository as repo  # noqa: PLC0415

    assert await repo.complaints() == []
