"""通报问责 page (issue 13): the records of criticism (通报批评) and accountability (问责), and
the office's form to record one. It goes through the same checked, audited step as
``POST /api/accountability`` (``api.controllers.accountability.record_accountability``): a
refused record comes back with each message beside its field (zh-CN first) and writes nothing.
Watchers see every record, a unit its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api.auth import AppRequest
from api.controllers.accountability import record_accountability, visible_records
from api.service import Server
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from projects.accountability import FILE_KEYS
from projects.errors import DubanError, PortfolioError

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

#: The fields of the form, in order (the record's file keys but its id, which is made).
FIELDS = tuple(k for k in FILE_KEYS if k != "id")


def sent_form(data: Mapping[str, str]) -> dict[str, str]:
    """What was sent (or asked for in the address), as the form shows it again."""
    return {k: (data.get(k) or "").strip() for k in FIELDS}


def errors_of(exc: DubanError, lang: str) -> tuple[dict[str, str], str]:
    """Each problem beside its field (zh-CN first, or English), and what belongs to no field."""
    if not isinstance(exc, PortfolioError):
        return {}, str(exc)
    by_field: dict[str, str] = {}
    rest = []
    for p in exc.problems:
        said = p.message if lang == "en" or not p.zh else p.zh
        if p.where in FIELDS:
            by_field[p.where] = f"{by_field[p.where]}；{said}" if p.where in by_field else said
        else:
            rest.append(said)
    return by_field, "；".join(rest)


async def record_rows(server: Server, who: Any, lang: str, *, unit: str | None = None,
                      limit: int | None = None) -> list[dict[str, Any]]:
    """The records ``who`` sees (of ``unit``), newest first, as ``accountability_list.html``
    shows them: with the unit's and the person's names."""
    portfolio = (await server.snapshot()).portfolio
    units = {u.id: u.name for u in portfolio.units}
    people = {x.id: x.name for x in portfolio.people}
    records = await visible_records(server, who, unit)
    return [{"r": r, "unit": units.get(r.unit, r.unit), "person": people.get(r.person or "", r.person or ""),
             "kind": text(f"accountability_{r.kind}", lang)} for r in records[:limit]]


class AccountabilityPages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    async def _page(self, request: AppRequest, server: Server, *, form: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, error: str = "", done: str = "",
                    status: int = 200) -> Response[str]:
        who = require(request, "office", "leader", "owner", "unit")
        portfolio = (await server.snapshot()).portfolio
        lang = page_lang(request)
        today = server.today()
        rows = await record_rows(server, who, lang)
        office = who.role == "office"
        notices = [n for n in portfolio.notices if n.issued <= today] if office else []
        complaints = [c for c in portfolio.complaints if c.received <= today] if office else []
        blank = {"kind": "criticism", "unit": "", "person": "", "date": today.isoformat(), "reason": "",
                 "notice": "", "complaint": ""}
        asked = sent_form(request.query_params) if office and form is None else None
        filled = form or {**blank, **{k: v for k, v in (asked or {}).items() if v}}
        return render_page(request, "accountability.html", status=status, rows=rows, office=office,
                           form=filled, errors=errors or {}, error=error, done=done,
                           units=portfolio.units, people=portfolio.people, notices=notices[-500:], complaints=complaints[-500:],
                           today=today, title=text("accountability", lang))

    @get("/accountability", name="accountability")
    async def page(self, request: AppRequest, server: Server, done: str = "") -> Response[str]:
        return await self._page(request, server, done=done)

    @post("/accountability", name="record_accountability", status_code=303)
    async def record(self, request: AppRequest, server: Server, data: Form) -> Response[Any]:
        who = require(request, "office")
        sent = sent_form(data)
        try:
            made = await record_accountability(server, who.username, {k: v or None for k, v in sent.items()})
        except DubanError as exc:
            errors, rest = errors_of(exc, page_lang(request))
            return await self._page(request, server, form=sent, errors=errors, error=rest, status=422)
        return Redirect(path=f"/accountability?done={made.id}#record-{made.id}", status_code=303)


__all__ = ["AccountabilityPages"]
