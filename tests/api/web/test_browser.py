"""Browser tests in real headless Chromium (Debian's, via Playwright's Python package) against
the real app served by uvicorn on loopback: sign in as each role, report a milestone and see
its light change, answer a notice, write a rule with a typo, publish it and see the dashboard
change. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, StorageState

from api import users
from api.app import create_app
from api.service import now_iso
from api.settings import Settings
from projects import repository as repo
from rules.standard import standard_sources
from tests.browser import fresh_page, shoot, submit, visit
from tests.site import PASSWORD, PORTFOLIO, ROLES, TODAY, publish

pytestmark = [pytest.mark.browser, pytest.mark.slow]

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The real app with the test portfolio and the standard rulebook, on a loopback port."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'duban.sqlite'}",
                        secret_key="browser-secret", cookie_secure=False, today=TODAY, demo=False)
    app = create_app(settings)

    async def seed(app_: object) -> None:
        server = app.state.server
        async with server.writing():
            await repo.import_portfolio(PORTFOLIO, actor="seed", known_on=TODAY - dt.timedelta(days=60),
                                        recorded_at=now_iso())
            await repo.bump_revision()
            for role, unit in ROLES.items():
                await users.create(role, role=role, unit=unit, password=PASSWORD, display=role,
                                   units={u.id for u in PORTFOLIO.units})
        await publish(server, standard_sources())

    app.on_startup.append(seed)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        pytest.fail("the app did not answer within 60 s")
    yield url
    server.should_exit = True
    thread.join(timeout=30)


def sign_in(page: Page, url: str, role: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORD)
    submit(page, "button[type=submit]")


def shot(page: Page, name: str) -> None:
    shoot(page, name)


def red_total(page: Page) -> int:
    return int(page.inner_text("b[data-level=red]"))


def test_roles_report_respond_and_publish_in_a_real_browser(served: str, browser: Browser) -> None:
    """Each role signs in and sees its page; a report turns a light green; a notice is answered;
    a rule typo is marked at its line; publishing the fixed rule turns the dashboard redder."""
    with fresh_page(browser) as (_context, page, errors):

        # The leader's dashboard draws every figure with the locally served plotly.js.
        sign_in(page, served, "leader")
        assert page.url.endswith("/dashboard")
        page.wait_for_selector("#portfolio_map[data-drawn='1']")
        page.wait_for_selector("#notices[data-drawn='1']")
        assert page.locator("#portfolio_map .point").count() == 3
        reds_before = red_total(page)
        page.goto(f"{served}/dashboard?lang=en")
        page.wait_for_selector("#lights_by_unit[data-drawn='1']")
        assert "Projects by light, per unit" in page.inner_text("#lights_by_unit")
        shot(page, "dashboard-leader-en")
        page.goto(f"{served}/projects/P001?lang=zh")
        page.wait_for_selector("#gantt[data-drawn='1']")
        assert "今天 2026-05-06" in page.inner_text("#gantt")
        page.goto(f"{served}/rules")
        assert "无权查看此页面" in page.inner_text("h1")

        # The owner reports the overdue tender finished; its light turns green.
        sign_in(page, served, "owner")
        row = page.locator("#m-P001-tender")
        assert row.get_attribute("data-light") in ("red", "yellow")
        row.locator("input[name=finished]").fill("2026-04-29")
        row.locator("input[name=progress]").fill("100")
        row.locator("button[type=submit]").click()
        page.wait_for_selector("#reported")
        assert page.locator("#m-P001-tender").get_attribute("data-light") == "green"
        shot(page, "owner-milestones")

        # A unit with a notice answers it from its inbox.
        answered = False
        for role in ("owner", "unit"):
            sign_in(page, served, role)
            page.goto(f"{served}/inbox")
            forms = page.locator("form.respond")
            if forms.count():
                notice_row = page.locator(".notice:has(form.respond)").first
                code = notice_row.get_attribute("id")
                forms.first.locator("textarea").fill("已整改完毕，附照片。")
                submit(page, forms.first.locator("button"))
                assert page.locator(f"#{code}").get_attribute("data-state") == "responded"
                assert "已整改完毕" in page.inner_text(f"#{code}")
                shot(page, f"inbox-{role}")
                answered = True
                break
        assert answered, "no notice was issued to the owner or the unit"

        # The office writes a rule with a typo, sees it marked at its line, fixes it and sees
        # the mark go; a rule named like one in another file is marked in the file edited.
        sign_in(page, served, "office")
        page.goto(f"{served}/rules")
        book = page.locator(".rulebook")
        book.locator(".status.good").wait_for()
        assert book.locator(".costs-card .cost-row").count() > 10  # each rule's cost
        editor = page.locator(".rule-editor[data-file='overdue.rules']")
        area = editor.locator("textarea")
        original = area.input_value()
        typo = original.rstrip("\n") + ('\n\nrule all_open "未完成节点":\n    for milestone m\n'
                                        "    light red when not m.dnoe\n")
        area.fill(typo)
        line = len(typo.rstrip("\n").split("\n"))
        marked = editor.locator(f".lines .err[data-line='{line}']")
        marked.wait_for()
        assert "是否想写 `done`？" in marked.inner_text()  # the suggestion, in Chinese
        diag = editor.locator(f".diag[data-line='{line}']")
        assert diag.count() == 1
        assert diag.inner_text().count("overdue.rules") == 1  # the place, once
        assert "第 " + str(line) + " 行" in diag.inner_text()
        # the whole rulebook's errors are listed at the top; a click selects the line
        book.locator(".all-diagnostics .diag a").click()
        chosen = area.evaluate("a => a.value.slice(a.selectionStart, a.selectionEnd)")
        assert chosen == "dnoe"
        shot(page, "rule-editor-typo")
        area.fill(typo.replace("m.dnoe", "m.done"))
        book.locator(".status.good").wait_for()
        assert editor.locator(".lines .err").count() == 0 and editor.locator(".diag").count() == 0
        assert editor.locator(".lines").is_hidden()
        clash = typo.replace("m.dnoe", "m.done").replace("all_open", "notice_unanswered")
        area.fill(clash)
        editor.locator(f".diag[data-line='{line - 2}']").wait_for()
        assert "units.rules" in editor.locator(".diag").inner_text()
        assert page.locator(".rule-editor[data-file='units.rules'] .diag").count() == 0
        # publishing it is refused and says nothing was saved, in red
        book.locator("button.publish").click()
        book.locator(".publish-result.bad").wait_for()
        assert "未保存" in book.locator(".publish-result").inner_text()
        area.fill(typo.replace("m.dnoe", "m.done"))
        book.locator(".status.good").wait_for()
        assert editor.locator(".diag").count() == 0

        # a dry run lists what would light, by name and level, today and on the past day
        book.locator("input[name=past]").fill("2026-04-06")
        book.locator("button.dry-run").click()
        book.locator(".dry-run-result section.day").first.wait_for()
        assert book.locator(".dry-run-result section.day").count() == 2
        today_list = book.locator(".dry-run-result section.day[data-day='2026-05-06']")
        assert "海东大道改造工程 / 主体施工" in today_list.inner_text()
        assert today_list.locator("tr.finding[data-level=red]").count() > 0
        shot(page, "rule-editor-dry-run")

        # a new rule file is added from the page, checked with the others and published
        book.locator("input[name=new_file]").fill("../督办")
        book.locator("button.add-file").click()
        book.locator(".add-file-result").filter(has_text="不可用").wait_for()
        book.locator("input[name=new_file]").fill("督办")
        book.locator("button.add-file").click()
        added = page.locator(".rule-editor[data-file='督办.rules']")
        added.wait_for()
        added.locator("textarea").fill('规则 plan_late "方案逾期":\n    对 节点 m 满足 非 m.done\n'
                                       "    亮 黄灯 当 今天 > m.due\n")
        book.locator(".cost-row[data-rule='plan_late']").wait_for(state="attached")
        book.locator("button.publish").click()
        book.locator(".publish-result.good[data-version]").wait_for()
        assert "已发布版本" in book.locator(".publish-result").inner_text()
        shot(page, "rule-editor-published")

        sign_in(page, served, "leader")
        page.wait_for_selector("#portfolio_map[data-drawn='1']")
        assert red_total(page) > reds_before
        assert re.search(r"v\d+", page.inner_text("main p"))
        shot(page, "dashboard-after-publish")
        assert errors == []


SIZES = ((1920, 1080), (1366, 768), (390, 844))
# English words a zh-CN page must not show (outside names and codes people typed)
ENGLISH = re.compile(r"\b(?:issued|responded|reopened|rectified|escalated|answered|overdue|"
                     r"workdays?|when|leader|owner|office|unit|may not|Sep|Oct|Nov|Dec|Jan)\b")
RULE_CODE = re.compile(r"\b(?:m|p|n|u)\.(?:due|done|kind|unit|progress)\b| when ")


def visible_text(page: Page) -> str:
    """The page's text without the signed-in user's own name (a name people typed)."""
    return page.evaluate("""() => { const b = document.body.cloneNode(true);
        b.querySelectorAll('.who .name, script').forEach(e => e.remove());
        document.documentElement.appendChild(b); const t = b.innerText; b.remove(); return t; }""")


def test_every_page_fits_reads_chinese_and_hides_rule_code_at_three_sizes(served: str, browser: Browser) -> None:
    """At 1920x1080, 1366x768 and 390x844: the big screen fits one screen, a unit's pages never
    scroll sideways at phone width, zh-CN pages show no English words and a leader's or unit's
    view no rule code, money reads in 万元/亿元 and a chart with no data says so. Each role
    signs in once; each size opens a fresh profile with that role's cookies."""
    pages = {"leader": ("/dashboard/screen", "/dashboard", "/projects", "/projects/P001"),
             "unit": ("/inbox", "/my", "/projects/P003"), "owner": ("/inbox", "/my")}
    signed_in: dict[str, StorageState] = {}
    for width, height in SIZES:
        for role, paths in pages.items():
            with fresh_page(browser, width, height, signed_in=signed_in.get(role)) as (context, page, _errors):
                if role not in signed_in:
                    sign_in(page, served, role)
                    signed_in[role] = context.storage_state()
                for path in paths:
                    visit(page, f"{served}{path}")
                    for plot in page.locator(".plot").all():
                        plot.locator("xpath=self::*[@data-drawn='1']").wait_for()
                    name = f"{role}{path.replace('/', '-')}-{width}x{height}"
                    shoot(page, name, full_page=path != "/dashboard/screen")
                    scroll_w = page.evaluate("document.documentElement.scrollWidth")
                    scroll_h = page.evaluate("document.documentElement.scrollHeight")
                    if path == "/dashboard/screen" and width >= 1366:
                        assert (scroll_w, scroll_h) == (width, height), (name, scroll_w, scroll_h)
                    if role in ("unit", "owner") and width == 390:
                        assert scroll_w <= width, (name, scroll_w)
                    text = visible_text(page)
                    assert not ENGLISH.search(text), (name, ENGLISH.search(text))
                    assert not RULE_CODE.search(text), (name, RULE_CODE.search(text))
                    assert "e+0" not in text and not re.search(r"\d+M\b", text), name
    # the office's rule editor at each size: no sideways scroll, the whole rulebook checked
    for width, height in SIZES:
        with fresh_page(browser, width, height, signed_in=signed_in.get("office")) as (context, page, _errors):
            if "office" not in signed_in:
                sign_in(page, served, "office")
                signed_in["office"] = context.storage_state()
            page.goto(f"{served}/rules")
            page.locator(".rulebook .status.good").wait_for()
            page.locator("button.dry-run").click()
            page.locator(".dry-run-result section.day").first.wait_for()
            shoot(page, f"office-rules-{width}x{height}", full_page=False)
            page.locator(".dry-run-card").scroll_into_view_if_needed()
            shoot(page, f"office-rules-dry-run-{width}x{height}", full_page=False)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, ("rules", width)
    # the leader's funds chart of the portfolio reads in 万元 or 亿元; a project with too
    # little funds data says so
    with fresh_page(browser, 1366, 768, signed_in=signed_in["leader"]) as (_context, page, _errors):
        page.goto(f"{served}/dashboard")
        page.wait_for_selector("#funds[data-drawn='1']")
        assert re.search("万元|亿元", page.inner_text("#funds"))
        page.goto(f"{served}/projects/P003")
        page.wait_for_selector("#funds[data-drawn='1']")
        assert "资金数据不足" in page.inner_text("#funds")


def test_a_unit_asks_for_an_extension_and_the_office_approves_it_in_a_real_browser(served: str, browser: Browser) -> None:
    """延期申请 end to end in Chromium: the water unit asks to move 主体施工 to 2027-01-31 from
    its extension page, the office approves it with a reason, and the unit's own page shows the
    new due with the original one; a second decision is no longer offered."""
    with fresh_page(browser) as (_context, page, errors):
        sign_in(page, served, "unit")
        submit(page, "a[href='/extensions']")  # in the page's header
        assert page.url.endswith("/extensions")
        form = page.locator("form.extension-request")
        form.locator("select[name=milestone]").select_option("P001/build")
        form.locator("input[name=new_due]").fill("2027-01-31")
        form.locator("textarea[name=reason]").fill("因用地报批延迟")
        form.locator("button").click()
        page.wait_for_selector(".extension[data-status=pending]")
        assert "因用地报批延迟" in page.inner_text(".extension[data-status=pending]")
        shot(page, "extension-requested")

        sign_in(page, served, "office")
        page.goto(f"{served}/extensions")
        card = page.locator(".extension[data-status=pending]")
        approve = card.locator("form:has(input[value=approved])")
        approve.locator("input[name=reason]").fill("理由充分，同意延期")
        approve.locator("button").click()
        page.wait_for_selector(".extension[data-status=approved]")
        assert page.locator(".extension[data-status=approved] form").count() == 0  # decided once
        assert "理由充分，同意延期" in page.inner_text(".extension[data-status=approved]")
        shot(page, "extension-approved")

        sign_in(page, served, "unit")
        page.goto(f"{served}/my")
        due = page.inner_text("#m-P001-build td.due")
        assert "2027-01-31" in due and "原计划完成 2026-12-31" in due
        assert errors == []


def test_the_office_assigns_a_project_in_a_real_browser(served: str, browser: Browser) -> None:
    """交办 in Chromium: from the project page the office opens the assignment form, a cadence
    that is not a duration comes back beside its field with the rest kept, the corrected one is
    saved and the project page shows it with its confirmation."""
    with fresh_page(browser) as (_context, page, errors):
        sign_in(page, served, "office")
        page.goto(f"{served}/projects/P001")
        submit(page, "a[href='/projects/P001/assign']")
        form = page.locator("form.assignment-form")
        form.locator("input[name='co_unit:water']").check()
        form.locator("input[name=report_every]").fill("每周两次")
        form.locator("input[name=urgent]").check()
        form.locator("input[name=source]").fill("市政府常务会议")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#error-report_every")
        assert page.inner_text("#error-report_every").startswith("报送周期不是时长")
        assert page.locator("input[name='co_unit:water']").is_checked()  # what was sent is kept
        assert page.input_value("input[name=source]") == "市政府常务会议"
        shot(page, "assignment-refused")
        page.fill("input[name=report_every]", "周报")
        page.click("form.assignment-form button[type=submit]")
        page.wait_for_selector("p.ok[role=status]")
        assert page.url.endswith("/projects/P001?assigned=1#assignment")
        assert page.inner_text("p.ok[role=status]") == "交办已保存。"
        assert page.inner_text("dd[data-field=co_units]") == "市水务局"
        assert page.inner_text("dd[data-field=report_every]") == "1 周"
        assert page.inner_text("dd[data-field=urgent]") == "是"
        shot(page, "assignment-saved")
        assert errors == []
