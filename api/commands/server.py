"""`duban serve` and the server's administration commands: db migrate, users, audit verify,
import and export. Each opens the database named by the environment (see ``api.settings``)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from api import audit, database, keys, users
from api.commands.lang import lang, say
from api.service import Server, now_iso
from api.settings import Settings, SettingsError
from notifier.logs import quiet_libraries
from projects import loader, storage
from projects.errors import PortfolioError

T = TypeVar("T")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help=say("运行网站（接口、页面、督办通知投递）", "run the web application (API, pages, notice delivery)"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_workers, default=1, metavar="N",
                       help=say("进程数（默认 1）；大于 1 时需 PostgreSQL：N 个进程共用一个数据库，只有一个进程投递通知",
                                "processes (default 1); more than 1 needs PostgreSQL: N processes share one database, "
                                "one of them delivers the notices"))
    demo = serve.add_mutually_exclusive_group()
    demo.add_argument("--demo", action="store_true",
                      help=say("向空数据库载入演示组合与演示账号（只限本机地址）", "load the demo portfolio and its accounts into an empty database (loopback only)"))
    demo.add_argument("--no-demo", action="store_true", help=say("不载入演示（默认）", "no demo (the default)"))
    serve.set_defaults(handler=_serve)

    db = subparsers.add_parser("db", help=say("数据库管理", "database administration")).add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help=say("执行尚未执行的迁移", "apply the migrations not yet applied")).set_defaults(handler=_migrate)

    u = subparsers.add_parser("users", help=say("用户账号", "user accounts")).add_subparsers(dest="users_command", required=True)
    add = u.add_parser("add", help=say("新建用户", "create a user"))
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=users.ROLES)
    add.add_argument("--unit", help=say("业主或单位用户所属的单位", "the unit of an owner or unit user"))
    add.add_argument("--password", help=say("不给出时会提示输入", "prompted for when left out"))
    add.add_argument("--display", default="")
    add.add_argument("--token", action="store_true", help=say("同时创建接口令牌并显示", "also create an API token and print it"))
    add.set_defaults(handler=_users_add)
    tok = u.add_parser("token", help=say("为用户创建接口令牌并显示一次", "create an API token for a user and print it once"))
    tok.add_argument("username")
    tok.add_argument("--name", default="script")
    tok.set_defaults(handler=_users_token)
    u.add_parser("list", help=say("列出用户", "list users")).set_defaults(handler=_users_list)

    a = subparsers.add_parser("audit", help=say("审计记录", "the audit trail")).add_subparsers(dest="audit_command", required=True)
    av = a.add_parser("verify", help=say("逐条核对加密钥的哈希链，指出第一条被改动的记录，并打印锚点 N:HEAD",
                                         "walk the keyed chain; name the first altered entry; print its anchor N:HEAD"))
    av.add_argument("--head", help=say("从导出或上次核对保存的锚点 N:HEAD：链中必须仍有第 N 条且哈希不变（末尾未删、未改写）",
                                       "an anchor N:HEAD kept from an export or an earlier verify: the chain must "
                                       "still hold entry N with that hash (nothing removed from its end, nothing rewritten)"))
    av.set_defaults(handler=_audit_verify)

    imp = subparsers.add_parser(
        "import", help="导入组合文件（.yaml/.json/.xlsx）或承包商进度计划（.xer/.xml/.mpp，需 --project 与 --unit），"
                       "全有或全无 / import a portfolio or a contractor's schedule, all or nothing")
    imp.add_argument("file", type=Path)
    imp.add_argument("--project", help="进度计划导入到的项目编号 / the project a schedule file makes or updates")
    imp.add_argument("--unit", help="该项目的责任单位 / the project's responsible unit")
    imp.add_argument("--map", type=Path, help="选择作业与节点类型的映射文件（YAML）/ a map of activities and kinds")
    imp.add_argument("--name", help="新项目的名称（默认取文件中的项目名）/ the new project's name")
    imp.set_defaults(handler=_import)
    exp = subparsers.add_parser("export", help=say("导出组合（.yaml、.json，或含亮灯结果与排名的 .xlsx）", "export the portfolio (.yaml, .json or .xlsx with findings and rankings)"))
    exp.add_argument("file", type=Path)
    exp.set_defaults(handler=_export)


def _run(body: Callable[[Server], Awaitable[T]], *, keying: bool = True) -> T:
    """``body`` with the database of the environment open. ``keying``: make the audit chain
    keyed first (``api.audit.prepare``); without it only the key is set (``audit verify``
    reads the chain exactly as it finds it)."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"duban: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    async def main() -> T:
        engine = database.make_engine(settings)
        await database.open_engine(engine, 2)
        try:
            await database.migrate(engine)
            database.bind(engine)
            key = keys.derive(keys.server_secret(settings), "audit-chain")
            if keying:
                async with storage.write_transaction(engine):
                    await audit.prepare(key)
            else:
                audit.configure(key)
            return await body(Server(settings, engine))
        finally:
            await database.close_engine(engine)

    return asyncio.run(main())


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the serve command needs it

    from api.seed import (  # noqa: PLC0415
        accounts_text,
        demo_accounts,
        inbox_text,
        ready_text,
        rewire_demo_contacts,
        seed_demo,
        sign_in_text,
        uses_demo_inbox,
    )
    from projects import repository as repo  # noqa: PLC0415

    url = os.environ.get("DUBAN_PUBLIC_URL", "").strip().rstrip("/") or f"http://{args.host}:{args.port}"
    if plain_http_cookies(os.environ, args.host):
        os.environ["DUBAN_COOKIE_SECURE"] = "0"
    if users.cheap_hashes() and args.host not in LOOPBACK_HOSTS:
        print(f"duban serve: {users.CHEAP_HASHES_VARIABLE} 只用于测试，不能对外服务; --host {args.host}: "
              "test-cost password hashes are for the test suite; unset it to serve beyond loopback",
              file=sys.stderr)
        return 2
    if args.demo:
        os.environ["DUBAN_DEMO"] = "1"
    elif args.no_demo:
        os.environ["DUBAN_DEMO"] = "0"  # no demo inbox either
    if os.environ.get("DUBAN_DEMO", "0").lower() in {"1", "true", "yes"}:
        if args.host not in LOOPBACK_HOSTS:
            print(f"duban serve: 演示模式只在本机地址上运行（其账号密码是公开的）; --host {args.host}: the demo's "
                  "accounts have published passwords, so the demo serves on loopback only "
                  "(127.0.0.1, localhost or ::1)", file=sys.stderr)
            return 2
        _no_proxy_for_loopback()

    async def prepare(server: Server) -> str:
        ready = ready_text(url, lang())
        if not server.settings.demo:
            return ready
        if not await repo.is_empty():
            moved = await rewire_demo_contacts(server, args.port)
            lines = accounts_text(await demo_accounts(), lang())
            if lines:
                ready += "\n" + "\n".join(lines)
            if moved or uses_demo_inbox((await server.snapshot()).portfolio):
                ready += "\n" + inbox_text(url, lang())
            return ready
        print(say("数据库为空：正在载入演示组合、其历史和标准规则集……",
                  "empty database: loading the demo portfolio, its history and the standard rulebook ..."), flush=True)
        return sign_in_text(await seed_demo(server, server.today(), inbox_port=args.port), url, lang())

    try:
        refused = workers_refusal(args.workers, settings=Settings.from_env(), demo=os.environ.get(
            "DUBAN_DEMO", "0").lower() in {"1", "true", "yes"})
    except SettingsError as exc:
        print(f"duban serve: {exc}", file=sys.stderr)
        return 2
    if refused:
        print(f"duban serve: --workers {args.workers}: {refused}", file=sys.stderr)
        return 2
    print(_run(prepare), flush=True)
    if args.workers > 1:
        # Each process builds its own app (``served_app``) on one socket uvicorn binds here;
        # uvicorn starts a process again when one dies. One of them delivers (the election in
        # ``notifier.worker.DeliveryWorker.run_elected``).
        uvicorn.run("api.commands.server:served_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="warning")
        return 0
    uvicorn.run(served_app(), host=args.host, port=args.port, log_level="warning")
    return 0


def served_app() -> Any:
    """The app ``duban serve`` runs in each of its processes: pages, API and the delivery
    worker (which, on PostgreSQL, delivers only in the process elected to)."""
    from api.app import create_app  # noqa: PLC0415 - only the serve command needs it

    app = create_app(deliver=True)
    quiet_libraries()  # after the app configured logging (notifier.logs, as the standalone worker)
    return app


def _workers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError(say(f"进程数应为 1 到 64 的整数，而不是 {text!r}",
                                             f"the number of processes is a whole number from 1 to 64, not {text!r}"))
    return n


def workers_refusal(workers: int, *, settings: Settings, demo: bool) -> str | None:
    """Why ``duban serve --workers N`` cannot run as asked (zh, then en), or None.

    SQLite is refused for N > 1: its writers take turns on one file lock, so more processes
    add no write capacity, only waiting (and a busy timeout for a report when many queue), and
    the delivery worker's election needs PostgreSQL's advisory locks. The demo is refused too:
    its inbox lives in one process's memory."""
    if workers <= 1:
        return None
    if settings.is_sqlite:
        return ("多进程需要 PostgreSQL：SQLite 同一时刻只有一个写入者，多个进程只会轮流等待文件锁，"
                "通知投递也无法在进程间选出唯一的投递者。请设置 DUBAN_DATABASE_URL=postgresql://用户:密码@主机/库，"
                "或去掉 --workers / several processes need PostgreSQL: SQLite has one writer at a time, so "
                "more processes only take turns on its file lock, and notice delivery cannot elect its one "
                "worker among them. Set DUBAN_DATABASE_URL=postgresql://user:password@host/db, or leave out "
                "--workers")
    if demo:
        return ("演示模式只能单进程运行（演示收件箱在进程内存中）；去掉 --workers 或 --demo / the demo runs "
                "in one process (its inbox lives in that process's memory): leave out --workers or --demo")
    return None


def plain_http_cookies(environ: Any, host: str) -> bool:
    """Whether ``duban serve`` on ``host`` lets cookies go without ``Secure``: only on loopback,
    only when neither ``DUBAN_COOKIE_SECURE`` nor ``DUBAN_PUBLIC_URL`` is set (behind a proxy on
    the same host the public address decides: https keeps them Secure). A browser would drop a
    Secure cookie over plain http://127.0.0.1; anything reachable from elsewhere keeps Secure."""
    return ("DUBAN_COOKIE_SECURE" not in environ and not environ.get("DUBAN_PUBLIC_URL")
            and host in LOOPBACK_HOSTS)


def _no_proxy_for_loopback() -> None:
    """Keep the demo inbox deliveries (json://127.0.0.1) off any HTTP proxy the shell names."""
    for var in ("NO_PROXY", "no_proxy"):
        have = [h for h in os.environ.get(var, "").split(",") if h.strip()]
        os.environ[var] = ",".join([*have, *(h for h in ("127.0.0.1", "localhost") if h not in have)])


def _migrate(_: argparse.Namespace) -> int:
    async def body(server: Server) -> list[str]:
        return await database.migrate(server.engine)

    _run(body)
    print(say("数据库已是最新", "the database is up to date"))
    return 0


def _users_add(args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass(f"password for {args.username}: ")

    async def body(server: Server) -> str | None:
        units = set((await server.snapshot()).portfolio.unit_by_id)
        async with server.writing():
            user = await users.create(args.username, role=args.role, unit=args.unit, password=password,
                                      display=args.display, units=units)
            await audit.append("cli", "user.create", f"user:{user.username}", None, user.public())
            return await users.issue_token(user.username, "cli") if args.token else None

    try:
        token = _run(body)
    except users.UserError as exc:
        print(f"duban users add: {exc}", file=sys.stderr)
        return 1
    print(say(f"已创建 {args.username}（{args.role}）", f"created {args.username} ({args.role})"))
    if token:
        print(say(f"接口令牌（只显示这一次） {token}", f"API token (shown once): {token}"))
    return 0


def _users_token(args: argparse.Namespace) -> int:
    async def body(server: Server) -> str:
        async with server.writing():
            token = await users.issue_token(args.username, args.name)
            await audit.append("cli", "token.create", f"user:{args.username}", None, {"name": args.name})
            return token

    try:
        print(_run(body))
    except users.UserNotFoundError as exc:
        print(f"duban users token: {exc}", file=sys.stderr)
        return 1
    return 0


def _users_list(_: argparse.Namespace) -> int:
    async def body(server: Server) -> list[users.User]:
        return await users.list_users()

    for u in _run(body):
        print(f"{u.username:<16} {u.role:<7} {u.unit or '-':<16} "
              f"{say('启用', 'active') if u.active else say('停用', 'disabled')}")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    head = getattr(args, "head", None)
    if head is not None:
        try:
            audit.parse_anchor(head)
        except ValueError as exc:
            print(f"duban audit verify: --head {exc}", file=sys.stderr)
            return 2

    async def body(server: Server) -> tuple[audit.Verdict, str]:
        return await audit.verify(head=head), await audit.anchor()

    v, anchor = _run(body, keying=False)
    if v.ok:
        n = head.split(":")[0] if head else ""
        print(say(f"审计链共 {v.entries} 条，完整无误（intact）" + (f"，且包含锚定的第 {n} 条" if head else ""),
                  f"the audit chain of {v.entries} entries is intact" + (f"; it holds the anchored entry {n}" if head else "")))
        print(say(f"锚点（请保存在数据库之外，日后用 --head 核对）：{anchor}",
                  f"anchor (keep it outside the database; check with --head): {anchor}"))
        return 0
    print(say(f"审计链在第 {v.first_bad} 条处断开：{v.reason}", f"the audit chain is broken at entry {v.first_bad}: {v.reason}"),
          file=sys.stderr)
    return 1


def _progress(sheet: str, done: int, total: int) -> None:
    print(f"\r  {sheet}: {done}/{total} rows", end="" if done < total else "\n", file=sys.stderr, flush=True)


SCHEDULE_SUFFIXES = (".xer", ".xml", ".mpp")


def _import_schedule(args: argparse.Namespace) -> int:
    from api.schedules import import_schedule  # noqa: PLC0415
    from projects.contractor import ScheduleFileError  # noqa: PLC0415

    path: Path = args.file
    if not args.project or not args.unit:
        print(f"duban import: {path}: 导入进度计划需要 --project 与 --unit / a schedule file needs "
              "--project ID and --unit UNIT", file=sys.stderr)
        return 2
    map_data: Any = None
    if args.map is not None:
        import yaml  # noqa: PLC0415

        try:
            map_data = yaml.safe_load(args.map.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            print(f"duban import: {args.map}: 映射文件无法读取 / the map cannot be read: {exc}", file=sys.stderr)
            return 1

    async def body(server: Server) -> dict[str, Any]:
        return await import_schedule(server, path.read_bytes(), path.name, pid=args.project,
                                     unit=args.unit, actor="cli", map_data=map_data,
                                     map_name=str(args.map or "map"), project_name=args.name)

    try:
        record = _run(body)
    except (ScheduleFileError, PortfolioError) as exc:
        print(f"duban import: 文件被拒绝，未导入任何内容 / refused, nothing imported: {exc}", file=sys.stderr)
        return 1
    verb = "新建 / created" if record["created"] else "更新 / updated"
    print(f"{verb} {args.project}: 新增 added {len(record['added'])}, 变更 changed {len(record['changed'])}, "
          f"文件中已删除（保留）removed from the file (kept) {len(record['removed'])}")
    for mid, days in sorted(record["due_moved_days"].items()):
        print(f"  {mid}: 计划完成移动 due moved {days:+d} 天 days")
    for note in record["notes"]:
        print(f"  {note}")
    if record.get("compare"):
        from api.commands.schedule import import_compare_lines  # noqa: PLC0415

        print("\n".join(import_compare_lines(record["compare"])))
    return 0


def _import(args: argparse.Namespace) -> int:
    from api.controllers.transfer import import_checked  # noqa: PLC0415
    from api.excel import WorkbookError, read_workbook  # noqa: PLC0415

    path: Path = args.file
    if not path.exists():
        print(say(f"duban import：{path}：没有这个文件", f"duban import: {path}: no such file"), file=sys.stderr)
        return 1
    if path.suffix.lower() in SCHEDULE_SUFFIXES or args.project:
        return _import_schedule(args)

    async def body(server: Server) -> dict[str, int]:
        if path.suffix.lower() == ".xlsx":
            portfolio = read_workbook(path.read_bytes(), today=server.today(), source=str(path),
                                      bounded=False, progress=_progress)
        else:
            portfolio = loader.load_portfolio(path, today=server.today())
        print(say(f"  已检查；正在保存 {len(portfolio.projects)} 个项目……", f"  checked; storing {len(portfolio.projects)} projects ..."),
              file=sys.stderr, flush=True)
        return await import_checked(server, portfolio, "cli", source=path.name,
                                    calendar=path.suffix.lower() != ".xlsx")

    try:
        counts = _run(body)
    except (WorkbookError, PortfolioError) as exc:
        print(f"duban import: {path}: {exc}", file=sys.stderr)
        return 1
    print(say(f"已导入 {counts['units']} 个单位、{counts['projects']} 个项目、{counts['milestones']} 个有变更的节点",
              f"imported {counts['units']} units, {counts['projects']} projects, {counts['milestones']} changed milestones"))
    if counts["calendar_years"]:
        print(say(f"工作日历：新增或更新 {counts['calendar_years']} 个年份的节假日",
                  f"working-day calendar: {counts['calendar_years']} years of holidays added or changed"))
    return 0


def _export(args: argparse.Namespace) -> int:
    from api.excel import export_workbook  # noqa: PLC0415
    from rules import repository as rules_repo  # noqa: PLC0415

    path: Path = args.file

    async def body(server: Server) -> tuple[bytes, str]:
        portfolio = (await server.snapshot()).portfolio
        anchor = await audit.anchor()  # written with the export: N:HEAD of the audit chain now
        if path.suffix.lower() == ".xlsx":
            findings, _ = await rules_repo.findings(limit=1_000_000)
            latest = await rules_repo.latest_full_evaluation()
            return export_workbook(portfolio, findings, latest.scores if latest else {}, anchor=anchor), anchor
        data: Any = loader.dump_portfolio(portfolio)
        if path.suffix.lower() == ".json":
            return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode(), anchor
        import yaml  # noqa: PLC0415

        text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        return f"# {audit.PROPERTY}: {anchor}\n{text}".encode(), anchor

    content, anchor = _run(body)
    path.write_bytes(content)
    print(say(f"已写出 {path}（{now_iso()}）", f"wrote {path} at {now_iso()}"))
    print(say(f"审计锚点：{anchor}（请保存；日后用 `duban audit verify --head {anchor}` 核对）",
              f"audit anchor: {anchor} (keep it; check later with `duban audit verify --head {anchor}`)"))
    return 0
