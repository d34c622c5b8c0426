"""The project page's contractor schedule section over real HTTP: the office uploads an XER
through the page's form, sees what the import changed, and a bad file comes back on the page
with where it went wrong; other roles get no form and cannot post one."""

from __future__ import annotations

import pytest

from tests.api.conftest import MPP_PLANS
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


async def test_the_office_uploads_an_mpp_and_a_bad_one_comes_back(site, mpp_converted):  # type: ignore[no-untyped-def]
    """The form takes .mpp files; one MPXJ converts is imported, one that is not an MS Project
    file comes back on the page saying so, in Chinese first, nothing imported."""
    await site.sign_in("office")
    page = await site.client.get("/projects/P003")
    assert 'accept=".xer,.xml,.mpp"' in page.text
    r = await _post(site, {"file": ("notes.mpp", "会议纪要".encode(), "application/vnd.ms-project")})
    assert r.status_code == 422
    assert "notes.mpp" in r.text and "不是 MS Project 文件" in r.text and "尚未导入承包商进度计划" in r.text
    plan = MPP_PLANS[-1]
    r = await _post(site, {"file": (plan.name, plan.read_bytes(), "application/vnd.ms-project")})
    assert r.status_code == 303
    page = await site.client.get("/projects/P003?imported=1")
    assert "已导入" in page.text and "新增 16" in page.text and plan.name in page.text


async def test_only_the_office_may_import(site):  # type: ignore[no-untyped-def]
    await site.sign_in("leader")
    page = await site.client.get("/projects/P003")
    assert "承包商进度计划" in page.text and 'action="/projects/P003/schedule"' not in page.text
    r = await _post(site, {"file": (SAMPLE, (DATA / SAMPLE).read_bytes(), "application/octet-stream")})
    assert r.status_code == 403


async def test_the_page_compares_the_last_two_imports_in_chinese(site):  # type: ignore[no-untyped-def]
    """Next month's file makes Studs A1010 two days longer (40 -> 56 hours), Studs A1060 on
    the second level two days longer too (its float shrinks), and adds Final clean A1260 after
    A1250: the page sets the two imports side by side in zh-CN — the forecast finishes that slipped
    and by how many working days, the float eroded, what was added and removed, the critical
    path as it was and as it is. A name from the file is shown escaped, never as markup."""
    await site.sign_in("office")
    r = await _post(site, {"file": (SAMPLE, (DATA / SAMPLE).read_bytes(), "application/octet-stream")})
    assert r.status_code == 303
    first = await site.client.get("/projects/P003")
    assert "与上一次导入对比" not in first.text  # a first import has nothing to compare with
    nxt = edit_xer(xer_text(SAMPLE), change={"A1010": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56",
                                                       "task_name": "Studs <b>x</b>"},
                                             "A1060": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56"}},
                   add=[("A1250", "A1260", "Final clean")])
    r = await _post(site, {"file": ("next.xer", nxt.encode("cp1252"), "application/octet-stream")})
    assert r.status_code == 303
    page = (await site.client.get("/projects/P003")).text
    section = page[page.index('class="compare"'):page.index("</section>", page.index('class="compare"'))]
    assert "与上一次导入对比" in section and "预测完成推迟" in section and "推迟（工作日）" in section
    assert "<td>A1010 Studs &lt;b&gt;x&lt;/b&gt;</td><td>2021-12-06</td><td>2021-12-08</td><td>2</td>" in section
    assert "<b>x</b>" not in page
    assert "<td>A1060 Studs</td><td>2021-12-13</td><td>2021-12-17</td><td>4</td>" in section
    assert section.index("A1060 Studs") < section.index("A1010 Studs")  # the largest slip first
    # the file must finish by its date: a longer critical path goes negative, 0 -> -7 days
    assert "总时差减少" in section and "原总时差（工作日）" in section
    assert "<td>A1010 Studs &lt;b&gt;x&lt;/b&gt;</td><td>0.0</td><td>-7.0</td><td>7.0</td>" in section
    assert "<td>A1060 Studs</td><td>2.0</td><td>-7.0</td><td>9.0</td>" in section
    assert "新增节点：A1260" in section and "A1250" not in section.split("文件中已删除：")[1].split("</p>")[0]
    assert "原关键路径：A1010 → A1020 → A1030 → A1040 → A1090 → A1140 → A1190 → A1240 → A1250</p>" in section
    assert "现关键路径：A1010 → A1020 → A1060 → " in section and "A1250 → A1260</p>" in section


async def _old_style_import(site, data: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    """An import as versions before the page compare recorded it (commit c7be4ec): the audit
    record holds each milestone's forecast but no float, critical path or compare."""
    from api.schedules import _build  # noqa: PLC0415
    from api.service import now_iso  # noqa: PLC0415
    from projects import loader  # noqa: PLC0415
    from projects import repository as repo  # noqa: PLC0415
    from projects.model import Portfolio  # noqa: PLC0415

    server = site.server
    async with server.writing():
        snap = await server.snapshot()
        unit = snap.portfolio.project_by_id["P003"].unit
        portfolio, record = _build(data, name, loader.dump_portfolio(snap.portfolio), pid="P003", unit=unit,
                                   map_data=None, map_name="map", today=server.today(), project_name=None)
        for key in ("float_days", "critical", "compare"):
            record.pop(key, None)
        counts = await repo.import_portfolio(Portfolio(projects=portfolio.projects), actor="office",
                                             known_on=server.today(), recorded_at=now_iso())
        await server.changed("office", "schedule.import", "project:P003", None,
                             {**record, "milestones_stored": counts["milestones"], "source": name})


async def test_the_page_compares_imports_an_older_version_made(site):  # type: ignore[no-untyped-def]
    """A database whose last two imports were made before imports stored their compare (and
    float and critical path): the page still sets them side by side from the forecasts they
    recorded, slips counted on the office's calendar and said so, float and critical path
    said to be unrecorded rather than shown as nothing lost. A new import after an old one
    compares its forecasts with the old record's, and its own critical path is shown."""
    await site.sign_in("office")
    await _old_style_import(site, (DATA / SAMPLE).read_bytes(), SAMPLE)
    nxt = edit_xer(xer_text(SAMPLE), change={"A1010": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56"},
                                             "A1060": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56"}})
    await _old_style_import(site, nxt.encode("cp1252"), "next.xer")
    page = (await site.client.get("/projects/P003")).text
    section = page[page.index('class="compare"'):page.index("</section>", page.index('class="compare"'))]
    assert "与上一次导入对比" in section and "推迟按本办日历的工作日计" in section
    assert "<td>A1010 Studs</td><td>2021-12-06</td><td>2021-12-08</td><td>2</td>" in section
    assert "<td>A1060 Studs</td><td>2021-12-13</td><td>2021-12-17</td><td>4</td>" in section
    assert section.count("较早版本的导入未记录，无法比较") == 3  # float, critical path was and is
    assert 'class="eroded"' not in section
    later = edit_xer(nxt, change={"A1020": {"target_drtn_hr_cnt": "56", "remain_drtn_hr_cnt": "56"}})
    r = await _post(site, {"file": ("later.xer", later.encode("cp1252"), "application/octet-stream")})
    assert r.status_code == 303
    page = (await site.client.get("/projects/P003")).text
    section = page[page.index('class="compare"'):page.index("</section>", page.index('class="compare"'))]
    assert "本办日历" not in section  # this one the import compared, on the file's calendar
    assert "<td>A1020 Gyp</td><td>2021-12-16</td><td>2021-12-17</td><td>1</td>" in section  # 48 -> 56 h
    assert "原关键路径：较早版本的导入未记录，无法比较" in section
    assert "现关键路径：A1010 → A1020 → " in section
    assert "总时差减少</h4><p>较早版本的导入未记录，无法比较</p>" in section
