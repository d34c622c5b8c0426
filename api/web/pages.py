"""The HTML pages: dashboards, project page, owner's report form, inbox, rule editor, notices.

Owns the Litestar controllers mounted through ``api.web.routes.ROUTE_HANDLERS``. Thin: each
handler checks who may see the page (anonymous -> login page, other roles -> a 403 page),
reads the board (``dashboards.data``) or calls the server (``api.service.Server``,
``notifier.store``, ``rules.repository``), and renders a template (``api.web.render``).

Who sees what is ``api.visibility``, the rule the API follows too: dashboards, rate trends and
reports — the watchers (office, leader); a project page — ``sees_project`` (the watchers, and
the owner or responsible unit of the project); "my milestones" — owner, unit, office (what each
may report, ``api.auth.may_report``); the inbox — owner, unit (their unit's notices); rule
editor and notice management — office.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Response

from api import audit
from api.auth import AppRequest, Principal, may_report
from api.controllers.common import attachment
from api.service import ForbiddenError, InputError, Server
from api.visibility import WATCHERS, sees_project
from api.web.accountability_pages import record_rows
from api.web.forms import FIELDS, FORM, form_values, parse_report
from api.web.render import (
    PageForbiddenError,
    forbidden_page,
    page_lang,
    render_page,
    require,
)
from api.web.rule_pages import RulePages
from dashboards import reports
from dashboards.data import current_board, month_end_rates
from dashboards.embed import embed
from dashboards.gantt import milestone_lights, project_gantt
from dashboards.i18n import text
from dashboards.money import funds_curve
from dashboards.numbers import money_text
from notifier import store
from notifier.errors import NoticeForbiddenError, NoticeInputError
from notifier.lifecycle import OPEN_STATES
from projects.cadence import next_report
from projects.calendar import WorkCalendar
from projects.errors import StaleVersionError
from projects.model import Level
from projects.replay import known_on
from projects.subjects import subject_name
from rules.sentence import explain_sentence

LEADERS = WATCHERS  # who sees the dashboards, rates and reports (api.visibility)
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _notices(server: Server, unit: str | None = None) -> list[Any]:
    return list(await store.list_notices(server.engine, unit=unit))


#: How far ahead the office is warned of a year without holiday data: a notice issued today
#: with the longest usual deadline (and an extension) falls within it.
CALENDAR_LOOKAHEAD = dt.timedelta(days=60)


async def _calendar_gap(server: Server, notices: list[Any]) -> tuple[int, ...]:
    """Years without holiday data that today's deadlines or an open notice's deadline reach."""
    today = server.today()
    last = max([today + CALENDAR_LOOKAHEAD, *(n.due for n in notices if n.state in OPEN_STATES)])
    calendar: WorkCalendar = (await server.snapshot()).calendar
    return calendar.missing_years(today, last)


async def _score_titles(server: Server) -> dict[str, str]:
    published = await server.published_rulebook()
    if published is None:
        return {}
    return {score.name: score.title or score.name for score in published[1].scores}


async def _score_subjects(server: Server) -> dict[str, str]:
    """Score name -> what it ranks (``unit`` or ``person``) in the published rulebook."""
    published = await server.published_rulebook()
    return {} if published is None else {score.name: score.subject for score in published[1].scores}


class DashboardPages(Controller):
    """Leaders' dashboards, the project page and the downloadable reports."""

    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    @get("/", name="home")
    async def home(self, request: AppRequest) -> Redirect:
        who = require(request)
        return Redirect(path="/dashboard" if who.role in LEADERS else "/my")

    @get("/dashboard", name="dashboard")
    async def dashboard(self, request: AppRequest, server: Server) -> Response[str]:
        require(request, *LEADERS)
        board = await current_board(server)
        lang = page_lang(request)
        notices = await _notices(server)
        lights: dict[str, int] = {level.value: 0 for level in Level}
        from dashboards.figures import project_lights  # noqa: PLC0415

        for level in project_lights(board.portfolio, board.evaluation.findings).values():
            lights[level.value] += 1
        figures = reports.dashboard_figures(board.portfolio, board.evaluation, notices, lang=lang,
                                            score_titles=await _score_titles(server),
                                            score_subjects=await _score_subjects(server))
        return render_page(request, "dashboard.html", figures=figures, as_of=board.as_of,
                           version=board.rulebook_version, totals=lights,
                           scores=list(board.evaluation.scores),
                           records=await record_rows(server, require(request), lang, limit=10))

    @get("/dashboard/rates", name="rates")
    async def rates(self, request: AppRequest, server: Server, months: int = 6) -> Response[str]:
        require(request, *LEADERS)
        from dashboards.figures import rates_trend  # noqa: PLC0415

        months = max(2, min(months, 24))
        board = await current_board(server)
        monthly = await month_end_rates(server, months)
        lang = page_lang(request)
        figures = [embed(f"trend_{k}", rates_trend(board.portfolio, monthly, rate=k, lang=lang))
                   for k in ("on_time_rate", "completion_rate", "early_rate")]
        return render_page(request, "rates.html", figures=figures)

    @get("/dashboard/report.html", name="report_html")
    async def report_html(self, request: AppRequest, server: Server) -> Response[str]:
        require(request, *LEADERS)
        board = await current_board(server)
        lang = page_lang(request)
        figures = reports.dashboard_figures(board.portfolio, board.evaluation,
                                            await _notices(server), lang=lang,
                                            score_titles=await _score_titles(server),
                                            score_subjects=await _score_subjects(server))
        body = reports.standalone_html(figures, board.as_of, lang=lang)
        name = f"duban-dashboard-{board.as_of.isoformat()}.html"
        return attachment(body, name, "text/html; charset=utf-8", headers=await audit.export_anchor(name))

    @get("/reports/ranking.xlsx", name="ranking_xlsx")
    async def ranking_xlsx(self, request: AppRequest, server: Server) -> Response[bytes]:
        require(request, *LEADERS)
        board = await current_board(server)
        body = reports.ranking_workbook(board.portfolio, board.evaluation, lang=page_lang(request))
        name = f"duban-ranking-{board.as_of.isoformat()}.xlsx"
        return attachment(body, name, headers=await audit.export_anchor(name))

    @get("/reports/findings.xlsx", name="findings_xlsx")
    async def findings_xlsx(self, request: AppRequest, server: Server) -> Response[bytes]:
        require(request, *LEADERS)
        board = await current_board(server)
        body = reports.findings_workbook(board.portfolio, board.evaluation, lang=page_lang(request))
        name = f"duban-findings-{board.as_of.isoformat()}.xlsx"
        return attachment(body, name, headers=await audit.export_anchor(name))

    @get("/projects/{pid:str}", name="project")
    async def project(self, request: AppRequest, server: Server, pid: str) -> Response[str]:
        return await self._project_page(request, server, pid)

    async def _project_page(self, request: AppRequest, server: Server, pid: str, *,
                            schedule_error: str = "", status: int = 200) -> Response[str]:
        who = require(request)
        board = await current_board(server)
        project = board.portfolio.project_by_id.get(pid)
        lang = page_lang(request)
        if project is None:
            return render_page(request, "message.html", status=404, heading=text("no_project", lang),
                               message=f"「{pid}」：{text('no_project_hint', lang)}",
                               link=("/projects" if who.role in LEADERS else "/my"))
        if not sees_project(who, project):
            raise PageForbiddenError(who.role, ("office", "leader", "unit"))
        findings = [f for f in board.evaluation.findings if f.project == pid
                    and f.subject.startswith(("milestone:", "project:"))]
        light = max((f.level for f in findings), key=lambda lv: lv.rank, default=Level.GREEN)
        office = who.role == "office"
        figures = [embed("gantt", project_gantt(project, board.schedule, findings, board.as_of,
                                                lang=lang, code=office)),
                   embed("funds", funds_curve([project], board.as_of, lang=lang))]
        unit = board.portfolio.unit_by_id.get(project.unit)
        rows = [{"level": f.level.value, "name": subject_name(board.portfolio, f.subject),
                 "message": f.message, "because": explain_sentence(f.explain, lang),
                 "respond_by": f.respond_by, "rule": f.rule,
                 "code": [f"{a} → {b}" for a, b in f.explain] if office else []}
                for f in findings]
        return render_page(request, "project.html", figures=figures, project=project,
                           findings=rows, light=light.value, as_of=board.as_of,
                           unit_name=unit.name if unit else project.unit,
                           schedule_import=await _last_schedule_import(
                               pid, {m.id: m.name for m in project.milestones}, (await server.snapshot()).calendar),
                           imported=request.query_params.get("imported") == "1",
                           assigned=request.query_params.get("assigned") or "",
                           assignment=_assignment(board.portfolio, project, lang),
                           schedule_error=schedule_error, status=status)

    @post("/projects/{pid:str}/schedule", name="import_schedule_page", status_code=303)
    async def import_schedule_page(self, request: AppRequest, server: Server, pid: str,
                                   data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
                                   ) -> Response[Any]:
        """The office imports a contractor's schedule from the project page (api.schedules)."""
        import yaml  # noqa: PLC0415

        from api.schedules import import_schedule  # noqa: PLC0415
        from projects.errors import DubanError  # noqa: PLC0415

        who = require(request, "office")
        project = (await server.snapshot()).portfolio.project_by_id.get(pid)
        if project is None:
            raise NotFoundException(f"no project {pid}")
        upload, map_upload = data.get("file"), data.get("map")
        try:
            if not isinstance(upload, UploadFile):
                raise InputError("file", "请选择进度计划文件 / choose a schedule file")
            map_data = None
            if isinstance(map_upload, UploadFile) and map_upload.filename:
                try:
                    map_data = yaml.safe_load((await map_upload.read()).decode("utf-8"))
                except (UnicodeDecodeError, yaml.YAMLError) as exc:
                    raise InputError("map", f"映射文件不是 UTF-8 的 YAML / the map is not UTF-8 YAML: {exc}") from None
            await import_schedule(server, await upload.read(), upload.filename or "upload", pid=pid,
                                  unit=project.unit, actor=who.username, map_data=map_data,
                                  map_name=map_upload.filename if isinstance(map_upload, UploadFile) and map_upload.filename else "map")
        except DubanError as exc:
            return await self._project_page(request, server, pid, schedule_error=str(exc), status=422)
        return Redirect(path=f"/projects/{pid}?imported=1#schedule", status_code=303)

    @get("/projects", name="projects")
    async def projects(self, request: AppRequest, server: Server, *, unit: str | None = None,
                       category: str | None = None, light: str | None = None,
                       flag: str | None = None) -> Response[str]:
        """The projects behind a bar of the dashboard: by unit, category and light; ``flag``
        (``urgent`` 紧急 or ``instruction`` 领导批示) puts those apart for the leaders."""
        require(request, *LEADERS)
        from dashboards.figures import project_lights  # noqa: PLC0415

        board = await current_board(server)
        lang = page_lang(request)
        lights = project_lights(board.portfolio, board.evaluation.findings)
        worst: dict[str, str] = {}
        for f in board.evaluation.findings:
            if f.project and f.project not in worst and f.subject.startswith(("milestone:", "project:")):
                worst[f.project] = f.message
        names = {u.id: u.name for u in board.portfolio.units}
        rows = [{"id": p.id, "name": p.name, "unit": names.get(p.unit, p.unit),
                 "category": text(p.category.value, lang), "light": lights[p.id].value,
                 "message": worst.get(p.id, text("no_finding", lang)),
                 "urgent": p.urgent, "instruction": p.instruction}
                for p in board.portfolio.projects
                if (unit is None or p.unit == unit) and (category is None or p.category.value == category)
                and (light is None or lights[p.id].value == light)
                and (flag is None or (flag == "urgent" and p.urgent)
                     or (flag == "instruction" and p.instruction is not None))]
        rows.sort(key=lambda r: (-Level(str(r["light"])).rank, r["unit"], r["name"]))
        shown = [v for v in (names.get(unit or "", unit), text(category, lang) if category in ("project", "task") else category,
                             text(light, lang) if light in ("red", "yellow", "green") else light,
                             text(f"flag_{flag}", lang) if flag in ("urgent", "instruction") else flag) if v]
        records = None if unit is None else await record_rows(server, require(request), lang, unit=unit)
        return render_page(request, "projects.html", rows=rows, filters=shown, as_of=board.as_of,
                           records=records)

    @get("/dashboard/screen", name="screen")
    async def screen(self, request: AppRequest, server: Server) -> Response[str]:
        """The leaders' big screen: one 1920x1080 screen, no scrolling, refreshing itself."""
        require(request, *LEADERS)
        from dashboards.screen import screen_view  # noqa: PLC0415

        board = await current_board(server)
        lang = page_lang(request)
        monthly = await month_end_rates(server, 6)
        view = screen_view(board.portfolio, board.evaluation, await _notices(server), monthly,
                           lang=lang)
        return render_page(request, "screen.html", figures=view.figures, view=view,
                           as_of=board.as_of)


class OwnerPages(Controller):
    """The owner's milestones with the report form, and a unit's notice inbox."""

    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    async def _my_page(self, request: AppRequest, server: Server, who: Principal, *,
                       status: int = 200, override: dict[str, Any] | None = None,
                       done: str = "", project: str | None = None) -> Response[str]:
        board = await current_board(server)
        snap = await server.snapshot()
        today = server.today()
        moved, dues = known_on(board.portfolio, today)  # deadlines moved by approved extensions
        moved_dues = {m.key: m.due for q in moved.projects for m in q.milestones}
        shown: list[dict[str, Any]] = []
        for p in board.portfolio.projects:
            if who.role == "office":
                if (project is None and len(shown) >= 20) or project not in (None, p.id):
                    continue
            elif not any(may_report(who, p.unit, m.unit) for m in p.milestones):
                continue
            lights = milestone_lights(p, board.evaluation.findings)
            rows: list[dict[str, Any]] = []
            for m in p.milestones:
                if not may_report(who, p.unit, m.unit):
                    continue
                level, found = lights[m.id]
                due = moved_dues.get(m.key, m.due)
                done_by = m.finished is not None and m.finished <= today
                row = {"id": m.id, "name": m.name, "due": due, "light": level.value,
                       "original_due": m.due if due != m.due else None,
                       "pending": (dues[m.key].pending if m.key in dues else False),
                       "next_report": next_report(m.report_every or p.report_every, m.start, m.updated,
                                                  done_by, today=today, cal=snap.calendar),
                       "message": "; ".join(f.message for f in found),
                       "version": snap.versions.get(m.key, 1), "form": form_values(m),
                       "errors": {}, "error": "", "stale": None}
                if override and override["key"] == m.key:
                    row.update({k: v for k, v in override.items() if k != "key"})
                rows.append(row)
            worst = max((r["light"] for r in rows), key=lambda v: Level(v).rank, default="green")
            shown.append({"id": p.id, "name": p.name, "rows": rows})
            shown[-1]["light"] = worst
        lang = page_lang(request)
        return render_page(request, "my.html", status=status, projects=shown, done=done, form_inputs=FORM,
                           form_labels={i.name: i.label(lang) for i in FORM},
                           lights={p["id"]: p["light"] for p in shown})

    @get("/my", name="my_milestones")
    async def my(self, request: AppRequest, server: Server, done: str = "",
                 project: str | None = None) -> Response[str]:
        who = require(request, "owner", "unit", "office")
        return await self._my_page(request, server, who, done=done, project=project)

    @post("/my/{pid:str}/{mid:str}", name="report_milestone", status_code=303)
    async def report(self, request: AppRequest, server: Server, pid: str, mid: str,
                     data: Form) -> Response[Any]:
        who = require(request, "owner", "unit", "office")
        snap = await server.snapshot()
        project = snap.portfolio.project_by_id.get(pid)
        current = next((m for m in project.milestones if m.id == mid), None) if project else None
        if project is None or current is None:
            raise NotFoundException(f"no milestone {pid}/{mid}")
        if not may_report(who, project.unit, current.unit):
            raise PageForbiddenError(who.role, ("unit", "owner"))
        lang = page_lang(request)
        changes, errors = parse_report(data, server.today(), lang=lang)
        sent = {k: data.get(k, "") for k in FIELDS}
        scope: dict[str, Any] = {"project": pid if who.role == "office" else None}
        if errors:
            return await self._my_page(request, server, who, status=422, **scope, override={
                "key": current.key, "errors": errors, "form": sent})
        try:
            version = int(data.get("version", "0"))
            await server.report_milestone(who.username, pid, mid, changes, version)
        except StaleVersionError as exc:  # what happened is the error's; what to do here, the page's
            return await self._my_page(request, server, who, status=409, **scope, override={
                "key": current.key, "stale": {k: v for k, v in sent.items() if v},
                "stale_said": text("stale", lang).format(said=exc.said(lang))})
        except InputError as exc:
            field = (exc.where or "").rsplit(".", 1)[-1]
            override: dict[str, Any] = {"key": current.key, "form": sent}
            if field in sent:
                override["errors"] = {field: str(exc)}
            else:
                override["error"] = str(exc)
            return await self._my_page(request, server, who, status=422, **scope, override=override)
        target = f"/my?done={pid}/{mid}" + (f"&project={pid}" if who.role == "office" else "")
        return Redirect(path=f"{target}#m-{pid}-{mid}", status_code=303)

    @get("/inbox", name="inbox")
    async def inbox(self, request: AppRequest, server: Server, error: str = "") -> Response[str]:
        who = require(request, "owner", "unit")
        notices = await _notices(server, who.unit)
        histories = {n.code: await store.notice_steps(server.engine, n.code) for n in notices}
        from api.complaints import complaints_for  # noqa: PLC0415 - the unit's complaints beside its notices

        waiting = [c for c in await complaints_for(server, who) if c.state == "routed"]
        return render_page(request, "inbox.html", notices=notices, admin=False, error=error,
                           histories=histories, title=text("inbox", page_lang(request)),
                           complaints_waiting=waiting, today=server.today())

    @post("/inbox/{code:str}/respond", name="respond_notice", status_code=303)
    async def respond(self, request: AppRequest, server: Server, code: str, data: Form) -> Redirect:
        who = require(request, "owner", "unit", "office")
        reply = (data.get("text") or "").strip()
        if not reply:
            return Redirect(path="/inbox?error=" + quote(text("reply_empty", page_lang(request))),
                            status_code=303)
        try:
            await server.notice_action(who.username, code, "respond", text=reply,
                                       unit=None if who.role == "office" else who.unit)
        except (ForbiddenError, NoticeForbiddenError):
            raise PageForbiddenError(who.role, ("office", "unit")) from None
        except (InputError, NoticeInputError) as exc:
            return Redirect(path="/inbox?error=" + quote(str(exc)), status_code=303)
        return Redirect(path=f"/inbox#notice-{code}", status_code=303)


class OfficePages(RulePages):
    """The supervision office's notice management (the rule editor is in ``RulePages``)."""

    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    @get("/notices", name="notice_admin")
    async def notices(self, request: AppRequest, server: Server, error: str = "") -> Response[str]:
        require(request, "office")
        notices = await _notices(server)
        return render_page(request, "inbox.html", notices=notices, admin=True,
                           error=error, histories={}, title=text("notice_admin", page_lang(request)),
                           calendar_gap=await _calendar_gap(server, notices))

    @post("/notices/{code:str}/{action:str}", name="decide_notice", status_code=303)
    async def decide(self, request: AppRequest, server: Server, code: str, action: str,
                     data: Form) -> Redirect:
        who = require(request, "office")
        if action not in ("accept", "reject"):
            raise NotFoundException(f"no action {action!r}; use accept or reject")
        try:
            await server.notice_action(who.username, code, action, reason=data.get("reason"))
        except (InputError, NoticeInputError) as exc:  # a rejection without a reason, above all
            said = getattr(exc, page_lang(request), None) or str(exc)
            return Redirect(path="/notices?error=" + quote(said), status_code=303)
        return Redirect(path=f"/notices#notice-{code}", status_code=303)


class DeliveryPages(Controller):
    """The office's failed deliveries: which notices did not reach their unit, why; retry."""

    path = "/"
    include_in_schema = False
    exception_handlers = {PageForbiddenError: forbidden_page}  # noqa: RUF012

    @get("/deliveries", name="deliveries")
    async def deliveries(self, request: AppRequest, server: Server, retried: str = "") -> Response[str]:
        require(request, "office")
        from api.controllers.deliveries import failed  # noqa: PLC0415

        board = await current_board(server)
        names = {u.id: u.name for u in board.portfolio.units}
        rows = [{"id": d.id, "notice": d.notice, "title": d.title, "unit": names.get(d.unit, d.unit),
                 "target": d.target, "attempts": d.attempts, "error": d.last_error or "",
                 "last": (d.tries[-1].finished_at or d.tries[-1].started_at) if d.tries else d.created_at}
                for d in await failed(server)]
        return render_page(request, "deliveries.html", rows=rows, retried=retried)

    @post("/deliveries/{delivery_id:int}/retry", name="retry_delivery", status_code=303)
    async def retry(self, request: AppRequest, server: Server, delivery_id: int) -> Redirect:
        require(request, "office")
        from api.controllers.deliveries import retry  # noqa: PLC0415

        await retry(server, delivery_id)
        return Redirect(path=f"/deliveries?retried={delivery_id}", status_code=303)


def _assignment(portfolio: Any, project: Any, lang: str) -> dict[str, Any]:
    """The project's assignment (交办) as its page shows it: names for ids, the cadence spelled."""
    from api.web.assign_pages import labels  # noqa: PLC0415

    units = portfolio.unit_by_id
    person = portfolio.person_by_id.get(project.person) if project.person else None
    cadence = project.report_every
    return {"labels": labels(lang),
            "co_units": [units[u].name if u in units else u for u in project.co_units],
            "person": (person.name if person else project.person) or "",
            "report_every": "" if cadence is None else (str(cadence) if lang == "en" else cadence.chinese),
            "budget": "" if project.budget is None else money_text(project.budget, lang),
            "milestones": [_milestone_assignment(portfolio, project, m, lang) for m in project.milestones]}


def _milestone_assignment(portfolio: Any, project: Any, m: Any, lang: str) -> dict[str, Any]:
    """A milestone's assignment as the project page lists it: each field its own value or the
    project's, and which (``own``: the names of the fields the milestone sets itself)."""
    units, people = portfolio.unit_by_id, portfolio.person_by_id
    unit = m.unit or project.unit
    cos = project.co_units if m.co_units is None else m.co_units
    person_id = m.person or project.person
    person = people.get(person_id) if person_id else None
    cadence = m.report_every or project.report_every
    return {"id": m.id, "name": m.name, "unit": units[unit].name if unit in units else unit,
            "co_units": "、".join(units[u].name if u in units else u for u in cos if u != unit),
            "person": (person.name if person else person_id) or "",
            "report_every": "" if cadence is None else (str(cadence) if lang == "en" else cadence.chinese),
            "own": {name for name in ("unit", "co_units", "person", "report_every")
                    if getattr(m, name) is not None}}


async def _last_schedule_import(pid: str, names: dict[str, str], calendar: Any) -> dict[str, Any] | None:
    """The latest ``schedule.import`` of project ``pid`` from the audit trail, for its page,
    with the compare against the import before it: the one the import stored, else (an import
    made before imports stored it) one made here from the two records, its slips counted in
    working days of the office's calendar (the activities' calendars are in the files only)."""
    entries, _ = await audit.entries(action="schedule.import", subject=f"project:{pid}", limit=2)
    if not entries:
        return None
    e = entries[0]
    after = e.after or {}
    moves = sorted((after.get("due_moved_days") or {}).items(), key=lambda kv: -abs(kv[1]))[:20]
    compare = after.get("compare")
    if compare is None and len(entries) > 1:
        from projects.contractor.importer import compare_imports  # noqa: PLC0415

        compare = compare_imports(entries[1].after or {}, after, names,
                                  lambda _mid, old, new: max(calendar.workdays(old, new), 0))
        if compare is not None:
            compare["office_calendar"] = True
    return {"at": e.at[:16].replace("T", " "), "actor": e.actor, "source": after.get("source", ""),
            "added": len(after.get("added", [])), "changed": len(after.get("changed", {})),
            "removed": len(after.get("removed", [])), "moves": moves,
            "compare": compare}
