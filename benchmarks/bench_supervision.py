"""The supervision loop's cost (issue 12): the standard rulebook's full evaluation over the
generated 40,000-milestone portfolio with people, co-units, cadences, urgency, instructions
and extension requests added, against the same portfolio without them, in one run.

Target: within 1.2x (the new fields must not slow everything else). Both portfolios are
``benchmarks/generate.py``'s with the same seed; ``add_supervision`` adds the loop to a copy
and changes nothing else. Each figure is the best of ``--runs`` evaluations, the two taken in turns (a
shared machine); the first line is a calibration loop to read them against.

Run: ``.venv/bin/python benchmarks/bench_supervision.py [--projects 2000] [--runs 5]``.
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
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"calibration (10M-step loop): {calibration():.2f} s")
    book = load_standard()
    plain = generate_portfolio(args.projects)
    loop = generate_portfolio(args.projects, supervision=True)
    n = sum(len(p.milestones) for p in loop.projects)
    own = sum(1 for p in loop.projects for m in p.milestones if m.report_every is not None)
    cadenced = sum(1 for p in loop.projects for m in p.milestones
                   if (m.report_every or p.report_every) is not None)
    print(f"{n} milestones; {len(loop.people)} people; {cadenced} milestones on a cadence "
          f"({own} their own); {len(loop.extensions)} extension requests; "
          f"{sum(p.urgent for p in loop.projects)} urgent projects")
    a = evaluate(book, plain, TODAY)
    b = evaluate(book, loop, TODAY)
    by_rule: dict[str, int] = {}
    for f in b.findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    print(f"findings without: {len(a.findings)}, with: {len(b.findings)} "
          f"(report_due {by_rule.get('report_due', 0)}, behind_schedule "
          f"{by_rule.get('behind_schedule', 0)}, late_extension_request "
          f"{by_rule.get('late_extension_request', 0)}, urgent_due {by_rule.get('urgent_due', 0)})")
    (without, _), (with_loop, _) = race(lambda: evaluate(book, plain, TODAY),
                                        lambda: evaluate(book, loop, TODAY), repeat=args.runs)
    ratio = with_loop / without
    print(f"evaluate, standard rulebook, without the loop: {without:.3f} s")
    print(f"evaluate, standard rulebook, with the loop:    {with_loop:.3f} s")
    print(f"ratio: {ratio:.2f}x (target <= 1.2x) {'ok' if ratio <= 1.2 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
