"""考核 pages (issue 13, item 5): the closed periods, each one's frozen ranking with the
indicators behind it and the accountability records of the period beside it, and the office's
form to close a period (``api.assessments.close_period``, the API's step: refused with its
message beside the field, nothing written). The watchers see them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response

from api import assessments
from api.auth import AppRequest
from api.service import Server
from api.visibility import WATCHERS
from api.web.accountability_pages import record_rows
from api.web.render import PageForbiddenError, forbidden_page, page_lang, render_page, require
from dashboards.i18n import text
from projects import repository as repo
from projects.errors import DubanError, RecordNotFoundError
from rules.assessment import PERSON_INDICATORS, RATIOS, UNIT_INDICATORS, labels, parse_period

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _suggested(today: dt.date) -> str:
    """The month before today's, the period an office most often closes."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


class AssessmentPages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    async def _list(self, request: AppRequest, server: Server, *, period: str = "", error: str = "",
                    status: int = 200) -> Response[str]:
        who = require(request, *WATCHERS)
        lang = page_lang(request)
        closed = [{"a": a, "zh": parse_period(a.period).zh if lang != "en" else a.period}
                  for a in await repo.assessments()]
        return render_page(request, "assessments.html", status=status, closed=closed,
                           office=who.role == "office", period=period or _suggested(server.today()),
                           error=error, title=text("assessments", lang))

    @get("/assessments", name="assessments")
    async def page(self, request: AppRequest, server: Server) -> Response[str]:
        return await self._list(request, server)

    @post("/assessments", name="close_assessment", status_code=303)
    async def close(self, request: AppRequest, server: Server, data: Form) -> Response[Any]:
        who = require(request, "office")
        sent = (data.get("period") or "").strip()
        try:
            stored = await assessments.close_period(server, who.username, sent)
        except DubanError as exc:
            return await self._list(request, server, period=sent, error=str(exc), status=422)
        return Redirect(path=f"/assessments/{stored.period}?closed=1", status_code=303)

    @get("/assessments/{period:str}", name="assessment")
    async def one(self, request: AppRequest, server: Server, period: str, closed: str = "") -> Response[str]:
        who = require(request, *WATCHERS)
        lang = page_lang(request)
        try:
            stored = await repo.get_assessment(period)
        except RecordNotFoundError:
            return render_page(request, "message.html", status=404, heading=text("no_assessment", lang),
                               message=f"「{period}」：{text('no_assessment_hint', lang)}", link="/assessments")
        figures = assessments.figures_of(stored)
        first, last = stored.first_day, stored.last_day
        # the records the figures counted: dated in the period and entered by its last day
        records = [r for r in await record_rows(server, who, lang)
                   if first <= r["r"].date <= last and r["r"].recorded_on <= last]
        name = parse_period(stored.period).zh if lang != "en" else stored.period
        # units' scores first, in the rulebook's order; a person score with no one ranked is left out
        scores = sorted(((k, v) for k, v in figures.get("scores", {}).items()
                         if v.get("subject") == "unit" or v.get("rows")),
                        key=lambda kv: kv[1].get("subject") != "unit")
        return render_page(request, "assessment.html", stored=stored, frozen=figures, scores=scores, closed=closed,
                           unit_keys=UNIT_INDICATORS, person_keys=PERSON_INDICATORS, ratios=RATIOS,
                           unit_labels=labels("unit", UNIT_INDICATORS, lang),
                           person_labels=labels("person", PERSON_INDICATORS, lang),
                           records=records, title=f"{text('assessments', lang)} — {name}")


__all__ = ["AssessmentPages"]
