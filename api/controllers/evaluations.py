"""Rulebooks (save draft, check, dry run, publish), evaluations, findings, rates, rankings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter

from api import visibility
from api.auth import AppRequest, roles, signed_in
from api.controllers.common import (
    Limit,
    Offset,
    caller,
    engine_finding_read,
    evaluation_read,
    finding_read,
    levels,
)
from api.schemas import (
    DryRunDay,
    DryRunRead,
    DryRunRequest,
    EvaluationPage,
    EvaluationRead,
    EvaluationRequest,
    FindingPage,
    PublishRead,
    RankingsRead,
    RatesRead,
    RulebookCheck,
    RulebookCreate,
    RulebookRead,
)
from api.service import InputError, Server
from rules import repository as rules_repo

OFFICE = roles("office")
WATCHING = visibility.watching  # portfolio-wide: evaluations, rates, rankings, rulebooks
Number = Annotated[int, Parameter(ge=1, le=2_147_483_647)]
EARLIEST = dt.date(2000, 1, 1)


def check_day(day: dt.date, today: dt.date, where: str) -> None:
    if day < EARLIEST or day > today + dt.timedelta(days=366):
        raise InputError(where, f"{day.isoformat()} is outside {EARLIEST.isoformat()} .. a year after "
                         f"today ({today.isoformat()}); give a day in that range")


def rulebook_read(v: rules_repo.RulebookVersion, *, sources: bool = False) -> RulebookRead:
    return RulebookRead(v.number, v.status, v.author, v.note, v.created_at, v.checked_at, v.published_at,
                        sorted(v.sources), dict(v.sources) if sources else None)


class RulebookController(Controller):
    path = "/api/rulebooks"
    tags = ["rulebooks"]  # noqa: RUF012

    @get("/", operation_id="listRulebooks", guards=[WATCHING])
    async def list_versions(self) -> list[RulebookRead]:
        return [rulebook_read(v) for v in await rules_repo.list_versions()]

    @get("/{number:int}", operation_id="getRulebook", guards=[WATCHING])
    async def get_version(self, number: Number) -> RulebookRead:
        return rulebook_read(await rules_repo.get_version(number), sources=True)

    @post("/", operation_id="saveRulebookDraft", guards=[OFFICE])
    async def save_draft(self, request: AppRequest, server: Server, data: RulebookCreate) -> RulebookRead:
        return rulebook_read(await server.save_rulebook(caller(request).username, data.sources, data.note))

    @post("/{number:int}/check", operation_id="checkRulebook", guards=[OFFICE], status_code=200)
    async def check(self, server: Server, number: Number) -> RulebookCheck:
        v, compiled = await server.check_rulebook(number)  # RulebookError -> 422, every error located
        return RulebookCheck(v.number, v.status, len(compiled.rules), len(compiled.scores))

    @post("/{number:int}/dry-run", operation_id="dryRunRulebook", guards=[OFFICE], status_code=200)
    async def dry_run(self, server: Server, number: Number, data: DryRunRequest) -> DryRunRead:
        v = await rules_repo.get_version(number)
        today = server.today()
        days = data.days or [today, today - dt.timedelta(days=30)]
        if len(days) > 12:
            raise InputError("days", f"{len(days)} days: dry-run at most 12 days at once")
        for i, day in enumerate(days):
            check_day(day, today, f"days[{i}]")
        out = []
        for day, evaluation in await server.dry_run(v.sources, days):
            findings = list(evaluation.findings)
            out.append(DryRunDay(day, len(findings), levels(findings),
                                 [str(e) for e in evaluation.errors],
                                 [engine_finding_read(f, None) for f in findings[:20]]))
        return DryRunRead(number, out)

    @post("/{number:int}/publish", operation_id="publishRulebook", guards=[OFFICE], status_code=200)
    async def publish(self, request: AppRequest, server: Server, number: Number) -> PublishRead:
        v, outcome = await server.publish(caller(request).username, number)
        evaluation = None
        if outcome.id is not None:
            evaluation = evaluation_read(await rules_repo.get_evaluation(outcome.id), levels(outcome.findings))
        return PublishRead(rulebook_read(v), evaluation)


class EvaluationController(Controller):
    path = "/api"
    tags = ["evaluations"]  # noqa: RUF012

    @post("/evaluations", operation_id="runEvaluation", guards=[OFFICE])
    async def run(self, request: AppRequest, server: Server, data: EvaluationRequest) -> EvaluationRead:
        if data.as_of is not None:
            check_day(data.as_of, server.today(), "as_of")
        if data.as_of is not None and data.as_of > server.today():
            raise InputError("as_of", f"{data.as_of.isoformat()} is in the future; today is {server.today().isoformat()}")
        outcome = await server.run_evaluation(caller(request).username, data.as_of)
        if outcome.id is None:
            raise InputError("rulebook", "no rulebook is published yet: save, check and publish one first")
        return evaluation_read(await rules_repo.get_evaluation(outcome.id), levels(outcome.findings))

    @get("/evaluations", operation_id="listEvaluations", guards=[WATCHING])
    async def list_evaluations(self, offset: Offset = 0, limit: Limit = 50) -> EvaluationPage:
        rows, total = await rules_repo.list_evaluations(offset=offset, limit=limit)
        return EvaluationPage([evaluation_read(e) for e in rows], total, offset, limit)

    @get("/evaluations/{eid:int}", operation_id="getEvaluation", guards=[WATCHING])
    async def get_evaluation(self, eid: Number) -> EvaluationRead:
        return evaluation_read(await rules_repo.get_evaluation(eid))

    @get("/findings", operation_id="listFindings", guards=[signed_in])
    async def findings(self, *, request: AppRequest, server: Server, offset: Offset = 0, limit: Limit = 50,
                       level: str | None = None, project: str | None = None, unit: str | None = None,
                       rule: str | None = None, evaluation: Number | None = None) -> FindingPage:
        """Findings of the projects the caller sees, and of its own unit (``api.visibility``)."""
        who = caller(request)
        seen = visibility.visible_projects(who, (await server.snapshot()).portfolio)
        among = None if seen is None else (seen, who.unit)
        rows, total = await rules_repo.findings(evaluation=evaluation, level=level, project=project, unit=unit,
                                                rule=rule, offset=offset, limit=limit, among=among)
        return FindingPage([finding_read(f) for f in rows], total, offset, limit)

    @get("/rates", operation_id="getRates", guards=[WATCHING])
    async def rates(self) -> RatesRead:
        e = await rules_repo.latest_full_evaluation()
        return RatesRead(None, None, {}) if e is None else RatesRead(e.id, e.as_of, e.rates)

    @get("/rankings", operation_id="getRankings", guards=[WATCHING])
    async def rankings(self) -> RankingsRead:
        e = await rules_repo.latest_full_evaluation()
        return RankingsRead(None, None, {}) if e is None else RankingsRead(e.id, e.as_of, e.scores)


