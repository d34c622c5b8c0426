"""交办 page over real HTTP (issue 12): the office assigns a project — lead and co-units, person,
cadence, urgency, source, instruction — and sees it on the project page; a refused assignment
comes back with its message beside the field and changes nothing; the other roles are refused."""

from __future__ import annotations

import re

from projects import repository as repo
from projects.model import Person
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
    assert '<option value="wang">王建国（transport · 副局长）</option>' in form.text
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
    long = await _assign(site, "P001", unit="transport", source="依" * 201)
    said = re.search(r'<small class="error" id="error-source">(.*?)</small>', long.text)  # type: ignore[attr-defined]
    assert said and said.group(1).startswith("交办依据最多 200 个字，现有 201 个")
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
    assert (await site.server.snapshot()).portfolio.project_by_id["P001"] == before
