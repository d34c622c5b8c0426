"""The supervision loop on the server (issue 12): people managed by the office, extension
requests from a unit's inbox and the office's decisions, every step audited.

Checks are the pure core's (``projects.extensions.request`` / ``decide``) against the current
snapshot, made inside the write transaction, so a refused step writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from litestar import Controller, get, patch, post
from litestar.exceptions import PermissionDeniedException

from api.auth import AppRequest, may_report, roles, signed_in
from api.controllers.common import caller
from api.schemas import (
    ExtensionCreate,
    ExtensionDecision,
    ExtensionRead,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    extension_read,
    person_read,
    record_values,
    set_fields,
)
from api.service import InputError, Server
from api.visibility import sees_project
from projects import catalogue
from projects import extensions as ext_core
from projects import repository as repo
from projects.assignment import person_outside
from projects.errors import suggest
from projects.extensions import Extension
from projects.fields import Fields
from projects.model import Person, Portfolio
from projects.validation import record_checks

OFFICE = roles("office")
STATUS_ZH = {"pending": "待审批", "approved": "同意", "rejected": "不同意"}


def _brief(e: Extension) -> dict[str, Any]:
    return {"milestone": e.milestone, "requested": e.requested.isoformat(),
            "new_due": e.new_due.isoformat(), "reason": e.reason,
            "decided": e.decided.isoformat() if e.decided else None, "decision": e.decision,
            "decision_reason": e.decision_reason}


class PeopleController(Controller):
    """责任人: listed for everyone signed in, managed by the office."""

    path = "/api/people"
    tags = ["supervision"]  # noqa: RUF012

    @get("/", operation_id="listPeople", guards=[signed_in])
    async def list_people(self, server: Server, unit: str | None = None) -> list[PersonRead]:
        people = (await server.snapshot()).portfolio.people
        return [person_read(x) for x in people if unit is None or x.unit == unit]

    @post("/", operation_id="createPerson", guards=[OFFICE])
    async def create_person(self, request: AppRequest, server: Server, data: PersonCreate) -> PersonRead:
        return person_read(await add_person(server, caller(request).username, record_values(data)))

    @patch("/{xid:str}", operation_id="updatePerson", guards=[OFFICE])
    async def update_person(self, request: AppRequest, server: Server, xid: str, data: PersonUpdate) -> PersonRead:
        return person_read(await change_person(server, caller(request).username, xid, set_fields(data)))


#: The value checks of a person's fields: the catalogue's (``projects.validation``), as a
#: portfolio file's people get them; the unit is checked against the portfolio.
_PERSON_CHECKS = record_checks(catalogue.PERSON)


def _person_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (a person's id, name, post, unit) checked field by field; refused
    (``InputError`` at the first field wrong, every problem named) with nothing written."""
    out = dict(values)
    f = Fields()
    for name in ("id", "name", "post", "unit"):
        if out.get(name) is not None:
            out[name] = _PERSON_CHECKS[name](out[name], f, "")
    if out.get("post") == "":
        out["post"] = None  # an empty post is none
    if f.problems:
        first, *more = f.problems
        raise InputError(first.where.lstrip("."), first.bilingual()
                         + "".join(f"; {p.where.lstrip('.')}: {p.bilingual()}" for p in more))
    return out


async def add_person(server: Server, actor: str, values: Mapping[str, Any]) -> Person:
    """The office registers a person (责任人): the API's and the people page's step, checked,
    saved and audited (``person.create``); refused with nothing written."""
    person = Person(**_person_fields(values))
    async with server.writing():
        await _check_unit(server, person.unit)
        await repo.save_person(person, create=True)
        await server.changed(actor, "person.create", f"person:{person.id}", None,
                             {"name": person.name, "unit": person.unit, "post": person.post})
    return person


async def change_person(server: Server, actor: str, xid: str, changes: Mapping[str, Any]) -> Person:
    """The office changes person ``xid``'s name, unit or post (404 with suggestions for an
    unknown one), checked, saved and audited (``person.update``); refused with nothing written."""
    async with server.writing():
        old = (await server.snapshot()).portfolio.person_by_id.get(xid)
        if old is None:
            await repo.save_person(Person(xid, "", ""), create=False)  # 404 with suggestions
            raise AssertionError  # pragma: no cover
        checked = _person_fields({k: v for k, v in changes.items() if k != "id"})
        new = Person(xid, checked.get("name", old.name), checked.get("unit", old.unit),
                     checked.get("post", old.post))
        await _check_unit(server, new.unit)
        if new.unit != old.unit:
            _still_fits((await server.snapshot()).portfolio, new)
        await repo.save_person(new, create=False)
        await server.changed(actor, "person.update", f"person:{xid}",
                             {"name": old.name, "unit": old.unit, "post": old.post},
                             {"name": new.name, "unit": new.unit, "post": new.post})
    return new


def _still_fits(portfolio: Portfolio, person: Person) -> None:
    """A person moved to another unit still works in the lead unit or a co-unit of every project
    and milestone they answer for (``projects.assignment.person_outside``, the rule the files,
    Excel, the API and the 交办 forms apply); refused at ``unit`` naming the first item that would
    no longer fit, nothing written."""
    for p in portfolio.projects:
        items = [(p.id, p.person, p.unit, p.co_units)]
        items += [(f"{p.id}/{m.id}", m.person, m.unit or p.unit, p.co_units if m.co_units is None else m.co_units)
                  for m in p.milestones]
        for item, who, lead, cos in items:
            said = person_outside(person.id, person.unit, lead, cos) if who == person.id else None
            if said is not None:
                en, zh = said
                raise InputError("unit", f"{zh}（{item} 由此人负责，请先改派）— {en} (they answer for {item}: "
                                         "assign it to someone else first)")


async def _check_unit(server: Server, uid: str) -> None:
    units = (await server.snapshot()).portfolio.unit_by_id
    if uid not in units:
        hint = suggest(uid, units)
        raise InputError("unit", f"没有单位「{uid}」，责任人所在单位须是已登记的单位 — no unit \"{uid}\""
                         + (f'; did you mean "{hint}"?' if hint else ""))


class ExtensionController(Controller):
    """延期申请: a unit asks from its inbox, the office decides once; both audited."""

    path = "/api"
    tags = ["supervision"]  # noqa: RUF012

    @get("/extensions", operation_id="listExtensions", guards=[signed_in])
    async def list_extensions(self, request: AppRequest, server: Server,
                              status: str | None = None) -> list[ExtensionRead]:
        if status is not None and status not in STATUS_ZH:
            raise InputError("status", f"unknown status {status!r}; use pending, approved or rejected")
        who = caller(request)
        snap = await server.snapshot()
        out = []
        for eid, e, by, decided_by in await repo.extensions():
            project = snap.portfolio.project_by_id.get(e.milestone.partition("/")[0])
            if project is None or not sees_project(who, project):
                continue  # the one visibility rule: the requests of the projects it sees
            if status is None or (e.decision or "pending") == status:
                out.append(extension_read(eid, e, by, decided_by))
        return out

    @post("/projects/{pid:str}/milestones/{mid:str}/extensions", operation_id="requestExtension",
          guards=[signed_in])
    async def request_extension(self, request: AppRequest, server: Server, pid: str, mid: str,
                                data: ExtensionCreate) -> ExtensionRead:
        sent = record_values(data)
        return await request_extension(server, caller(request), pid, mid, new_due=sent["new_due"],
                                       reason=sent["reason"])

    @post("/extensions/{eid:int}/decision", operation_id="decideExtension", guards=[OFFICE])
    async def decide_extension(self, request: AppRequest, server: Server, eid: int,
                               data: ExtensionDecision) -> ExtensionRead:
        sent = record_values(data)
        return await decide_extension(server, caller(request).username, eid, sent["decision"], sent["reason"])


async def request_extension(server: Server, who: Any, pid: str, mid: str, *, new_due: dt.date,
                            reason: str) -> ExtensionRead:
    """A request by ``who`` (the API's and the inbox page's), checked and audited in one
    transaction; refused before anything is written."""
    async with server.writing():
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        m = next((x for x in project.milestones if x.id == mid), None) if project else None
        if project is not None and m is not None and not may_report(who, project.unit, m.unit):
            # before any other check: a request for another unit's milestone learns nothing
            raise PermissionDeniedException(
                f"{who.username} ({who.role}, unit {who.unit}) may not ask to extend {pid}/{mid}: "
                f"the responsible unit asks (只有责任单位可以申请延期)")
        e = ext_core.request(snap.portfolio, f"{pid}/{mid}", new_due, reason, server.today())
        eid = await repo.create_extension(e, actor=who.username)
        await server.changed(who.username, "extension.request", f"milestone:{pid}/{mid}", None,
                             {"id": eid, **_brief(e)})
    return extension_read(eid, e, who.username, None)


async def decide_extension(server: Server, actor: str, eid: int, decision: str, reason: str) -> ExtensionRead:
    """The office's decision (the API's and the page's), final, audited."""
    async with server.writing():
        old, by, _ = await repo.get_extension(eid)
        new = ext_core.decide(old, decision, reason, server.today())
        await repo.decide_extension(eid, new, actor=actor)
        await server.changed(actor, f"extension.{new.decision}", f"milestone:{new.milestone}",
                             {"id": eid, **_brief(old)}, {"id": eid, **_brief(new)})
        if new.decision == ext_core.APPROVED:  # the deadline moved: the project's findings now
            snap = await server.snapshot()
            await server._evaluate_and_store(snap.portfolio, snap.calendar, server.today(),
                                             projects=[new.milestone.partition("/")[0]], actor=actor,
                                             reason="extension")
    return extension_read(eid, new, by, actor)
