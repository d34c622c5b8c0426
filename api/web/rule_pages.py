"""The supervision office's rule editor page and the JSON endpoints its script calls.

Owns ``RulePages``: ``GET /rules`` (one editor per file of the published rulebook, else the
standard one), ``POST /rules/check`` (every diagnostic with its line and column, as the user
types), ``POST /rules/dry-run`` (what would light today and on a past day; nothing stored) and
``POST /rules/publish`` (save, check and publish a new version, then evaluate everything).
All for the office only. Bad rules answer 422 with the diagnostics; nothing is stored then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Response

from api import offload
from api.service import Server
from api.web.render import page_lang, render_page, require
from dashboards.i18n import text
from dsl import AnalysisWarning, ItemCost, check_rulebook, inspect_rulebook
from rules import repository as rules_repo

MAX_SOURCE = 200_000


def _sources(data: Any) -> dict[str, str] | str:
    """The ``sources`` of a request body, or what is wrong with it."""
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict) or not sources:
        return 'send {"sources": {"main.rules": "rule ..."}}'
    for name, body in sources.items():
        if not isinstance(name, str) or not name.endswith(".rules") or "/" in name:
            return f"file name {name!r}: names end in .rules and have no folder, e.g. overdue.rules"
        if not isinstance(body, str) or len(body) > MAX_SOURCE:
            return f"file {name}: send its text, at most {MAX_SOURCE} characters"
    return dict(sources)


def _cost(c: ItemCost) -> dict[str, Any]:
    return {"file": c.file, "line": c.line, "name": c.name, "kind": c.kind,
            "subject": c.subject, "cost": c.cost, "bound": c.bound, "over": c.over,
            "reason": c.reason, "reason_zh": c.reason_zh}


def _warning(w: AnalysisWarning) -> dict[str, Any]:
    return {"file": w.file, "line": w.line, "column": w.column, "kind": w.kind,
            "rule": w.rule, "message": w.message, "message_zh": w.message_zh,
            "example": w.example_text, "lang": w.lang, "text": w.render(),
            "text_zh": w.render("zh"), "text_en": w.render("en")}


def _json(body: dict[str, Any], status: int = 200) -> Response[dict[str, Any]]:
    return Response(body, status_code=status)


class RulePages(Controller):
    path = "/"
    include_in_schema = False

    @get("/rules", name="rule_editor")
    async def editor(self, request: Request, server: Server) -> Response[str]:  # type: ignore[type-arg]
        require(request, "office")
        published = await rules_repo.latest_published()
        if published is not None:
            files = sorted(published.sources.items())
        else:
            from api.seed import standard_sources  # noqa: PLC0415

            files = sorted(standard_sources().items())
        past = (server.today() - dt.timedelta(days=30)).isoformat()
        return render_page(request, "rules.html", files=files, past=past,
                           version=published.number if published else None)

    @post("/rules/check", name="rule_check", status_code=200)
    async def check(self, request: Request, data: dict[str, Any]) -> Response[dict[str, Any]]:  # type: ignore[type-arg]
        require(request, "office")
        sources = _sources(data)
        if isinstance(sources, str):
            return _json({"ok": False, "message": sources, "diagnostics": []}, 422)
        found = await offload.run(inspect_rulebook, sources)
        diagnostics = [d.as_json() for d in found.diagnostics]
        return _json({"ok": not diagnostics, "diagnostics": diagnostics,
                      "costs": [_cost(c) for c in found.costs],
                      "warnings": [_warning(w) for w in found.warnings]})

    @post("/rules/dry-run", name="rule_dry_run", status_code=200)
    async def dry_run(self, request: Request, server: Server,  # type: ignore[type-arg]
                      data: dict[str, Any]) -> Response[dict[str, Any]]:
        require(request, "office")
        sources = _sources(data)
        if isinstance(sources, str):
            return _json({"ok": False, "message": sources, "diagnostics": []}, 422)
        diagnostics = [d.as_json() for d in await offload.run(check_rulebook, sources)]
        if diagnostics:
            return _json({"ok": False, "message": f"{len(diagnostics)} ✗",
                          "diagnostics": diagnostics}, 422)
        today = server.today()
        past_text = data.get("past") or (today - dt.timedelta(days=30)).isoformat()
        try:
            past = dt.date.fromisoformat(past_text)
        except (TypeError, ValueError):
            return _json({"ok": False, "diagnostics": [],
                          "message": f"past day {past_text!r} is not a date; write 2026-04-06"}, 422)
        if past > today:
            return _json({"ok": False, "diagnostics": [], "message":
                          f"past day {past.isoformat()} is after today ({today.isoformat()})"}, 422)
        days = []
        for day, evaluation in await server.dry_run(sources, [today, past]):
            counts = {"red": 0, "yellow": 0}
            for f in evaluation.findings:
                if f.level.value in counts:
                    counts[f.level.value] += 1
            days.append({"day": day.isoformat(), **counts,
                         "errors": [str(e) for e in evaluation.errors]})
        return _json({"ok": True, "days": days})

    @post("/rules/publish", name="rule_publish", status_code=200)
    async def publish(self, request: Request, server: Server,  # type: ignore[type-arg]
                      data: dict[str, Any]) -> Response[dict[str, Any]]:
        who = require(request, "office")
        sources = _sources(data)
        if isinstance(sources, str):
            return _json({"ok": False, "message": sources, "diagnostics": []}, 422)
        diagnostics = [d.as_json() for d in await offload.run(check_rulebook, sources)]
        if diagnostics:
            return _json({"ok": False, "message": f"{len(diagnostics)} ✗",
                          "diagnostics": diagnostics}, 422)
        published = await rules_repo.latest_published()
        merged = {**(published.sources if published else {}), **sources}
        v = await server.save_rulebook(who.username, merged, "rule editor")
        await server.check_rulebook(v.number)
        await server.publish(who.username, v.number)
        lang = page_lang(request)
        return _json({"ok": True, "version": v.number,
                      "message": f"{text('published', lang)} v{v.number}"})
