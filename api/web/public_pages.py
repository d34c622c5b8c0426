"""The public page ``/public`` (issue 13.6): no sign-in, zh-CN first, an English switch.

It shows the ranking of the latest closed assessment period, each unit's complaint reply and
satisfaction rates, the key projects with their light and progress, the complaint form and the
box to follow a complaint by its code. What it may show is built by the pure
``dashboards.public``: no contact, no complaint text, no complainant, no finding message and
no person's name (only a published accountability record names one).
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from api import complaints
from api.auth import AppRequest
from api.intake import BODY_MAX, CONTACT_MAX, TEXT_MAX, TITLE_MAX, read_intake
from api.service import Server
from api.web.public_text import word
from api.web.render import page_lang, render_page
from dashboards.data import Board, current_board
from dashboards.public import PublicProject, UnitComplaints, complaint_rates, public_projects
from projects.errors import ComplaintLimitError, ComplaintLinkError, DubanError

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def percent(value: float | None) -> str:
    """A rate as the public reads it: ``85%``, ``87.5%``, or ``—`` when nothing was counted."""
    if value is None:
        return "—"
    shown = round(value * 100, 1)
    return f"{shown:g}%"


def number(value: float | None) -> str:
    """A score or a count: at most one decimal, ``—`` when missing."""
    if value is None:
        return "—"
    return f"{round(float(value), 1):g}"


def public_render(request: AppRequest, template: str, *, status: int = 200, **context: Any) -> Response[str]:
    """A public or complaint page: percentages (``pct``) besides the usual."""
    return render_page(request, template, status=status, pct=percent, num=number, **context)


async def published_ranking(server: Server, lang: str) -> dict[str, Any] | None:
    """The latest closed assessment period as the public sees it (``api.assessments``: units
    only, never a person's score), with the accountability records of the period (the only
    place a person's name may show), or None while no period is closed."""
    from api.assessments import latest_ranking  # noqa: PLC0415
    from projects.accountability import KIND_ZH  # noqa: PLC0415

    ranking = await latest_ranking(server, lang)
    if ranking is None:
        return None
    first = dt.date.fromisoformat(ranking["as_of"]).replace(day=1)
    if str(ranking["period"]).partition("-")[2].startswith("Q"):
        first = first.replace(month=first.month - 2)
    last = dt.date.fromisoformat(ranking["as_of"])
    portfolio = (await server.snapshot()).portfolio
    units, people = portfolio.unit_by_id, portfolio.person_by_id
    records = []
    for a in portfolio.accountability:
        if not first <= a.date <= last:
            continue
        unit = units.get(a.unit)
        person = people.get(a.person or "")
        records.append({"kind": KIND_ZH.get(a.kind, a.kind) if lang != "en" else a.kind, "date": a.date,
                        "unit": unit.name if unit else a.unit,
                        "person": person.name if person else None, "reason": a.reason})
    ranking["records"] = records
    return ranking


#: Per server: the public rows of its current board (anyone may ask for /public as often as
#: they like; the rows are built once per revision, rulebook version and day).
_rows: weakref.WeakKeyDictionary[Server, tuple[Any, Any]] = weakref.WeakKeyDictionary()


async def _public_rows(server: Server) -> tuple[Board, list[PublicProject], list[UnitComplaints]]:
    """Today's board, its projects as the public sees them and the complaint rates by unit."""
    board = await current_board(server)
    key = (board.revision, board.rulebook_version, board.as_of)
    held = _rows.get(server)
    if held is not None and held[0] == key:
        return board, *held[1]
    snap = await server.snapshot()
    portfolio = board.portfolio
    units = {u.id: u.name for u in portfolio.units}
    projects = public_projects(portfolio, board.evaluation, board.schedule, board.as_of, snap.calendar)
    rates = complaint_rates(portfolio.complaints, units, board.as_of)
    _rows[server] = (key, (projects, rates))
    return board, projects, rates


class PublicPages(Controller):
    """What anyone may read and do without signing in."""

    path = "/public"
    include_in_schema = False

    @get("/", name="public")
    async def public(self, request: AppRequest, server: Server) -> Response[str]:
        return await public_page(request, server)

    @post("/complaints", name="public_file", request_max_body_size=BODY_MAX, status_code=200)
    async def file(self, request: AppRequest, server: Server, data: Form) -> Response[str]:
        """The form: refused fields come back beside their inputs (422), a refused address with
        the bound's message (429); filed, the code and the rating link, shown once."""
        from api.controllers.complaints import base_url, client_address, rating_url  # noqa: PLC0415

        lang = page_lang(request)
        values = {k: str(data.get(k) or "")[:TEXT_MAX + 10] for k in ("title", "kind", "text", "project", "contact")}
        snap = await server.snapshot()
        intake, errors = read_intake(values, projects=snap.portfolio.project_by_id)
        if intake is None:
            shown = {k: (zh if lang != "en" else en) for k, (zh, en) in errors.items()}
            return await public_page(request, server, status=422, values=values, errors=shown)
        try:
            filed = await complaints.file_complaint(server, intake, client_address(request, server),
                                                    request.app.state.complaint_key)
        except ComplaintLimitError as exc:
            response = await public_page(request, server, status=429, values=values, refused=_said(str(exc), lang))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except DubanError as exc:  # the store's own checks (kept in step with read_intake's)
            where = exc.where if exc.where in values else "text"
            return await public_page(request, server, status=422, values=values,
                                     errors={where: _said(str(exc), lang)})
        unit = snap.portfolio.unit_by_id.get(filed.unit or "")
        return public_render(request, "public_filed.html", code=filed.code, lang_path="/public/track",
                             lang_query=f"code={filed.code}&",
                             link=rating_url(base_url(request, server), filed.code, filed.secret),
                             due=filed.due, unit=unit.name if unit else None)

    @get("/track", name="public_track")
    async def track(self, request: AppRequest, server: Server, code: str = "") -> Response[str]:
        """Follow a complaint by its code: its state and the answer, nothing of the complainant."""
        found = await complaints.track(server, code) if code.strip() else None
        unit = (await server.snapshot()).portfolio.unit_by_id.get(found.unit or "") if found else None
        return public_render(request, "public_track.html", status=200 if found else 404, found=found,
                             code=code[:40], unit=unit.name if unit else None,
                             lang_query=f"code={quote(code[:40])}&" if code else "")

    @get("/rate", name="public_rate_page")
    async def rate_page(self, request: AppRequest, server: Server, code: str = "", key: str = "") -> Response[str]:
        """The private rating link: the three choices while the answer waits for its rating."""
        found = await complaints.track(server, code) if code.strip() else None
        return public_render(request, "public_rate.html", found=found, code=code[:40], key=key[:200],
                             done=False, refused="", lang_query=f"code={quote(code[:40])}&key={quote(key[:200])}&")

    @post("/rate", name="public_rate", request_max_body_size=BODY_MAX, status_code=200)
    async def rate(self, request: AppRequest, server: Server, data: Form) -> Response[str]:
        """Rate once through the link; a forged, used or another complaint's link changes nothing."""
        lang = page_lang(request)
        code, key = str(data.get("code") or "")[:40], str(data.get("key") or "")[:200]
        rating = str(data.get("rating") or "").strip()[:40]
        status, refused, done = 200, "", False
        if not rating:
            status, refused = 422, word("rate_choose", lang)
        else:
            try:
                await complaints.rate(server, code, key, rating)
                done = True
            except ComplaintLinkError:
                status, refused = 404, word("rate_refused", lang)
            except DubanError as exc:
                status, refused = 409, _said(str(exc), lang)
        found = await complaints.track(server, code)
        return public_render(request, "public_rate.html", status=status, found=found, code=code, key=key,
                             done=done, refused=refused, lang_path="/public/track" if found else "/public",
                             lang_query=f"code={quote(found.code)}&" if found else "")


def _said(message: str, lang: str) -> str:
    """One language of a ``zh — en`` or ``en (zh)`` message, as the page speaks."""
    if " — " in message:
        zh, _, en = message.partition(" — ")
        return en if lang == "en" else zh
    if "(" in message and message.endswith(")"):
        en, _, zh = message[:-1].rpartition("(")
        return en.strip() if lang == "en" else zh
    return message


async def public_page(request: AppRequest, server: Server, *, status: int = 200,
                      **form: Any) -> Response[str]:
    """The public page, with the complaint form's values and errors when a filing came back."""
    board, projects, rates = await _public_rows(server)
    lang = page_lang(request)
    portfolio = board.portfolio
    return public_render(
        request, "public.html", status=status, as_of=board.as_of, projects=projects,
        complaint_rates=rates, ranking=await published_ranking(server, lang),
        intake=form.pop("intake", True),
        project_choices=[{"id": p.id, "name": p.name} for p in portfolio.projects],
        limits={"title": TITLE_MAX, "text": TEXT_MAX, "contact": CONTACT_MAX},
        values=form.pop("values", {}), errors=form.pop("errors", {}), refused=form.pop("refused", ""),
        lang_path="/public", **form)


async def public_data(request: AppRequest, server: Server) -> dict[str, Any]:
    """The public page's content as JSON (``GET /api/public``): the same rows, nothing more."""
    board, projects, rates = await _public_rows(server)
    return {
        "as_of": board.as_of.isoformat(),
        "ranking": await published_ranking(server, page_lang(request)),
        "complaint_rates": [{"unit": r.unit, "name": r.name, "received": r.tally.received, "due": r.tally.due,
                             "answered_on_time": r.tally.answered_in_time, "reply_rate": r.tally.response_rate,
                             "rated": r.tally.rated, "satisfied": r.tally.satisfied,
                             "satisfaction_rate": r.tally.satisfaction_rate}
                            for r in rates],
        "projects": [{"id": p.id, "name": p.name, "unit": p.unit, "category": p.category,
                      "light": p.light.value, "progress": p.progress} for p in projects],
    }


__all__ = ["PublicPages", "percent", "public_data", "public_page", "public_render"]
