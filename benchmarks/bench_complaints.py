"""Complaints' cost (issue 13): the standard rulebook's full evaluation over the generated
portfolio (2,000 projects, 40,000 milestones) with 100,000 complaints added, against the same
portfolio without them, in one run.

Both portfolios are ``benchmarks/generate.py``'s with the same seed; ``add_complaints`` adds the
complaints (received over the year before the day, most answered, some late, two in three of
the answers rated) and changes nothing else. The standard rulebook's two complaint rules run
over them, and every unit counts its complaints, workload and the two rates; the evaluation
without complaints runs the same rules over none. Each figure is the best of ``--runs``
evaluations, the two taken in turns (``benchmarks.timing.race``: a shared machine); the first
line is a calibration loop to read them against.

Run: ``.venv/bin/python benchmarks/bench_complaints.py [--projects 2000] [--complaints 100000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import TODAY, generate_portfolio
from benchmarks.timing import calibration, race
from rules.engine import evaluate
from rules.standard import load_standard


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"calibration (10M-step loop): {calibration():.2f} s")
    book = load_standard()
    plain = generate_portfolio(args.projects)
    with_complaints = generate_portfolio(args.projects, complaints=args.complaints)
    assert plain.projects == with_complaints.projects and not plain.complaints
    cs = with_complaints.complaints
    n = sum(len(p.milestones) for p in plain.projects)
    print(f"{n} milestones; {len(cs)} complaints ({sum(c.responded is not None for c in cs)} answered, "
          f"{sum(c.rating is not None for c in cs)} rated)")
    a = evaluate(book, plain, TODAY)
    b = evaluate(book, with_complaints, TODAY)
    by_rule: dict[str, int] = {}
    for f in b.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    print(f"findings without: {len(a.findings)}, with: {len(b.findings)} (complaint_unanswered "
          f"{by_rule.get('complaint_unanswered', 0)}, complaint_dissatisfied "
          f"{by_rule.get('complaint_dissatisfied', 0)})")
    (without, _), (with_them, _) = race(lambda: evaluate(book, plain, TODAY),
                                        lambda: evaluate(book, with_complaints, TODAY),
                                        repeat=args.runs)
    print(f"evaluate, standard rulebook, without complaints:          {without:.3f} s")
    print(f"evaluate, standard rulebook, with {len(cs):,} complaints: {with_them:.3f} s")
    print(f"ratio: {with_them / without:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
