"""责任人 page over real HTTP (issue 12): the office registers a person and changes their unit
and post through the checks of ``/api/people`` (the catalogue's, as files get them); each
refusal is beside its field and writes nothing; nobody but the office gets in."""

from __future__ import annotations

import re

import httpx

from api import audit
from projects.model import Person
from tests.site import Site


async def _post(site: Site, path: str, **form: str) -> httpx.Response:
    token = await site.form("/people")
    return await site.client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)


def _said(page: str, name: str) -> str:
    found = re.search(rf'<small class="error" id="error-{name}">(.*?)</small>', page)
    assert found, page
    return found.group(1)


async def _people(site: Site) -> tuple[Person, ...]:
    return (await site.server.snapshot()).portfolio.people


async def test_the_office_registers_a_person_then_names_them_in_an_assignment(site: Site) -> None:
    await site.sign_in("office")
    page = await site.client.get("/people")
    assert page.status_code == 200 and "尚未登记责任人。" in page.text and "所在单位" in page.text
    assert 'href="/people"' in (await site.client.get("/projects/P001/assign")).text  # reachable from 交办
    r = await _post(site, "/people", id="wang", name="王建国", unit="transport", post="副局长")
    assert r.status_code == 303 and r.headers["location"] == "/people?saved=wang#p-wang", r.text
    listed = await site.client.get(r.headers["location"])
    assert '<p class="ok" role="status">已保存：王建国</p>' in listed.text
    assert re.search(r'<tr id="p-wang"><td>王建国</td><td>市交通运输局</td><td>副局长</td>', listed.text)
    assert await _people(site) == (Person("wang", "王建国", "transport", "副局长"),)
    entry = (await audit.entries(subject="person:wang", limit=1))[0][0]
    assert (entry.actor, entry.action, entry.after) == ("office", "person.create",
                                                        {"name": "王建国", "unit": "transport", "post": "副局长"})
    # moved to the water bureau, no post
    moved = await _post(site, "/people/wang", name="王建国", unit="water", post="")
    assert moved.status_code == 303, moved.text
    assert await _people(site) == (Person("wang", "王建国", "water", None),)
    assert '<option value="water" selected>' in (await site.client.get("/people/wang")).text
    # the 交办 form now offers them
    form = await site.client.get("/projects/P002/assign")
    assert '<option value="wang">王建国（市水务局）</option>' in form.text


async def test_each_wrong_person_is_refused_beside_its_field_and_nothing_is_written(site: Site) -> None:
    await site.sign_in("office")
    assert (await _post(site, "/people", id="wang", name="王建国", unit="transport")).status_code == 303
    people = await _people(site)
    _, audited = await audit.entries()
    for path, form, field, words in [
        ("/people", {"id": "wang", "name": "王某", "unit": "water"}, "id", "编号「wang」已被使用"),
        ("/people", {"id": "a/b", "name": "王某", "unit": "water"}, "id", "请改用 - 或 _"),
        ("/people", {"id": "", "name": "王某", "unit": "water"}, "id", "编号不能为空"),
        ("/people", {"id": "li", "name": " ", "unit": "water"}, "name", "姓名不能为空"),
        ("/people", {"id": "li", "name": "李\u202e某", "unit": "water"}, "name", "双向控制字符 U+202E"),
        ("/people", {"id": "li", "name": "李某", "unit": "watr"}, "unit", '没有单位「watr」'),
        ("/people", {"id": "li", "name": "李某", "unit": "water", "post": "岗" * 201}, "post", "岗位共 201 个字符"),
        ("/people/wang", {"name": "王\x00", "unit": "transport"}, "name", "U+0000"),
        ("/people/wang", {"name": "王建国", "unit": "harbour"}, "unit", "没有单位「harbour」"),
    ]:
        r = await _post(site, path, **form)
        assert r.status_code == 422, (form, r.text)
        assert words in _said(r.text, field), (form, _said(r.text, field))
        assert "未保存" in r.text
    assert await _people(site) == people
    assert (await audit.entries())[1] == audited
    missing = await site.client.get("/people/wnag")
    assert missing.status_code == 404 and "「wnag」：没有登记这个编号的责任人" in missing.text


async def test_nobody_but_the_office_reads_or_changes_people(site: Site) -> None:
    await site.sign_in("office")
    assert (await _post(site, "/people", id="wang", name="王建国", unit="transport")).status_code == 303
    people = await _people(site)
    for role in ("unit", "owner", "leader"):
        await site.sign_in(role)
        page = await site.client.get("/people")
        assert page.status_code == 403 and "您的角色无权查看此页面" in page.text
        token = await site.form("/accountability")
        for path in ("/people", "/people/wang"):
            r = await site.client.post(path, data={"id": "li", "name": "李某", "unit": "water", "_csrf_token": token},
                                       follow_redirects=False)
            assert r.status_code == 403, (role, path)
    site.client.cookies.clear()
    anonymous = await site.client.get("/people", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/login")
    token = await site.form("/login")
    r = await site.client.post("/people/wang", data={"name": "x", "unit": "water", "_csrf_token": token},
                               follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    await site.sign_in("office")
    forged = await site.client.post("/people", data={"id": "li", "name": "李某", "unit": "water",
                                                     "_csrf_token": "x" * 40}, follow_redirects=False)
    assert forged.status_code == 403
    assert await _people(site) == people
