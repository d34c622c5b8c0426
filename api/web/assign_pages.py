"""交办 page (issue 12): the office assigns a task or project — its name, category and budget,
lead unit, co-units, person, cadence, urgency, source and leader's instruction — through the same checked, audited step
as ``PATCH /api/projects/{pid}`` (``api.controllers.portfolio.change_project``). A refused
assignment comes back with each message beside its field and writes nothing; a saved one
goes back to the project page, which shows it with its confirmation.

A milestone's own assignment (its lead unit, co-units, person and cadence; each left empty is
the project's) has its page too, ``/projects/{pid}/milestones/{mid}/assign``: the checks of
``PATCH /api/projects/{pid}/milestones/{mid}`` (``api.controllers.portfolio.milestone_change``),
the same versioned, audited write; a change made by someone else meanwhile is refused (409)
with the current values and the sent ones shown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api.auth import AppRequest
from api.controllers.portfolio import change_project, milestone_change
from api.service import Server
from api.values import ApiError, InputError
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from dashboards.numbers import money_text, yuan_input
from projects import catalogue
from projects.cadence import Cadence
from projects.errors import DubanError, RecordNotFoundError, StaleVersionError
from projects.model import Milestone, Portfolio, Project

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

#: The fields of the form, in order: the catalogue's project fields of an assignment.
FIELDS = ("name", "category", "budget", "unit", "co_units", "person", "report_every", "urgent", "source",
          "instruction")
#: The project's own fields on the form: one a client leaves out stays as it is.
OWN = ("name", "category", "budget")
CO_UNIT = "co_unit:"  # one checkbox per unit: ``co_unit:<id>``


#: What a label says besides the catalogue's name of its field: the lead unit is the record's
#: ``unit``, a budget is in yuan.
_LABEL_TAILS = {"unit": (" (lead)", "（牵头）"), "budget": (" (yuan)", "（元）")}


def labels(lang: str, record: str = "project", fields: tuple[str, ...] = FIELDS) -> dict[str, str]:
    """Each of ``fields``' label from the catalogue's ``record`` fields, in ``lang``."""
    out = {}
    for name in fields:
        f = catalogue.field(record, name)
        en, zh = _LABEL_TAILS.get(name, ("", ""))
        out[name] = f.en + en if lang == "en" else f.zh + zh
    return out



def cadence_text(cadence: Cadence | None, lang: str) -> str:
    """A cadence as a form shows it to be typed again: ``1 个月`` in Chinese, ``1 month`` in English."""
    if cadence is None:
        return ""
    return str(cadence) if lang == "en" else cadence.chinese


def form_of(p: Project, lang: str = "zh") -> dict[str, Any]:
    """The form filled with a project's current assignment."""
    return {"name": p.name, "category": p.category.value, "budget": yuan_input(p.budget),
            "unit": p.unit, "co_units": list(p.co_units), "person": p.person or "",
            "report_every": cadence_text(p.report_every, lang), "urgent": p.urgent, "source": p.source or "", "instruction": p.instruction or ""}


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


def _field_and_message(exc: DubanError, fields: tuple[str, ...] = FIELDS) -> tuple[str, str]:
    """Which of ``fields`` ``exc`` is about ("" when none) and its message without the
    field's name in front."""
    where = getattr(exc, "where", "") or ""
    message = str(exc)
    if where and message.startswith(f"{where}: "):
        message = message[len(where) + 2:]
    field = where.split("[", 1)[0].rsplit(".", 1)[-1]
    if isinstance(exc, RecordNotFoundError) and not field and fields is FIELDS:
        field = "unit"  # the project exists (checked first): the lead unit is unknown
    return (field if field in fields else ""), message


# -- a milestone's own assignment ------------------------------------------------------------

#: The fields of a milestone's assignment form: each left empty is the project's.
MILESTONE_FIELDS = ("unit", "co_units", "person", "report_every")
OWN_CO_UNITS = "own"  # ``co_units_from``: the milestone's own co-units; anything else: the project's


def milestone_form_of(m: Milestone, lang: str = "zh") -> dict[str, Any]:
    """The form filled with a milestone's own assignment ("" / not own: the project's)."""
    return {"unit": m.unit or "", "co_units_own": m.co_units is not None, "co_units": list(m.co_units or ()),
            "person": m.person or "", "report_every": cadence_text(m.report_every, lang)}


def milestone_sent_form(data: Mapping[str, str]) -> dict[str, Any]:
    """What was sent, as the form shows it again."""
    return {"unit": (data.get("unit") or "").strip(),
            "co_units_own": data.get("co_units_from") == OWN_CO_UNITS,
            "co_units": [k[len(CO_UNIT):] for k in data if k.startswith(CO_UNIT)],
            "person": (data.get("person") or "").strip(),
            "report_every": (data.get("report_every") or "").strip()}


def milestone_changes_of(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The milestone change the sent form asks for: each field left empty (the co-units left
    to the project) goes back to the project's (``None``)."""
    return {"unit": sent["unit"] or None,
            "co_units": list(sent["co_units"]) if sent["co_units_own"] else None,
            "person": sent["person"] or None, "report_every": sent["report_every"] or None}


def _version(data: Mapping[str, str]) -> int:
    raw = (data.get("version") or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise InputError("version", f"版本号「{raw[:20]}」不是正整数，请重新打开本页后再提交 — version "
                                    f"{raw[:20]!r} is not a whole number; reload the page and send again")
    return int(raw)


def _bare(words: str) -> str:
    return words.strip("（）()")


def _project_side(portfolio: Portfolio, project: Project, lang: str) -> dict[str, str]:
    """What each field of a milestone falls back to: the project's assignment, as people read it
    (the page puts it in brackets: ``无``, not ``（无）``)."""
    units, people = portfolio.unit_by_id, portfolio.person_by_id
    person = people.get(project.person) if project.person else None
    cadence = project.report_every
    return {"unit": units[project.unit].name if project.unit in units else project.unit,
            "co_units": "、".join(units[u].name if u in units else u for u in project.co_units)
            or _bare(text("no_co_units", lang)),
            "person": (person.name if person else project.person) or _bare(text("no_person", lang)),
            "report_every": cadence_text(cadence, lang) or text("no_cadence", lang)}


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
                           form={**form_of(project, lang), **{k: v for k, v in (form or {}).items() if v is not None}},
                           errors=errors or {}, error=error,
                           labels=labels(lang), units=portfolio.units, people=portfolio.people,
                           unit_names={u.id: u.name for u in portfolio.units},
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

    async def _milestone_page(self, request: AppRequest, server: Server, pid: str, mid: str, *,
                              form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                              error: str = "", sent: dict[str, Any] | None = None,
                              status: int = 200) -> Response[str]:
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        m = next((x for x in project.milestones if x.id == mid), None) if project else None
        lang = page_lang(request)
        if project is None or m is None:
            heading, hint, link = (("no_project", "no_project_hint", "/projects") if project is None
                                   else ("no_milestone", "no_milestone_hint", f"/projects/{pid}#milestones"))
            return render_page(request, "message.html", status=404, heading=text(heading, lang),
                               message=f"「{pid if project is None else f'{pid}/{mid}'}」：{text(hint, lang)}",
                               link=link, link_text="" if project is None else text("back_to_project", lang))
        return render_page(request, "milestone_assign.html", status=status, project=project, milestone=m,
                           version=snap.versions.get(m.key, 1), form=form or milestone_form_of(m, lang),
                           errors=errors or {}, error=error, sent=sent, labels=labels(lang, "milestone", MILESTONE_FIELDS),
                           units=snap.portfolio.units, people=snap.portfolio.people, co_unit=CO_UNIT,
                           unit_names={u.id: u.name for u in snap.portfolio.units},
                           person_names={x.id: x.name for x in snap.portfolio.people},
                           own_co_units=OWN_CO_UNITS, inherited=_project_side(snap.portfolio, project, lang),
                           title=f"{text('milestone_assignment', lang)} — {m.name}")

    @get("/projects/{pid:str}/milestones/{mid:str}/assign", name="milestone_assign_page")
    async def milestone_page(self, request: AppRequest, server: Server, pid: str, mid: str) -> Response[str]:
        require(request, "office")
        return await self._milestone_page(request, server, pid, mid)

    @post("/projects/{pid:str}/milestones/{mid:str}/assign", name="assign_milestone", status_code=303)
    async def assign_milestone(self, request: AppRequest, server: Server, pid: str, mid: str,
                               data: Form) -> Response[Any]:
        """The office's change of a milestone's own lead unit, co-units, person and cadence:
        the API's checks (``milestone_change``, then the report's ``check_milestone``), the
        same group-committed, versioned and audited write (``milestone.report``)."""
        who = require(request, "office")
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        current = next((x for x in project.milestones if x.id == mid), None) if project else None
        if project is None or current is None:
            return await self._milestone_page(request, server, pid, mid)  # the 404 page
        sent = milestone_sent_form(data)
        try:
            version = _version(data)
            changes = milestone_change(snap.portfolio, project, current, milestone_changes_of(sent))
            await server.report_milestone(who.username, pid, mid, changes, version)
        except StaleVersionError as exc:  # what happened is the error's; what to do here, the page's
            lang = page_lang(request)
            return await self._milestone_page(request, server, pid, mid, status=409, sent=sent,
                                              error=text("assign_stale", lang).format(said=exc.said(lang)))
        except (ApiError, DubanError) as exc:
            field, message = _field_and_message(exc, MILESTONE_FIELDS)
            return await self._milestone_page(request, server, pid, mid, form=sent,
                                              errors={field: message} if field else {},
                                              error="" if field else message, status=422)
        return Redirect(path=f"/projects/{pid}?assigned={mid}#m-{mid}", status_code=303)


__all__ = ["AssignPages"]
