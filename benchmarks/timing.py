"""The timing helpers every benchmark here uses (one copy of each).

The machine is shared (8 engineers, 2 cores), so a single figure says little: ``best`` is the
fastest of N runs (the minimum is the signal), ``median`` the middle one, ``race`` runs two or
more sides in turns so that a burst of load hits each alike, and ``calibration`` times a fixed
10-million-step Python loop (about 0.4 s on an idle modern core) to read the others against.
``run_process`` runs a whole command and gives its wall time, CPU time and peak memory (the
child's own ``ru_maxrss``), for benchmarks that measure a command as a user runs it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def best(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """The fastest wall time of ``repeat`` runs of ``fn``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def median(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """The median wall time of ``repeat`` runs of ``fn``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def race(*fns: Callable[[], Any], repeat: int = 9) -> list[tuple[float, Any]]:
    """``best`` of each function, the runs interleaved so that a burst of load on the shared
    machine hits every side alike."""
    times: list[list[float]] = [[] for _ in fns]
    results: list[Any] = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - t)
    return [(min(ts), r) for ts, r in zip(times, results, strict=True)]


def calibration() -> float:
    """Seconds for a 10-million-step Python loop (about 0.4 s on an idle modern core)."""
    t = time.perf_counter()
    n = 0
    for i in range(10_000_000):
        n += i
    return time.perf_counter() - t


@dataclass(frozen=True, slots=True)
class Run:
    """One finished command: wall and CPU seconds, peak resident memory, what it printed."""

    wall: float
    cpu: float  # user + system seconds of the child
    peak_mb: float  # the child's peak resident set (``ru_maxrss``), in MB
    status: int
    stdout: str
    stderr: str


def run_process(cmd: Sequence[str], *, cwd: Path | None = None, stdout_to: Path | None = None,
                env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to its end. Its stdout goes to ``stdout_to`` when given (a big output is
    then not held here; ``Run.stdout`` is ``""``), else it is read back; stderr is read back."""
    with tempfile.TemporaryDirectory(prefix="bench_run_") as tmp:
        out_path = stdout_to if stdout_to is not None else Path(tmp) / "stdout"
        err_path = Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            t = time.perf_counter()
            child = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err, env=env)
            _, status, usage = os.wait4(child.pid, 0)  # the child's own CPU time and peak memory
            wall = time.perf_counter() - t
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout = "" if stdout_to is not None else out_path.read_text(encoding="utf-8")
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                   child.returncode, stdout, err_path.read_text(encoding="utf-8", errors="replace"))
