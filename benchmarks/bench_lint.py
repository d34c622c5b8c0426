"""Lint benchmark (issue 18): `duban rules lint` of the standard rulebook with the static
analysis against without it, in the same run.

Prints the best of ``--repeat`` wall times (``time.perf_counter``) of ``run_lint`` in process
with and without ``--no-analysis`` (output discarded), the ratio, and the analysis alone
(``dsl.analyse_rulebook``) next to the compile alone (``dsl.compile_rulebook``), plus a
calibration figure (a 10-million-step Python loop) for reading runs on a busy machine.

Run: ``.venv/bin/python benchmarks/bench_lint.py [--repeat 20]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.cli import main  # noqa: E402
from benchmarks.timing import best, calibration  # noqa: E402
from dsl import analyse_rulebook, compile_rulebook  # noqa: E402
from rules.standard import standard_sources  # noqa: E402


def quiet(args: list[str]) -> Callable[[], None]:
    def run() -> None:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(args) == 0
    return run


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    standard = str(ROOT / "rules" / "standard")
    sources = standard_sources()
    quiet(["rules", "lint", standard])()  # warm: grammar cache, imports
    with_analysis = best(quiet(["rules", "lint", standard]), args.repeat)[0]
    without = best(quiet(["rules", "lint", "--no-analysis", standard]), args.repeat)[0]
    analysis = best(lambda: analyse_rulebook(sources), args.repeat)[0]
    compiling = best(lambda: compile_rulebook(sources), args.repeat)[0]
    print(f"rules lint (standard, {len(sources)} files), best of {args.repeat}:")
    print(f"  with analysis     {with_analysis * 1000:8.2f} ms")
    print(f"  without analysis  {without * 1000:8.2f} ms")
    print(f"  ratio             {with_analysis / without:8.2f} x")
    print(f"  analysis alone    {analysis * 1000:8.2f} ms (parse + check + analyse)")
    print(f"  compile alone     {compiling * 1000:8.2f} ms (parse + check + compile)")
    print(f"calibration: 10M-step loop {calibration():.2f} s")


if __name__ == "__main__":
    run()
