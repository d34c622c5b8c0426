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
