"""Closing an assessment period on the server (issue 13, item 5), and what the public page reads.

``close_period`` computes a period's figures as of its last day from the history
(``Server.portfolio_as_of``: the reports, notices, complaints and accountability records known
then) with the published rulebook, freezes them (``projects_assessment``, with their digest),
and audits the close, all in one write transaction; a period closes once. ``recompute`` runs the
same computation again from the history with the rulebook version the period was closed with,
and ``verify`` says where it differs from the frozen figures (nowhere, when the history was only
added to after the close). ``latest_ranking`` is the public page's one call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from api import offload
from api.service import Server, compile_sources
from api.values import now_iso
from projects import repository as repo
from projects.errors import DuplicateError
from projects.repository import StoredAssessment
from rules import repository as rules_repo
from rules.assessment import (
    RATIOS,
    UNIT_INDICATORS,
    Figures,
    Period,
    assess,
    closable,
    differences,
    labels,
    parse_period,
)
from rules.errors import PeriodError


def _json(figures: Figures) -> str:
    return json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def _figures(server: Server, period: Period, version: int, rulebook: Any) -> Figures:
    portfolio = await server.portfolio_as_of(period.last)
    return await offload.run(assess, rulebook, portfolio, period, rulebook_version=version)


async def close_period(server: Server, actor: str, text: object) -> StoredAssessment:
    """Close ``text`` (``2026-06`` or ``2026-Q2``): refused when it is not a period, has not
    ended, is closed already, or no rulebook is published; nothing is written then."""
    period = parse_period(text)
    today = server.today()
    closable(period, today)
    published = await server.published_rulebook()
    if published is None:
        raise PeriodError("尚未发布规则，无法计算考核得分 — no rulebook is published: publish one first",
                          where="period")
    version, rulebook = published
    async with server.writing():
        try:
            held = await repo.get_assessment(period.name)
        except LookupError:
            held = None
        if held is not None:
            raise DuplicateError("assessment", period.name)
        figures = await _figures(server, period, version, rulebook)
        body = _json(figures)
        stored = StoredAssessment(period.name, period.first, period.last, version, body, digest(body), today,
                                  now_iso(), actor)
        await repo.save_assessment(stored)
        await server.changed(actor, "assessment.close", f"assessment:{period.name}", None,
                             {"period": period.name, "as_of": period.last.isoformat(),
                              "rulebook_version": version, "digest": stored.digest})
    return stored


def figures_of(stored: StoredAssessment) -> Figures:
    """The frozen figures of a stored period."""
    found: Figures = json.loads(stored.figures)
    return found


async def recompute(server: Server, period_name: str) -> Figures:
    """The period's figures computed again from the history, with the rulebook version it was
    closed with."""
    stored = await repo.get_assessment(period_name)
    period = parse_period(stored.period)
    if stored.rulebook_version is None:
        raise PeriodError(f"考核期 {stored.period} 没有记录所用规则版本 — no rulebook version recorded",
                          where="period")
    version = await rules_repo.get_version(stored.rulebook_version)
    rulebook = await offload.run(compile_sources, version.sources)
    return await _figures(server, period, version.number, rulebook)


@dataclass(frozen=True, slots=True)
class Verification:
    period: str
    same: bool
    digest: str
    differences: tuple[str, ...]


async def verify(server: Server, period_name: str) -> Verification:
    """Recompute and compare with the frozen figures (and their digest)."""
    stored = await repo.get_assessment(period_name)
    again = await recompute(server, period_name)
    frozen = figures_of(stored)
    found = tuple(differences(frozen, again))
    if digest(stored.figures) != stored.digest:
        found = ("digest", *found)
    return Verification(stored.period, not found, stored.digest, found)


async def latest_ranking(server: Server, lang: str = "zh") -> dict[str, Any] | None:
    """The latest closed period's unit ranking with its indicators, for the public page
    (``/public``): ``None`` when no period is closed. Units only (never a person's score or
    name):

    ``{"period": "2026-Q2", "period_zh": "2026年第二季度", "as_of": "2026-06-30",
    "closed_on": "2026-07-01", "indicators": [(key, label), ...], "ratios": [keys...],
    "scores": [{"name", "title", "rows": [{"rank", "unit", "name", "value", "indicators":
    {key: value}}]}]}``, rows in rank order (a unit without a value last)."""
    closed = await repo.assessments()
    if not closed:
        return None
    stored = closed[0]
    figures = figures_of(stored)
    units: dict[str, dict[str, Any]] = figures.get("units", {})
    shown = labels("unit", UNIT_INDICATORS, lang)
    scores = []
    for name, score in figures.get("scores", {}).items():
        if score.get("subject") != "unit":
            continue
        rows = [{"rank": r["rank"], "unit": r["id"], "name": r["name"], "value": r["value"],
                 "indicators": {k: units.get(r["id"], {}).get(k) for k in UNIT_INDICATORS}}
                for r in score.get("rows", ())]
        scores.append({"name": name, "title": score.get("title") or name, "rows": rows})
    period = parse_period(stored.period)
    return {"period": stored.period, "period_zh": period.zh if lang != "en" else stored.period,
            "as_of": stored.last_day.isoformat(), "closed_on": stored.closed_on.isoformat(),
            "indicators": [(k, shown[k]) for k in UNIT_INDICATORS],
            "ratios": sorted(k for k in UNIT_INDICATORS if k in RATIOS), "scores": scores}
