"""The project page's contractor schedule section over real HTTP: the office uploads an XER
through the page's form, sees what the import changed, and a bad file comes back on the page
with where it went wrong; other roles get no form and cannot post one."""

from __future__ import annotations

import pytest

from tests.projects.contractor_files import DATA, edit_xer, xer_text

pytestmark = pytest.mark.slow
SAMPLE = "xernative-sample.xer"


async def _post(site, files):  # type: ignore[no-untyped-def]
    token = await site.form("/projects/P003")
    return await site.client.post("/projects/P003/schedule", files=files, data={"_csrf_token": token},
                                  follow_redirects=False)


async def test_the_office_imports_a_schedule_from_the_project_page(site):  # type: ignore[no-untyped-def]
    await site.sign_in("office")
    page = await site.client.get("/projects/P003")
    assert "承包商进度计划" in page.text and "尚未导入承包商进度计划" in page.text
    assert 'action="/projects/P003/schedule"' in page.text
    r = await _post(site, {"file": (SAMPLE, (DATA / SAMPLE).read_bytes(), "application/octet-stream")})
    assert r.status_code == 303 and r.headers["location"] == "/projects/P003?imported=1#schedule"
    page = await site.client.get("/projects/P003?imported=1")
    assert "已导入" in page.text and "新增 25" in page.text and SAMPLE in page.text
    nxt = edit_xer(xer_text(SAMPLE), change={"A1010": {"target_end_date": "2021-12-09 17:00"}})
    r = await _post(site, {"file": ("next.xer", nxt.encode("cp1252"), "application/octet-stream")})
    assert r.status_code == 303
    page = await site.client.get("/projects/P003?lang=en")
    assert "Contractor&#39;s schedule" in page.text or "Contractor's schedule" in page.text
    assert "A1010" in page.text and "+3" in page.text  # due moved 6 -> 9 December


async def test_a_bad_file_comes_back_on_the_page(site):  # type: ignore[no-untyped-def]
    await site.sign_in("office")
    cut = "\n".join(xer_text(SAMPLE).splitlines()[:70]).encode()
    r = await _post(site, {"file": ("cut.xer", cut, "application/octet-stream")})
    assert r.status_code == 422
    assert "cut.xer:70" in r.text and "截断" in r.text and 'role="alert"' in r.text


async def test_only_the_office_may_import(site):  # type: ignore[no-untyped-def]
    await site.sign_in("leader")
    page = await site.client.get("/projects/P003")
    assert "承包商进度计划" in page.text and 'action="/projects/P003/schedule"' not in page.text
    r = await _post(site, {"file": (SAMPLE, (DATA / SAMPLE).read_bytes(), "application/octet-stream")})
    assert r.status_code == 403
