"""Accountability records over HTTP (issue 13, item 4), on both backends: the office records a
通报批评 or a 问责 with its cause; it is audited, counted by the language from its date, and
replayed only from the day it was entered; every refusal says each problem at its field, and
nothing is written."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import TODAY, Api
from tests.api.test_evaluations import _publish_standard

PERSON = {"id": "wang", "name": "王某", "unit": "transport", "post": "副局长"}


async def _audit_total(api: Api) -> int:
    return int((await api.client.get("/api/audit", headers=api.auth("office"))).json()["total"])


async def _records(api: Api, role: str) -> list[dict[str, Any]]:
    r = await api.client.get("/api/accountability", headers=api.auth(role))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_the_office_records_a_criticism_and_an_accountability_both_audited(api: Api) -> None:
    """Ids are made per year, the audit chain holds each record, and the unit sees its own."""
    assert (await api.client.post("/api/people", headers=api.auth("office"), json=PERSON)).status_code == 201
    r = await api.client.post("/api/accountability", headers=api.auth("office"),
                              json={"kind": "通报批评", "unit": "transport", "date": TODAY.isoformat(),
                                    "reason": "督办通知逾期未回复"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["id"], made["kind"], made["kind_zh"], made["recorded_by"]) == (
        f"A-{TODAY.year}-001", "criticism", "通报批评", "office")
    r = await api.client.post("/api/accountability", headers=api.auth("office"),
                              json={"kind": "accountability", "unit": "transport", "person": "wang",
                                    "date": TODAY.isoformat(), "reason": "红牌未整改"})
    assert r.status_code == 201, r.text
    assert r.json()["id"] == f"A-{TODAY.year}-002"
    entry = (await api.client.get("/api/audit", headers=api.auth("office"))).json()["items"][0]
    assert (entry["action"], entry["subject"], entry["after"]["person"]) == (
        "accountability.accountability", "unit:transport", "wang")
    assert [x["id"] for x in await _records(api, "leader")] == [f"A-{TODAY.year}-002", f"A-{TODAY.year}-001"]
    assert len(await _records(api, "owner")) == 2  # the transport owner: its unit's
    assert await _records(api, "unit") == []  # the water unit sees none of them
    verify = (await api.client.get("/api/audit/verify", headers=api.auth("office"))).json()
    assert verify["ok"] is True


async def test_every_refusal_names_each_field_and_writes_nothing(api: Api) -> None:
    """A 问责 without a person, an unknown unit, a future date and an empty reason, all at
    once, each at its field; other roles are refused; unknown fields are refused."""
    before = await _audit_total(api)
    bad = await api.client.post("/api/accountability", headers=api.auth("office"),
                                json={"kind": "问责", "unit": "transprt", "date": "2099-01-01", "reason": " "})
    assert bad.status_code == 422, bad.text
    problems = {p["where"]: p["message"] for p in bad.json()["problems"]}
    assert set(problems) == {"unit", "person", "date", "reason"}
    assert 'did you mean "transport"' in problems["unit"]
    for role in ("leader", "owner", "unit"):
        r = await api.client.post("/api/accountability", headers=api.auth(role),
                                  json={"kind": "criticism", "unit": "transport", "date": TODAY.isoformat(),
                                        "reason": "x"})
        assert r.status_code == 403, (role, r.text)
    odd = await api.client.post("/api/accountability", headers=api.auth("office"),
                                json={"kind": "criticism", "unit": "transport", "date": TODAY.isoformat(),
                                      "reason": "x", "cause": "N-1"})
    assert odd.status_code == 400
    dup = {"id": "A-X", "kind": "criticism", "unit": "transport", "date": TODAY.isoformat(), "reason": "x"}
    assert (await api.client.post("/api/accountability", headers=api.auth("office"), json=dup)).status_code == 201
    again = await api.client.post("/api/accountability", headers=api.auth("office"), json=dup)
    assert again.status_code == 422 and again.json()["problems"][0]["where"] == "id"
    assert await _audit_total(api) == before + 1
    assert [x["id"] for x in await _records(api, "office")] == ["A-X"]


async def test_a_notice_as_cause_must_be_the_units_and_a_red_one_is_a_red_card(api: Api) -> None:
    """The cause is checked against the stored notices; the record says when it is a red card."""
    await _publish_standard(api)
    notices = (await api.client.get("/api/notices", headers=api.auth("office"))).json()
    water = next(n for n in notices if n["unit"] == "water")
    wrong = await api.client.post("/api/accountability", headers=api.auth("office"),
                                  json={"kind": "criticism", "unit": "transport", "date": TODAY.isoformat(),
                                        "reason": "x", "notice": water["code"]})
    assert wrong.status_code == 422
    assert [p["where"] for p in wrong.json()["problems"]] == ["notice"]
    r = await api.client.post("/api/accountability", headers=api.auth("office"),
                              json={"kind": "criticism", "unit": "water", "date": TODAY.isoformat(),
                                    "reason": "逾期未整改", "notice": water["code"]})
    assert r.status_code == 201, r.text
    assert r.json()["notice"] == water["code"]
    assert r.json()["red_card"] is (water["level"] == "red")


async def test_a_record_dated_back_counts_from_its_date_but_replays_only_from_its_entry(api: Api) -> None:
    """Entered today and dated a month ago: today's engine counts it; the portfolio as known a
    week ago (before it was entered) does not hold it."""
    import datetime as dt  # noqa: PLC0415

    from projects.accountability import counts  # noqa: PLC0415

    back = TODAY - dt.timedelta(days=30)
    r = await api.client.post("/api/accountability", headers=api.auth("office"),
                              json={"kind": "criticism", "unit": "water", "date": back.isoformat(),
                                    "reason": "逾期"})
    assert r.status_code == 201, r.text
    now = (await api.server.snapshot()).portfolio
    assert counts(now.accountability, {}, TODAY).criticisms == {"water": 1}
    earlier = await api.server.portfolio_as_of(TODAY - dt.timedelta(days=7))
    assert earlier.accountability == ()


async def test_a_complaint_as_cause_is_checked_and_stored(api: Api) -> None:
    """A complaint routed to the unit may be the cause; one routed elsewhere is refused at
    ``complaint``; the stored record names it."""
    import datetime as dt  # noqa: PLC0415

    from projects import repository as repo  # noqa: PLC0415
    from projects.model import Complaint  # noqa: PLC0415

    async with api.server.writing():
        await repo.import_complaints([Complaint("C-2026-0001", "夜间施工噪音", "transport",
                                                TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=3))])
        await repo.bump_revision()
    body = {"kind": "criticism", "date": TODAY.isoformat(), "reason": "投诉逾期未答复", "complaint": "C-2026-0001"}
    wrong = await api.client.post("/api/accountability", headers=api.auth("office"), json={**body, "unit": "water"})
    assert wrong.status_code == 422
    assert [p["where"] for p in wrong.json()["problems"]] == ["complaint"]
    r = await api.client.post("/api/accountability", headers=api.auth("office"), json={**body, "unit": "transport"})
    assert r.status_code == 201, r.text
    assert r.json()["complaint"] == "C-2026-0001"
    stored = (await api.server.snapshot()).portfolio.accountability
    assert [a.complaint for a in stored] == ["C-2026-0001"]
