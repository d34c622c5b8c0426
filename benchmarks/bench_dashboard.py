"""How long the leader's dashboards take on the server after a change, and how big they are.

Generates the 2,000-project x 20-milestone portfolio (``benchmarks/generate.py``), evaluates it
once with the standard rulebook (what ``dashboards.data.current_board`` caches per database
revision), then times building every dashboard figure and rendering the page HTML, against
the same work for an empty portfolio (the figures with no data) as the baseline. Also prints
the page size (plotly.js is linked, not inlined), the offline report size and the Excel
downloads' times.

The first view after a change rebuilds the board: timed with the old path (``evaluate`` then a
second ``compute_schedule``, replicated here) and the current one (one schedule handed to the
engine). Then, on the real app over SQLite (the portfolio imported with its report history
dated by ``updated``, the standard rulebook published): the first view after a report
(``current_board`` + page), the page on a warm cache, and the rate trend
(``month_end_rates``, 6 months) cold and after one report, each against the old path (every
month-end rebuilt through ``server.portfolio_as_of`` and evaluated). ``--no-server`` skips
the second part. Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--projects N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.web.render import render_template
from benchmarks.timing import median
from dashboards import reports
from dashboards.data import EMPTY_RULEBOOK, Board, build_board
from dashboards.embed import embed
from dashboards.figures import project_lights
from dashboards.gantt import project_gantt
from projects.calendar import calendar_for
from projects.loader import parse_portfolio
from projects.model import Portfolio
from rules.standard import load_standard


class Who:
    username, role, unit = "leader", "leader", None


def page(board: Any) -> str:
    figures = reports.dashboard_figures(board.portfolio, board.evaluation,
                                        board.portfolio.notices)
    totals = {"red": 0, "yellow": 0, "green": 0}
    for level in project_lights(board.portfolio, board.evaluation.findings).values():
        totals[level.value] += 1
    return render_template("dashboard.html", lang="zh", who=Who(), csrf="x", figures=figures,
                           as_of=board.as_of, version=1, totals=totals,
                           scores=list(board.evaluation.scores))


def old_build_board(portfolio: Portfolio, calendar: Any, rulebook: Any, as_of: Any) -> Board:
    """The board as it was built before: the engine scheduled, then the board scheduled again."""
    from projects.schedule import compute_schedule  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415

    evaluation = evaluate(rulebook or EMPTY_RULEBOOK, portfolio, as_of, calendar=calendar)
    return Board(portfolio, evaluation, compute_schedule(portfolio, calendar, as_of), as_of,
                 None, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--milestones", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-server", action="store_true",
                        help="skip the app-over-SQLite part (first view, trend)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from benchmarks.generate import TODAY, generate  # noqa: PLC0415

    t0 = time.perf_counter()
    portfolio = parse_portfolio(generate(args.projects, args.milestones), today=TODAY,
                                source="generated")
    print(f"portfolio: {len(portfolio.projects)} projects, {len(portfolio.milestones())} "
          f"milestones, {len(portfolio.notices)} notices (generated and parsed in "
          f"{time.perf_counter() - t0:.2f} s)")
    rulebook = load_standard()
    calendar = calendar_for(portfolio)
    t_old, old = median(lambda: old_build_board(portfolio, calendar, rulebook, TODAY), 3)
    t_eval, board = median(lambda: build_board(portfolio, calendar, rulebook, TODAY), 3)
    assert old.evaluation.findings == board.evaluation.findings
    assert old.evaluation.rates == board.evaluation.rates
    print(f"board = evaluate + schedule (once per database revision, cached): old path (two "
          f"schedules) {t_old:.2f} s, now (one) {t_eval:.2f} s  (ratio {t_old / t_eval:.2f}x); "
          f"{len(board.evaluation.findings)} findings")
    empty = build_board(Portfolio(units=portfolio.units[:1]), calendar, rulebook, TODAY)

    page(empty), page(board)  # warm up templates and plotly before timing either
    t_base, base_html = median(lambda: page(empty), args.repeat)
    t_full, html = median(lambda: page(board), args.repeat)
    print(f"portfolio page, no data (baseline): {t_base * 1000:7.1f} ms, {len(base_html) / 1024:7.1f} KiB")
    print(f"portfolio page, {len(portfolio.projects)} projects:  {t_full * 1000:7.1f} ms, "
          f"{len(html) / 1024:7.1f} KiB  (ratio {t_full / t_base:.1f}x; budget 1000 ms: "
          f"{'OK' if t_full < 1 else 'OVER'})")
    t_fig, figures = median(lambda: reports.dashboard_figures(
        board.portfolio, board.evaluation, board.portfolio.notices), args.repeat)
    print(f"  of which figures: {t_fig * 1000:.1f} ms; per figure JSON KiB: "
          + ", ".join(f"{f.id} {len(f.json) / 1024:.0f}" for f in figures))
    t_report, report = median(lambda: reports.standalone_html(figures, TODAY), 1)
    print(f"offline report (plotly.js embedded): {t_report * 1000:.0f} ms, "
          f"{len(report) / 1024 / 1024:.1f} MiB")
    project = max(portfolio.projects, key=lambda p: len(p.milestones))
    t_gantt, _ = median(lambda: embed("g", project_gantt(project, board.schedule,
                                                         board.evaluation.findings, TODAY)),
                       args.repeat)
    print(f"project page Gantt ({len(project.milestones)} milestones): {t_gantt * 1000:.1f} ms")
    t_xlsx, data = median(lambda: reports.findings_workbook(portfolio, board.evaluation), 1)
    print(f"findings.xlsx: {t_xlsx * 1000:.0f} ms, {len(data) / 1024:.0f} KiB; ", end="")
    t_rank, data = median(lambda: reports.ranking_workbook(portfolio, board.evaluation), 1)
    print(f"ranking.xlsx: {t_rank * 1000:.0f} ms, {len(data) / 1024:.0f} KiB")
    print(f"first view after a change, pure (board + page): old {t_old + t_full:.2f} s, now "
          f"{t_eval + t_full:.2f} s (ratio {(t_old + t_full) / (t_eval + t_full):.2f}x); "
          f"warm page {t_full * 1000:.0f} ms, empty page {t_base * 1000:.0f} ms")
    if not args.no_server:
        import asyncio  # noqa: PLC0415

        asyncio.run(on_server(portfolio, t_base, args.repeat))
    return 0


# -- on the real app over SQLite -------------------------------------------------------------


async def atimed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Seconds of one run of ``fn`` after a full collection (so that the garbage of the step
    before, a whole evaluation's views, is not collected on the next step's time)."""
    import gc  # noqa: PLC0415

    gc.collect()
    t0 = time.perf_counter()
    result = await fn()
    return time.perf_counter() - t0, result


async def old_trend(server: Any, months: int = 6) -> dict[str, Any]:
    """``month_end_rates`` as it was: every month-end rebuilt and evaluated, today's included."""
    from dashboards.data import month_ends  # noqa: PLC0415
    from rules.engine import evaluate  # noqa: PLC0415

    _, rulebook = await server.published_rulebook()
    out = {}
    for day in month_ends(server.today(), months):
        portfolio = await server.portfolio_as_of(day)
        out[day.strftime("%Y-%m")] = evaluate(rulebook, portfolio, day).rates
    return out


async def over_http(client: Any, server: Any, report: Callable[[], Awaitable[float]],
                    repeat: int) -> None:
    """``GET /dashboard`` as the leader's browser asks for it (the real route: board, stored
    notices, score titles, accountability records, figures, page), after a report, against the
    same request with the boards forgotten (a whole evaluation, the baseline), in turns."""
    from api import users  # noqa: PLC0415
    from dashboards import data  # noqa: PLC0415

    async with server.writing():
        await users.create("bench-leader", role="leader", unit=None, password="bench-leader-pw",
                           display="领导", units=set())
    page = await client.get("/login")
    token = client.cookies.get("csrftoken", "")
    signed = await client.post("/login", data={"username": "bench-leader", "password": "bench-leader-pw",
                                               "next": "/dashboard", "_csrf_token": token})
    assert signed.status_code in (200, 303), (page.status_code, signed.status_code, signed.text[:300])

    async def get() -> int:
        response = await client.get("/dashboard")
        assert response.status_code == 200 and 'data-target="portfolio_map"' in response.text, \
            response.status_code
        return len(response.content)

    await get()
    whole, advanced, warm = [], [], []
    size = 0
    for _ in range(repeat):
        await report()
        data.forget(server)
        whole.append((await atimed(get))[0])
        await report()
        t, size = await atimed(get)
        advanced.append(t)
        warm.append((await atimed(get))[0])
    t_whole, t_adv, t_warm = map(statistics.median, (whole, advanced, warm))
    print(f"GET /dashboard after a report (the route, {size / 1024:.0f} KiB): whole evaluation "
          f"{t_whole * 1000:.0f} ms, advanced {t_adv * 1000:.0f} ms (ratio {t_whole / t_adv:.1f}x; "
          f"target < 300 ms: {'OK' if t_adv < 0.3 else 'OVER'}); unchanged since {t_warm * 1000:.0f} ms")


async def on_server(portfolio: Portfolio, t_base: float, repeat: int) -> None:
    """The first view after a report, the warm page and the trend on the real app (SQLite)."""
    import datetime as dt  # noqa: PLC0415
    import tempfile  # noqa: PLC0415
    from dataclasses import replace  # noqa: PLC0415

    from litestar.testing import AsyncTestClient  # noqa: PLC0415

    from api.app import create_app  # noqa: PLC0415
    from api.service import now_iso  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415
    from benchmarks.generate import TODAY  # noqa: PLC0415
    from dashboards import data  # noqa: PLC0415
    from projects import repository as repo  # noqa: PLC0415
    from rules import repository as rules_repo  # noqa: PLC0415
    from rules.standard import standard_sources  # noqa: PLC0415

    folder = tempfile.mkdtemp(prefix="bench-dashboard-")
    settings = Settings(database_url=f"sqlite:///{folder}/duban.sqlite", secret_key="bench",
                        cookie_secure=False, today=TODAY, demo=False)
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as client:
        server = app.state.server
        t0 = time.perf_counter()
        async with server.writing():
            await repo.import_portfolio(replace(portfolio, notices=()), actor="bench",
                                        known_on=TODAY - dt.timedelta(days=240),
                                        recorded_at=now_iso(), known_on_from_updated=True)
            await repo.bump_revision()
        async with server.writing():
            version = await rules_repo.save_draft(standard_sources(), author="bench", note="",
                                                  at=now_iso())
            await rules_repo.mark_checked(version.number, at=now_iso())
        await server.publish("bench", version.number)
        snap = await server.snapshot()
        stored = await data._current_notices(server)
        print(f"\napp on SQLite: imported with history and published in "
              f"{time.perf_counter() - t0:.1f} s; {len(stored)} notices stored")
        open_ones = [m for m in snap.portfolio.milestones()
                     if m.finished is None and m.progress is not None][:repeat * 8 + 8]
        reports = iter(open_ones)

        async def report() -> float:
            m = next(reports)
            version = (await server.snapshot()).versions[m.key]
            t, _ = await atimed(lambda: server.report_milestone(
                "bench", m.project, m.id, {"progress": round((m.progress or 0) / 2, 2)}, version))
            return t

        async def first_view() -> str:
            return page(await data.current_board(server))

        async def old_first_view() -> str:  # a whole evaluation, as before rules.incremental
            snap = await server.snapshot()
            _, rulebook = await server.published_rulebook()
            return page(build_board(snap.portfolio, snap.calendar, rulebook, server.today()))

        async def board_only() -> Any:
            return await data.current_board(server)

        async def whole_board_only() -> Any:
            snap = await server.snapshot()
            _, rulebook = await server.published_rulebook()
            return build_board(snap.portfolio, snap.calendar, rulebook, server.today())

        t_report = statistics.median([await report() for _ in range(3)])
        await data.current_board(server)
        news, olds, warms, boards, whole_boards = [], [], [], [], []
        for _ in range(repeat):  # in turns: whole (the baseline) and advanced, after a report each
            await report()
            olds.append((await atimed(old_first_view))[0])
            whole_boards.append((await atimed(whole_board_only))[0])
            await data.current_board(server)  # the board of this revision, to advance from
            await report()
            news.append((await atimed(first_view))[0])
            warms.append((await atimed(first_view))[0])
            await report()
            boards.append((await atimed(board_only))[0])
        t_new, t_old, t_warm = map(statistics.median, (news, olds, warms))
        t_b, t_wb = statistics.median(boards), statistics.median(whole_boards)
        print(f"one report (its scoped re-evaluation included): {t_report * 1000:.0f} ms")
        print(f"first board after a report: whole evaluation {t_wb * 1000:.0f} ms, advanced "
              f"(rules.incremental) {t_b * 1000:.0f} ms (ratio {t_wb / t_b:.1f}x)")
        print(f"first dashboard view after a report (board + page): whole {t_old:.2f} s, "
              f"advanced {t_new:.2f} s (ratio {t_old / t_new:.2f}x; target < 0.3 s: "
              f"{'OK' if t_new < 0.3 else 'OVER'})")
        print(f"dashboard page on a warm cache: {t_warm * 1000:.0f} ms (empty-portfolio page "
              f"{t_base * 1000:.0f} ms, ratio {t_warm / t_base:.1f}x)")
        await over_http(client, server, report, repeat)

        data.forget(server)
        t_old_cold, old_rates = await atimed(lambda: old_trend(server))
        t_board, _ = await atimed(lambda: data.current_board(server))
        t_cold, rates = await atimed(lambda: data.month_end_rates(server))
        assert rates == old_rates, "cached trend differs from the old path's"
        await report()
        t_old_after, old_rates = await atimed(lambda: old_trend(server))
        t_board_after, _ = await atimed(lambda: data.current_board(server))
        t_after, rates = await atimed(lambda: data.month_end_rates(server))
        assert rates == old_rates, "cached trend differs from the old path's after a report"
        print(f"rate trend, 6 months, cold: old path {t_old_cold:.2f} s; now {t_cold:.2f} s + "
              f"board {t_board:.2f} s (the current month is the board's)")
        print(f"rate trend after one report: old path {t_old_after:.2f} s; now {t_after:.3f} s + "
              f"board {t_board_after:.2f} s  (ratio trend alone {t_old_after / t_after:.0f}x; "
              f"rates page data, old board + old trend vs board + trend: "
              f"{(t_old + t_old_after) / (t_board_after + t_after):.1f}x)")


if __name__ == "__main__":
    raise SystemExit(main())
