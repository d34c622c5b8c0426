"""Engine benchmark: the standard rulebook over 40,000 milestones, and one condition three ways.

Prints, in one run:

1. total ``evaluate`` time with the standard rulebook, schedule included (target < 1 s);
2. five typical checks compiled from the rule language vs the same checks hand-written in
   plain Python over the same views (the floor; target within 1.5x);
3. one condition over 200,000 records: compiled language vs the ``rule-engine`` package vs a
   hand-written lambda (targets: within 1.2x of the lambda, >= 50x faster than rule-engine).

Run: ``.venv/bin/python benchmarks/bench_engine.py [--projects 2000]``. Uses
``benchmarks/generate.py`` when it offers ``generate_portfolio``; otherwise builds the same
shape in memory (2,000 projects x 20 milestones, a chain per project, a few notices).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dsl import compile_rulebook
from projects.model import (
    Category,
    Dependency,
    Kind,
    Milestone,
    Notice,
    Portfolio,
    Project,
    Unit,
)
from rules.engine import RuleEnv, _projects_api, evaluate
from rules.standard import load_standard
from rules.views import build_views

TODAY = dt.date(2026, 6, 15)
KINDS = [Kind.APPROVAL, Kind.TENDERING, Kind.CONTRACT, Kind.FUNDS, *[Kind.PROGRESS] * 12,
         Kind.SUPERVISION, Kind.SAFETY, Kind.FUNDS, Kind.COMPLETION]


def generated_portfolio(n_projects: int) -> Portfolio:
    try:
        from benchmarks.generate import generate_portfolio  # type: ignore[import-not-found]  # noqa: PLC0415
        return generate_portfolio(n_projects)  # type: ignore[no-any-return]
    except (ImportError, TypeError):
        pass
    rnd = random.Random(7)
    units = [Unit("city", "市人民政府")] + [Unit(f"u{i}", f"单位{i}", parent="city")
                                            for i in range(60)]
    projects = []
    for p in range(n_projects):
        pid = f"P{p:04d}"
        start = dt.date(2026, 1, 5) + dt.timedelta(days=rnd.randrange(120))
        ms = []
        for i, kind in enumerate(KINDS):
            due = start + dt.timedelta(days=14 * (i + 1))
            finished = None
            if due < TODAY and rnd.random() < 0.8:
                finished = due + dt.timedelta(days=rnd.randrange(-5, 12))
                finished = min(finished, TODAY)
            ms.append(Milestone(
                pid, f"m{i}", f"节点{i}", kind, due=due if rnd.random() > 0.01 else None,
                start=due - dt.timedelta(days=13), finished=finished,
                progress=round(rnd.random(), 2), amount=1e6 if kind is Kind.FUNDS else None,
                paid=rnd.choice([0.0, 5e5, 1e6]) if kind is Kind.FUNDS else None,
                updated=TODAY - dt.timedelta(days=rnd.randrange(40)),
                after=(Dependency(f"m{i - 1}"),) if i else ()))
        projects.append(Project(pid, f"项目{p}", Category.PROJECT, f"u{p % 60}", 2e7, tuple(ms)))
    notices = tuple(Notice(f"N-{i}", f"通知{i}", f"u{i % 60}", dt.date(2026, 5, 1),
                           dt.date(2026, 5, 8) + dt.timedelta(days=i % 30),
                           responded=dt.date(2026, 5, 9) if i % 3 else None)
                    for i in range(500))
    return Portfolio(tuple(units), tuple(projects), notices, calendar="cn")


def best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


FIVE = """
const grace = 10 workdays
rule tender_overdue: for milestone m where m.kind == tendering and not m.done
    light yellow when today > m.due
    light red when today > m.due + grace
rule works_overdue: for milestone m where m.kind in [progress, supervision, safety] and not m.done
    light yellow when today > m.due
    light red when today > m.due + grace
rule contract_before_tender: for milestone m where m.kind == contract and m.done
    light red when any(p in upstream(m) where p.kind == tendering and not p.done)
rule stale: for milestone m where not m.done and m.start <= today
    light yellow when today > m.updated + grace
rule missing_due: for milestone m where not m.done
    light yellow when m.due is missing
"""


def hand_written(views: Any, env: RuleEnv) -> list[tuple[str, Any, str]]:
    """The five checks of ``FIVE`` in plain Python (same views, same calendar)."""
    today, add = env.today, env.add_workdays
    out: list[tuple[str, Any, str]] = []
    works = {Kind.PROGRESS, Kind.SUPERVISION, Kind.SAFETY}
    for m in views.milestones:
        kind, done, due = m.kind, m.done, m.due
        if not done:
            if due is not None and (kind is Kind.TENDERING or kind in works) and today > due:
                name = "tender_overdue" if kind is Kind.TENDERING else "works_overdue"
                out.append((name, m, "red" if today > add(due, 10) else "yellow"))
            if m.start is not None and m.start <= today and m.updated is not None \
                    and today > add(m.updated, 10):
                out.append(("stale", m, "yellow"))
            if due is None:
                out.append(("missing_due", m, "yellow"))
        elif kind is Kind.CONTRACT and any(p.kind is Kind.TENDERING and not p.done
                                           for p in env.upstream(m)):
            out.append(("contract_before_tender", m, "red"))
    return out


def compiled_run(rulebook: Any, views: Any, env: RuleEnv) -> int:
    n = 0
    for rule in rulebook.rules:
        where, tests = rule.where, [(lt.level, lt.test) for lt in
                                    sorted(rule.lights, key=lambda lt: -lt.level.rank)]
        for x in views.milestones:
            if not where(env, x):
                continue
            for _level, test in tests:
                if test(env, x) is True:
                    n += 1
                    break
    return n


class Record:
    __slots__ = ("paid", "progress")

    def __init__(self, progress: float, paid: float) -> None:
        self.progress, self.paid = progress, paid


def condition_bench(n: int) -> None:
    import rule_engine  # noqa: PLC0415

    rnd = random.Random(3)
    records = [Record(rnd.random(), rnd.random() * 2000) for _ in range(n)]
    light = compile_rulebook({"c.rules": "rule c: for milestone m light red when "
                              "m.progress < 50% and m.paid > 1000"}).rules[0].lights[0]
    test = light.test
    env = None

    def compiled() -> int:
        return sum(1 for r in records if test(env, r) is True)

    def lam_fn(r: Record) -> bool | None:
        p, q = r.progress, r.paid
        return None if p is None or q is None else p < 0.5 and q > 1000

    def lam() -> int:
        return sum(1 for r in records if lam_fn(r) is True)

    ctx = rule_engine.Context(resolver=rule_engine.resolve_attribute)
    rule = rule_engine.Rule("progress < 0.5 and paid > 1000", context=ctx)
    sample = records[: n // 20]

    def re_run() -> int:
        return sum(1 for r in sample if rule.matches(r))

    t_c, a = best(compiled)
    t_l, b = best(lam)
    t_r, _ = best(re_run, 1)
    t_r *= n / len(sample)
    assert a == b
    print(f"\n3. one condition over {n:,} records (`m.progress < 50% and m.paid > 1000`)")
    print(f"   compiled language  {t_c * 1000:8.1f} ms")
    print(f"   hand lambda        {t_l * 1000:8.1f} ms   compiled / lambda = {t_c / t_l:.2f}x "
          "(target <= 1.2x)")
    print(f"   rule-engine        {t_r * 1000:8.1f} ms   (extrapolated from {len(sample):,}) "
          f"rule-engine / compiled = {t_r / t_c:.0f}x (target >= 50x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--records", type=int, default=200_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    portfolio = generated_portfolio(args.projects)
    n_ms = sum(len(p.milestones) for p in portfolio.projects)
    standard = load_standard()
    print(f"portfolio: {len(portfolio.projects):,} projects, {n_ms:,} milestones, "
          f"{len(portfolio.notices)} notices; standard rulebook: {len(standard.rules)} rules")

    api = _projects_api()
    cal = api.calendar_for(portfolio)
    evaluate(standard, portfolio, TODAY, calendar=cal)  # warm the calendar and caches
    t_total, ev = best(lambda: evaluate(standard, portfolio, TODAY, calendar=cal))
    known = api.as_of(portfolio, TODAY)
    t_sched, schedule = best(lambda: api.compute_schedule(known, cal, TODAY))
    t_views, views = best(lambda: build_views(known, schedule, TODAY, cal))
    print("\n1. evaluate(standard rulebook), schedule included")
    print(f"   total {t_total * 1000:.0f} ms (target < 1000 ms): schedule {t_sched * 1000:.0f} ms, "
          f"views {t_views * 1000:.0f} ms; {len(ev.findings):,} findings, "
          f"{len(ev.errors)} errors")

    env = RuleEnv(TODAY, cal, api.Adjacency.of(known), views)
    five = compile_rulebook({"five.rules": FIVE})
    t_hand, hand = best(lambda: hand_written(views, env))
    t_comp, comp = best(lambda: compiled_run(five, views, env))
    print("\n2. five typical checks over the same views")
    print(f"   hand-written Python {t_hand * 1000:7.1f} ms ({len(hand):,} lit)")
    print(f"   compiled language   {t_comp * 1000:7.1f} ms ({comp:,} lit)   "
          f"compiled / hand = {t_comp / t_hand:.2f}x (target <= 1.5x)")
    condition_bench(args.records)


if __name__ == "__main__":
    main()
