"""延期申请 pages (issue 12): a unit asks to extend one of its milestones from its inbox; the
office approves or rejects each request once, with a reason. Both go through the same checked,
audited steps as the API (``api.controllers.supervision``); a refused step comes back on the
page with its message (zh-CN first) and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body
from litestar.response import Redirect, Response

from api.auth import AppRequest, may_report
from api.controllers.supervision import decide_extension, request_extension
from api.schemas import record_values
from api.service import Server
from api.visibility import sees_project
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from projects import repository as repo
from projects.errors import DubanError
from projects.extensions import as_of as due_as_of
from projects.extensions import by_milestone

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class ExtensionPages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    @get("/extensions", name="extensions")
    async def page(self, request: AppRequest, server: Server, error: str = "", done: str = "") -> Response[str]:
        who = require(request, "owner", "unit", "office")
        snap = await server.snapshot()
        today = server.today()
        portfolio = snap.portfolio
        own = by_milestone(portfolio.extensions)
        mine = []  # the open milestones with a due this user may ask to extend
        names: dict[str, str] = {}
        for p in portfolio.projects:
            for m in p.milestones:
                key = f"{p.id}/{m.id}"
                names[key] = f"「{p.name}」{m.name}"
                if who.role == "office" or m.due is None or (m.finished is not None and m.finished <= today):
                    continue
                if may_report(who, p.unit, m.unit):
                    state = due_as_of(m.due, own.get(key, ()), today)
                    mine.append({"key": key, "name": names[key], "due": state.due, "pending": state.pending})
        rows = []
        for eid, e, by, decided_by in await repo.extensions():
            project = portfolio.project_by_id.get(e.milestone.partition("/")[0])
            if project is None or not sees_project(who, project):
                continue  # the one visibility rule (api.visibility)
            rows.append({"id": eid, "milestone": e.milestone, "name": names.get(e.milestone, e.milestone),
                         "requested": e.requested, "new_due": e.new_due, "reason": e.reason, "by": by,
                         "status": e.decision or "pending", "decided": e.decided,
                         "decision_reason": e.decision_reason, "decided_by": decided_by})
        rows.reverse()  # newest first
        return render_page(request, "extensions.html", mine=mine, rows=rows, error=error, done=done,
                           office=who.role == "office", today=today,
                           title=text("extensions", page_lang(request)))

    @post("/extensions/request", name="request_extension", status_code=303)
    async def request(self, request: AppRequest, server: Server, data: Form) -> Redirect:
        who = require(request, "owner", "unit")
        lang = page_lang(request)
        key = (data.get("milestone") or "").strip()
        pid, _, mid = key.partition("/")
        try:
            new_due = dt.date.fromisoformat((data.get("new_due") or "").strip())
        except ValueError:
            return _back(text("extension_bad_date", lang))
        try:
            made = await request_extension(server, who, pid, mid, new_due=new_due,
                                           reason=data.get("reason") or "")
        except PermissionDeniedException:
            raise PageForbiddenError(who.role, ("unit", "owner")) from None
        except DubanError as exc:
            return _back(str(exc))
        eid = record_values(made)["id"]
        return Redirect(path=f"/extensions?done={eid}#extension-{eid}", status_code=303)

    @post("/extensions/{eid:int}/decide", name="decide_extension", status_code=303)
    async def decide(self, request: AppRequest, server: Server, eid: int, data: Form) -> Redirect:
        who = require(request, "office")
        try:
            await decide_extension(server, who.username, eid, data.get("decision") or "",
                                   data.get("reason") or "")
        except DubanError as exc:
            return _back(str(exc))
        return Redirect(path=f"/extensions?done={eid}#extension-{eid}", status_code=303)


def _back(message: str) -> Redirect:
    return Redirect(path="/extensions?error=" + quote(message), status_code=303)


__all__ = ["ExtensionPages"]
