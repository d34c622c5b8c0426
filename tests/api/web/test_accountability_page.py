"""通报问责 page over real HTTP (issue 13, item 4): the office records a 问责 through the form
and sees it listed; a refused record comes back with each message beside its field, keeps
what was typed and writes nothing; a unit sees its own records only and no form."""

from __future__ import annotations

import re

from projects import repository as repo
from projects.model import Person
from tests.site import TODAY, Site


async def _with_people(site: Site) -> None:
    async with site.server.writing():
        await repo.save_person(Person("wang", "王建国", "transport", "副局长"), create=True)
        await repo.bump_revision()


async def _post(site: Site, **form: str) -> object:
    token = await site.form("/accountability")
    return await site.client.post("/accountability", data={**form, "_csrf_token": token}, follow_redirects=False)


async def test_the_office_records_an_accountability_and_sees_it_listed(site: Site) -> None:
    await _with_people(site)
    await site.sign_in("office")
    page = await site.client.get("/accountability")
    assert page.status_code == 200
    assert "登记通报批评或问责" in page.text and "暂无通报批评或问责记录" in page.text
    assert f'value="{TODAY.isoformat()}"' in page.text  # the date defaults to today
    r = await _post(site, kind="accountability", unit="transport", person="wang", date=TODAY.isoformat(),
                    reason="招标逾期且督办未回复", notice="")
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    made = f"A-{TODAY.year}-001"
    assert r.headers["location"] == f"/accountability?done={made}#record-{made}"  # type: ignore[attr-defined]
    listed = await site.client.get(r.headers["location"])  # type: ignore[attr-defined]
    row = re.search(rf'<tr id="record-{made}" data-kind="accountability">(.*?)</tr>', listed.text, re.S)
    assert row, listed.text
    assert "问责" in row.group(1) and "市交通运输局" in row.group(1) and "王建国" in row.group(1)
    assert "招标逾期且督办未回复" in row.group(1)
    assert [a.id for a in (await site.server.snapshot()).portfolio.accountability] == [made]


async def test_a_refused_record_shows_each_message_beside_its_field_and_writes_nothing(site: Site) -> None:
    await site.sign_in("office")
    r = await _post(site, kind="accountability", unit="transport", person="", date="2099-01-01",
                    reason="", notice="N-404")
    assert r.status_code == 422  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert "未登记，请按标红处修改" in text
    for field, words in (("person", "问责须写明被问责的责任人"), ("date", "晚于今天"), ("reason", "缺少「reason」"),
                         ("notice", "找不到督办通知「N-404」")):
        found = re.search(rf'<small class="error" id="error-{field}">(.*?)</small>', text)
        assert found and words in found.group(1), (field, found and found.group(1))
    assert 'value="2099-01-01"' in text and 'value="N-404"' in text  # what was typed stays
    assert (await site.server.snapshot()).portfolio.accountability == ()
    english = await site.client.post("/accountability?lang=en", data={
        "kind": "criticism", "unit": "nowhere", "date": TODAY.isoformat(), "reason": "x",
        "_csrf_token": await site.form("/accountability")})
    found = re.search(r'<small class="error" id="error-unit">(.*?)</small>', english.text)
    assert english.status_code == 422 and found and found.group(1) == "no unit &#34;nowhere&#34;"


async def test_a_unit_sees_its_own_records_only_and_no_form(site: Site) -> None:
    await site.sign_in("office")
    for unit in ("transport", "water"):
        r = await _post(site, kind="criticism", unit=unit, date=TODAY.isoformat(), reason=f"{unit} 逾期")
        assert r.status_code == 303  # type: ignore[attr-defined]
    await site.sign_in("unit")  # the water unit
    page = await site.client.get("/accountability")
    assert page.status_code == 200
    assert "water 逾期" in page.text and "transport 逾期" not in page.text
    assert "登记通报批评或问责" not in page.text
    refused = await site.client.post("/accountability", data={"kind": "criticism", "unit": "water",
                                                               "date": TODAY.isoformat(), "reason": "x",
                                                               "_csrf_token": site.csrf()})
    assert refused.status_code == 403
    no_token = await site.client.post("/accountability", data={"kind": "criticism"})
    assert no_token.status_code == 403


async def test_records_show_beside_the_ranking_and_on_the_units_list(site: Site) -> None:
    """The dashboard lists the latest records under the ranking; a unit's project list its own."""
    await site.sign_in("office")
    await _post(site, kind="criticism", unit="water", date=TODAY.isoformat(), reason="水厂扩建滞后")
    await site.sign_in("leader")
    board = await site.client.get("/dashboard")
    assert board.status_code == 200
    assert board.text.index('id="ranking_1"') < board.text.index("水厂扩建滞后")
    water = await site.client.get("/projects?unit=water")
    assert "本单位的通报批评与问责" in water.text and "水厂扩建滞后" in water.text
    transport = await site.client.get("/projects?unit=transport")
    assert "本单位的通报批评与问责" in transport.text and "水厂扩建滞后" not in transport.text
