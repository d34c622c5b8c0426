"""What a milestone report costs the server without HTTP, and how that compares with the CPU a
report may take at 500 reports/s (issue 16 item 3).

On a fresh copy of ``bench_api.py``'s prepared database (``--projects`` x 20 milestones, the
standard rulebook published), a worker process loads the server's snapshot as ``duban serve``
does (``api.service.Server``, the same settings and engine), then hands it ``--groups`` groups
of ``--clients`` reports at once (``Server.report_milestone``, each on another random project:
the group commit, scoped re-evaluation, findings, notices and audit, as under load), and
measures the process's CPU per report. A report sets a milestone's progress, or, for a share
``--finishing`` of them, finishes it (progress 1, finished today): only those change findings
and notices (bench_api.py's progress reports change none), so they are what the writes of a
group's changed findings and notices cost. The baseline, in the same worker, is the scoped
evaluation alone (``rules.engine.evaluate`` of each group's projects, the pure core): the
part of a report that is rule work, not bookkeeping.

It then prints the budget: at 500 reports/s, one process (the GIL) has 1000 / 500 = 2 ms of CPU
a report for everything, HTTP included, and the whole machine (``os.cpu_count()`` cores, the
load generator included) has cores x 2 ms.

    .venv/bin/python benchmarks/bench_report_path.py [--projects 2000] [--groups 100]
        [--cache DIR] [--pg-url URL] [--against TREE --rounds N]

``--cache`` and ``--pg-url`` are ``bench_api.py``'s (``source scripts/services`` first for
PostgreSQL); ``--against TREE`` (``git archive REV | tar -x -C TREE``) runs the worker on that
tree's code and on this one's in turns, ``--rounds`` times, on copies of the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RATE = 500  # the reports a second


async def _work(db_url: str, groups: int, clients: int, seed: int, finishing: float) -> dict[str, Any]:
    """The worker: the server's report path on ``db_url``, then the evaluations alone."""
    import api  # noqa: PLC0415
    from api import audit, database, keys  # noqa: PLC0415
    from api.app import secret_for  # noqa: PLC0415
    from api.service import Server  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415
    from projects import storage  # noqa: PLC0415
    from rules.engine import component, evaluate  # noqa: PLC0415

    settings = Settings.from_env()
    engine = database.make_engine(settings)
    await database.open_engine(engine, settings.pool_size)
    try:
        await database.migrate(engine)
        async with storage.write_transaction(engine):
            await audit.prepare(keys.derive(secret_for(settings), "audit-chain"))
        server = Server(settings, engine)
        snap = await server.snapshot()
        published = await server.published_rulebook()
        if published is None:
            raise SystemExit("the prepared database has no published rulebook")
        projects = [p.id for p in snap.portfolio.projects]
        rng = random.Random(seed)
        versions: dict[tuple[str, str], int] = {}

        today = settings.current_day()
        changed = [0, 0]  # findings written, notices issued / escalated / rectified

        async def report(pid: str, mid: str) -> None:
            key = (pid, mid)
            version = versions.get(key, snap.versions.get(key))
            finished = key not in done and rng.random() < finishing
            if finished:
                done.add(key)
            changes = {"progress": 1.0, "finished": today} if finished else {"progress": round(rng.random(), 2)}
            _, versions[key], outcome = await server.report_milestone("bench", pid, mid, changes, version)
            if outcome.stored is not None and outcome.stored.id not in counted:
                counted.add(outcome.stored.id)
                changed[1] += len(outcome.notices_changed)

        done: set[tuple[str, str]] = set()
        counted: set[int] = set()

        # warm-up: one group on projects the measured ones leave alone
        await asyncio.gather(*(report(pid, "m5") for pid in projects[:clients]))
        scopes = []
        rows = await _finding_rows(engine)
        counted.clear()
        changed[1] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(groups):
            chosen = rng.sample(projects[clients:], clients)
            scopes.append(chosen)
            await asyncio.gather(*(report(pid, f"m{rng.randrange(10, 20)}") for pid in chosen))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        changed[0] = await _finding_rows(engine) - rows
        # the baseline: each group's scoped evaluation alone, on the portfolio as it now is
        after = await server.snapshot()
        _, rulebook = published
        eval_cpu = time.process_time()
        for chosen in scopes:
            evaluate(rulebook, after.portfolio, settings.current_day(), calendar=after.calendar,
                     projects=sorted(component(after.portfolio, dict.fromkeys(chosen))), explained=True)
        eval_cpu = time.process_time() - eval_cpu
    finally:
        await database.close_engine(engine)
    n = groups * clients
    return {"cpu_ms": cpu / n * 1000, "wall_ms_group": wall / groups * 1000, "eval_ms": eval_cpu / n * 1000,
            "reports": n, "code": str(Path(api.__file__).resolve().parent.parent),
            "findings_a_group": changed[0] / groups, "notices_a_group": changed[1] / groups}


async def _finding_rows(engine: Any) -> int:
    """The finding rows stored so far (a changed finding adds one)."""
    from projects import storage  # noqa: PLC0415

    return int((await storage.raw(engine, 'SELECT COUNT(*) AS n FROM "rules_finding"'))[0]["n"])


def _run_worker(db_url: str, work: Path, args: argparse.Namespace, pythonpath: str | None) -> dict[str, Any]:
    import bench_api  # noqa: PLC0415

    env = bench_api._env(db_url, pythonpath)
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", db_url,
                           "--groups", str(args.groups), "--clients", str(args.clients),
                           "--finishing", str(args.finishing)],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the worker failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(prepared: Any, server_url: str | None, args: argparse.Namespace,
            pythonpath: str | None = None) -> dict[str, Any]:
    """One worker on a fresh copy of the prepared database."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-path-{prepared.name}-"))
    try:
        if prepared.sqlite is not None:
            for f in prepared.sqlite.glob("duban.sqlite*"):
                shutil.copy2(f, work / f.name)
            return _run_worker(f"sqlite:///{work / 'duban.sqlite'}", work, args, pythonpath)
        from tests import pg  # noqa: PLC0415

        with pg.temporary_database(server_url or "", template=prepared.template) as db_url:
            return _run_worker(db_url, work, args, pythonpath)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def show(name: str, f: dict[str, Any], args: argparse.Namespace, label: str = "") -> None:
    cores = os.cpu_count() or 1
    budget = 1000 / RATE
    print(f"\n{name}{label}: groups of {args.clients} reports on {args.projects * 20} milestones, no HTTP, "
          f"{args.finishing:.0%} finishing their milestone ({int(f['reports'])} reports, the code of {f['code']})")
    print(f"  a group stored {f['findings_a_group']:.1f} findings anew and changed {f['notices_a_group']:.1f} notices")
    print(f"  CPU a report {f['cpu_ms']:.2f} ms, of it the scoped evaluation alone (the baseline) "
          f"{f['eval_ms']:.2f} ms ({f['cpu_ms'] / f['eval_ms']:.1f}x it); wall {f['wall_ms_group']:.1f} ms a group")
    print(f"  at {RATE} reports/s one process has {budget:.2f} ms of CPU a report for all of it, HTTP included "
          f"(this path alone: {f['cpu_ms'] / budget:.2f}x that); the machine's {cores} cores have "
          f"{cores * budget:.2f} ms, the load generator's share included")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20, help="reports a group (the clients of bench_api.py)")
    parser.add_argument("--finishing", type=float, default=0.25,
                        help="the share of reports that finish their milestone (the others report progress)")
    parser.add_argument("--pg-url", default=os.environ.get("DUBAN_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--cache", type=Path, default=None, help="bench_api.py's prepared databases")
    parser.add_argument("--against", default=None, metavar="TREE")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(_work(args.worker, args.groups, args.clients, seed=3,
                                           finishing=args.finishing))))
        return 0
    sys.path[:0] = [str(HERE), str(ROOT)]
    import bench_api  # noqa: PLC0415

    for name, server_url, prepared in bench_api.prepared_backends(args, "bench-path-prep-"):
        if args.against is None:
            show(name, measure(prepared, server_url, args), args)
            continue
        ratios = [old["cpu_ms"] / new["cpu_ms"]
                  for old, new in bench_api.paired_rounds(
                     measure, show, name=name, prepared=prepared, server_url=server_url, args=args)]
        print(f"\n{name}: CPU a report before / after, round by round: "
              + ", ".join(f"{r:.2f}x" for r in ratios) + f" (median {statistics.median(ratios):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
