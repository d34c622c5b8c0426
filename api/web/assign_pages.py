"""交办 page (issue 12): the office assigns a task or project — its name, category and budget,
lead unit, co-units, person, cadence, urgency, source and leader's instruction — through the same checked, audited step
as ``PATCH /api/projects/{pid}`` (``api.controllers.portfolio.change_project``). A refused
assignment comes back with each message beside its field and writes nothing; a saved one
goes back to the project page, which shows it with its confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api.auth import AppRequest
from api.controllers.portfolio import change_project
from api.service import Server
from api.values import ApiError
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from dashboards.numbers import money_text, yuan_input
from projects import catalogue
from projects.errors import DubanError, RecordNotFoundError
from projects.model import Project

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

#: The fields of the form, in order: the catalogue's project fields of an assignment.
FIELDS = ("name", "category", "budget", "unit", "co_units", "person", "report_every", "urgent", "source",
          "instruction")
#: The project's own fields on the form: one a client leaves out stays as it is.
OWN = ("name", "category", "budget")
CO_UNIT = "co_unit:"  # one checkbox per unit: ``co_unit:<id>``


def labels(lang: str) -> dict[str, str]:
    """Each field's label from the catalogue; the lead unit is the project's ``unit``."""
    out = {}
    for name in FIELDS:
        f = catalogue.field("project", name)
        out[name] = f.en if lang == "en" else f.zh
    out["unit"] += " (lead)" if lang == "en" else "（牵头）"
    out["budget"] += " (yuan)" if lang == "en" else "（元）"
    return out



def form_of(p: Project) -> dict[str, Any]:
    """The form filled with a project's current assignment."""
    return {"name": p.name, "category": p.category.value, "budget": yuan_input(p.budget),
            "unit": p.unit, "co_units": list(p.co_units), "person": p.person or "",
            "report_every": "" if p.report_every is None else str(p.report_every),
            "urgent": p.urgent, "source": p.source or "", "instruction": p.instruction or ""}


def sent_form(data: Mapping[str, str]) -> dict[str, Any]:
    """What was sent, as the form shows it again (``None``: a field of ``OWN`` not sent)."""
    own = {name: None if name not in data else (data[name] or "").strip() for name in OWN}
    return {**own, "unit": (data.get("unit") or "").strip(),
            "co_units": [k[len(CO_UNIT):] for k in data if k.startswith(CO_UNIT)],
            "person": (data.get("person") or "").strip(),
            "report_every": (data.get("report_every") or "").strip(),
            "urgent": "urgent" in data, "source": (data.get("source") or "").strip(),
            "instruction": (data.get("instruction") or "").strip()}


def changes_of(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The project change the sent form asks for (empty texts clear their field; an empty name
    or category is refused as such; a field of ``OWN`` not sent stays as it is)."""
    own = {name: sent[name] or (None if name == "budget" else "") for name in OWN if sent[name] is not None}
    return {**own, "unit": sent["unit"], "co_units": list(sent["co_units"]), "person": sent["person"] or None,
            "report_every": sent["report_every"] or None, "urgent": bool(sent["urgent"]),
            "source": sent["source"] or None, "instruction": sent["instruction"] or None}


def _field_and_message(exc: DubanError) -> tuple[str, str]:
    """Which field of the form ``exc`` is about ("" when none) and its message without the
    field's name in front."""
    where = getattr(exc, "where", "") or ""
    message = str(exc)
    if where and message.startswith(f"{where}: "):
        message = message[len(where) + 2:]
    field = where.split("[", 1)[0].rsplit(".", 1)[-1]
    if isinstance(exc, RecordNotFoundError) and not field:
        field = "unit"  # the project exists (checked first): the lead unit is unknown
    return (field if field in FIELDS else ""), message


class AssignPages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    async def _page(self, request: AppRequest, server: Server, pid: str, *,
                    form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                    error: str = "", status: int = 200) -> Response[str]:
        portfolio = (await server.snapshot()).portfolio
        project = portfolio.project_by_id.get(pid)
        lang = page_lang(request)
        if project is None:
            return render_page(request, "message.html", status=404, heading=text("no_project", lang),
                               message=f"「{pid}」：{text('no_project_hint', lang)}", link="/projects")
        return render_page(request, "assign.html", status=status, project=project,
                           form={**form_of(project), **{k: v for k, v in (form or {}).items() if v is not None}},
                           errors=errors or {}, error=error,
                           labels=labels(lang), units=portfolio.units, people=portfolio.people,
                           co_unit=CO_UNIT, title=f"{text('assignment', lang)} — {project.name}",
                           budget_now="" if project.budget is None else money_text(project.budget, lang))

    @get("/projects/{pid:str}/assign", name="assign_page")
    async def page(self, request: AppRequest, server: Server, pid: str) -> Response[str]:
        require(request, "office")
        return await self._page(request, server, pid)

    @post("/projects/{pid:str}/assign", name="assign_project", status_code=303)
    async def assign(self, request: AppRequest, server: Server, pid: str, data: Form) -> Response[Any]:
        who = require(request, "office")
        if pid not in (await server.snapshot()).portfolio.project_by_id:
            return await self._page(request, server, pid)  # the 404 page
        sent = sent_form(data)
        try:
            await change_project(server, who.username, pid, changes_of(sent))
        except (ApiError, DubanError) as exc:
            field, message = _field_and_message(exc)
            errors = {field: message} if field else {}
            return await self._page(request, server, pid, form=sent, errors=errors,
                                    error="" if field else message, status=422)
        return Redirect(path=f"/projects/{pid}?assigned=1#assignment", status_code=303)


__all__ = ["AssignPages"]
