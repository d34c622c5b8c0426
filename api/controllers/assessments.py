"""Assessments over the API (issue 13, item 5): the office closes a period; the watchers read
the closed periods, their frozen figures, a recomputation's verdict and the workbook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Response, get, post
from msgspec import Struct

from api import assessments, audit
from api.auth import AppRequest, roles
from api.controllers.common import attachment, caller
from api.schemas import Input
from api.service import Server
from api.visibility import watching
from dashboards.reports import assessment_workbook
from projects import repository as repo
from projects.repository import StoredAssessment

OFFICE = roles("office")


class AssessmentClose(Input):
    period: str  # 2026-06 (a month) or 2026-Q2 (a quarter)


class AssessmentSummary(Struct):
    period: str
    first_day: dt.date
    last_day: dt.date
    rulebook_version: int | None
    closed_on: dt.date
    closed_by: str
    digest: str


class AssessmentRead(AssessmentSummary):
    figures: dict[str, Any]


class VerificationRead(Struct):
    period: str
    same: bool
    digest: str
    differences: list[str]


def summary(a: StoredAssessment) -> AssessmentSummary:
    return AssessmentSummary(a.period, a.first_day, a.last_day, a.rulebook_version, a.closed_on, a.closed_by,
                             a.digest)


def full(a: StoredAssessment) -> AssessmentRead:
    return AssessmentRead(a.period, a.first_day, a.last_day, a.rulebook_version, a.closed_on, a.closed_by,
                          a.digest, assessments.figures_of(a))


class AssessmentController(Controller):
    """考核: closed periods, frozen; read by the watchers, closed by the office."""

    path = "/api/assessments"
    tags = ["assessments"]  # noqa: RUF012

    @get("/", operation_id="listAssessments", guards=[watching])
    async def list_closed(self) -> list[AssessmentSummary]:
        return [summary(a) for a in await repo.assessments()]

    @post("/", operation_id="closeAssessment", guards=[OFFICE])
    async def close(self, request: AppRequest, server: Server, data: AssessmentClose) -> AssessmentRead:
        return full(await assessments.close_period(server, caller(request).username, data.period))

    @get("/{period:str}", operation_id="getAssessment", guards=[watching])
    async def one(self, period: str) -> AssessmentRead:
        return full(await repo.get_assessment(period))

    @get("/{period:str}/verify", operation_id="verifyAssessment", guards=[watching])
    async def check(self, server: Server, period: str) -> VerificationRead:
        found = await assessments.verify(server, period)
        return VerificationRead(found.period, found.same, found.digest, list(found.differences))

    @get("/{period:str}/workbook", operation_id="exportAssessment", guards=[watching],
         media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    async def workbook(self, request: AppRequest, period: str, lang: str = "zh") -> Response[Any]:
        stored = await repo.get_assessment(period)
        body = assessment_workbook(assessments.figures_of(stored), lang="en" if lang == "en" else "zh")
        name = f"duban-assessment-{stored.period}.xlsx"
        return attachment(body, name, headers=await audit.export_anchor(name))
