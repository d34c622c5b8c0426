"""One visibility rule for pages and API (issue 15.7), over the whole role x endpoint matrix.

Every route the app mounts (enumerated from the app itself, demo routes included) has a row
here: which roles may call it, and on which concrete paths. Each row is called by anonymous
and by every role; a refused role gets 403 (a page, its 403 page), anonymous gets 401 (a
page, the login page), and every answer an owner or a unit gets is searched for the names of
projects and notices it does not see. A route without a row fails the test.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from api import users
from api.app import create_app
from api.seed import standard_sources
from api.service import now_iso
from api.settings import Settings
from projects import repository as repo
from projects.model import Category, Kind, Milestone, Portfolio, Project
from tests.api.conftest import PASSWORD, PORTFOLIO, ROLES, TODAY
from tests.site import publish

ALL = frozenset({"office", "leader", "owner", "unit"})
WATCHERS = frozenset({"office", "leader"})
OFFICE = frozenset({"office"})
REPORTERS = frozenset({"office", "owner", "unit"})

#: Two projects more than the API tests' portfolio: P003 the water bureau's (the transport
#: owner must not see it, as in the issue), P004 the transport bureau's alone (the water unit
#: must not see it). Both overdue, so each unit gets a notice the other must not see.
EXTRA = (
    Project("P003", "优化营商环境", Category.TASK, "water", None, (
        Milestone("P003", "plan", "方案印发", Kind.APPROVAL, due=dt.date(2026, 3, 2)),)),
    Project("P004", "公交站台改造", Category.PROJECT, "transport", 3_000_000.0, (
        Milestone("P004", "stops", "站台施工", Kind.APPROVAL, due=dt.date(2026, 3, 16)),)),
)

#: Two complaints filed by the public (issue 13), one about P002 (so routed to water), one about
#: P004 (transport); their contacts only the office may ever read.
COMPLAINTS = {"water": ("水厂施工扬尘投诉", "13900139000"), "transport": ("站台改造噪音投诉", "noise@mail.example")}
CONTACTS = tuple(contact for _, contact in COMPLAINTS.values())

#: What each role must never read, in any answer: projects it does not see, by id and name, and
#: the complaints of another unit.
HIDDEN = {
    "owner": ("P002", "P003", "城北水厂扩建", "优化营商环境", COMPLAINTS["water"][0]),
    "unit": ("P004", "公交站台改造", COMPLAINTS["transport"][0]),
}


@dataclass
class World:
    client: httpx.AsyncClient
    tokens: dict[str, str]
    app: Any
    notice: dict[str, str]  # unit -> the code of a notice addressed to it
    complaint: dict[str, str]  # unit -> the code of a complaint routed to it

    def headers(self, role: str | None) -> dict[str, str]:
        h = {"x-csrftoken": self.client.cookies.get("csrftoken") or ""}
        if role is not None:
            h["Authorization"] = f"Bearer {self.tokens[role]}"
        return h


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    """The app in demo mode (every route mounted), the API tests' portfolio with P003 and P004,
    the standard rulebook published (findings and notices for both units), a token per role."""
    app = create_app(replace(settings, demo=True))
    for hook in app.on_startup:
        await hook(app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            server = app.state.server
            tokens = {}
            portfolio = Portfolio(units=PORTFOLIO.units, projects=PORTFOLIO.projects + EXTRA)
            async with server.writing():
                await repo.import_portfolio(portfolio, actor="seed", known_on=TODAY - dt.timedelta(days=60),
                                            recorded_at=now_iso())
                await repo.bump_revision()
                units = {u.id for u in portfolio.units}
                for role, unit in ROLES.items():
                    await users.create(role, role=role, unit=unit, password=PASSWORD, display=role, units=units)
                    tokens[role] = await users.issue_token(role, "tests")
            await publish(server, standard_sources())
            await client.get("/login")  # the csrftoken cookie, echoed on every change
            notices = (await client.get("/api/notices", headers={"Authorization": f"Bearer {tokens['office']}"})).json()
            by_unit = {}
            for n in notices:
                by_unit.setdefault(n["unit"], n["code"])
            assert {"water", "transport"} <= set(by_unit), notices
            complaints = {}
            for unit, project in (("water", "P002"), ("transport", "P004")):
                title, contact = COMPLAINTS[unit]
                r = await client.post("/api/complaints", json={"title": title, "text": f"{title}，请处理",
                                                               "contact": contact, "project": project})
                assert r.status_code == 201 and r.json()["unit"] == unit, r.text
                complaints[unit] = r.json()["code"]
            yield World(client, tokens, app, by_unit, complaints)
    finally:
        for hook in app.on_shutdown:
            await hook(app)


@dataclass(frozen=True)
class Call:
    path: str
    allowed: frozenset[str]
    body: Any = None
    form: dict[str, str] | None = None
    files: dict[str, Any] | None = None


def rules(w: World) -> dict[str, list[Call] | str]:
    """Every route, ``"METHOD path"`` as the app mounts it: its calls, or ``"open"`` (anyone,
    signed in or not) or ``"receiver"`` (the demo receiver, its own secret; see
    ``test_demo_receiver_needs_its_secret``)."""
    nw, nt = w.notice["water"], w.notice["transport"]
    cw, ct = w.complaint["water"], w.complaint["transport"]
    return {
        # ---- the public side (issue 13): no account; what it shows is searched below
        "GET /public": "open",
        "POST /public/complaints": "open",
        "GET /public/track": "open",
        "GET /public/rate": "open",
        "POST /public/rate": "open",
        "GET /api/public": "open",
        "POST /api/complaints": "open",
        "GET /api/complaints/track/{code:str}": "open",
        "POST /api/complaints/track/{code:str}/rating": "open",
        "GET /api/complaints": [Call("/api/complaints", ALL)],
        "GET /api/complaints/{code:str}": [Call(f"/api/complaints/{cw}", ALL - {"owner"}),
                                            Call(f"/api/complaints/{ct}", ALL - {"unit"})],
        "POST /api/complaints/{code:str}/route": [Call(f"/api/complaints/{cw}/route", OFFICE, {"unit": "water"})],
        "POST /api/complaints/{code:str}/answer": [
            Call(f"/api/complaints/{cw}/answer", frozenset({"unit"}), {"text": "已处理"}),
            Call(f"/api/complaints/{ct}/answer", frozenset({"owner"}), {"text": "已处理"})],
        "GET /complaints": [Call("/complaints", ALL)],
        "POST /complaints/{code:str}/route": [Call(f"/complaints/{ct}/route", OFFICE, form={"unit": "transport"})],
        "POST /complaints/{code:str}/answer": [
            Call(f"/complaints/{cw}/answer", frozenset({"unit"}), form={"text": "已处理"}),
            Call(f"/complaints/{ct}/answer", frozenset({"owner"}), form={"text": "已处理"})],
        "GET /api/health": "open",
        "GET /login": "open",
        "POST /login": "open",
        "POST /logout": "open",
        "GET /static/{file:str}": "open",
        # the API docs: the reference, Redoc's view served by the app, and the document (the
        # CDN-fed viewers are gone)
        **{f"GET /schema{p}": "open" for p in ("", "/openapi.json", "/redoc", "/{path:str}")},
        "POST /api/demo/inbox/{unit:str}": "receiver",
        # ---- the API: reads
        "GET /api/me": [Call("/api/me", ALL)],
        "GET /api/units": [Call("/api/units", ALL)],
        "GET /api/units/{uid:str}": [Call("/api/units/transport", ALL)],
        "GET /api/projects": [Call("/api/projects", ALL), Call("/api/projects?unit=water", ALL)],
        "GET /api/projects/{pid:str}": [Call("/api/projects/P001", ALL), Call("/api/projects/P002", ALL - {"owner"}),
                                        Call("/api/projects/P003", ALL - {"owner"}),
                                        Call("/api/projects/P004", ALL - {"unit"})],
        "GET /api/milestones": [Call("/api/milestones", ALL), Call("/api/milestones?project=P003", ALL)],
        "GET /api/projects/{pid:str}/milestones/{mid:str}": [
            Call("/api/projects/P001/milestones/tender", ALL),
            Call("/api/projects/P003/milestones/plan", ALL - {"owner"}),
            Call("/api/projects/P004/milestones/stops", ALL - {"unit"})],
        "GET /api/projects/{pid:str}/milestones/{mid:str}/history": [
            Call("/api/projects/P001/milestones/tender/history", ALL),
            Call("/api/projects/P003/milestones/plan/history", ALL - {"owner"}),
            Call("/api/projects/P004/milestones/stops/history", ALL - {"unit"})],
        "GET /api/findings": [Call("/api/findings", ALL), Call("/api/findings?project=P003", ALL),
                              Call("/api/findings?project=P004", ALL), Call("/api/findings?unit=water", ALL)],
        "GET /api/rulebooks": [Call("/api/rulebooks", WATCHERS)],
        "GET /api/rulebooks/{number:int}": [Call("/api/rulebooks/1", WATCHERS)],
        "GET /api/evaluations": [Call("/api/evaluations", WATCHERS)],
        "GET /api/evaluations/{eid:int}": [Call("/api/evaluations/1", WATCHERS)],
        "GET /api/rates": [Call("/api/rates", WATCHERS)],
        "GET /api/rankings": [Call("/api/rankings", WATCHERS)],
        "GET /api/notices": [Call("/api/notices", ALL), Call("/api/notices?unit=water", ALL),
                             Call("/api/notices?unit=transport", ALL)],
        "GET /api/notices/{code:str}": [Call(f"/api/notices/{nw}", ALL - {"owner"}),
                                        Call(f"/api/notices/{nt}", ALL - {"unit"})],
        "GET /api/notices/{code:str}/history": [Call(f"/api/notices/{nw}/history", ALL - {"owner"}),
                                                Call(f"/api/notices/{nt}/history", ALL - {"unit"})],
        "GET /api/deliveries": [Call("/api/deliveries", OFFICE)],
        "GET /api/deliveries/notice/{code:str}": [Call(f"/api/deliveries/notice/{nw}", OFFICE)],
        "GET /api/users": [Call("/api/users", OFFICE)],
        "GET /api/audit": [Call("/api/audit", WATCHERS)],
        "GET /api/audit/verify": [Call("/api/audit/verify", WATCHERS)],
        "GET /api/portfolio": [Call("/api/portfolio", ALL)],
        "GET /api/portfolio.xlsx": [Call("/api/portfolio.xlsx", ALL)],
        "GET /api/portfolio/template.xlsx": [Call("/api/portfolio/template.xlsx", ALL)],
        "GET /api/demo/inbox": [Call("/api/demo/inbox", ALL), Call("/api/demo/inbox?unit=water", ALL - {"owner"})],
        "GET /api/people": [Call("/api/people", ALL)],
        "GET /api/extensions": [Call("/api/extensions", ALL), Call("/api/extensions?status=pending", ALL)],
        "GET /api/assessments": [Call("/api/assessments", WATCHERS)],
        "GET /api/assessments/{period:str}": [Call("/api/assessments/2026-04", WATCHERS)],
        "GET /api/assessments/{period:str}/verify": [Call("/api/assessments/2026-04/verify", WATCHERS)],
        "GET /api/assessments/{period:str}/workbook": [Call("/api/assessments/2026-04/workbook", WATCHERS)],
        "GET /api/accountability": [Call("/api/accountability", ALL), Call("/api/accountability?unit=water", ALL)],
        # ---- the API: writes
        "POST /api/units": [Call("/api/units", OFFICE, {"id": "finance", "name": "市财政局"})],
        "PATCH /api/units/{uid:str}": [Call("/api/units/water", OFFICE, {"name": "市水务局（新）"})],
        "POST /api/projects": [Call("/api/projects", OFFICE, {"id": "P009", "name": "x", "category": "task",
                                                              "unit": "water"})],
        "PATCH /api/projects/{pid:str}": [Call("/api/projects/P002", OFFICE, {"budget": 1.0})],
        "POST /api/projects/{pid:str}/milestones": [Call("/api/projects/P002/milestones", OFFICE,
                                                         {"id": "x", "name": "x", "kind": "contract"})],
        "PATCH /api/projects/{pid:str}/milestones/{mid:str}": [
            Call("/api/projects/P001/milestones/tender", frozenset({"office", "owner"}), {"version": 1, "note": "n"}),
            Call("/api/projects/P001/milestones/build", REPORTERS, {"version": 1, "note": "n"}),
            Call("/api/projects/P003/milestones/plan", frozenset({"office", "unit"}), {"version": 1, "note": "n"}),
            Call("/api/projects/P004/milestones/stops", frozenset({"office", "owner"}), {"version": 1, "note": "n"})],
        "POST /api/rulebooks": [Call("/api/rulebooks", OFFICE, {"sources": {"a.rules": ""}})],
        "POST /api/rulebooks/{number:int}/check": [Call("/api/rulebooks/99/check", OFFICE)],
        "POST /api/rulebooks/{number:int}/dry-run": [Call("/api/rulebooks/99/dry-run", OFFICE, {})],
        "POST /api/rulebooks/{number:int}/publish": [Call("/api/rulebooks/99/publish", OFFICE)],
        "POST /api/evaluations": [Call("/api/evaluations", OFFICE, {})],
        "POST /api/users": [Call("/api/users", OFFICE, {"username": "new1", "role": "leader",
                                                         "password": "long enough pw"})],
        "PATCH /api/users/{username:str}": [Call("/api/users/leader", OFFICE, {"display": "领导"})],
        "POST /api/tokens": [Call("/api/tokens", ALL, {"name": "script"})],
        "POST /api/notices/{code:str}/respond": [
            Call(f"/api/notices/{nw}/respond", frozenset({"office", "unit"}), {"text": "已整改"}),
            Call(f"/api/notices/{nt}/respond", frozenset({"office", "owner"}), {"text": "已整改"})],
        "POST /api/notices/{code:str}/accept": [Call(f"/api/notices/{nw}/accept", OFFICE)],
        "POST /api/notices/{code:str}/reject": [Call(f"/api/notices/{nt}/reject", OFFICE, {"reason": "不充分"})],
        "POST /api/deliveries/{delivery_id:int}/retry": [Call("/api/deliveries/999/retry", OFFICE)],
        "POST /api/portfolio": [Call("/api/portfolio", OFFICE, {"units": []})],
        "POST /api/people": [Call("/api/people", OFFICE, {"id": "wang", "name": "王某", "unit": "water"})],
        "PATCH /api/people/{xid:str}": [Call("/api/people/wang", OFFICE, {"post": "科长"})],
        "POST /api/projects/{pid:str}/milestones/{mid:str}/extensions": [
            Call("/api/projects/P001/milestones/tender/extensions", frozenset({"office", "owner"}),
                 {"new_due": "2027-06-30", "reason": "因用地报批延迟"}),
            Call("/api/projects/P003/milestones/plan/extensions", frozenset({"office", "unit"}),
                 {"new_due": "2027-06-30", "reason": "因用地报批延迟"}),
            Call("/api/projects/P004/milestones/stops/extensions", frozenset({"office", "owner"}),
                 {"new_due": "2027-06-30", "reason": "因用地报批延迟"})],
        "POST /api/extensions/{eid:int}/decision": [Call("/api/extensions/1/decision", OFFICE,
                                                         {"decision": "approved", "reason": "同意"})],
        "POST /api/projects/{pid:str}/schedule": [Call("/api/projects/P009/schedule", OFFICE, form={"unit": "water"},
                                                       files={"file": ("x.xer", b"not a schedule")})],
        "POST /api/portfolio.xlsx": [Call("/api/portfolio.xlsx", OFFICE, files={"data": ("x.xlsx", b"not a workbook")})],
        "POST /api/accountability": [Call("/api/accountability", OFFICE, {"kind": "criticism", "unit": "water",
                                                                          "date": TODAY.isoformat(), "reason": "逾期"})],
        "POST /api/assessments": [Call("/api/assessments", OFFICE, {"period": "2026-04"})],
        # ---- the pages
        "GET /": [Call("/", ALL)],
        "GET /dashboard": [Call("/dashboard", WATCHERS)],
        "GET /dashboard/rates": [Call("/dashboard/rates", WATCHERS)],
        "GET /dashboard/report.html": [Call("/dashboard/report.html", WATCHERS)],
        "GET /dashboard/screen": [Call("/dashboard/screen", WATCHERS)],
        "GET /reports/findings.xlsx": [Call("/reports/findings.xlsx", WATCHERS)],
        "GET /reports/ranking.xlsx": [Call("/reports/ranking.xlsx", WATCHERS)],
        "GET /projects": [Call("/projects", WATCHERS)],
        "GET /projects/{pid:str}": [Call("/projects/P001", ALL), Call("/projects/P003", ALL - {"owner"}),
                                    Call("/projects/P004", ALL - {"unit"})],
        "POST /projects/{pid:str}/schedule": [Call("/projects/P001/schedule", OFFICE, form={"unit": "transport"},
                                                   files={"file": ("x.xer", b"not a schedule")})],
        "GET /projects/{pid:str}/assign": [Call("/projects/P001/assign", OFFICE)],
        "POST /projects/{pid:str}/assign": [Call("/projects/P001/assign", OFFICE,
                                                 form={"unit": "transport", "report_every": "月报"})],
        "GET /projects/{pid:str}/milestones/{mid:str}/assign": [
            Call("/projects/P001/milestones/tender/assign", OFFICE)],
        "POST /projects/{pid:str}/milestones/{mid:str}/assign": [
            Call("/projects/P001/milestones/tender/assign", OFFICE, form={"report_every": "月报"})],
        "GET /people": [Call("/people", OFFICE)],
        "GET /people/{xid:str}": [Call("/people/wang", OFFICE)],
        "POST /people": [Call("/people", OFFICE, form={"id": "li", "name": "李某", "unit": "water"})],
        "POST /people/{xid:str}": [Call("/people/wang", OFFICE, form={"name": "王某", "unit": "water"})],
        "GET /my": [Call("/my", REPORTERS)],
        "POST /my/{pid:str}/{mid:str}": [
            Call("/my/P001/tender", frozenset({"office", "owner"}), form={"version": "1", "note": "n"}),
            Call("/my/P003/plan", frozenset({"office", "unit"}), form={"version": "1", "note": "n"})],
        "GET /inbox": [Call("/inbox", frozenset({"owner", "unit"}))],
        "POST /inbox/{code:str}/respond": [
            Call(f"/inbox/{nw}/respond", frozenset({"office", "unit"}), form={"text": "已整改"}),
            Call(f"/inbox/{nt}/respond", frozenset({"office", "owner"}), form={"text": "已整改"})],
        "GET /notices": [Call("/notices", OFFICE)],
        "POST /notices/{code:str}/{action:str}": [Call(f"/notices/{nt}/accept", OFFICE, form={})],
        "GET /rules": [Call("/rules", OFFICE)],
        "POST /rules/check": [Call("/rules/check", OFFICE, {"sources": {"a.rules": ""}})],
        "POST /rules/dry-run": [Call("/rules/dry-run", OFFICE, {"sources": {"a.rules": ""}})],
        "POST /rules/publish": [Call("/rules/publish", OFFICE, {"sources": {"a.rules": "x"}})],
        "GET /deliveries": [Call("/deliveries", OFFICE)],
        "POST /deliveries/{delivery_id:int}/retry": [Call("/deliveries/999/retry", OFFICE, form={})],
        "GET /demo/inbox": [Call("/demo/inbox", ALL)],
        "GET /extensions": [Call("/extensions", REPORTERS)],
        "POST /extensions/request": [
            Call("/extensions/request", frozenset({"owner", "unit"}),
                 form={"milestone": "P001/build", "new_due": "2027-06-30", "reason": "因用地报批延迟"}),
            Call("/extensions/request", frozenset({"unit"}),
                 form={"milestone": "P003/plan", "new_due": "2027-06-30", "reason": "因用地报批延迟"})],
        "POST /extensions/{eid:int}/decide": [Call("/extensions/1/decide", OFFICE,
                                                   form={"decision": "approved", "reason": "同意"})],
        "GET /accountability": [Call("/accountability", ALL)],
        "GET /assessments": [Call("/assessments", WATCHERS)],
        "POST /assessments": [Call("/assessments", OFFICE, form={"period": "2026-04"})],
        "GET /assessments/{period:str}": [Call("/assessments/2026-04", WATCHERS)],
        "POST /accountability": [Call("/accountability", OFFICE, form={"kind": "criticism", "unit": "water",
                                                                      "date": TODAY.isoformat(), "reason": "逾期"})],
    }


def mounted(app: Any) -> set[str]:
    """Every ``"METHOD path"`` the app answers (OPTIONS and HEAD, which Litestar adds, aside)."""
    return {f"{method} {route.path}" for route in app.routes for handler in getattr(route, "route_handlers", ())
            for method in handler.http_methods if method not in {"OPTIONS", "HEAD"}}


def readable(r: httpx.Response) -> str:
    """The text of an answer, a workbook's cells included."""
    if "spreadsheetml" in r.headers.get("content-type", ""):
        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return r.text


async def _call(w: World, method: str, call: Call, role: str | None) -> httpx.Response:
    if call.files is not None:
        return await w.client.request(method, call.path, files=call.files, data=call.form, headers=w.headers(role))
    if call.form is not None:
        return await w.client.request(method, call.path, data=call.form, headers=w.headers(role))
    return await w.client.request(method, call.path, json=call.body, headers=w.headers(role))


async def test_every_route_has_a_rule(world: World) -> None:
    """Each route the app mounts is in the matrix, and the matrix names no route the app lacks."""
    table = rules(world)
    assert sorted(mounted(world.app) - set(table)) == [], "routes without a visibility rule"
    assert sorted(set(table) - mounted(world.app)) == [], "rules for routes the app does not mount"


async def test_every_role_reads_and_writes_only_what_it_sees(world: World) -> None:
    """Each (role, route) cell is answered or refused as the rule says, for reads and writes,
    pages and API; nothing an owner or unit is answered names a project it does not see."""
    wrong: list[str] = []
    for key, calls in rules(world).items():
        if isinstance(calls, str):
            continue
        method = key.split(" ", 1)[0]
        for call in calls:
            page = not call.path.startswith("/api/")
            r = await _call(world, method, call, None)
            if page and not (r.status_code in (302, 303) and r.headers["location"].startswith("/login")):
                wrong.append(f"anonymous {method} {call.path}: {r.status_code}, not the login page")
            if not page and r.status_code != 401:
                wrong.append(f"anonymous {method} {call.path}: {r.status_code}, not 401")
            for role in ("leader", "owner", "unit", "office"):  # the office last: its writes succeed
                r = await _call(world, method, call, role)
                if role in call.allowed and r.status_code in (401, 403):
                    wrong.append(f"{role} {method} {call.path}: refused {r.status_code} {r.text[:160]}")
                elif role not in call.allowed and r.status_code != 403:
                    wrong.append(f"{role} {method} {call.path}: {r.status_code}, not 403 {r.text[:160]}")
                elif r.status_code == 403 and page and "您的角色无权查看此页面" not in r.text:
                    wrong.append(f"{role} {method} {call.path}: a 403 that is not the page")
                if role in HIDDEN and r.status_code < 400:
                    text = readable(r)
                    seen = [h for h in HIDDEN[role] if h in text]
                    if seen:
                        wrong.append(f"{role} {method} {call.path}: answers {seen}")
                if role != "office" and (seen := [c for c in CONTACTS if c in readable(r)]):
                    wrong.append(f"{role} {method} {call.path}: answers the complainant's contact {seen}")
    assert wrong == []


async def test_the_transport_owner_case_of_the_issue(world: World) -> None:
    """The transport owner: P003 refused, its findings filtered away, its history refused, the workbook
    holding P001 and its findings only and no ranking; the leader's workbook still holds everything."""
    owner, leader = world.headers("owner"), world.headers("leader")
    assert (await world.client.get("/api/projects/P003", headers=owner)).status_code == 403
    assert (await world.client.get("/projects/P003", headers=owner)).status_code == 403
    assert (await world.client.get("/api/projects/P003/milestones/plan/history", headers=owner)).status_code == 403
    found = (await world.client.get("/api/findings?project=P003", headers=owner)).json()
    assert found["items"] == [] and found["total"] == 0
    assert (await world.client.get("/api/findings?project=P003", headers=leader)).json()["total"] > 0
    mine = (await world.client.get("/api/findings", headers=owner)).json()
    assert mine["total"] > 0
    assert all(f["project"] in {"P001", "P004"} or (f["project"] is None and f["unit"] == "transport")
               for f in mine["items"]), mine["items"]

    def sheets(r: httpx.Response) -> dict[str, list[tuple[Any, ...]]]:
        wb = load_workbook(io.BytesIO(r.content), read_only=True)
        return {ws.title: list(ws.iter_rows(values_only=True))[1:] for ws in wb.worksheets}

    book = sheets(await world.client.get("/api/portfolio.xlsx", headers=owner))
    assert {row[0] for row in book["projects"]} == {"P001", "P004"}
    assert book["findings"] and all("P003" not in str(row) and "P002" not in str(row) for row in book["findings"])
    assert book["rankings"] == []
    whole = sheets(await world.client.get("/api/portfolio.xlsx", headers=leader))
    assert {row[0] for row in whole["projects"]} == {"P001", "P002", "P003", "P004"}
    assert len(whole["findings"]) > len(book["findings"])


async def test_demo_receiver_needs_its_secret(world: World) -> None:
    """The demo inbox's receiver takes a post only with its own key: not anonymously from loopback,
    not with a signed-in user's token, not with the server's session secret; the demo contacts carry it."""
    from api.controllers.demo import KEY_HEADER, inbox_contact, is_inbox_contact  # noqa: PLC0415

    key = world.app.state.demo_inbox_key
    note = {"title": "督办通知", "message": "正文"}
    refused = [await world.client.post("/api/demo/inbox/water", json=note, headers=world.headers(role))
               for role in (None, "leader", "owner", "unit", "office")]
    refused.append(await world.client.post("/api/demo/inbox/water", json=note, headers={KEY_HEADER: "test-secret"}))
    refused.append(await world.client.post("/api/demo/inbox/water", json=note, headers={KEY_HEADER: key[:-1] + "0"}))
    for r in refused:
        assert r.status_code == 403 and "演示收件箱只接收带有其密钥的消息" in r.json()["message"], r.text
    office = world.headers("office")
    assert (await world.client.get("/api/demo/inbox?unit=water", headers=office)).json()[0]["count"] == 0
    r = await world.client.post("/api/demo/inbox/water", json=note, headers={KEY_HEADER: key})
    assert r.status_code == 200, r.text
    assert (await world.client.get("/api/demo/inbox?unit=water", headers=office)).json()[0]["count"] == 1
    contact = inbox_contact(8000, "water", key)
    assert is_inbox_contact(contact) and contact.endswith(f"?+{KEY_HEADER}={key}")
    assert key not in (await world.client.get("/api/portfolio", headers=world.headers("leader"))).text


async def test_a_delivery_id_beyond_the_column_is_no_delivery(world: World) -> None:
    """Retrying delivery 20937488163056676864 (found by the schema fuzzer) answers 404, not 500."""
    r = await world.client.post("/api/deliveries/20937488163056676864/retry", headers=world.headers("office"))
    assert r.status_code == 404, r.text


async def test_the_public_side_shows_no_contact_text_or_name(world: World) -> None:
    """Every open read, anonymous and by every role but the office, with the complaints' codes:
    no contact anywhere; the public page and its JSON no complaint title or text."""
    cw, ct = world.complaint["water"], world.complaint["transport"]
    paths = ["/public", "/public?lang=en", f"/public/track?code={cw}", f"/public/rate?code={ct}&key=x",
             "/api/public", f"/api/complaints/track/{cw}", f"/api/complaints/track/{ct}", "/api/health"]
    wrong = []
    for role in (None, "leader", "owner", "unit"):
        for path in paths:
            r = await world.client.get(path, headers=world.headers(role))
            assert r.status_code == 200, (role, path, r.status_code)
            if seen := [c for c in CONTACTS if c in r.text]:
                wrong.append(f"{role} {path}: {seen}")
            if path.startswith(("/public?", "/api/public")) or path == "/public":
                said = [t for t, _ in COMPLAINTS.values() if t in r.text]
                said += [f"{t}，请处理" for t, _ in COMPLAINTS.values() if f"{t}，请处理" in r.text]
                if said:
                    wrong.append(f"{role} {path}: {said}")
    assert wrong == []
