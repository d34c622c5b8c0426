"""What a report's re-evaluation costs at 40,000 and 200,000 milestones: scoped, and advanced.

For each size (``benchmarks/generate.py``, ``--projects`` x 20 milestones, the standard
rulebook), on the same portfolio:

- the baseline: the whole evaluation (``rules.engine.evaluate``), what a report cost before
  evaluations were scoped;
- the scoped evaluation a report group stores (``evaluate(projects=component)``) for reports
  on a sample of projects, with the size of the component each one needs (a project linked to
  others by cross-project dependencies brings them along);
- the advanced whole evaluation the first dashboard view after a report takes
  (``rules.incremental.advance``, the schedule included): the changed component evaluated
  again, units, people, rates and scores patched.

Each prints as a ratio against the whole evaluation of that size, and the scoped and advanced
costs at the larger size as a ratio against the smaller one: the goal is that they depend on
the component, not on the portfolio (ratio near 1 while the whole one grows about 5x).

With ``--against TREE`` the advance is measured paired: ``TREE/rules/incremental.py`` (e.g.
main before a change, ``git worktree add /tmp/before main``) loaded beside this tree's, each
holding its own evaluation, the two taking turns report by report (which goes first
alternates); printed as before/now, and both checked equal at the end.

    .venv/bin/python benchmarks/bench_scoped.py [--sizes 2000 10000] [--reports 40] [--against TREE]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import best, calibration
from projects.calendar import calendar_for
from projects.replay import known_on
from projects.schedule import compute_schedule
from rules.engine import component, evaluate
from rules.incremental import advance, start
from rules.standard import load_standard


def _reported(portfolio: Any, pid: str, rng: random.Random) -> Any:
    """``portfolio`` after a progress report on one open milestone of ``pid``."""
    projects = list(portfolio.projects)
    i = next(k for k, p in enumerate(projects) if p.id == pid)
    p = projects[i]
    j = rng.randrange(len(p.milestones))
    m = dataclasses.replace(p.milestones[j], progress=round(rng.random(), 2))
    projects[i] = dataclasses.replace(p, milestones=(*p.milestones[:j], m, *p.milestones[j + 1:]))
    return dataclasses.replace(portfolio, projects=tuple(projects))


def _module_of(tree: Path) -> Any:
    """``tree``'s ``rules/incremental.py`` as a module of its own (this tree's engine under it)."""
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location("rules._incremental_against", tree / "rules" / "incremental.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no rules/incremental.py under {tree}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def measure(n_projects: int, reports: int, against: Any = None) -> dict[str, float]:
    from benchmarks.generate import TODAY, generate_portfolio  # noqa: PLC0415

    t = time.perf_counter()
    portfolio = generate_portfolio(n_projects, 20)
    rulebook = load_standard()
    calendar = calendar_for(portfolio)
    print(f"\n{n_projects * 20:,} milestones ({n_projects} projects), generated in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    t_whole, whole = best(lambda: evaluate(rulebook, portfolio, TODAY, calendar=calendar), 2)
    rng = random.Random(16)
    pids = [p.id for p in rng.sample(list(portfolio.projects), reports)]
    sizes = [len(component(portfolio, [pid])) for pid in pids]
    scoped: list[float] = []
    for pid in pids:
        scope = sorted(component(portfolio, [pid]))
        dt_, ev = best(lambda scope=scope: evaluate(rulebook, portfolio, TODAY, calendar=calendar,
                                                    projects=scope), 3)
        scoped.append(dt_)
        want = {f for f in whole.findings if f.project in set(scope)
                and f.subject.partition(":")[0] in ("milestone", "project", "notice", "complaint")}
        assert set(ev.findings) == want, pid
    # advanced: a chain of reports, each advancing the board's held evaluation
    schedule = compute_schedule(known_on(portfolio, TODAY)[0], calendar, TODAY)
    held = start(rulebook, portfolio, TODAY, calendar=calendar, schedule=schedule)
    other = None if against is None else against.start(rulebook, portfolio, TODAY, calendar=calendar,
                                                       schedule=schedule)
    advanced: list[float] = []
    before: list[float] = []
    current = portfolio
    for k, pid in enumerate(pids):
        current = _reported(current, pid, rng)
        for which in (("now", "before") if k % 2 else ("before", "now")):
            if which == "before" and other is not None:
                t = time.perf_counter()
                other = against.advance(other, current, with_schedule=True)
                before.append(time.perf_counter() - t)
            elif which == "now":
                t = time.perf_counter()
                held = advance(held, current, with_schedule=True)
                advanced.append(time.perf_counter() - t)
    final = evaluate(rulebook, current, TODAY, calendar=calendar)
    assert held.evaluation.findings == final.findings and held.evaluation.rates == final.rates
    assert held.evaluation.scores == final.scores
    if other is not None:
        assert other.evaluation.findings == final.findings and other.evaluation.rates == final.rates
    out = {"whole": t_whole, "scoped": statistics.median(scoped), "scoped_p90": sorted(scoped)[int(0.9 * len(scoped))],
           "advanced": statistics.median(advanced), "advanced_p90": sorted(advanced)[int(0.9 * len(advanced))],
           "component": statistics.mean(sizes), "component_max": max(sizes)}
    print(f"  whole evaluation (baseline): {t_whole * 1000:9.1f} ms, {len(whole.findings)} findings")
    print(f"  scoped, one report:          {out['scoped'] * 1000:9.1f} ms median, p90 "
          f"{out['scoped_p90'] * 1000:.1f} ms  ({t_whole / out['scoped']:.0f}x less than whole); "
          f"component {out['component']:.1f} projects on average, {out['component_max']} at most")
    print(f"  advanced whole evaluation:   {out['advanced'] * 1000:9.1f} ms median, p90 "
          f"{out['advanced_p90'] * 1000:.1f} ms  ({t_whole / out['advanced']:.0f}x less than whole), "
          f"equal to a whole evaluation after {reports} reports")
    if before:  # the first advance of each splits its held views: left out of the pairing
        out["before"] = statistics.median(before[1:])
        now = statistics.median(advanced[1:])
        print(f"  advanced, --against tree:    {out['before'] * 1000:9.1f} ms median against {now * 1000:.1f} ms "
              f"now (paired): before/now {out['before'] / now:.2f}x")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000],
                        help="projects (x 20 milestones) per size")
    parser.add_argument("--reports", type=int, default=40)
    parser.add_argument("--against", type=Path, help="another checkout whose rules/incremental.py to pair with")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"calibration (10M-step loop): {calibration():.2f} s")
    against = None if args.against is None else _module_of(args.against.resolve())
    results = [(n, measure(n, args.reports, against)) for n in args.sizes]
    if len(results) > 1:
        (n0, a), (n1, b) = results[0], results[-1]
        print(f"\n{n1 * 20:,} against {n0 * 20:,} milestones ({n1 / n0:.0f}x the portfolio): whole "
              f"{b['whole'] / a['whole']:.1f}x, scoped {b['scoped'] / a['scoped']:.2f}x, advanced "
              f"{b['advanced'] / a['advanced']:.2f}x"
              + (f" (--against tree: {b['before'] / a['before']:.2f}x)" if "before" in a else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
