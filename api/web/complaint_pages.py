"""群众投诉 pages for the signed-in (issue 13.2): the office routes or re-routes each complaint
to a unit with a deadline and is the only one to read the complainant's contact; a unit
answers the complaints routed to it in its inbox; the leaders read them all. Each step is
``api.complaints``' (checked and audited, as the API's); a refusal comes back on the page with
its message, and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api import complaints
from api.auth import AppRequest
from api.service import Server
from api.values import ForbiddenError
from api.web.public_pages import _said, public_render
from api.web.render import PageForbiddenError, forbidden_page, page_lang, require
from projects.errors import DubanError

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
READERS = ("office", "leader", "owner", "unit")


class ComplaintPages(Controller):
    path = "/complaints"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    @get("/", name="complaints")
    async def page(self, request: AppRequest, server: Server, error: str = "", done: str = "") -> Response[str]:
        who = require(request, *READERS)
        snap = await server.snapshot()
        rows = await complaints.complaints_for(server, who)
        units = [(u.id, u.name) for u in snap.portfolio.units]
        names = dict(units)
        projects = {p.id: p.name for p in snap.portfolio.projects}
        today = server.today()
        return public_render(request, "complaints.html", rows=rows, units=units, names=names, projects=projects,
                             office=who.role == "office", me=who, today=today, error=error[:400], done=done[:40],
                             days=server.settings.complaint_days)

    @post("/{code:str}/route", name="route_complaint", status_code=303)
    async def route(self, request: AppRequest, server: Server, code: str, data: Form) -> Redirect:
        who = require(request, "office")
        lang = page_lang(request)
        raw_due = (data.get("due") or "").strip()
        try:
            due = dt.date.fromisoformat(raw_due) if raw_due else None
        except ValueError:
            return _back(code, "答复期限应为日期，如 2026-05-13" if lang != "en" else "the deadline should be a date, "
                         "e.g. 2026-05-13")
        try:
            await complaints.route(server, who.username, code, (data.get("unit") or "").strip(), due)
        except DubanError as exc:
            return _back(code, _said(str(exc), lang))
        return Redirect(path=f"/complaints?done={quote(code)}#complaint-{quote(code)}", status_code=303)

    @post("/{code:str}/answer", name="answer_complaint", status_code=303)
    async def answer(self, request: AppRequest, server: Server, code: str, data: Form) -> Redirect:
        who = require(request, "owner", "unit")
        lang = page_lang(request)
        try:
            await complaints.answer(server, who, code, data.get("text") or "")
        except ForbiddenError:
            raise PageForbiddenError(who.role, ("unit",)) from None
        except DubanError as exc:
            return _back(code, _said(str(exc), lang))
        return Redirect(path=f"/complaints?done={quote(code)}#complaint-{quote(code)}", status_code=303)


def _back(code: str, message: str) -> Redirect:
    return Redirect(path=f"/complaints?error={quote(message)}#complaint-{quote(code)}", status_code=303)


__all__ = ["ComplaintPages"]
