"""Who may change which milestone field (issue 15.5) and what a report's values may be (15.11),
over HTTP: refused changes are 403 / 422 naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pytest

from api.reports import check_milestone
from api.values import InputError
from api.web.forms import parse_report
from tests.api.conftest import PORTFOLIO, TODAY, Api

URL = "/api/projects/P001/milestones/tender"


async def _version(api: Api) -> int:
    r = await api.client.get(URL, headers=api.auth("office"))
    return int(r.json()["version"])


@pytest.mark.parametrize(("field", "value"), [
    ("due", "2027-12-31"), ("name", "别的名字"), ("unit", "water"),
])
async def test_an_owner_cannot_change_an_office_field(api: Api, field: str, value: str) -> None:
    before = (await api.client.get(URL, headers=api.auth("office"))).json()
    r = await api.client.patch(URL, headers=api.auth("owner"),
                               json={"version": before["version"], field: value, "progress": 0.5})
    assert r.status_code == 403, r.text
    assert field in r.json()["message"] and "only the office" in r.json()["message"]
    after = (await api.client.get(URL, headers=api.auth("office"))).json()
    assert after == before  # nothing written, the reportable progress neither


async def test_a_unit_cannot_move_the_deadline_of_its_milestone(api: Api) -> None:
    r = await api.client.patch("/api/projects/P001/milestones/build", headers=api.auth("unit"),
                               json={"version": 1, "due": "2028-01-01"})
    assert r.status_code == 403 and "due" in r.json()["message"]


async def test_sending_an_office_field_back_unchanged_is_no_change(api: Api) -> None:
    r = await api.client.patch(URL, headers=api.auth("owner"),
                               json={"version": 1, "due": "2026-04-30", "name": "施工招标", "progress": 0.4})
    assert r.status_code == 200, r.text
    assert r.json()["milestone"]["progress"] == 0.4


async def test_the_office_changes_due_name_and_unit(api: Api) -> None:
    r = await api.client.patch(URL, headers=api.auth("office"),
                               json={"version": 1, "due": "2026-05-31", "name": "施工招标（二次）", "unit": "water"})
    assert r.status_code == 200, r.text
    m = r.json()["milestone"]
    assert (m["due"], m["name"], m["unit"]) == ("2026-05-31", "施工招标（二次）", "water")


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"note": "长" * 10_001}, "note"),
    ({"note": "付款 \u202e00001 元"}, "note"),
    ({"note": "\u2066隐藏\u2069"}, "note"),
])
async def test_bad_text_is_422_at_its_field_and_changes_nothing(api: Api, body: dict[str, str], field: str) -> None:
    r = await api.client.patch(URL, headers=api.auth("office"), json={"version": 1, **body})
    assert r.status_code in (400, 422), r.text
    assert field in r.text
    assert await _version(api) == 1


async def test_infinite_paid_is_refused_over_the_api(api: Api) -> None:
    # JSON has no infinity; 1e999 would parse to one and is refused as out of range
    r = await api.client.patch(URL, headers={**api.auth("owner"), "content-type": "application/json"},
                               content=b'{"version": 1, "paid": 1e999}')
    assert r.status_code == 400, r.text
    assert await _version(api) == 1


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_a_report_check_refuses_amounts_that_are_not_finite(value: float) -> None:
    project = PORTFOLIO.project_by_id["P001"]
    m = replace(project.milestones[1], paid=value)
    with pytest.raises(InputError) as caught:
        check_milestone(m, PORTFOLIO, TODAY)
    assert caught.value.where.endswith(".paid") and "finite" in str(caught.value)


@pytest.mark.parametrize("raw", ["inf", "Infinity", "nan", "1e999"])
def test_the_report_form_refuses_paid_that_is_not_finite(raw: str) -> None:
    changes, errors = parse_report({"paid": raw}, TODAY, lang="en")
    assert changes == {} and "paid" in errors


def test_the_report_form_refuses_a_bidi_override_and_a_huge_note() -> None:
    _, errors = parse_report({"note": "ok \u202e gnp.exe"}, TODAY, lang="en")
    assert "U+202E" in errors["note"]
    _, errors = parse_report({"note": "长" * 10_001}, TODAY)
    assert "10000" in errors["note"]
    changes, errors = parse_report({"note": "正常备注", "paid": "1200"}, TODAY)
    assert errors == {} and changes["note"] == "正常备注" and changes["paid"] == 1200.0
    assert isinstance(TODAY, dt.date)


@pytest.mark.parametrize("role", ["office", "owner"])
@pytest.mark.parametrize(("field", "value"), [("schedule_slip", 0), ("resourced", True)])
async def test_no_one_sets_the_schedule_slip_by_hand(api: Api, role: str, field: str, value: object) -> None:
    """计划推迟 and 资源加载 are set by a schedule import only: a PATCH that carries one is
    refused (422, naming the field) and writes nothing; the read shape shows it, absent here."""
    before = (await api.client.get(URL, headers=api.auth("office"))).json()
    assert before[field] is None
    r = await api.client.patch(URL, headers=api.auth(role),
                               json={"version": before["version"], field: value, "progress": 0.5})
    assert r.status_code in (400, 422), r.text
    assert field in r.text
    assert (await api.client.get(URL, headers=api.auth("office"))).json() == before
