"""交办 page over real HTTP (issue 12): the office assigns a project — lead and co-units, person,
cadence, urgency, source, instruction — and sees it on the project page; a refused assignment
comes back with its message beside the field and changes nothing; the other roles are refused."""

from __future__ import annotations

import re

from api import audit
from projects import repository as repo
from projects.model import Category, Person
from tests.site import Site


async def _with_people(site: Site) -> None:
    async with site.server.writing():
        await repo.save_person(Person("wang", "王建国", "transport", "副局长"), create=True)
        await repo.bump_revision()


async def _assign(site: Site, pid: str, **form: str) -> object:
    token = await site.form(f"/projects/{pid}/assign")
    return await site.client.post(f"/projects/{pid}/assign", data={**form, "_csrf_token": token},
                                  follow_redirects=False)


def _field(page: str, name: str) -> str:
    found = re.search(rf'<dd data-field="{name}">(.*?)</dd>', page)
    assert found, page
    return found.group(1)


async def test_the_office_assigns_and_sees_it_on_the_project_page(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    form = await site.client.get("/projects/P001/assign")
    assert form.status_code == 200
    assert "责任单位（牵头）" in form.text and "配合单位" in form.text and "报送周期" in form.text
    assert '<option value="wang">王建国（市交通运输局 · 副局长）</option>' in form.text
    r = await _assign(site, "P001", unit="transport", **{"co_unit:water": "on"}, person="wang",
                      report_every="月报", urgent="on", source="市政府常务会议", instruction="务必年底前通车")
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert r.headers["location"] == "/projects/P001?assigned=1#assignment"  # type: ignore[attr-defined]
    page = await site.client.get(r.headers["location"])  # type: ignore[attr-defined]
    assert '<p class="ok" role="status">交办已保存。</p>' in page.text
    assert _field(page.text, "co_units") == "市水务局" and _field(page.text, "person") == "王建国"
    assert _field(page.text, "report_every") == "1 个月" and _field(page.text, "urgent") == "是"
    assert _field(page.text, "source") == "市政府常务会议"
    assert _field(page.text, "instruction") == "务必年底前通车"
    api = await site.client.get("/api/projects/P001")
    assert api.status_code == 200
    project = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    assert project.co_units == ("water",) and project.person == "wang" and project.urgent
    assert str(project.report_every) == "1 month"
    # the form opens again with what was saved, and clearing works through it too
    again = await site.client.get("/projects/P001/assign")
    assert 'name="co_unit:water" checked' in again.text and '<option value="wang" selected>' in again.text
    assert 'name="report_every" value="1 个月"' in again.text  # spelled as a Chinese page types it
    assert 'name="report_every" value="1 month"' in (await site.client.get("/projects/P001/assign?lang=en")).text
    cleared = await _assign(site, "P001", unit="transport", report_every="", source="", instruction="")
    assert cleared.status_code == 303  # type: ignore[attr-defined]
    project = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    assert project.co_units == () and project.person is None and not project.urgent
    assert project.report_every is None and project.source is None and project.instruction is None


async def test_a_refused_assignment_shows_its_message_beside_the_field_and_changes_nothing(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    unknown = await _assign(site, "P001", unit="transport", person="wnag", report_every="月报", urgent="on")
    assert unknown.status_code == 422  # type: ignore[attr-defined]
    said = re.search(r'<small class="error" id="error-person">(.*?)</small>', unknown.text)  # type: ignore[attr-defined]
    assert said and 'no person &#34;wnag&#34;; did you mean &#34;wang&#34;?' in said.group(1)
    assert "责任人须先在人员中登记" in said.group(1)
    assert "交办未保存" in unknown.text  # type: ignore[attr-defined]
    assert 'name="report_every" value="月报"' in unknown.text  # what was sent is kept  # type: ignore[attr-defined]
    bad = await _assign(site, "P001", unit="transport", report_every="每周两次")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    said = re.search(r'<small class="error" id="error-report_every">(.*?)</small>', bad.text)  # type: ignore[attr-defined]
    assert said and said.group(1).startswith("报送周期不是时长")
    lead = await _assign(site, "P001", unit="transport", **{"co_unit:transport": "on"})
    said = re.search(r'<small class="error" id="error-co_units">(.*?)</small>', lead.text)  # type: ignore[attr-defined]
    assert said and "牵头单位" in said.group(1)
    nowhere = await _assign(site, "P001", unit="harbour")
    assert re.search(r'<small class="error" id="error-unit">[^<]*harbour', nowhere.text)  # type: ignore[attr-defined]
    async with site.server.writing():
        await repo.save_person(Person("li", "李水清", "water", "科长"), create=True)
        await repo.bump_revision()
    outside = await _assign(site, "P001", unit="transport", person="li")  # water is no co-unit of P001
    said = re.search(r'<small class="error" id="error-person">(.*?)</small>', outside.text)  # type: ignore[attr-defined]
    assert outside.status_code == 422 and said  # type: ignore[attr-defined]
    assert "责任人「li」属于单位「water」，不是这里的牵头单位或配合单位" in said.group(1)
    long = await _assign(site, "P001", unit="transport", source="依" * 201)
    said = re.search(r'<small class="error" id="error-source">(.*?)</small>', long.text)  # type: ignore[attr-defined]
    assert said and said.group(1).startswith("交办依据共 201 个字符，最多 200 个")  # the catalogue's words
    after = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    assert after == before
    page = await site.client.get("/projects/P001")
    assert "交办已保存" not in page.text and _field(page.text, "person") == "（未指定）"


async def test_an_owner_a_unit_and_a_leader_are_refused(site: Site) -> None:
    await site.sign_in("office")
    token = await site.form("/projects/P001/assign")
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    for role in ("owner", "unit", "leader"):
        await site.sign_in(role)
        page = await site.client.get("/projects/P001/assign")
        assert page.status_code == 403 and "您的角色无权查看此页面" in page.text
        token = await site.form("/projects/P001")
        r = await site.client.post("/projects/P001/assign", follow_redirects=False,
                                   data={"unit": "water", "urgent": "on", "_csrf_token": token})
        assert r.status_code == 403
        assert 'href="/projects/P001/assign"' not in (await site.client.get("/projects/P001")).text
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before


async def test_an_assignment_without_the_csrf_token_is_refused(site: Site) -> None:
    await site.sign_in("office")
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    r = await site.client.post("/projects/P001/assign", data={"unit": "transport", "urgent": "on"},
                               follow_redirects=False)
    assert r.status_code == 403
    forged = await site.client.post("/projects/P001/assign", follow_redirects=False,
                                    data={"unit": "transport", "urgent": "on", "budget": "1", "_csrf_token": "x" * 40})
    assert forged.status_code == 403
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before


async def test_an_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(site: Site) -> None:
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    page = await site.client.get("/projects/P001/assign", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
    token = await site.form("/login")  # a token of its own, from the sign-in page
    r = await site.client.post("/projects/P001/assign", follow_redirects=False,
                               data={"name": "x", "unit": "water", "budget": "0", "_csrf_token": token})
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before


def _said(page: str, name: str) -> str:
    found = re.search(rf'<small class="error" id="error-{name}">(.*?)</small>', page)
    assert found, page
    return found.group(1)


async def test_the_office_renames_recategorises_and_budgets_a_project(site: Site) -> None:
    """Name, category and budget are on the 交办 form too: saved through the same change as the
    API's, audited with what they were, shown on the project page."""
    await site.sign_in("office")
    form = await site.client.get("/projects/P003/assign")
    assert 'name="name" value="优化营商环境"' in form.text
    assert '<option value="task" selected>重点工作</option>' in form.text
    assert 'name="budget" value=""' in form.text and "总投资（元）" in form.text
    r = await _assign(site, "P003", name="优化营商环境三年行动", category="project", budget="1,250,000.50",
                      unit="water")
    assert r.status_code == 303  # type: ignore[attr-defined]
    p = (await site.server.snapshot()).portfolio.project_by_id["P003"]
    assert (p.name, p.category, p.budget) == ("优化营商环境三年行动", Category.PROJECT, 1_250_000.5)
    entries, _ = await audit.entries(action="project.update", subject="project:P003", limit=1)
    assert entries[0].actor == "office"
    assert entries[0].before["name"] == "优化营商环境" and entries[0].before["budget"] is None  # type: ignore[index]
    assert entries[0].after == {**entries[0].after, "name": "优化营商环境三年行动", "category": "project",
                                "budget": 1_250_000.5}  # type: ignore[dict-item]
    page = await site.client.get("/projects/P003")
    assert re.search(r"<h1>.*</span> 优化营商环境三年行动</h1>", page.text)
    assert _field(page.text, "budget") == "125 万元"
    again = await site.client.get("/projects/P003/assign")
    assert 'name="budget" value="1250000.5"' in again.text and "现为 " in again.text
    cleared = await _assign(site, "P003", name="优化营商环境三年行动", category="task", budget="", unit="water")
    assert cleared.status_code == 303  # type: ignore[attr-defined]
    p = (await site.server.snapshot()).portfolio.project_by_id["P003"]
    assert (p.category, p.budget) == (Category.TASK, None)


HOSTILE = [
    ({"name": "海东大道\u202e改造"}, "name", "双向控制字符 U+202E"),
    ({"name": "海东\x07大道"}, "name", "不可见的控制字符 U+0007"),
    ({"name": "   "}, "name", "名称不能为空"),
    ({"name": "路" * 201}, "name", "名称共 201 个字符，最多 200 个"),
    ({"category": "tsk"}, "category", "是不是「task」"),
    ({"category": "公益"}, "category", "请写 project、task 之一"),
    ({"budget": "1e20"}, "budget", "应小于 10^15（一千万亿元）"),
    ({"budget": "1" + "0" * 20}, "budget", "超出了任何实际金额"),
    ({"budget": "-5"}, "budget", "是负数"),
    ({"budget": "NaN"}, "budget", "不是有限的金额"),
    ({"budget": "inf"}, "budget", "不是有限的金额"),
    ({"budget": "一亿"}, "budget", "「一亿」不是金额"),
    ({"source": "会议\u2066纪要"}, "source", "双向控制字符 U+2066"),
    ({"instruction": "批示\x00"}, "instruction", "U+0000"),
]


async def test_hostile_names_categories_and_budgets_are_refused_beside_their_field(site: Site) -> None:
    """Each refused with the catalogue's message (the one files, Excel and the API give) beside
    its field, what was sent shown again, and nothing written: not the project, not the audit."""
    await site.sign_in("office")
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    _, audited = await audit.entries()
    good = {"name": before.name, "category": "project", "budget": "120000000", "unit": "transport"}
    for change, field, words in HOSTILE:
        r = await _assign(site, "P001", **{**good, **change})
        assert r.status_code == 422, change  # type: ignore[attr-defined]
        text = r.text  # type: ignore[attr-defined]
        assert words in _said(text, field), (change, _said(text, field))
        assert "交办未保存" in text
        if field == "budget":
            assert f'name="budget" value="{change["budget"]}"' in text  # what was sent, to correct
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before
    assert (await audit.entries())[1] == audited


async def test_the_api_refuses_the_same_values_with_the_same_messages(site: Site) -> None:
    """``PATCH /api/projects/{pid}`` (the same ``change_project``) names the field and says the
    same words; a project created with a bad budget or a blank name is refused likewise."""
    await site.sign_in("office")
    headers = {"x-csrftoken": site.csrf()}
    before = (await site.server.snapshot()).portfolio.project_by_id["P001"]
    for change, field, words in [({"budget": 1e20}, "budget", "应小于 10^15（一千万亿元）"),
                                 ({"budget": -1.0}, "budget", "是负数"),
                                 ({"category": "tsk"}, "category", "是不是「task」"),
                                 ({"name": " "}, "name", "名称不能为空"),
                                 ({"name": "路" * 201}, "name", "名称共 201 个字符，最多 200 个")]:
        r = await site.client.patch("/api/projects/P001", json=change, headers=headers)
        assert r.status_code == 422, (change, r.text)
        assert r.json()["where"] == field and words in r.json()["message"], r.json()
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before
    made = await site.client.post("/api/projects", headers=headers, json={
        "id": "P009", "name": "新项目", "category": "project", "unit": "water", "budget": 10.0 ** 20})
    assert made.status_code == 422 and made.json()["where"] == "budget", made.text
    assert "P009" not in (await site.server.snapshot()).portfolio.project_by_id
