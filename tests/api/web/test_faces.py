"""Page tests of what a leader or a unit reads: refusals in Chinese HTML, the project list
behind each bar, the big screen, a notice's history after a rejection, no rule code."""

from __future__ import annotations

import re

ENGLISH = re.compile(r"\b(?:issued|responded|reopened|rectified|escalated|workdays|when|may not)\b")


def visible(html: str) -> str:
    """The text a reader sees: no tags, scripts (figure JSON) or attributes."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


async def test_a_refused_page_says_so_in_chinese_html(site):
    """A unit opening the dashboard gets a Chinese 403 page naming who the page is for."""
    await site.sign_in("unit")
    r = await site.client.get("/dashboard")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    text = visible(r.text)
    assert "您的角色无权查看此页面" in text and "督办办公室、领导" in text
    assert "may not see" not in text and "leader" not in text


async def test_an_unknown_project_is_a_chinese_page_not_json(site):
    """/projects/P999 answers 404 with an HTML page in Chinese and a way back."""
    await site.sign_in("leader")
    r = await site.client.get("/projects/P999")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "找不到项目" in r.text and "「P999」" in r.text and 'href="/projects"' in r.text


async def test_each_bar_opens_the_projects_behind_it(site):
    """The list behind a bar (unit x light) shows exactly those projects, by name, with links."""
    await site.sign_in("leader")
    r = await site.client.get("/projects?unit=transport&light=red")
    assert r.status_code == 200
    rows = re.findall(r'<tr data-light="(\w+)">.*?href="/projects/(\w+)"', r.text, flags=re.S)
    assert rows and all(light == "red" for light, _ in rows)
    assert "市交通运输局" in r.text and "红灯" in r.text
    everything = await site.client.get("/projects")
    assert everything.text.count('<tr data-light=') == 3  # every project of the portfolio


async def test_the_project_page_explains_in_words_and_shows_code_only_to_the_office(site):
    """A leader reads the reason as a sentence and milestone names; the office also gets the code."""
    await site.sign_in("leader")
    r = await site.client.get("/projects/P001")
    text = visible(r.text)
    assert "海东大道改造工程 / 施工招标" in text and "milestone:P001" not in text
    assert "今天 2026-05-06" in text
    assert " when " not in text and "tender_overdue" not in r.text.split("<script")[0]
    await site.sign_in("office")
    office = await site.client.get("/projects/P001")
    assert "规则代码" in office.text and " when " in visible(office.text)


async def test_the_big_screen_has_the_headline_figures_and_refreshes_itself(site):
    """The big screen shows the lights, the on-time rate, open notices and red cards, refreshing."""
    await site.sign_in("leader")
    r = await site.client.get("/dashboard/screen")
    assert r.status_code == 200
    assert 'http-equiv="refresh"' in r.text
    for kpi in ("total", "red", "yellow", "green", "on_time_rate", "notices_open",
                "notices_overdue", "red_this_month"):
        assert f'data-kpi="{kpi}"' in r.text
    assert int(re.search(r'data-kpi="total">(\d+)<', r.text).group(1)) == 3
    assert 'id="screen_lights"' in r.text and 'id="screen_trend"' in r.text
    assert not ENGLISH.search(visible(r.text))


async def test_a_rejected_notice_shows_the_unit_its_reply_the_reason_and_the_new_deadline(site):
    """After the office sends a reply back, the unit's inbox shows the history in Chinese."""
    await site.sign_in("owner")
    inbox = await site.client.get("/inbox")
    code = re.search(r'id="notice-([\w-]+)" data-state="issued"', inbox.text).group(1)
    token = await site.form("/inbox")
    await site.client.post(f"/inbox/{code}/respond", data={"text": "已完成招标文件编制", "_csrf_token": token})
    await site.sign_in("office")
    token = await site.form("/notices")
    await site.client.post(f"/notices/{code}/reject", data={"reason": "缺少开标记录", "_csrf_token": token})
    await site.sign_in("owner")
    page = (await site.client.get("/inbox")).text
    card = page[page.index(f'id="notice-{code}"'):].split(">", 1)[1]
    card = card[:card.index("</form>")]
    assert "已退回重办" in card and "办理经过" in card
    assert "回复：已完成招标文件编制" in card and "退回：缺少开标记录" in card and "新的回复期限" in card
    assert not ENGLISH.search(visible(card))


async def test_an_empty_reply_is_refused_with_a_sentence(site):
    """Replying with nothing comes back to the inbox with a message saying what to write."""
    await site.sign_in("owner")
    inbox = await site.client.get("/inbox")
    code = re.search(r'id="notice-([\w-]+)" data-state="issued"', inbox.text).group(1)
    token = await site.form("/inbox")
    r = await site.client.post(f"/inbox/{code}/respond", data={"text": "  ", "_csrf_token": token},
                               follow_redirects=True)
    assert "回复内容不能为空" in r.text


async def test_a_bad_start_date_is_refused_beside_its_field(site):
    """An invalid start date shows its message next to the start field (it used to show none)."""
    await site.sign_in("owner")
    token = await site.form("/my")
    r = await site.client.post("/my/P001/tender", data={"_csrf_token": token, "version": "1",
                                                        "start": "2026-02-30"})
    assert r.status_code == 422
    error = re.search(r'name="start"[^>]*>\s*</label>\s*<span class="field-error" data-field="start">([^<]+)<', r.text)
    assert error and "「2026-02-30」不是日期" in error.group(1)


async def test_the_confirmation_sits_in_the_reported_row_and_names_it(site):
    """After a report the confirmation is inside the milestone's row, with names not ids."""
    await site.sign_in("owner")
    token = await site.form("/my")
    r = await site.client.post("/my/P001/tender", data={"_csrf_token": token, "version": "1",
                                                        "start": "2026-03-02", "progress": "40"})
    row = r.text[r.text.index('id="m-P001-tender"'):]
    row = row[:row.index("</tr>")]
    assert "✓ 已上报：海东大道改造工程 / 施工招标" in row and "P001/tender" not in visible(row)


async def test_the_stale_warning_is_at_the_top_of_the_page(site):
    """A stale report puts a warning before the first project, not only mid-page."""
    await site.sign_in("owner")
    token = await site.form("/my")
    await site.client.post("/my/P001/tender", data={"_csrf_token": token, "version": "1", "progress": "40"})
    r = await site.client.post("/my/P001/tender", data={"_csrf_token": token, "version": "1", "progress": "55"})
    assert r.status_code == 409
    top = r.text.index('id="stale-top"')
    assert top < r.text.index('class="card project"') and "有节点已被他人更新" in r.text


async def _a_failed_delivery(site) -> int:
    """Enqueue a notice to a contact Apprise cannot read; a real delivery worker gives it up."""
    import time  # noqa: PLC0415

    from notifier import outbox  # noqa: PLC0415
    from notifier.channels import AppriseChannel  # noqa: PLC0415
    from notifier.worker import DeliveryWorker  # noqa: PLC0415

    engine = site.server.engine
    await outbox.enqueue(engine, [outbox.Outgoing("N-2026-0099", "issued", "water",
                                                  ("nosuchscheme://abc",), "测试通知", "正文")],
                         now=time.time())
    await DeliveryWorker(engine, AppriseChannel(), lease_seconds=60, timeout=5).run_once()
    (found,) = await outbox.failed_deliveries(engine)
    return int(found.id)


async def test_the_office_sees_failed_deliveries_why_and_retries_them(site):
    """/deliveries lists a failed notice with its unit, the redacted target and the reason; the
    retry button queues it again; the API lists the same; other roles are refused."""
    delivery = await _a_failed_delivery(site)
    await site.sign_in("office")
    page = await site.client.get("/deliveries")
    assert page.status_code == 200
    row = page.text[page.text.index(f'id="delivery-{delivery}"'):]
    row = row[:row.index("</tr>")]
    assert "N-2026-0099" in row and "市水务局" in row and "Apprise" in row
    api = await site.client.get("/api/deliveries/")
    assert api.status_code == 200 and api.json()[0]["notice"] == "N-2026-0099"
    token = await site.form("/deliveries")
    r = await site.client.post(f"/deliveries/{delivery}/retry", data={"_csrf_token": token},
                               follow_redirects=True)
    assert "已重新排队发送" in r.text
    again = await site.client.post(f"/api/deliveries/{delivery + 1000}/retry",
                                   headers={"x-csrftoken": site.csrf()})
    assert again.status_code == 404 and "no failed delivery" in again.json()["message"]
    await site.sign_in("leader")
    assert (await site.client.get("/deliveries")).status_code == 403
    assert (await site.client.get("/api/deliveries/")).status_code == 403


async def test_ordinary_refusals_log_no_error(site, caplog):
    """A login redirect, a 403 page, an unknown project and a refused API call are not errors:
    the server logs no ERROR and no traceback for them."""
    import logging  # noqa: PLC0415

    caplog.set_level(logging.INFO)
    await site.client.get("/dashboard", follow_redirects=False)  # anonymous: login redirect
    await site.sign_in("unit")
    assert (await site.client.get("/dashboard")).status_code == 403
    assert (await site.client.get("/projects/P999")).status_code in (403, 404)
    assert (await site.client.get("/api/deliveries/")).status_code == 403
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]
