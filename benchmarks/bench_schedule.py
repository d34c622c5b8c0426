"""Schedule benchmark: load and schedule the generated 2,000 x 20 portfolio, against baselines.

Prints, in one run (best of ``--repeat`` with ``time.perf_counter``):

1. load: ``projects.loader.load_portfolio`` of the JSON file (and the YAML file with
   ``--yaml``), next to the bare parse (``json.load``; ``yaml_rs.load``) it starts with;
2. schedule: ``projects.schedule.compute_schedule`` over all 40,000 milestones, against the
   same schedule computed the straightforward networkx way (per project ``nx.DiGraph``,
   ``nx.topological_sort``, forward and backward passes over dates with the calendar's
   ``add_workdays`` / ``workdays``; projects in the order of their cross-project
   dependencies), with the ratio, and a check that both agree milestone by milestone;
3. calendar: 40,000 ``add_workdays`` on ``WorkCalendar("cn")`` against
   ``chinese_calendar.find_workday`` (the package's own per-day stepping);
4. a calibration figure (a 10-million-step Python loop) so runs on busy machines can be read.

Run: ``.venv/bin/python benchmarks/bench_schedule.py [--projects 2000] [--milestones 20]
[--input FILE.json] [--yaml] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import networkx as nx
from generate import TODAY, generate, write

from benchmarks.timing import best, calibration
from projects.calendar import CalendarFallbackWarning, WorkCalendar, calendar_for
from projects.loader import load_portfolio
from projects.model import Milestone, Portfolio
from projects.schedule import compute_schedule

Key = tuple[str, str]


def networkx_schedule(portfolio: Portfolio, cal: WorkCalendar, today: dt.date,
                      ) -> dict[Key, tuple[dt.date | None, int | None]]:
    """The baseline: forecast and float per milestone, the straightforward networkx way."""
    by_key: dict[Key, Milestone] = {m.key: m for m in portfolio.milestones()}
    succ_cross: dict[Key, list[tuple[Key, int]]] = {}
    pg: nx.DiGraph[str] = nx.DiGraph()
    pg.add_nodes_from(p.id for p in portfolio.projects)
    graphs: dict[str, nx.DiGraph[Key]] = {}
    for p in portfolio.projects:
        g: nx.DiGraph[Key] = nx.DiGraph()
        for m in p.milestones:
            g.add_node(m.key)
        for m in p.milestones:
            for d in m.after:
                other = d.project or p.id
                if (other, d.on) not in by_key:
                    continue
                if other == p.id:
                    g.add_edge((other, d.on), m.key, lag=d.lag)
                else:
                    pg.add_edge(other, p.id)
                    succ_cross.setdefault((other, d.on), []).append((m.key, d.lag))
        graphs[p.id] = g
    one = dt.timedelta(days=1)
    start: dict[Key, dt.date | None] = {}
    dur: dict[Key, int] = {}
    fc: dict[Key, dt.date | None] = {}
    for pid in nx.topological_sort(pg):
        for key in nx.topological_sort(graphs[pid]):
            m = by_key[key]
            preds = [((d.project or m.project, d.on), d.lag) for d in m.after
                     if (d.project or m.project, d.on) in by_key]
            s = m.start
            if s is None and preds:
                ends = [cal.add_workdays(by_key[k].due, lag) for k, lag in preds  # type: ignore[arg-type]
                        if by_key[k].due is not None]
                s = cal.add_workdays(max(ends), 1) if ends else None
            elif s is None:
                s = m.due
            start[key] = s
            n = 0
            if s is not None and m.due is not None and (m.start is not None or preds):
                n = max(0, cal.workdays(s - one, m.due))
            dur[key] = n
            if m.finished is not None and m.finished <= today:
                fc[key] = m.finished
                continue
            cands = [m.due] if m.due is not None else []
            for k, lag in preds:
                if fc[k] is not None:
                    cands.append(cal.add_workdays(cal.add_workdays(fc[k], lag), n))  # type: ignore[arg-type]
            if s is not None and s <= today:
                left = n if m.progress is None else -int(-round(n * (1 - m.progress), 9) // 1)
                cands.append(cal.add_workdays(today, left) if m.progress is not None else today)
            fc[key] = max(cands) if cands else None
    floats: dict[Key, int | None] = {}
    latest: dict[Key, dt.date | None] = {}
    for pid in reversed(list(nx.topological_sort(pg))):
        g = graphs[pid]
        dues = [by_key[k].due for k in g if by_key[k].due is not None]
        fcs = [fc[k] for k in g if fc[k] is not None]
        pdue = max(dues) if dues else max(fcs) if fcs else None  # type: ignore[type-var]
        for key in reversed(list(nx.topological_sort(g))):
            bounds = [] if pdue is None else [pdue]
            succs = [(s, g.edges[key, s]["lag"]) for s in g.successors(key)]
            for s, lag in succs + succ_cross.get(key, []):
                if latest[s] is not None:
                    bounds.append(cal.add_workdays(latest[s], -(dur[s] + lag)))  # type: ignore[arg-type]
            lf = min(bounds, key=cal.index) if bounds else None
            latest[key] = lf
            f = fc[key]
            floats[key] = None if lf is None or f is None else cal.workdays(f, lf)
    return {k: (fc[k], floats[k]) for k in by_key}


def row(name: str, seconds: float, note: str = "") -> None:
    print(f"  {name:<52} {seconds * 1000:>10.1f} ms  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--milestones", type=int, default=20)
    parser.add_argument("--input", type=Path, help="a portfolio JSON file instead of generating")
    parser.add_argument("--yaml", action="store_true", help="also write and load the YAML form")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", CalendarFallbackWarning)  # 2027+ dates: Mon-Fri, on purpose
    today = TODAY
    with tempfile.TemporaryDirectory() as tmp:
        if args.input is not None:
            json_path = args.input
        else:
            t = time.perf_counter()
            data = generate(args.projects, args.milestones, today=today)
            json_path = Path(tmp) / "portfolio.json"
            write(data, json_path)
            print(f"generated {json_path.stat().st_size / 1e6:.1f} MB of JSON in "
                  f"{time.perf_counter() - t:.1f} s")
        print(f"load (best of {args.repeat})")
        t_json, _ = best(lambda: json.loads(json_path.read_text(encoding="utf-8")), args.repeat)
        row("json.load (parse only)", t_json)
        t_load, portfolio = best(lambda: load_portfolio(json_path, today=today), args.repeat)
        row("load_portfolio(JSON): parse + check", t_load, f"{t_load / t_json:.1f}x the parse")
        if args.yaml and args.input is None:
            import yaml_rs  # noqa: PLC0415

            yaml_path = Path(tmp) / "portfolio.yaml"
            write(data, yaml_path)
            t_yrs, _ = best(lambda: yaml_rs.loads(yaml_path.read_text(encoding="utf-8")), 1)
            row("yaml_rs.loads (parse only)", t_yrs)
            t_yload, _ = best(lambda: load_portfolio(yaml_path, today=today), 1)
            row("load_portfolio(YAML)", t_yload)
    count = sum(len(p.milestones) for p in portfolio.projects)
    cal = calendar_for(portfolio)
    print(f"schedule of {len(portfolio.projects)} projects, {count} milestones "
          f"(best of {args.repeat})")
    t_ours, ours = best(lambda: compute_schedule(portfolio, cal, today), args.repeat)
    row("compute_schedule (index space, one Kahn order)", t_ours)
    t_nx, base = best(lambda: networkx_schedule(portfolio, cal, today), args.repeat)
    row("networkx baseline (per project, dates)", t_nx, f"{t_nx / t_ours:.1f}x slower")
    same_f = sum(ours.milestone(k).forecast == f for k, (f, _) in base.items())
    same_fl = sum(ours.milestone(k).float == fl for k, (_, fl) in base.items())
    print(f"  agreement: forecasts {same_f}/{count}, floats {same_fl}/{count}")
    late = sum(1 for k in base if (fl := ours.milestone(k).float) is not None and fl < 0)
    crit = sum(1 for k in base if ours.milestone(k).critical)
    print(f"  {late} milestones behind (float < 0), {crit} critical")

    print(f"calendar: 40,000 add_workdays (best of {args.repeat})")
    rng = random.Random(1)
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2300)) for _ in range(40_000)]
    steps = [rng.randrange(0, 60) for _ in days]
    cn = WorkCalendar("cn")

    def ours_add() -> list[dt.date]:
        add = cn.add_workdays
        return [add(d, n) for d, n in zip(days, steps, strict=True)]

    sample = 400  # the package validates every day against all its keys: ~5 ms a call

    def package_add() -> list[dt.date]:
        from chinese_calendar import find_workday  # noqa: PLC0415

        one = dt.timedelta(days=1)  # find_workday(k, d): the k-th workday after the first >= d
        return [find_workday(n - 1, d + one) if n else d
                for d, n in zip(days[:sample], steps[:sample], strict=True)]

    t_cal, a = best(ours_add, args.repeat)
    row("WorkCalendar('cn').add_workdays", t_cal)
    t_pkg, b = best(package_add, 1)
    t_pkg *= len(days) / sample
    row("chinese_calendar.find_workday (per-day stepping)", t_pkg,
        f"{t_pkg / t_cal:.0f}x slower (from {sample} calls)")
    print(f"  agreement: {sum(x == y for x, y in zip(a, b, strict=False))}/{sample}")

    t_loop = calibration()
    row("calibration: 10,000,000-step Python loop", t_loop,
        "(about 400 ms on an idle modern core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
