"""Complaints in the JSON API (issue 13.2): the public side without an account, and the office's
and the units' side signed in. The steps are ``api.complaints``'; refusals answer with the error
convention of ``api.errors``.

Public (no account; each body at most ``api.intake.BODY_MAX`` bytes, JSON only: a page of
another site cannot send ``application/json`` without asking first, so no one's browser can be
made to file or rate from another site):

- ``POST /api/complaints`` files one (201: ``code``, ``secret``, ``rating_url``, ``track_url``);
  bounded per client address per hour (429 with ``Retry-After``).
- ``GET /api/complaints/track/{code}`` follows one: state, unit, deadline, answer; no contact,
  no text.
- ``POST /api/complaints/track/{code}/rating`` rates it with ``{"secret", "rating"}``, once.
- ``GET /api/public`` what the public page shows, as JSON.

Signed in: ``GET /api/complaints`` and ``GET /api/complaints/{code}`` (the watchers every one,
a unit those routed to it; the contact only for the office), ``POST
/api/complaints/{code}/route`` (office: ``{"unit", "due"?}``), ``POST
/api/complaints/{code}/answer`` (the unit it is routed to: ``{"text"}``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import ResponseSpec
from msgspec import Struct

from api import complaints, proxies
from api.auth import AppConnection, AppRequest, roles, signed_in
from api.complaints import ComplaintRead
from api.controllers.common import caller
from api.intake import BODY_MAX, read_intake
from api.schemas import Input, body_shape, record_shape, record_values
from api.service import InputError, Server
from api.web.public_pages import public_data
from projects import catalogue
from projects.model import Complaint

OFFICE = roles("office")


class ErrorAnswer(Struct):
    status: int
    error: str
    message: str


def _answers(*codes: int) -> dict[int, ResponseSpec]:
    """The public writes' own refusals, documented beside the error table's (``api.app``)."""
    said = {413: "the body is larger than the bound (api.intake.BODY_MAX)",
            415: "the body is not declared application/json",
            429: "too many complaints from this address within the hour; Retry-After says when"}
    return {c: ResponseSpec(data_container=ErrorAnswer, description=said[c], generate_examples=False) for c in codes}


class ComplaintFiled(Struct):
    code: str
    secret: str
    rating_url: str
    track_url: str
    unit: str | None
    due: dt.date | None
    message: str


#: The fields a complaint's bodies and answers draw on: its record's and what it carries beside.
_FIELDS = (*catalogue.COMPLAINT, *catalogue.COMPLAINT_CONTENT)
#: What the holder of a tracking code reads: the record (its id is its ``code``; no project),
#: where it is, the unit's name and the answer; never its contact or text.
_TRACKED = (*(f for f in catalogue.COMPLAINT if f.name != "project"), catalogue.field_in(_FIELDS, "answer"))

if TYPE_CHECKING:
    ComplaintFile = Input
    ComplaintTracked = Struct
    ComplaintRating = Input
    ComplaintRoute = Input
    ComplaintAnswer = Input
else:
    # each body's fields as the catalogue types them, "" when left out: the step's own check
    # (``api.intake``, ``projects.complaints``), not msgspec, says what is missing and where
    ComplaintFile = body_shape(
        "ComplaintFile", _FIELDS, {f: f for f in ("title", "text", "contact", "kind", "project")},
        defaults={"title": "", "text": "", "contact": "", "kind": "complaint", "project": None})
    ComplaintTracked = record_shape(
        "ComplaintTracked", _TRACKED, Complaint, "r", Struct, rename={"id": "code"},
        middle=(("state", str, msgspec.NODEFAULT),), last=(("unit_name", str | None, None),),
        override={"unit": (str | None, None), "due": (dt.date | None, None)})  # not yet routed: none
    ComplaintRating = body_shape("ComplaintRating", _FIELDS, {"secret": "secret", "rating": "rating"},
                                 defaults={"secret": "", "rating": ""})
    ComplaintRoute = body_shape("ComplaintRoute", catalogue.COMPLAINT, {"unit": "unit", "due": "due"},
                                defaults={"unit": "", "due": None})
    ComplaintAnswer = body_shape("ComplaintAnswer", _FIELDS, {"text": "answer"}, defaults={"text": ""})


def tracked(v: ComplaintRead, unit_name: str | None) -> ComplaintTracked:
    """The public's answer of complaint ``v``: each of its fields ``ComplaintTracked`` carries."""
    names = set(ComplaintTracked.__struct_fields__) - {"unit_name"}
    return ComplaintTracked(**{n: getattr(v, n) for n in names}, unit_name=unit_name)


async def json_only(connection: AppConnection, _: BaseRouteHandler) -> None:
    """A guard (before the body is read): the body must be declared JSON."""
    media = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(status_code=415, detail="请以 JSON 提交（Content-Type: application/json）— send the "
                            "body as JSON (Content-Type: application/json); forms are for /public")


def client_address(request: AppRequest, server: Server) -> str:
    """The proxy-aware client address (``api.proxies``), what the hourly bound counts."""
    return proxies.client_address(request.client.host if request.client else None,
                                  request.headers.getall("x-forwarded-for", []),
                                  server.settings.trusted_proxies)


def base_url(request: AppRequest, server: Server) -> str:
    return server.settings.public_url or str(request.base_url).rstrip("/")


def rating_url(base: str, code: str, secret: str) -> str:
    return f"{base}/public/rate?code={code}&key={secret}"


async def unit_name(server: Server, unit: str | None) -> str | None:
    if unit is None:
        return None
    found = (await server.snapshot()).portfolio.unit_by_id.get(unit)
    return found.name if found else unit


class ComplaintController(Controller):
    path = "/api"
    tags = ["complaints"]  # noqa: RUF012

    @post("/complaints", operation_id="fileComplaint", status_code=201, request_max_body_size=BODY_MAX,
          guards=[json_only], responses=_answers(413, 415, 429))
    async def file(self, request: AppRequest, server: Server, data: ComplaintFile) -> Response[ComplaintFiled]:
        """File a complaint, consultation or suggestion without an account."""
        projects = (await server.snapshot()).portfolio.project_by_id
        sent = record_values(data)
        intake, errors = read_intake({**sent, "project": sent["project"] or ""}, projects=projects)
        if intake is None:
            field, (zh, en) = next(iter(errors.items()))
            raise InputError(field, f"{zh} — {en}" + ("" if len(errors) == 1 else
                                                       f" (and {len(errors) - 1} more: {', '.join(list(errors)[1:])})"))
        filed = await complaints.file_complaint(server, intake, client_address(request, server),
                                                request.app.state.complaint_key)
        base = base_url(request, server)
        return Response(ComplaintFiled(
            filed.code, filed.secret, rating_url(base, filed.code, filed.secret),
            f"{base}/public/track?code={filed.code}", filed.unit, filed.due,
            "已受理，请保存查询码和评价链接 — received; keep the code and the rating link"), status_code=201)

    @get("/complaints/track/{code:str}", operation_id="trackComplaint")
    async def track(self, server: Server, code: str) -> ComplaintTracked:
        """Follow a complaint by its tracking code: its state and answer (no contact, no text)."""
        v = await complaints.track(server, code)
        if v is None:
            from projects.errors import RecordNotFoundError  # noqa: PLC0415

            raise RecordNotFoundError("complaint", code[:64])
        return tracked(v, await unit_name(server, v.unit))

    @post("/complaints/track/{code:str}/rating", operation_id="rateComplaint", request_max_body_size=BODY_MAX,
          guards=[json_only], responses=_answers(413, 415))
    async def rate(self, request: AppRequest, server: Server, code: str, data: ComplaintRating) -> ComplaintTracked:
        """Rate the answer once, with the secret of the complaint's rating link."""
        sent = record_values(data)
        v = await complaints.rate(server, code, sent["secret"], sent["rating"])
        return tracked(v, await unit_name(server, v.unit))

    @get("/complaints", operation_id="listComplaints", guards=[signed_in])
    async def list_complaints(self, request: AppRequest, server: Server) -> list[ComplaintRead]:
        """The complaints the caller may read: all for the watchers, a unit's own for a unit."""
        return await complaints.complaints_for(server, caller(request))

    @get("/complaints/{code:str}", operation_id="getComplaint", guards=[signed_in])
    async def get_complaint(self, request: AppRequest, server: Server, code: str) -> ComplaintRead:
        return await complaints.complaint_for(server, caller(request), code)

    @post("/complaints/{code:str}/route", operation_id="routeComplaint", guards=[OFFICE])
    async def route(self, request: AppRequest, server: Server, code: str, data: ComplaintRoute) -> ComplaintRead:
        """The office routes (or re-routes) a complaint to a unit, with a deadline."""
        sent = record_values(data)
        return await complaints.route(server, caller(request).username, code, sent["unit"].strip(), sent["due"])

    @post("/complaints/{code:str}/answer", operation_id="answerComplaint", guards=[signed_in])
    async def answer(self, request: AppRequest, server: Server, code: str, data: ComplaintAnswer) -> ComplaintRead:
        """The unit a complaint is routed to answers it, once."""
        return await complaints.answer(server, caller(request), code, record_values(data)["text"])

    @get("/public", operation_id="publicResults")
    async def public(self, request: AppRequest, server: Server) -> dict[str, Any]:
        """What the public page shows: ranking, complaint rates by unit, projects' lights."""
        return await public_data(request, server)

