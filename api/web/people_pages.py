"""责任人 pages (issue 12): the office registers the people who answer for projects and
milestones, and changes their name, unit or post, through the same checked, audited steps as
``POST`` / ``PATCH /api/people`` (``api.controllers.supervision.add_person`` /
``change_person``). A refused step comes back with its message beside its field (zh-CN first)
and writes nothing; the 交办 pages link here to register someone before naming them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api.auth import AppRequest
from api.controllers.supervision import add_person, change_person
from api.service import Server
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from projects import catalogue
from projects.errors import DubanError, DuplicateError

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

#: The fields of the person form, in the catalogue's order.
FIELDS = tuple(f.name for f in catalogue.PERSON)


def labels(lang: str) -> dict[str, str]:
    return {f.name: f.en if lang == "en" else f.zh for f in catalogue.PERSON}


def sent_form(data: Mapping[str, str]) -> dict[str, str]:
    return {name: (data.get(name) or "").strip() for name in FIELDS}


def _field_and_message(exc: DubanError) -> tuple[str, str]:
    where = getattr(exc, "where", "") or ""
    message = str(exc)
    if where and message.startswith(f"{where}: "):
        message = message[len(where) + 2:]
    if isinstance(exc, DuplicateError):
        return "id", f"编号「{exc.key}」已被使用：请换一个编号，或在下面的名单中修改这个人 — {message}"
    return (where if where in FIELDS else ""), message


class PeoplePages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    async def _page(self, request: AppRequest, server: Server, *, form: dict[str, str] | None = None,
                    editing: str = "", errors: dict[str, str] | None = None, error: str = "",
                    status: int = 200) -> Response[str]:
        portfolio = (await server.snapshot()).portfolio
        lang = page_lang(request)
        person = portfolio.person_by_id.get(editing) if editing else None
        if editing and person is None:
            return render_page(request, "message.html", status=404, heading=text("no_person_found", lang),
                               message=f"「{editing}」：{text('no_person_found_hint', lang)}", link="/people",
                               link_text=text("people_page", lang))
        if form is None:
            form = ({"id": person.id, "name": person.name, "unit": person.unit, "post": person.post or ""}
                    if person is not None else dict.fromkeys(FIELDS, ""))
        units = {u.id: u.name for u in portfolio.units}
        return render_page(request, "people.html", status=status, people=portfolio.people, units=portfolio.units,
                           unit_names=units, form=form, editing=editing, errors=errors or {}, error=error,
                           labels=labels(lang), done=request.query_params.get("saved", ""),
                           title=text("people_page", lang))

    @get("/people", name="people_page")
    async def people(self, request: AppRequest, server: Server) -> Response[str]:
        require(request, "office")
        return await self._page(request, server)

    @get("/people/{xid:str}", name="person_page")
    async def person(self, request: AppRequest, server: Server, xid: str) -> Response[str]:
        require(request, "office")
        return await self._page(request, server, editing=xid)

    @post("/people", name="add_person_page", status_code=303)
    async def add(self, request: AppRequest, server: Server, data: Form) -> Response[Any]:
        who = require(request, "office")
        sent = sent_form(data)
        try:
            person = await add_person(server, who.username, {**sent, "post": sent["post"] or None})
        except DubanError as exc:
            return await self._refused(request, server, exc, sent, "")
        return Redirect(path=f"/people?saved={person.id}#p-{person.id}", status_code=303)

    @post("/people/{xid:str}", name="change_person_page", status_code=303)
    async def change(self, request: AppRequest, server: Server, xid: str, data: Form) -> Response[Any]:
        who = require(request, "office")
        if xid not in (await server.snapshot()).portfolio.person_by_id:
            return await self._page(request, server, editing=xid)  # the 404 page
        sent = {**sent_form(data), "id": xid}
        try:
            await change_person(server, who.username, xid, {"name": sent["name"], "unit": sent["unit"],
                                                            "post": sent["post"] or None})
        except DubanError as exc:
            return await self._refused(request, server, exc, sent, xid)
        return Redirect(path=f"/people?saved={xid}#p-{xid}", status_code=303)

    async def _refused(self, request: AppRequest, server: Server, exc: DubanError, sent: dict[str, str],
                       editing: str) -> Response[str]:
        field, message = _field_and_message(exc)
        return await self._page(request, server, form=sent, editing=editing, errors={field: message} if field else {},
                          error="" if field else message, status=422)


__all__ = ["PeoplePages"]
