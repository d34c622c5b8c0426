"""A province on one machine (issue 16 item 2): `duban check --json`, standard rulebook, as a
whole process at 40,000, 200,000 and 1,000,000 milestones.

For each size it prints the wall and CPU seconds and the peak resident memory of the process,
each per milestone, and the per-milestone figures as a ratio to the smallest size's (1.00x
everywhere is linear growth), next to a baseline measured in the same run: a plain process
that only reads the same file with ``json.load`` (the floor any check of that file pays).
Goal: 1,000,000 milestones under 30 s and 2 GB peak.

``--against DIR`` also runs the same check from another checkout of the code (``DIR``, e.g.
``git worktree add /tmp/base main`` or ``git archive main | tar -x -C /tmp/base``: the same
interpreter with ``DIR`` first on the path), in turns with this one, and prints per size the
CPU, wall and peak of this code as a ratio to that baseline's (the median of the ``--runs``
pairs): the figure to quote on a shared machine, where absolute seconds move with the load.

The portfolios are ``generate.py``'s (2,000 / 10,000 / 50,000 projects of 20 milestones),
written once as JSON to the temporary directory and reused by later runs
(``duban_province_<N>.json``; the 1,000,000 file is 177 MB and takes about a minute to
generate). Run: ``.venv/bin/python benchmarks/bench_province.py [--sizes 40000,200000,1000000]
[--runs 1]`` (a few minutes in all; not part of the test command).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import TODAY, generate, write  # noqa: E402
from benchmarks.timing import Run, calibration, run_process  # noqa: E402

PER_PROJECT = 20


def portfolio_file(milestones: int) -> Path:
    """The generated portfolio of ``milestones`` milestones, written on first need."""
    path = Path(tempfile.gettempdir()) / f"duban_province_{milestones}.json"
    if not path.exists():
        part = path.with_suffix(".part.json")  # ``write`` picks the format by the suffix
        write(generate(milestones // PER_PROJECT, PER_PROJECT, today=TODAY), part)
        part.rename(path)  # a run stopped half-way leaves no half file behind
    return path


def _fastest(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40000,200000,1000000")
    parser.add_argument("--runs", type=int, default=1, help="runs per size (the fastest counts)")
    parser.add_argument("--against", metavar="DIR",
                        help="another checkout of the code: its check runs in turns with this "
                             "one's and each size prints this code's figures as ratios to it")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    duban = str(ROOT / ".venv" / "bin" / "duban")
    ratios: list[str] = []
    print(f"calibration: 10M-step loop {calibration():.2f} s (idle ~0.4 s)")
    print(f"{'milestones':>10} {'':5} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} "
          f"{'µs/ms':>7} {'KB/ms':>6} {'x first':>8} {'read s':>7} {'check/read':>10} findings")
    first: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory(prefix="bench_province_") as tmp:
        out = Path(tmp) / "out.json"
        for n in sizes:
            path = portfolio_file(n)
            checks, reads, bases = [], [], []
            arguments = ["check", str(path), "--json", "--as-of", TODAY.isoformat()]
            for _ in range(args.runs):  # in turns, so a burst of load hits both alike
                checks.append(run_process([duban, *arguments], cwd=ROOT, stdout_to=out))
                reads.append(run_process([sys.executable, "-c",
                                          "import json, sys; json.load(open(sys.argv[1], "
                                          "encoding='utf-8'))", str(path)]))
                if args.against:
                    bases.append(_baseline(args.against, arguments, Path(tmp) / "base.json"))
            check, read = _fastest(checks), _fastest(reads)
            for run in (check, *bases):
                if run.status != 0:
                    print(run.stderr, file=sys.stderr)
                    return 1
            if bases:
                ratios.append(f"{n:>10,}  cpu {_median_ratio(checks, bases, 'cpu'):.3f}  wall "
                              f"{_median_ratio(checks, bases, 'wall'):.3f}  peak "
                              f"{_median_ratio(checks, bases, 'peak_mb'):.3f}  (baseline "
                              f"{statistics.median(b.cpu for b in bases):.2f} s CPU, "
                              f"{statistics.median(b.peak_mb for b in bases):.0f} MB)")
            findings = len(json.loads(out.read_text(encoding="utf-8"))["findings"])
            per_time, per_mem = check.cpu / n * 1e6, check.peak_mb * 1024 / n
            if first is None:
                first = (per_time, per_mem)
            print(f"{n:>10,} {'':5} {check.wall:7.2f} {check.cpu:7.2f} {check.peak_mb:8.0f} "
                  f"{per_time:7.1f} {per_mem:6.2f} {per_time / first[0]:4.2f}/"
                  f"{per_mem / first[1]:.2f} {read.cpu:7.2f} {check.cpu / read.cpu:9.1f}x "
                  f"{findings:,}")
    print("µs/ms and KB/ms: CPU microseconds and peak kilobytes per milestone; x first: both "
          "as a ratio to the first size's (time/memory; 1.00 is linear); read: a process that "
          "only json.loads the file. Goal: 1,000,000 under 30 s and 2,048 MB.")
    if ratios:
        print(f"this code against {args.against} (median of {args.runs} pairs, run in turns):")
        print("\n".join(ratios))
    return 0


def _baseline(tree: str, arguments: list[str], out: Path) -> Run:
    """The same check run from the checkout ``tree`` (first on the path, this interpreter)."""
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()))
    return run_process([sys.executable, "-c", "from api.cli import main; main()", *arguments],
                       cwd=Path(tree), stdout_to=out, env=env)


def _median_ratio(runs: list[Run], bases: list[Run], figure: str) -> float:
    """The median over the pairs of ``figure`` of this code's run over the baseline's."""
    return statistics.median(getattr(a, figure) / getattr(b, figure)
                             for a, b in zip(runs, bases, strict=True))


if __name__ == "__main__":
    sys.exit(main())
