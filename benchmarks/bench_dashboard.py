"""How long the leader's portfolio page takes to build on the server, and how big it is.

Generates the 2,000-project x 20-milestone portfolio (``benchmarks/generate.py``), evaluates it
once with the standard rulebook (what ``dashboards.data.current_board`` caches per database
revision), then times building every dashboard figure and rendering the page HTML, against
the same work for an empty portfolio (the figures with no data) as the baseline. Also prints
the page size (plotly.js is linked, not inlined), the offline report size and the Excel
downloads' times. Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--projects N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboards import reports
from dashboards.data import build_board
from dashboards.figures import project_lights
from dashboards.gantt import project_gantt
from dashboards.render import embed, render_template
from projects.calendar import calendar_for
from projects.loader import parse_portfolio
from projects.model import Portfolio
from rules.standard import load_standard


class Who:
    username, role, unit = "leader", "leader", None


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def page(board: Any) -> str:
    figures = reports.dashboard_figures(board.portfolio, board.evaluation,
                                        board.portfolio.notices)
    totals = {"red": 0, "yellow": 0, "green": 0}
    for level in project_lights(board.portfolio, board.evaluation.findings).values():
        totals[level.value] += 1
    return render_template("dashboard.html", lang="zh", who=Who(), csrf="x", figures=figures,
                           as_of=board.as_of, version=1, totals=totals,
                           scores=list(board.evaluation.scores))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--milestones", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
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
    t_eval, board = timed(lambda: build_board(portfolio, calendar, rulebook, TODAY), 1)
    print(f"evaluate + schedule (once per database revision, cached): {t_eval:.2f} s, "
          f"{len(board.evaluation.findings)} findings")
    empty = build_board(Portfolio(units=portfolio.units[:1]), calendar, rulebook, TODAY)

    t_base, base_html = timed(lambda: page(empty), args.repeat)
    t_full, html = timed(lambda: page(board), args.repeat)
    print(f"portfolio page, no data (baseline): {t_base * 1000:7.1f} ms, {len(base_html) / 1024:7.1f} KiB")
    print(f"portfolio page, {len(portfolio.projects)} projects:  {t_full * 1000:7.1f} ms, "
          f"{len(html) / 1024:7.1f} KiB  (ratio {t_full / t_base:.1f}x; budget 1000 ms: "
          f"{'OK' if t_full < 1 else 'OVER'})")
    t_fig, figures = timed(lambda: reports.dashboard_figures(
        board.portfolio, board.evaluation, board.portfolio.notices), args.repeat)
    print(f"  of which figures: {t_fig * 1000:.1f} ms; per figure JSON KiB: "
          + ", ".join(f"{f.id} {len(f.json) / 1024:.0f}" for f in figures))
    t_report, report = timed(lambda: reports.standalone_html(figures, TODAY), 1)
    print(f"offline report (plotly.js embedded): {t_report * 1000:.0f} ms, "
          f"{len(report) / 1024 / 1024:.1f} MiB")
    project = max(portfolio.projects, key=lambda p: len(p.milestones))
    t_gantt, _ = timed(lambda: embed("g", project_gantt(project, board.schedule,
                                                         board.evaluation.findings, TODAY)),
                       args.repeat)
    print(f"project page Gantt ({len(project.milestones)} milestones): {t_gantt * 1000:.1f} ms")
    t_xlsx, data = timed(lambda: reports.findings_workbook(portfolio, board.evaluation), 1)
    print(f"findings.xlsx: {t_xlsx * 1000:.0f} ms, {len(data) / 1024:.0f} KiB; ", end="")
    t_rank, data = timed(lambda: reports.ranking_workbook(portfolio, board.evaluation), 1)
    print(f"ranking.xlsx: {t_rank * 1000:.0f} ms, {len(data) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
