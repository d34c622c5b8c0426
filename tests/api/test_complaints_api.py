"""Complaints in the JSON API (issue 13.2) and their abuse: filed without an account, bounded per
client address per hour (the proxy-aware address), JSON only, followed by code without the
contact, rated once through the link; a forged, reused or other complaint's link changes
nothing; a unit reads and answers only its own; the contact only the office reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import (
    Api,
    answered_complaint,
    behind_proxy,
    client_from,
    route_complaint,
    seed,
)

CONTACT = "reporter@mail.example"
BODY = {"title": "公交站台破损", "kind": "投诉", "text": "海东大道公交站台玻璃破损多日无人处理", "contact": CONTACT}


async def _file(client: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    return await client.post("/api/complaints", json={**BODY, **changes})


_route = route_complaint


async def _answered(api: Api) -> dict[str, Any]:
    """A complaint filed, routed to water and answered by it: the filing's answer."""
    return await answered_complaint(api, BODY, "已修复站台玻璃")


async def test_anyone_files_and_follows_a_complaint_without_its_contact(api: Api) -> None:
    """An anonymous POST files (201, code, secret, links); following by the code shows the state
    and nothing of the complainant; the office's read holds the contact."""
    r = await _file(api.client)
    assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["code"].startswith("C-2026-") and len(filed["secret"]) >= 32
    assert filed["rating_url"].endswith(f"/public/rate?code={filed['code']}&key={filed['secret']}")
    tracked = await api.client.get(f"/api/complaints/track/{filed['code']}")
    assert tracked.status_code == 200 and tracked.json()["state"] == "received"
    assert CONTACT not in tracked.text and BODY["text"] not in tracked.text
    office = await api.client.get(f"/api/complaints/{filed['code']}", headers=api.auth("office"))
    assert office.json()["contact"] == CONTACT and office.json()["text"] == BODY["text"]
    assert (await api.client.get("/api/complaints/track/C-2026-XXXX-XXXX")).status_code == 404


async def test_a_bad_filing_says_what_where_and_writes_nothing(api: Api) -> None:
    """An empty title, an unknown kind, a contact that is neither phone nor e-mail, an unknown
    project and a text past the bound are each refused 422 at their field; a bidirectional
    control character 400 naming the field; no complaint is stored."""
    for changes, where in (({"title": " "}, "title"), ({"kind": "抱怨"}, "kind"),
                           ({"contact": "call me"}, "contact"),
                           ({"project": "P999"}, "project"), ({"text": "字" * 5001}, "text")):
        r = await _file(api.client, **changes)
        assert r.status_code == 422 and r.json()["where"] == where, (changes, r.text)
        assert "—" in r.json()["message"]  # zh-CN, then English
    r = await _file(api.client, text="a\u202eb")
    assert r.status_code == 400 and "text" in r.json()["message"] and "U+202E" in r.json()["message"]
    listed = await api.client.get("/api/complaints", headers=api.auth("office"))
    assert listed.json() == []


async def test_only_json_files_or_rates_so_no_other_site_can_make_a_browser_do_it(api: Api) -> None:
    """A form-encoded or plain-text body (what a page of another site can send, even one that
    reads as JSON) is refused 415 before it is read, and a body past the bound 413; nothing is
    stored."""
    r = await api.client.post("/api/complaints", data=BODY)
    assert r.status_code == 415, r.text
    # what <form enctype="text/plain"> can make: valid JSON with the "=" inside a value
    forged = '{"title":"a","contact":"c@mail.example","text":"b' + "=" + 'c"}'
    r = await api.client.post("/api/complaints", content=forged, headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "JSON" in r.json()["message"]
    r = await _file(api.client, text="字" * 30_000)
    assert r.status_code == 413
    assert (await api.client.get("/api/complaints", headers=api.auth("office"))).json() == []


async def test_a_project_complaint_is_routed_to_its_unit_at_once(api: Api) -> None:
    """Filed about P002 (the water bureau's), it goes to water with the default deadline."""
    filed = (await _file(api.client, project="P002")).json()
    assert filed["unit"] == "water" and filed["due"] == "2026-05-12"  # 5 working days (Sat 05-09 works)
    read = (await api.client.get(f"/api/complaints/{filed['code']}", headers=api.auth("unit"))).json()
    assert read["state"] == "routed" and read["project"] == "P002" and read["contact"] is None


async def test_the_office_routes_and_reroutes_and_only_the_unit_answers(api: Api) -> None:
    """The office routes to water with a deadline and re-routes to transport; water then reads
    403, transport answers once (a second answer 409); a leader reads it without the contact."""
    code = (await _file(api.client)).json()["code"]
    r = await _route(api, code, due="2026-05-20")
    assert r.status_code == 201 and r.json()["due"] == "2026-05-20"
    assert (await _route(api, code, due="2026-05-01")).status_code == 422  # before today
    assert (await _route(api, code, unit="watr")).json()["suggestions"] == ["water"]
    assert (await api.client.post(f"/api/complaints/{code}/route", json={"unit": "water"},
                                  headers=api.auth("leader"))).status_code == 403
    assert (await _route(api, code, unit="transport")).status_code == 201
    assert (await api.client.get(f"/api/complaints/{code}", headers=api.auth("unit"))).status_code == 403
    assert code not in (await api.client.get("/api/complaints", headers=api.auth("unit"))).text
    r = await api.client.post(f"/api/complaints/{code}/answer", json={"text": "由我局处理"}, headers=api.auth("unit"))
    assert r.status_code == 403
    r = await api.client.post(f"/api/complaints/{code}/answer", json={"text": "已处理"}, headers=api.auth("owner"))
    assert r.status_code == 201 and r.json()["state"] == "answered"
    r = await api.client.post(f"/api/complaints/{code}/answer", json={"text": "再答"}, headers=api.auth("owner"))
    assert r.status_code == 409
    assert (await _route(api, code, unit="water")).status_code == 409  # answered: no re-routing
    leader = (await api.client.get(f"/api/complaints/{code}", headers=api.auth("leader"))).json()
    assert leader["answer"] == "已处理" and leader["contact"] is None
    actions = [e["action"] for e in (await api.client.get("/api/audit", headers=api.auth("office"))).json()["items"]
               if e["subject"] == f"complaint:{code}"]
    assert sorted(actions) == ["complaint.answer", "complaint.file", "complaint.route", "complaint.route"]
    assert CONTACT not in (await api.client.get("/api/audit", headers=api.auth("leader"))).text


async def test_a_rating_link_works_once_and_for_its_own_complaint_only(api: Api) -> None:
    """Rated through its secret once (basically satisfied); the same link again (409), a forged
    secret (404), another complaint's secret (404) and a secret before the answer (409) change
    nothing."""
    a, b = await _answered(api), await _answered(api)
    pending = (await _file(api.client)).json()

    async def rate(code: str, secret: str, rating: str = "dissatisfied") -> httpx.Response:
        return await api.client.post(f"/api/complaints/track/{code}/rating", json={"secret": secret, "rating": rating})

    assert (await rate(a["code"], b["secret"])).status_code == 404  # b's link does not rate a
    assert (await rate(a["code"], a["secret"][:-2] + "xx")).status_code == 404
    assert (await rate(a["code"], "")).status_code == 404
    assert (await rate(pending["code"], pending["secret"])).status_code == 409  # not answered yet
    r = await rate(a["code"], a["secret"], "基本满意")
    assert r.status_code == 201 and r.json()["rating"] == "basically_satisfied", r.text
    again = await rate(a["code"], a["secret"], "dissatisfied")
    assert again.status_code == 409 and "只能评价一次" in again.json()["message"]
    assert (await api.client.get(f"/api/complaints/track/{a['code']}")).json()["rating"] == "basically_satisfied"
    assert (await api.client.get(f"/api/complaints/track/{b['code']}")).json()["rating"] is None
    r = await api.client.post(f"/api/complaints/track/{a['code']}/rating", data={"secret": a["secret"], "rating": "x"})
    assert r.status_code == 415


@pytest.fixture
async def proxied(settings: Settings) -> AsyncIterator[Any]:
    """An app behind a trusted proxy (10.0.0.1) taking 3 complaints an hour per address."""
    async with behind_proxy(settings, per_hour=3) as app:
        yield app


async def test_many_complaints_from_one_address_are_refused_past_the_bound(proxied: Any) -> None:
    """Three an hour per address: the fourth from one client is refused 429 with Retry-After and a
    zh/en message; a header the client forges itself does not make it another address; a
    second client behind the proxy still files; nothing refused is stored."""
    async with client_from(proxied, "10.0.0.1") as via_proxy, client_from(proxied, "203.0.113.9") as direct:
        for i in range(3):
            r = await via_proxy.post("/api/complaints", json={**BODY, "title": f"第{i}件"},
                                     headers={"x-forwarded-for": "198.51.100.7"})
            assert r.status_code == 201, r.text
        r = await via_proxy.post("/api/complaints", json=BODY,
                                 headers={"x-forwarded-for": "1.2.3.4, 198.51.100.7"})  # forged left part
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert "一小时内最多提交 3 条" in r.json()["message"] and "at most 3 complaints an hour" in r.json()["message"]
        other = await via_proxy.post("/api/complaints", json=BODY, headers={"x-forwarded-for": "198.51.100.8"})
        assert other.status_code == 201
        for n in range(3):
            r = await direct.post("/api/complaints", json=BODY, headers={"x-forwarded-for": f"198.51.100.{10 + n}"})
            assert r.status_code == 201
        r = await direct.post("/api/complaints", json=BODY, headers={"x-forwarded-for": "198.51.100.100"})
        assert r.status_code == 429  # not behind the proxy: its own header is not believed
    from projects import repository as repo  # noqa: PLC0415

    assert len(await repo.complaints()) == 7


async def test_a_unit_lists_only_its_own_complaints_and_no_contact(api: Api) -> None:
    """Anonymous listing is 401; the water unit lists what is routed to it, the owner of transport
    nothing of water's; the office's list alone has contacts."""
    mine = (await _file(api.client, project="P002")).json()["code"]
    assert (await api.client.get("/api/complaints")).status_code == 401
    water = (await api.client.get("/api/complaints", headers=api.auth("unit"))).json()
    assert [c["code"] for c in water] == [mine] and water[0]["contact"] is None
    assert (await api.client.get("/api/complaints", headers=api.auth("owner"))).json() == []
    assert (await api.client.get(f"/api/complaints/{mine}", headers=api.auth("owner"))).status_code == 403
    for role in ("leader", "owner", "unit"):
        assert CONTACT not in (await api.client.get("/api/complaints", headers=api.auth(role))).text
    assert CONTACT in (await api.client.get("/api/complaints", headers=api.auth("office"))).text


def test_the_complaint_settings_are_read_and_checked(tmp_path: Any) -> None:
    """DUBAN_COMPLAINT_DAYS and DUBAN_COMPLAINTS_PER_HOUR default to 5; a value that is not a whole
    number in range is refused naming the variable, Chinese first."""
    from api.settings import SettingsError  # noqa: PLC0415

    base = {"DUBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite'}"}
    assert (Settings.from_env(base).complaint_days, Settings.from_env(base).complaints_per_hour) == (5, 5)
    s = Settings.from_env({**base, "DUBAN_COMPLAINT_DAYS": "10", "DUBAN_COMPLAINTS_PER_HOUR": " 20 "})
    assert (s.complaint_days, s.complaints_per_hour) == (10, 20)
    for variable, value in (("DUBAN_COMPLAINT_DAYS", "0"), ("DUBAN_COMPLAINT_DAYS", "five"),
                            ("DUBAN_COMPLAINTS_PER_HOUR", "-1"), ("DUBAN_COMPLAINT_DAYS", "61")):
        with pytest.raises(SettingsError) as err:
            Settings.from_env({**base, variable: value})
        assert err.value.variable == variable and str(err.value).split("'")[2].strip(": ").startswith("应为")


async def test_the_deadline_setting_sets_the_default_deadline(settings: Settings) -> None:
    """With DUBAN_COMPLAINT_DAYS=2 a complaint about P002 filed Wed 2026-05-06 is due Fri 05-08."""
    app = create_app(replace(settings, complaint_days=2))
    for hook in app.on_startup:
        await hook(app)
    try:
        await seed(app.state.server)
        async with client_from(app, "127.0.0.1") as client:
            filed = (await _file(client, project="P002")).json()
        assert (filed["unit"], filed["due"]) == ("water", "2026-05-08")
    finally:
        for hook in app.on_shutdown:
            await hook(app)
