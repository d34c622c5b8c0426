"""The working-day calendar a portfolio file gives is the server's: its kind and the years it
adds are stored, exported, and counted by (a 2027 file fills the year the packaged calendar
does not cover). Before, an import dropped both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.conftest import Api

#: A made-up 2027 Spring Festival: Friday 5 to Thursday 11 February off, Sunday 14 worked.
YEAR_2027 = {"year": 2027, "holidays": [f"2027-02-{d:02d}" for d in range(5, 12)], "workdays": ["2027-02-14"]}


def _file(**top: Any) -> dict[str, Any]:
    return {"units": [{"id": "finance", "name": "市财政局"}], "projects": [], **top}


async def _upload(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    r = await api.client.post("/api/portfolio", headers=api.auth("office"), json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


async def _exported(api: Api) -> dict[str, Any]:
    out: dict[str, Any] = (await api.client.get("/api/portfolio", headers=api.auth("office"))).json()
    return out


async def test_a_files_calendar_years_are_stored_exported_and_counted(api: Api) -> None:
    before = (await api.server.snapshot()).calendar
    assert before.is_workday(dt.date(2027, 2, 8))  # a Monday: no 2027 data, Monday-Friday
    assert (await _upload(api, _file(calendar_years=[YEAR_2027])))["calendar_years"] == 1
    exported = await _exported(api)
    assert exported["calendar"] == "cn"
    assert exported["calendar_years"] == [YEAR_2027]
    cal = (await api.server.snapshot()).calendar
    assert not cal.is_workday(dt.date(2027, 2, 8))
    assert cal.is_workday(dt.date(2027, 2, 14))  # the makeup Sunday
    assert 2027 in cal.covered_years
    # Thursday 4 February + 1 working day: the holiday week skipped; then Friday + 1 is the
    # makeup Sunday
    assert cal.add_workdays(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 12)
    assert cal.add_workdays(dt.date(2027, 2, 12), 1) == dt.date(2027, 2, 14)
    assert before.add_workdays(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 5)


async def test_a_later_file_replaces_its_years_and_keeps_the_others(api: Api) -> None:
    await _upload(api, _file(calendar_years=[YEAR_2027]))
    # the same year again changes nothing; a file without years keeps the stored ones
    assert (await _upload(api, _file(calendar_years=[YEAR_2027])))["calendar_years"] == 0
    assert (await _upload(api, _file()))["calendar_years"] == 0
    assert (await _exported(api))["calendar_years"] == [YEAR_2027]
    moved = {"year": 2027, "holidays": ["2027-02-10"], "workdays": []}
    other = {"year": 2028, "holidays": ["2028-01-26"], "workdays": []}
    assert (await _upload(api, _file(calendar_years=[moved, other])))["calendar_years"] == 2
    assert (await _exported(api))["calendar_years"] == [moved, other]  # the year is the file's whole truth
    cal = (await api.server.snapshot()).calendar
    assert cal.is_workday(dt.date(2027, 2, 8)) and not cal.is_workday(dt.date(2027, 2, 10))


async def test_a_files_calendar_kind_is_stored_and_a_workbook_leaves_it(api: Api) -> None:
    await _upload(api, _file(calendar="weekdays"))
    assert (await _exported(api))["calendar"] == "weekdays"
    assert (await api.server.snapshot()).calendar.kind == "weekdays"
    assert (await api.server.snapshot()).calendar.is_workday(dt.date(2026, 10, 1))  # National Day worked
    template = await api.client.get("/api/portfolio/template.xlsx", headers=api.auth("office"))
    r = await api.client.post("/api/portfolio.xlsx", headers=api.auth("office"),
                              files={"data": ("template.xlsx", template.content)})
    assert r.status_code == 201, r.text
    assert (await _exported(api))["calendar"] == "weekdays"  # a workbook names no calendar
    await _upload(api, _file())  # a portfolio file without `calendar` means the format's default
    assert (await _exported(api))["calendar"] == "cn"
    assert not (await api.server.snapshot()).calendar.is_workday(dt.date(2026, 10, 1))


async def test_a_bad_calendar_year_is_refused_at_its_place_and_stores_nothing(api: Api) -> None:
    bad = {"year": 2027, "holidays": ["2027-02-05", "2028-01-01"], "workdays": ["2027-02-05"]}
    r = await api.client.post("/api/portfolio", headers=api.auth("office"),
                              json=_file(calendar="weekdays", calendar_years=[bad]))
    assert r.status_code == 422, r.text
    wheres = [p["where"] for p in r.json()["problems"]]
    assert any(w.startswith("calendar_years[0]") for w in wheres), wheres
    exported = await _exported(api)
    assert exported["calendar"] == "cn" and "calendar_years" not in exported
    assert "finance" not in [u["id"] for u in exported["units"]]


async def test_other_roles_cannot_change_the_calendar(api: Api) -> None:
    for role in ("leader", "owner", "unit"):
        r = await api.client.post("/api/portfolio", headers=api.auth(role), json=_file(calendar_years=[YEAR_2027]))
        assert r.status_code == 403, (role, r.text)
    r = await api.client.post("/api/portfolio", json=_file(calendar_years=[YEAR_2027]))
    assert r.status_code == 401, r.text
    assert "calendar_years" not in await _exported(api)

