"""The application factory: ``create_app(settings=None) -> Litestar``.

Wires the controllers, the error table, sessions (encrypted cookies), CSRF for forms,
authentication, OpenAPI (``/schema``, ``/schema/openapi.json``), and the startup/shutdown
hooks that open the Piccolo engine, apply migrations, bind the tables and (for ``duban serve``)
run the notice delivery worker. The HTML pages and static files are mounted from
``api.web.routes.ROUTE_HANDLERS``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import warnings
from collections.abc import Iterator
from typing import Any, cast

from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import LitestarDeprecationWarning
from litestar.logging.config import LoggingConfig
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Tag
from msgspec import Struct

from api import audit, database, errors, keys
from api.auth import SESSION_SECONDS, AuthMiddleware, LoginRedirectError, login_redirect
from api.controllers.accountability import AccountabilityController
from api.controllers.assessments import AssessmentController
from api.controllers.complaints import ComplaintController
from api.controllers.deliveries import DeliveryController
from api.controllers.demo import demo_routes
from api.controllers.evaluations import EvaluationController, RulebookController
from api.controllers.notices import NoticeController
from api.controllers.people import AuditController, SessionController, UserController
from api.controllers.portfolio import MilestoneController, ProjectController, UnitController
from api.controllers.schedules import ScheduleController
from api.controllers.supervision import ExtensionController, PeopleController
from api.controllers.transfer import TransferController
from api.service import Server
from api.settings import Settings
from api.web.api_docs import ApiDocs
from api.web.routes import ROUTE_HANDLERS
from api.web.static import asset_urls
from notifier.channels import AppriseChannel
from notifier.worker import DeliveryWorker
from projects import storage
from projects.errors import DubanError

VERSION = "0.1.0"
#: Paths the form CSRF check skips, as anchored patterns: the API (its cookie writes are held to
#: the x-csrftoken header by ``api.auth``, its token writes need no CSRF) and the schema. Never
#: a bare substring: ``/my/P001/api-docs`` is a page form like any other.
SCHEMA_PATHS = r"^/schema(?:/|$)"
CSRF_EXEMPT = (r"^/api/", SCHEMA_PATHS)


class ErrorBody(Struct):
    """Every error answer: the status, a short kind, a message a person can act on, and details
    (``suggestions``, ``current``, ``problems``, ``diagnostics``, ``where``) where they apply."""

    status: int
    error: str
    message: str


_ERRORS = {
    400: "the request does not fit the API (a field missing or of the wrong type)",
    401: "nobody is signed in: send 'Authorization: Bearer <token>' or log in",
    403: "the signed-in user's role or unit does not allow this",
    404: "no such unit, project, milestone, rulebook, evaluation, notice or user",
    409: "a stale version or a step out of order; the body holds the current state",
    422: "a value that cannot be right, with its place",
}


#: What the API docs (/schema, /schema/redoc) show a clerk first: zh-CN, English the alternative.
API_TITLE = "督办 duban API"
API_DESCRIPTION = (
    "重点项目与重点工作督办系统的接口：单位、项目与节点的报送，规则与评估，督办通知与投递，延期申请、"
    "群众投诉、考核与问责。用 `Authorization: Bearer <令牌>` 或登录后的会话访问；每个错误答复都说明"
    "哪里错了、在哪里、应当怎样写。\n\n"
    "The API of duban, the key-project supervision tracker: units, projects and milestone reports, "
    "rulebooks and evaluations, supervision notices and their delivery, extensions, public "
    "complaints, assessments and accountability. Send `Authorization: Bearer <token>` or use a "
    "signed-in session; every error answer says what was wrong, where, and what would be right.")

#: Each controller's tag (its group of operations) -> the name Redoc heads the group with
#: (Chinese first) and what the group holds (zh — en).
API_TAGS = {
    "units": ("单位 units", "责任单位 — the responsible units"),
    "projects": ("项目 projects", "重点项目与重点工作及其交办 — key projects and tasks, and their assignment"),
    "milestones": ("节点 milestones", "节点的查询、报送与历史 — milestones: read, report, history"),
    "supervision": ("督办 supervision", "责任人、延期申请、通报批评与问责 — people, extensions, criticism and accountability"),
    "assessments": ("考核 assessments", "考核期的计算、冻结与导出 — assessment periods: computed, frozen, exported"),
    "complaints": ("群众投诉 complaints", "投诉、咨询、建议及公开结果 — complaints, consultations, suggestions, public results"),
    "rulebooks": ("规则 rulebooks", "规则集版本：草稿、检查、发布 — rulebook versions: draft, check, publish"),
    "evaluations": ("评估 evaluations", "评估、预警、按时率与排名 — evaluations, findings, on-time rates, rankings"),
    "notices": ("督办通知 notices", "督办通知、回复与投递 — supervision notices, responses and deliveries"),
    "users": ("用户 users", "用户与令牌 — users and tokens"),
    "audit": ("审计 audit", "审计链及其校验 — the audit chain and its verification"),
    "import-export": ("导入导出 import-export", "组合文件与 Excel 的导入导出 — portfolio files and Excel in and out"),
    "schedules": ("进度计划 schedules", "承包单位进度计划的导入 — contractors' schedule imports"),
    "demo": ("演示 demo", "演示收件箱（仅演示模式） — the demo inbox (demo mode only)"),
    "meta": ("系统 meta", "健康检查 — the health probe"),
}


#: Each operation (its operationId) -> its summary in the docs, Chinese first. A new operation
#: without one fails ``tests/api/test_api_docs.py``.
API_OPERATIONS = {
    "health": "健康检查 Health probe",
    "listUnits": "单位列表 List units", "createUnit": "新建单位 Create a unit",
    "getUnit": "查看单位 Get a unit", "updateUnit": "修改单位 Update a unit",
    "listProjects": "项目列表 List projects", "createProject": "新建项目 Create a project",
    "getProject": "查看项目 Get a project", "updateProject": "修改项目或交办 Update or assign a project",
    "createMilestone": "新建节点 Create a milestone", "getMilestone": "查看节点 Get a milestone",
    "reportMilestone": "报送节点 Report a milestone", "getMilestoneHistory": "节点历史 A milestone's history",
    "listMilestones": "节点列表 List milestones",
    "listPeople": "责任人列表 List people", "createPerson": "新建责任人 Create a person",
    "updatePerson": "修改责任人 Update a person",
    "decideExtension": "审批延期申请 Decide an extension", "listExtensions": "延期申请列表 List extensions",
    "requestExtension": "申请延期 Request an extension",
    "listAccountability": "通报批评与问责记录 List criticism and accountability",
    "recordAccountability": "记录通报批评或问责 Record criticism or accountability",
    "verifyAssessment": "核对考核结果 Verify an assessment", "listAssessments": "已冻结的考核 List closed assessments",
    "closeAssessment": "冻结考核期 Close an assessment period", "getAssessment": "查看考核 Get an assessment",
    "exportAssessment": "导出考核表 Export an assessment workbook",
    "answerComplaint": "答复投诉 Answer a complaint", "listComplaints": "投诉列表 List complaints",
    "fileComplaint": "提交投诉（公开） File a complaint (public)", "getComplaint": "查看投诉 Get a complaint",
    "publicResults": "公开结果 Public results", "rateComplaint": "评价答复（公开） Rate an answer (public)",
    "routeComplaint": "转办投诉 Route a complaint", "trackComplaint": "查询投诉进度（公开） Track a complaint (public)",
    "checkRulebook": "检查规则集 Check a rulebook", "dryRunRulebook": "试运行规则集 Dry-run a rulebook",
    "getRulebook": "查看规则集版本 Get a rulebook version", "listRulebooks": "规则集版本列表 List rulebook versions",
    "saveRulebookDraft": "保存规则集草稿 Save a rulebook draft", "publishRulebook": "发布规则集 Publish a rulebook",
    "listFindings": "预警列表 List findings", "getEvaluation": "查看评估 Get an evaluation",
    "listEvaluations": "评估列表 List evaluations", "runEvaluation": "运行评估 Run an evaluation",
    "getRankings": "排名 Rankings", "getRates": "按时率 On-time rates",
    "acceptNotice": "认可回复 Accept a response", "getNotice": "查看督办通知 Get a notice",
    "getNoticeHistory": "通知历程 A notice's history", "listNotices": "督办通知列表 List notices",
    "rejectNotice": "退回回复 Reject a response", "respondNotice": "回复督办通知 Respond to a notice",
    "listFailedDeliveries": "投递失败列表 List failed deliveries",
    "noticeDeliveries": "通知的投递 A notice's deliveries", "retryDelivery": "重新投递 Retry a delivery",
    "createToken": "签发令牌 Create a token", "listUsers": "用户列表 List users", "createUser": "新建用户 Create a user",
    "getMe": "当前用户 The signed-in user", "updateUser": "修改用户 Update a user",
    "listAudit": "审计记录 List audit entries", "verifyAudit": "校验审计链 Verify the audit chain",
    "exportPortfolioExcel": "导出 Excel Export to Excel", "importPortfolioExcel": "导入 Excel Import from Excel",
    "exportPortfolio": "导出组合文件 Export the portfolio", "importPortfolio": "导入组合文件 Import a portfolio",
    "portfolioTemplate": "Excel 模板 The Excel template",
    "importSchedule": "导入进度计划 Import a contractor's schedule",
}


def _handlers(app: Litestar) -> Iterator[tuple[str, Any]]:
    """Each route's path and each of its handlers (a handler on several paths once a path)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            yield route.path, handler


def _name_operations(app: Litestar) -> None:
    """Every API operation's summary from ``API_OPERATIONS`` (Litestar's default is the
    handler's name: ``ReportMilestone``); one missing keeps that default (the test says so)."""
    for _, handler in _handlers(app):
        named = API_OPERATIONS.get(getattr(handler, "operation_id", None) or "")
        if named is not None:
            handler.summary = named


def _name_tags(app: Litestar) -> None:
    """Every operation's tag under its Chinese-first name (the controllers keep short ids)."""
    for _, handler in _handlers(app):
        tags = handler.resolve_tags() if hasattr(handler, "resolve_tags") else []
        if tags:  # the resolved list (handler + controller) Litestar's schema reads; tested
            handler._resolved_tags = [API_TAGS[t][0] if t in API_TAGS else t for t in tags]


def _document_errors(app: Litestar) -> None:
    """Give every API operation the error answers the error table can produce."""
    specs = {code: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
             for code, text in _ERRORS.items()}
    for path, handler in _handlers(app):
        if path.startswith("/api/") and path != "/api/health":
            handler.responses = {**specs, **(handler.responses or {})}


class Health(Struct):
    status: str
    revision: int
    process: str


#: Which of the server's processes answers (``duban serve --workers N``): drawn at random when
#: the process starts, so it tells processes apart and reveals nothing about the machine.
PROCESS = secrets.token_hex(4)


@get("/api/health", operation_id="health", tags=["meta"])
async def health(server: Server) -> Health:
    """Anonymous liveness probe: the database answers, and the portfolio revision this
    process's snapshot holds (checked against the database's on every request) and which
    process answered."""
    return Health("ok", (await server.snapshot()).revision, PROCESS)


def secret_for(settings: Settings) -> str:
    """The server's secret (see ``api.keys``): never derived from anything an outsider knows."""
    return keys.server_secret(settings)


def get_server(state: State) -> Server:
    return cast(Server, state.server)


def _api_docs() -> OpenAPIRenderPlugin:
    """The API docs: the reference at /schema, and Redoc's view at /schema/redoc drawn by the
    Redoc the app serves itself (``api.web.static``):
    no CDN script, web font or icon, which an offline network cannot fetch and would hang on;
    the page and the document built once and served compressed with an ETag (``api.web.api_docs``)."""
    return ApiDocs(js_url=asset_urls()["redoc"])


def create_app(settings: Settings | None = None, *, deliver: bool = False) -> Litestar:
    """The whole web application for ``settings`` (default: from the environment).

    With ``deliver`` the app also runs the notice delivery worker while it is up.
    """
    settings = settings or Settings.from_env()
    secret = secret_for(settings)
    key = hashlib.sha256(secret.encode()).digest()

    async def startup(app: Litestar) -> None:
        # The engine (and its pool) belongs to one run of the app, on that run's event loop: an
        # app started again (the tests share one per session) opens a new one.
        engine = database.make_engine(settings)
        await database.open_engine(engine, settings.pool_size)
        await database.migrate(engine)
        app.state.engine, app.state.stop = engine, asyncio.Event()
        async with storage.write_transaction(engine):  # the audit chain keyed (api.audit)
            await audit.prepare(keys.derive(secret, "audit-chain"))
        app.state.server = Server(settings, engine)
        app.state.complaint_key = keys.derive(secret, "complaint-address")  # api.complaints
        if deliver:
            app.state.worker = asyncio.create_task(_deliver(engine, app.state.stop))

    async def shutdown(app: Litestar) -> None:
        app.state.stop.set()
        task = getattr(app.state, "worker", None)
        if task is not None:
            await asyncio.wait_for(task, timeout=30)
            app.state.worker = None
        await database.close_engine(app.state.engine)

    session = CookieBackendConfig(secret=key, secure=settings.cookie_secure, httponly=True,
                                  samesite="lax", max_age=SESSION_SECONDS, key="duban_session")
    csrf = CSRFConfig(secret=secret, cookie_secure=settings.cookie_secure,
                      exclude=list(CSRF_EXEMPT))
    handlers = errors.exception_handlers()
    with warnings.catch_warnings():
        # Litestar 2.25 deprecates the inferred parameter styles its 2.x docs still teach;
        # they keep working until 3.0, when these signatures move to the explicit markers.
        warnings.simplefilter("ignore", LitestarDeprecationWarning)
        app = _build(settings=settings, session=session, csrf=csrf, handlers=handlers,
                     startup=startup, shutdown=shutdown)
    if settings.demo:  # what the demo inbox's receiver demands (api.controllers.demo)
        app.state.demo_inbox_key = keys.derive(secret, "demo-inbox")
    return app


#: Sent with every answer: no page may be framed by another site (the report form and the
#: Publish button cannot be clickjacked), and no answer is sniffed into another type. No answer
#: is kept by a browser's cache or a proxy unless it says so itself (only the versioned files of
#: ``/static``: a year): signed-in pages and the API hold what only their user may read, and the
#: public pages hold each visitor's own CSRF token and, once a complaint is filed, its code and
#: private rating link, which a shared cache would hand to the next visitor.
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


async def _security_headers(message: Any, _scope: Any) -> None:
    if message["type"] == "http.response.start":
        have = {k.lower() for k, _ in message.get("headers", ())}
        message["headers"] = [*message.get("headers", ()), *((k, v) for k, v in SECURITY_HEADERS if k not in have)]


def _refusals(handlers: Any) -> set[int | type[Exception]]:
    """What is an ordinary refusal, not an error: every 4xx status, every domain error the error
    table answers with a 4xx, the other refusals it handles, and a login redirect. Their
    tracebacks are not logged; a 500 still is (``HTTPException`` itself stays out: it may carry
    a 5xx)."""
    from litestar.exceptions import HTTPException  # noqa: PLC0415

    types = {k for k in handlers if isinstance(k, type) and k not in (HTTPException, DubanError)}
    return {*range(400, 500), *types, *errors.refusal_classes(), LoginRedirectError}


def _build(*, settings: Settings, session: Any, csrf: Any, handlers: Any, startup: Any, shutdown: Any) -> Litestar:
    handlers[LoginRedirectError] = login_redirect
    app = Litestar(
        route_handlers=[health, UnitController, ProjectController, MilestoneController,
                        PeopleController, ExtensionController, AccountabilityController,
                        AssessmentController, ComplaintController,
                        RulebookController, EvaluationController, NoticeController, DeliveryController,
                        UserController,
                        AuditController, SessionController, TransferController, ScheduleController,
                        *ROUTE_HANDLERS,
                        *demo_routes(settings)],
        dependencies={"server": Provide(get_server, sync_to_thread=False)},
        middleware=[session.middleware, DefineMiddleware(AuthMiddleware, exclude=[SCHEMA_PATHS])],
        csrf_config=csrf,
        exception_handlers=handlers,
        on_startup=[startup],
        on_shutdown=[shutdown],
        before_send=[_security_headers],
        openapi_config=OpenAPIConfig(title=API_TITLE, description=API_DESCRIPTION, version=VERSION, path="/schema",
                                     tags=[Tag(name=n, description=d) for n, d in API_TAGS.values()],
                                     render_plugins=[_api_docs()]),
        debug=False,
        logging_config=LoggingConfig(log_exceptions="always",
                                     disable_stack_trace=_refusals(handlers)),
    )
    _document_errors(app)
    _name_tags(app)
    _name_operations(app)
    return app


async def _deliver(engine: Any, stop: asyncio.Event) -> None:
    # Lease: longer than the slowest batch the worker's own check allows (timeout x rounds + margin).
    worker = DeliveryWorker(engine, AppriseChannel(), batch_size=50, concurrency=8,
                                       timeout=20, lease_seconds=300)
    try:
        if storage.is_postgres(engine):  # several processes may share it: one delivers
            await worker.run_elected(stop)
        else:
            await worker.run(stop)
    except Exception:  # the web app keeps serving; the failure is logged with its cause
        logging.getLogger("duban.server").exception("the notice delivery worker stopped")
