"""延期申请 pages over real HTTP (issue 12): a unit asks from its inbox page, the office decides
on its page; a refused step comes back with its Chinese message and writes nothing."""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.site import Site


async def _ask(site: Site, **form: str) -> object:
    token = await site.form("/extensions")
    return await site.client.post("/extensions/request", data={**form, "_csrf_token": token},
                                  follow_redirects=False)


async def test_a_unit_asks_and_the_office_approves_on_their_pages(site: Site) -> None:
    await site.sign_in("unit")  # water: P001/build is its milestone, due 2026-12-31
    page = await site.client.get("/extensions")
    assert page.status_code == 200
    assert '<option value="P001/build">' in page.text and "现行期限 2026-12-31" in page.text
    assert 'href="/extensions"' in page.text  # in the navigation
    r = await _ask(site, milestone="P001/build", new_due="2027-01-31", reason="因用地报批延迟")
    assert r.status_code == 303 and "done=" in r.headers["location"]  # type: ignore[attr-defined]
    page = await site.client.get("/extensions")
    assert re.search(r'class="card extension" id="extension-\d+" data-status="pending"', page.text)
    assert "因用地报批延迟" in page.text and "P001/build\" disabled" in page.text  # pending: no second one
    card = re.search(r'class="card extension".*?</p>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert "主体施工" in card and "P001/build" not in card  # the unit reads names, not ids
    await site.sign_in("office")
    page = await site.client.get("/extensions")
    eid = re.search(r'id="extension-(\d+)" data-status="pending"', page.text).group(1)  # type: ignore[union-attr]
    token = await site.form("/extensions")
    blank = await site.client.post(f"/extensions/{eid}/decide", follow_redirects=False,
                                   data={"decision": "approved", "reason": " ", "_csrf_token": token})
    assert "审批意见不能为空" in unquote(blank.headers["location"])
    ok = await site.client.post(f"/extensions/{eid}/decide", follow_redirects=False,
                                data={"decision": "approved", "reason": "理由充分", "_csrf_token": token})
    assert ok.status_code == 303
    page = await site.client.get("/extensions")
    assert f'id="extension-{eid}" data-status="approved"' in page.text and "理由充分" in page.text
    again = await site.client.post(f"/extensions/{eid}/decide", follow_redirects=False,
                                   data={"decision": "rejected", "reason": "改主意", "_csrf_token": token})
    shown = await site.client.get(again.headers["location"])
    assert '<p class="error" role="alert">该延期申请已于' in shown.text
    assert f'id="extension-{eid}" data-status="approved"' in shown.text  # unchanged


async def test_a_date_not_after_the_current_due_comes_back_with_its_message(site: Site) -> None:
    await site.sign_in("unit")
    r = await _ask(site, milestone="P001/build", new_due="2026-12-31", reason="理由")
    page = await site.client.get(r.headers["location"])  # type: ignore[attr-defined]
    assert '<p class="error" role="alert">申请延至 2026-12-31 不晚于现行期限 2026-12-31' in page.text
    assert 'data-status="pending"' not in page.text
    bad = await _ask(site, milestone="P001/build", new_due="明年", reason="理由")
    assert "申请延至的日期无效" in unquote(bad.headers["location"])  # type: ignore[attr-defined]
    other = await _ask(site, milestone="P001/tender", new_due="2027-01-31", reason="理由")  # transport's
    assert other.status_code == 403  # type: ignore[attr-defined]


async def test_owners_see_their_next_report_and_the_moved_due_on_their_page(site: Site) -> None:
    """A project on a two-week cadence: tender last reported 2026-04-20, so its next report falls
    on 05-04, inside the Labour Day holiday, and moves to 05-06; an approved extension shows the
    new due with the original one under it."""
    from dataclasses import replace  # noqa: PLC0415

    from projects import repository as repo  # noqa: PLC0415
    from projects.cadence import Cadence  # noqa: PLC0415

    server = site.server
    async with server.writing():
        p = (await server.snapshot()).portfolio.project_by_id["P001"]
        await repo.save_project(replace(p, report_every=Cadence(2, "weeks")), create=False)
        await repo.bump_revision()
    await site.sign_in("owner")
    page = await site.client.get("/my")
    row = re.search(r'<tr id="m-P001-tender".*?</tr>', page.text, re.S).group(0)  # type: ignore[union-attr]
    assert '<small class="next-report">下次报送 2026-05-06</small>' in row
    await site.sign_in("unit")
    await _ask(site, milestone="P001/build", new_due="2027-01-31", reason="因用地报批延迟")
    mine = await site.client.get("/my")
    assert '<small class="extension-pending">待审批</small>' in mine.text
    await site.sign_in("office")
    eid = re.search(r'id="extension-(\d+)"', (await site.client.get("/extensions")).text).group(1)  # type: ignore[union-attr]
    token = await site.form("/extensions")
    await site.client.post(f"/extensions/{eid}/decide", data={"decision": "approved", "reason": "同意", "_csrf_token": token})
    await site.sign_in("unit")
    row = re.search(r'<tr id="m-P001-build".*?</tr>', (await site.client.get("/my")).text, re.S).group(0)  # type: ignore[union-attr]
    assert "2027-01-31" in row and '<small class="original-due">原计划完成 2026-12-31</small>' in row


async def test_leaders_see_urgent_and_instructed_projects_apart(site: Site) -> None:
    from dataclasses import replace  # noqa: PLC0415

    from projects import repository as repo  # noqa: PLC0415

    server = site.server
    async with server.writing():
        ps = (await server.snapshot()).portfolio.project_by_id
        await repo.save_project(replace(ps["P002"], urgent=True), create=False)
        await repo.save_project(replace(ps["P003"], instruction="务必于三季度前见效"), create=False)
        await repo.bump_revision()
    await site.sign_in("leader")
    urgent = await site.client.get("/projects?flag=urgent")
    assert "城北水厂扩建" in urgent.text and "海东大道改造工程" not in urgent.text
    assert '<span class="badge urgent">紧急事项</span>' in urgent.text and "紧急事项</h1>" in urgent.text
    told = await site.client.get("/projects?flag=instruction")
    assert "优化营商环境" in told.text and "城北水厂扩建" not in told.text
    assert '<small class="instruction">务必于三季度前见效</small>' in told.text
    every = await site.client.get("/projects")
    assert all(name in every.text for name in ("城北水厂扩建", "优化营商环境", "海东大道改造工程"))
