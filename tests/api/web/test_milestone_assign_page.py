"""A milestone's own 交办 page over real HTTP (issue 12): the office gives a milestone its own
lead unit, co-units, person and cadence (each left empty: the project's), through the checks
of ``PATCH /api/projects/{pid}/milestones/{mid}``; every refusal names its field, says what
would be right and writes nothing; nobody but the office gets in."""

from __future__ import annotations

import re

import httpx

from api import audit
from projects import repository as repo
from projects.model import Milestone, Person
from tests.site import Site

URL = "/projects/P001/milestones/build/assign"  # 主体施工: the water bureau's milestone of a transport project


async def _with_people(site: Site) -> None:
    async with site.server.writing():
        await repo.save_person(Person("wang", "王建国", "transport", "副局长"), create=True)
        await repo.save_person(Person("li", "李水清", "water", "科长"), create=True)
        await repo.bump_revision()


async def _milestone(site: Site, pid: str = "P001", mid: str = "build") -> tuple[Milestone, int]:
    snap = await site.server.snapshot()
    m = next(x for x in snap.portfolio.project_by_id[pid].milestones if x.id == mid)
    return m, snap.versions.get((pid, mid), 1)


async def _post(site: Site, form: dict[str, str], url: str = URL) -> httpx.Response:
    page = await site.client.get(url)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert token and version, page.text
    return await site.client.post(url, data={"version": version.group(1), **form, "_csrf_token": token.group(1)},
                                  follow_redirects=False)


def _said(page: str, name: str) -> str:
    found = re.search(rf'<small class="error" id="error-{name}">(.*?)</small>', page)
    assert found, page
    return found.group(1)


def _cell(page: str, mid: str, name: str) -> str:
    row = re.search(rf'<tr id="m-{mid}">(.*?)</tr>', page, re.S)
    assert row, page
    cell = re.search(rf'<td data-field="{name}"[^>]*>(.*?)</td>', row.group(1))
    assert cell, row.group(1)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


async def _audited(site: Site) -> int:
    return (await audit.entries())[1]


async def test_the_office_gives_a_milestone_its_own_assignment_from_the_project_page(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    project = await site.client.get("/projects/P001")
    assert f'href="{URL}"' in project.text  # reachable from the project page
    assert f'href="{URL}"' in (await site.client.get("/projects/P001/assign")).text  # and from 交办
    assert _cell(project.text, "build", "unit") == "市水务局 本节点"
    assert _cell(project.text, "tender", "unit") == "市交通运输局"  # the project's
    form = await site.client.get(URL)
    assert form.status_code == 200
    assert "节点交办 — 主体施工" in form.text and "责任单位（牵头）" in form.text
    assert '<option value="">同项目（市交通运输局）</option>' in form.text
    assert 'placeholder="同项目（不定期报送）"' in form.text
    before, version = await _milestone(site)
    r = await _post(site, {"unit": "water", "co_units_from": "own", "co_unit:transport": "on", "person": "wang",
                           "report_every": "2 周"})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/projects/P001?assigned=build#m-build"
    m, now = await _milestone(site)
    assert (m.unit, m.co_units, m.person, str(m.report_every)) == ("water", ("transport",), "wang", "2 weeks")
    assert now == version + 1
    assert m.updated == before.updated  # an assignment is no report: the report clock stays
    entry = (await audit.entries(subject="milestone:P001/build", limit=1))[0][0]
    assert (entry.actor, entry.action) == ("office", "milestone.report")
    assert entry.after is not None and entry.after["person"] == "wang" and entry.after["co_units"] == ["transport"]
    page = await site.client.get(r.headers["location"])
    assert '<p class="ok" role="status">主体施工：节点交办已保存。</p>' in page.text
    assert _cell(page.text, "build", "person") == "王建国 本节点"
    assert _cell(page.text, "build", "co_units") == "市交通运输局 本节点"
    assert _cell(page.text, "build", "report_every") == "2 周 本节点"
    again = await site.client.get(URL)
    assert 'value="own" checked' in again.text and '<option value="wang" selected>' in again.text
    # empty fields give each back to the project
    back = await _post(site, {"unit": "water", "co_units_from": "project", "co_unit:transport": "on",
                              "person": "", "report_every": ""})
    assert back.status_code == 303, back.text
    m, _ = await _milestone(site)
    assert (m.unit, m.co_units, m.person, m.report_every) == ("water", None, None, None)
    # own co-units, none ticked: none at all (not the project's)
    none = await _post(site, {"unit": "", "co_units_from": "own"})
    assert none.status_code == 303, none.text
    m, _ = await _milestone(site)
    assert (m.unit, m.co_units) == (None, ())
    assert _cell((await site.client.get("/projects/P001")).text, "build", "co_units") == "（无） 本节点"


WRONG: list[tuple[dict[str, str], str, str]] = [
    # wang works for transport; with no co-units, the water-led milestone is not his
    ({"person": "wang", "co_units_from": "own"}, "person", "不是这里的牵头单位或配合单位"),
    ({"person": "wnag"}, "person", "没有责任人「wnag」，责任人须先在人员中登记"),
    ({"person": "zhao\u202e"}, "person", "双向控制字符 U+202E"),  # the check every text gets
    ({"co_units_from": "own", "co_unit:water": "on"}, "co_units", "是节点 P001/build 的责任单位"),
    ({"co_units_from": "own", "co_unit:harbour": "on"}, "co_units", "没有单位「harbour」"),
    ({"report_every": "每周两次"}, "report_every", "报送周期不是时长"),
    ({"report_every": "1\u202e周"}, "report_every", "报送周期不是时长"),
    ({"report_every": "0 周"}, "report_every", "报送周期不是时长"),
    ({"unit": "harbour"}, "unit", "找不到「harbour」"),
    ({"unit": "wat\x07er"}, "unit", "U+0007"),
]


async def test_each_wrong_assignment_is_refused_beside_its_field_and_nothing_is_written(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    before = await _milestone(site)
    audited = await _audited(site)
    for change, field, words in WRONG:
        r = await _post(site, {"unit": "water", "co_units_from": "project", **change})
        assert r.status_code == 422, (change, r.text)
        assert words in _said(r.text, field), (change, _said(r.text, field))
        assert "交办未保存" in r.text
    assert await _milestone(site) == before
    assert await _audited(site) == audited
    # what was sent comes back to correct, with the message
    r = await _post(site, {"co_units_from": "own", "co_unit:transport": "on", "report_every": "每周两次"})
    assert 'name="co_unit:transport" checked' in r.text and 'value="own" checked' in r.text
    assert 'name="report_every" value="每周两次"' in r.text
    # the same values through the API get the same words
    version = before[1]
    for change, field, words in [({"person": "wnag"}, "person", "没有责任人「wnag」"),
                                 ({"report_every": "每周两次"}, "report_every", "报送周期不是时长"),
                                 ({"co_units": ["water"]}, "co_units[0]", "是节点 P001/build 的责任单位")]:
        api = await site.client.patch("/api/projects/P001/milestones/build", headers={"x-csrftoken": site.csrf()},
                                      json={"version": version, **change})
        assert api.status_code == 422 and api.json()["where"] == field and words in api.json()["message"], api.text
    assert await _milestone(site) == before


async def test_a_forged_or_stale_version_is_refused_and_writes_nothing(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    token = await site.form(URL)
    before = await _milestone(site)
    for forged in ("", "abc", "-1", "9" * 30):
        r = await site.client.post(URL, data={"version": forged, "person": "li", "_csrf_token": token})
        assert r.status_code == 422, forged
        assert "不是正整数，请重新打开本页后再提交" in r.text
    page = await site.client.get(URL)
    # someone else changes the milestone after this page was opened
    api = await site.client.patch("/api/projects/P001/milestones/build", headers={"x-csrftoken": site.csrf()},
                                  json={"version": before[1], "report_every": "月报"})
    assert api.status_code == 200, api.text
    changed = await _milestone(site)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    stale = await site.client.post(URL, data={"version": version.group(1), "unit": "water", "person": "li", "report_every": "周报",
                                              "_csrf_token": token})
    assert stale.status_code == 409
    assert "未保存：节点「P001/" in stale.text and "」在您读取后已被他人修改：您依据的是第" in stale.text
    assert "changed since you read it" not in stale.text  # the error's Chinese, not its English too
    assert 'name="report_every" value="1 个月"' in stale.text  # the form shows it as it is now
    sent = re.search(r'<p class="sent"><small class="hint">(.*?)</small>', stale.text)
    assert sent and sent.group(1) == ("您提交的值：责任单位（牵头） 市水务局；配合单位 同项目；责任人员 李水清；"
                                      "报送周期 周报")  # and what was sent, named
    assert f'name="version" value="{changed[1]}"' in stale.text  # sending again works
    assert await _milestone(site) == changed


async def test_nobody_but_the_office_reads_or_changes_a_milestones_assignment(site: Site) -> None:
    await _with_people(site)
    before = {k: await _milestone(site, *k) for k in (("P001", "build"), ("P001", "tender"))}
    audited = await _audited(site)
    # anonymous: sent to the login page, and a post without a session is refused
    await site.client.get("/login")
    anonymous = await site.client.get(URL, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', (await site.client.get("/login")).text)
    assert token
    posted = await site.client.post(URL, data={"version": "1", "person": "li", "_csrf_token": token.group(1)},
                                    follow_redirects=False)
    assert posted.status_code in (302, 303) and posted.headers["location"].startswith("/login")
    # the water unit owns 主体施工, transport's owner owns 施工招标: neither may assign either
    for role in ("unit", "owner", "leader"):
        await site.sign_in(role)
        for url in (URL, "/projects/P001/milestones/tender/assign"):
            page = await site.client.get(url)
            assert page.status_code == 403 and "您的角色无权查看此页面" in page.text, (role, url)
            token = await site.form("/accountability")
            r = await site.client.post(url, data={"version": "1", "person": "li", "unit": "water",
                                                  "_csrf_token": token}, follow_redirects=False)
            assert r.status_code == 403, (role, url)
        project = await site.client.get("/projects/P001")
        assert "/assign" not in project.text  # no link either
    # the office itself without the token, or with a forged one
    await site.sign_in("office")
    missing = await site.client.post(URL, data={"version": "1", "person": "li"}, follow_redirects=False)
    forged = await site.client.post(URL, data={"version": "1", "person": "li", "_csrf_token": "x" * 40},
                                    follow_redirects=False)
    assert (missing.status_code, forged.status_code) == (403, 403)
    assert {k: await _milestone(site, *k) for k in before} == before
    assert await _audited(site) == audited


async def test_an_unknown_milestone_or_project_is_a_page_that_says_where_to_look(site: Site) -> None:
    await site.sign_in("office")
    token = await site.form(URL)
    for url, words in (("/projects/P001/milestones/biuld/assign", "「P001/biuld」：该项目中没有这个节点"),
                       ("/projects/P404/milestones/build/assign", "「P404」：")):
        page = await site.client.get(url)
        assert page.status_code == 404 and words in page.text, page.text
        posted = await site.client.post(url, data={"version": "1", "person": "li", "_csrf_token": token})
        assert posted.status_code == 404
    english = await site.client.get("/projects/P001/milestones/biuld/assign?lang=en")
    assert "The project has no such milestone" in english.text and "Back to the project" in english.text


async def test_an_office_api_change_of_only_the_assignment_is_no_report(site: Site) -> None:
    """Through the API too, changing only who answers and how often keeps the last report day
    (and so the next report's day); a change with a reported field still counts as a report."""
    await site.sign_in("office")
    headers = {"x-csrftoken": site.csrf()}
    tender, version = await _milestone(site, "P001", "tender")
    assert tender.updated is not None
    r = await site.client.patch("/api/projects/P001/milestones/tender", headers=headers,
                                json={"version": version, "report_every": "2 weeks", "co_units": ["water"]})
    assert r.status_code == 200, r.text
    assert (await _milestone(site, "P001", "tender"))[0].updated == tender.updated
    r = await site.client.patch("/api/projects/P001/milestones/tender", headers=headers,
                                json={"version": version + 1, "progress": 0.5})
    assert r.status_code == 200, r.text
    assert (await _milestone(site, "P001", "tender"))[0].updated == site.server.today()
