"""Accountability records on the server (issue 13): the office records a 通报批评 of a unit or
a 问责 of an official, with its reason and its cause; listed for whoever sees the unit.

The check is the pure core's (``projects.accountability.check_new``, the same as a portfolio
file's) against the current snapshot, made inside the write transaction with the audit entry,
so a refused record writes nothing and a stored one is on the audit chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar import Controller, get, post
from msgspec import Struct

from api.auth import AppRequest, Principal, roles, signed_in
from api.controllers.common import caller
from api.schemas import Input, text_body
from api.service import InputError, Server
from api.values import now_iso
from api.visibility import sees_unit
from projects import accountability as core
from projects import catalogue
from projects import repository as repo
from projects.accountability import Accountability
from projects.model import Portfolio

OFFICE = roles("office")


class AccountabilityRead(Struct):
    id: str
    kind: str  # criticism 通报批评 | accountability 问责
    kind_zh: str
    unit: str
    date: dt.date
    reason: str
    recorded_on: dt.date
    recorded_by: str
    person: str | None = None
    notice: str | None = None  # the cause: a supervision notice
    red_card: bool = False  # the cause is a red notice (a red card)
    complaint: str | None = None  # or the cause: a complaint from the public


#: A new record: the catalogue's fields, each as text so that each problem is said at its
#: field by the one check of a record (an id is made when none is sent).
if TYPE_CHECKING:
    AccountabilityCreate = Input
else:
    AccountabilityCreate = text_body(
        "AccountabilityCreate", catalogue.ACCOUNTABILITY, optional=("id",),
        doc="A new 通报批评 or 问责 record; an id is made when none is sent (A-2026-001).")


def brief(a: Accountability) -> dict[str, Any]:
    """What the audit entry keeps of a record."""
    return {"id": a.id, "kind": a.kind, "unit": a.unit, "person": a.person, "date": a.date.isoformat(),
            "reason": a.reason, "notice": a.notice, "complaint": a.complaint}


def read(a: Accountability, recorded_on: dt.date, by: str, portfolio: Portfolio) -> AccountabilityRead:
    notice = portfolio.notice_by_id.get(a.notice) if a.notice else None
    red = notice is not None and notice.level is not None and notice.level.value == "red"
    return AccountabilityRead(a.id, a.kind, core.KIND_ZH[a.kind], a.unit, a.date, a.reason, recorded_on, by,
                              a.person, a.notice, red, a.complaint)


async def visible_records(server: Server, who: Principal, unit: str | None = None) -> list[AccountabilityRead]:
    """The records ``who`` sees (the watchers all, a unit its own), newest first."""
    portfolio = (await server.snapshot()).portfolio
    out = [read(a, on, by, portfolio) for a, on, by in await repo.accountability_records()
           if sees_unit(who, a.unit) and (unit is None or a.unit == unit)]
    out.sort(key=lambda r: (r.date, r.id), reverse=True)
    return out


async def record_accountability(server: Server, actor: str, values: Mapping[str, Any]) -> Accountability:
    """The office's record (the API's and the page's): checked, stored and audited in one
    write transaction; a refusal raises ``PortfolioError`` (every problem at its field) and
    writes nothing."""
    async with server.writing():
        snap = await server.snapshot()
        today = server.today()
        record = core.check_new(snap.portfolio, values, today)
        await repo.create_accountability(record, actor=actor, known_on=today, recorded_at=now_iso())
        await server.changed(actor, f"accountability.{record.kind}", f"unit:{record.unit}", None, brief(record))
    return record


class AccountabilityController(Controller):
    """通报批评 / 问责: listed for whoever sees the unit, recorded by the office."""

    path = "/api/accountability"
    tags = ["supervision"]  # noqa: RUF012

    @get("/", operation_id="listAccountability", guards=[signed_in])
    async def list_records(self, request: AppRequest, server: Server,
                           unit: str | None = None) -> list[AccountabilityRead]:
        return await visible_records(server, caller(request), unit)

    @post("/", operation_id="recordAccountability", guards=[OFFICE])
    async def create(self, request: AppRequest, server: Server,
                     data: AccountabilityCreate) -> AccountabilityRead:
        values = {k: getattr(data, k) for k in data.__struct_fields__}
        if values.get("id") is not None and not str(values["id"]).strip():
            raise InputError("id", "an id cannot be blank; leave it out to have one made (A-2026-001)")
        record = await record_accountability(server, caller(request).username, values)
        portfolio = (await server.snapshot()).portfolio
        return read(record, server.today(), caller(request).username, portfolio)
