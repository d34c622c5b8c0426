"""The supervision office's rule editor page and the JSON endpoints its script calls.

Owns ``RulePages``: ``GET /rules`` (every file of the published rulebook, else the standard
one, and a box to add a file), ``POST /rules/check`` (every diagnostic of the whole rulebook
with its file, line and column, and each rule's estimated cost, as the user types),
``POST /rules/dry-run`` (which projects and milestones would light, today and on a past day;
nothing stored) and ``POST /rules/publish`` (check, then save and publish a new version, then
evaluate everything). All for the office only.

The files sent replace those of the published rulebook and the other published files are
kept, so the three endpoints always see the *whole* rulebook that publishing would make. The
sent files that differ from the published ones come last, so an error between two files (a
rule name used twice) is reported in the file being edited, at the new rule. A rulebook with
errors answers 422 with the diagnostics, in the page's language, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from litestar import Controller, get, post
from litestar.response import Response

from api import offload
from api.auth import AppRequest
from api.service import Server
from api.values import ApiError
from api.web.render import page_lang, render_page, require
from dashboards.i18n import text
from dsl import (
    AnalysisWarning,
    Diagnostic,
    ItemCost,
    RulebookError,
    compile_rulebook,
    inspect_rulebook,
)
from projects.fields import control_character
from projects.subjects import subject_name
from rules import repository as rules_repo

MAX_SOURCE = 200_000
MAX_FILES = 1000  # the rulebook's total size is bounded by the dsl (MAX_SOURCE) too
MAX_LISTED = 200  # findings listed per day of a dry run; the counts are always complete
FILE_NAME = re.compile(r"[\w\-]+(?:\.[\w\-]+)*\.rules")  # letters (Chinese too), digits, - and _
LEVEL_ORDER = {"red": 0, "yellow": 1, "blue": 2}


class RuleEditorError(ApiError):
    """A request the rule editor refuses, with the message the user reads, in the page's
    language (a bad file name, a text too long, a past day that is not a day)."""


def _sources(data: Any, lang: str) -> dict[str, str]:
    """The ``sources`` of a request body (``RuleEditorError`` saying what is wrong with it)."""
    sources = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(sources, dict) or not sources:
        raise RuleEditorError(text("rules_send_sources", lang))
    if len(sources) > MAX_FILES:
        raise RuleEditorError(text("rules_too_many_files", lang).format(n=len(sources), limit=MAX_FILES))
    for name, body in sources.items():
        if not isinstance(name, str) or len(name) > 64 or not FILE_NAME.fullmatch(name):
            raise RuleEditorError(text("rules_bad_name", lang).format(name=str(name)[:80]))
        if not isinstance(body, str):
            raise RuleEditorError(text("rules_not_text", lang).format(name=name))
        if len(body) > MAX_SOURCE:
            raise RuleEditorError(text("rules_too_long", lang).format(name=name, limit=f"{MAX_SOURCE:,}"))
        bad = control_character(body)
        if bad is not None:
            found = re.search(r"U\+[0-9A-F]{4,6}", bad)
            at = re.search(r"position (\d+)", bad)
            raise RuleEditorError(text("rules_control", lang).format(
                name=name, code=found.group() if found else "?", at=at.group(1) if at else "?"))
    return dict(sources)


def whole_rulebook(published: Mapping[str, str], sent: Mapping[str, str]) -> dict[str, str]:
    """The rulebook publishing ``sent`` would make: the published files, each sent one
    replacing its namesake; unchanged files first, so errors land in the changed ones."""
    unchanged = {name: body for name, body in sorted(published.items())
                 if name not in sent or sent[name] == body}
    changed = {name: body for name, body in sent.items() if name not in unchanged}
    return {**unchanged, **changed}


def _refused(message: str, diagnostics: list[dict[str, Any]] | None = None) -> Response[dict[str, Any]]:
    return Response({"ok": False, "message": message, "diagnostics": diagnostics or []}, status_code=422)


async def _compiled(sources: Mapping[str, str], lang: str) -> tuple[Any, list[dict[str, Any]]]:
    """The compiled rulebook (on a work thread, ``api.offload``), or None and the diagnostics
    in ``lang``."""
    try:
        return await offload.run(compile_rulebook, sources), []
    except RulebookError as exc:
        return None, [_diagnostic(d, lang) for d in exc.diagnostics]


TITLE = re.compile(r'\s*(?:rule|score|规则|评分)\s+\S+?\s*"([^"]*)"')


def _title(sources: Mapping[str, str], file: str, line: int) -> str:
    """The title a rule or score gives itself on its first line (``rule late "逾期"``)."""
    lines = sources.get(file, "").splitlines()
    found = TITLE.match(lines[line - 1]) if 0 < line <= len(lines) else None
    return found.group(1) if found else ""


def _cost(c: ItemCost, sources: Mapping[str, str], lang: str) -> dict[str, Any]:
    """A rule's or score's estimated cost per subject, with the bound and the nesting."""
    return {"file": c.file, "line": c.line, "name": c.name, "kind": c.kind,
            "title": _title(sources, c.file, c.line), "subject": c.subject, "cost": c.cost,
            "bound": c.bound, "over": c.over, "reason": c.reason, "reason_zh": c.reason_zh,
            "because": c.reason_zh if lang == "zh" else c.reason}


def _diagnostic(d: Diagnostic, lang: str) -> dict[str, Any]:
    """A diagnostic as the API serialises it (``Diagnostic.as_json``), with ``text`` in the
    page's language and its place said once, in words (``place``)."""
    return {**d.as_json(), "text": d.text_in(lang),
            "place": text("rules_place", lang).format(file=d.file, line=d.line, column=d.column)}


def _warning(w: AnalysisWarning, lang: str) -> dict[str, Any]:
    """A static analysis warning for the page: its place once, what it finds, the example."""
    example = "，".join(f"{k} = {v}" for k, v in w.example_in(lang).items())
    message = w.text(lang)
    return {"file": w.file, "line": w.line, "column": w.column, "kind": w.kind,
            "rule": w.rule, "message": w.message, "message_zh": w.message_zh,
            "example": w.example_text, "lang": w.lang, "text_zh": w.render("zh"), "text_en": w.render("en"),
            "text": message + (text("rules_example", lang).format(example=example) if example else ""),
            "place": text("rules_place", lang).format(file=w.file, line=w.line, column=w.column)}


def _past_day(data: Any, today: dt.date, lang: str) -> dt.date:
    raw = data.get("past") if isinstance(data, dict) else None
    if raw in (None, ""):
        return today - dt.timedelta(days=30)
    try:
        past = dt.date.fromisoformat(str(raw))
    except ValueError:
        raise RuleEditorError(text("rules_bad_day", lang).format(day=str(raw)[:40])) from None
    if past > today:
        raise RuleEditorError(text("rules_future_day", lang).format(day=past.isoformat(), today=today.isoformat()))
    return past


def _day_json(day: dt.date, portfolio: Any, evaluation: Any, lang: str) -> dict[str, Any]:
    """What would light on ``day``: the counts, and the findings by name, worst first."""
    findings = sorted(evaluation.findings, key=lambda f: (LEVEL_ORDER.get(f.level.value, 9),
                                                         subject_name(portfolio, f.subject), f.rule))
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for f in findings:
        counts[f.level.value] = counts.get(f.level.value, 0) + 1
    listed = [{"level": f.level.value, "level_text": text(f.level.value, lang), "rule": f.rule,
               "title": f.title, "subject": f.subject, "name": subject_name(portfolio, f.subject),
               "message": f.message} for f in findings[:MAX_LISTED]]
    summary = text("would_light_on", lang).format(day=day.isoformat(), **counts)
    return {"day": day.isoformat(), **counts, "summary": summary, "findings": listed,
            "more": max(len(findings) - MAX_LISTED, 0),
            "errors": [str(e) for e in evaluation.errors]}


class RulePages(Controller):
    path = "/"
    include_in_schema = False

    @get("/rules", name="rule_editor")
    async def editor(self, request: AppRequest, server: Server) -> Response[str]:
        require(request, "office")
        published = await rules_repo.latest_published()
        if published is not None:
            files = sorted(published.sources.items())
        else:
            from rules.standard import standard_sources  # noqa: PLC0415

            files = sorted(standard_sources().items())
        past = (server.today() - dt.timedelta(days=30)).isoformat()
        return render_page(request, "rules.html", files=files, past=past, today=server.today().isoformat(),
                           version=published.number if published else None)

    async def _whole(self, data: Any, lang: str) -> dict[str, str]:
        published = await rules_repo.latest_published()
        return whole_rulebook(published.sources if published else {}, _sources(data, lang))

    @post("/rules/check", name="rule_check", status_code=200)
    async def check(self, request: AppRequest, data: Any) -> Response[dict[str, Any]]:
        require(request, "office")
        lang = page_lang(request)
        try:
            sources = await self._whole(data, lang)
        except RuleEditorError as exc:
            return _refused(str(exc))
        found = await offload.run(inspect_rulebook, sources)
        diagnostics = [_diagnostic(d, lang) for d in found.diagnostics]
        costs = sorted((_cost(c, sources, lang) for c in found.costs),
                       key=lambda c: (-c["cost"], c["file"], c["line"]))
        message = text("rules_n_errors", lang).format(n=len(diagnostics)) if diagnostics else text("rules_ok", lang)
        return Response({"ok": not diagnostics, "diagnostics": diagnostics, "files": list(sources),
                         "message": message, "costs": costs,
                         "warnings": [_warning(w, lang) for w in found.warnings]})

    @post("/rules/dry-run", name="rule_dry_run", status_code=200)
    async def dry_run(self, request: AppRequest, server: Server, data: Any) -> Response[dict[str, Any]]:
        require(request, "office")
        lang = page_lang(request)
        try:
            sources = await self._whole(data, lang)
            past = _past_day(data, server.today(), lang)
        except RuleEditorError as exc:
            return _refused(str(exc))
        compiled, diagnostics = await _compiled(sources, lang)
        if compiled is None:
            return _refused(text("rules_cannot_dry_run", lang).format(n=len(diagnostics)), diagnostics)
        days = list(dict.fromkeys((server.today(), past)))
        out = [_day_json(day, portfolio, evaluation, lang)
               for day, portfolio, evaluation in await server.dry_run_days(sources, days)]
        return Response({"ok": True, "days": out})

    @post("/rules/publish", name="rule_publish", status_code=200)
    async def publish(self, request: AppRequest, server: Server, data: Any) -> Response[dict[str, Any]]:
        who = require(request, "office")
        lang = page_lang(request)
        try:
            sources = await self._whole(data, lang)
        except RuleEditorError as exc:
            return _refused(str(exc))
        compiled, diagnostics = await _compiled(sources, lang)
        if compiled is None:  # checked before anything is saved: a refusal stores nothing
            return _refused(text("rules_not_saved", lang).format(n=len(diagnostics)), diagnostics)
        v = await server.save_rulebook(who.username, sources, "rule editor")
        await server.check_rulebook(v.number)
        await server.publish(who.username, v.number)
        return Response({"ok": True, "version": v.number, "files": list(sources),
                         "message": text("rules_published", lang).format(version=v.number)})
