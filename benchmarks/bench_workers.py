"""Throughput of `duban serve --workers N` on one PostgreSQL database, N = 1, 2, 3.

Makes a database of its own on the server of DUBAN_TEST_POSTGRES_URL (or --pg-url; dropped
at the end), imports a generated portfolio of --projects x 20 milestones, publishes the
standard rulebook, then for each N starts the real server with N processes on loopback and
drives it with --clients concurrent HTTP clients (the load generator of bench_api.py): reads
of a project, then milestone reports (each re-evaluates its project and writes its notices
in the one write transaction, so reports of all processes queue on the writers' advisory
lock). N = 1 runs first and again last, in the same run: the ratios are against the mean of
the two, and their spread says how much the shared machine drifted meanwhile.

    .venv/bin/python benchmarks/bench_workers.py [--projects 200] [--seconds 8] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import DUBAN, TODAY, free_port, phase, portfolio  # noqa: E402


def serve(work: Path, env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """`duban serve --workers N`, once all N processes answer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / f"serve-{workers}.log").open("w")
    server = subprocess.Popen([str(DUBAN), "serve", "--port", str(port), "--workers", str(workers)],
                              cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    seen: set[str] = set()
    end = time.monotonic() + 180
    while len(seen) < workers:
        if time.monotonic() > end or server.poll() is not None:
            server.kill()
            raise RuntimeError(f"--workers {workers}: {len(seen)} processes answered; see {log.name}")
        try:
            with httpx.Client(base_url=url, timeout=5) as fresh:  # a new connection each time
                seen.add(fresh.get("/api/health").json()["process"])
        except httpx.HTTPError:
            time.sleep(0.2)
    return server, url


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run(db_url: str, args: argparse.Namespace) -> list[tuple[int, dict[str, dict[str, float]]]]:
    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    env = {**os.environ, "DUBAN_DEMO": "0", "DUBAN_TODAY": TODAY.isoformat(), "DUBAN_DATABASE_URL": db_url}
    made = subprocess.run([str(DUBAN), "users", "add", "bench", "--role", "office", "--password",
                           "bench-password", "--token"], cwd=work, env=env, capture_output=True, text=True,
                          check=True)
    token = made.stdout.strip().rsplit(" ", 1)[-1]
    auth = {"Authorization": f"Bearer {token}"}
    server, url = serve(work, env, 1)
    try:
        httpx.post(f"{url}/api/portfolio", json=portfolio(args.projects), headers=auth,
                   timeout=600).raise_for_status()
        sources = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules" / "standard").glob("*.rules"))}
        number = httpx.post(f"{url}/api/rulebooks", json={"sources": sources}, headers=auth).json()["number"]
        httpx.post(f"{url}/api/rulebooks/{number}/check", headers=auth, timeout=120).raise_for_status()
        httpx.post(f"{url}/api/rulebooks/{number}/publish", headers=auth, timeout=600).raise_for_status()
    finally:
        stop(server)
    print(f"imported {args.projects} projects x 20 milestones and published the standard rulebook", flush=True)
    out = []
    for workers in (1, 2, 3, 1):
        server, url = serve(work, env, workers)
        try:
            figures = {kind: asyncio.run(phase(url, token, clients=args.clients, seconds=args.seconds,
                                               kind=kind, n_projects=args.projects))
                       for kind in ("read", "report")}
        finally:
            stop(server)
        print(f"  N = {workers}: read {figures['read']['per_s']:.1f}/s, report {figures['report']['per_s']:.1f}/s",
              flush=True)
        out.append((workers, figures))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pg-url", default=os.environ.get("DUBAN_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.pg_url:
        print("bench_workers: needs PostgreSQL: `source scripts/services` (DUBAN_TEST_POSTGRES_URL) "
              "or --pg-url", file=sys.stderr)
        return 2
    from tests import pg  # noqa: PLC0415

    with pg.temporary_database(args.pg_url) as own:
        runs = run(own, args)
    base = {kind: statistics.fmean(f[kind]["per_s"] for n, f in runs if n == 1) for kind in ("read", "report")}
    first, last = (f for n, f in runs if n == 1)
    print(f"\nduban serve --workers N on PostgreSQL: {args.clients} clients, {args.projects * 20} milestones, "
          f"{args.seconds:g} s per phase; ratios against N = 1 (mean of the first and last run)")
    print(f"  {'N':>2} {'read/s':>8} {'x N=1':>6} {'p99 ms':>7}  {'report/s':>9} {'x N=1':>6} {'p50 ms':>7} {'p99 ms':>7}")
    for n, f in runs:
        r, w = f["read"], f["report"]
        print(f"  {n:>2} {r['per_s']:8.1f} {r['per_s'] / base['read']:6.2f} {r['p99']:7.1f}  "
              f"{w['per_s']:9.1f} {w['per_s'] / base['report']:6.2f} {w['p50']:7.1f} {w['p99']:7.1f}")
    for kind in ("read", "report"):
        a, b = first[kind]["per_s"], last[kind]["per_s"]
        print(f"  drift of N = 1 between the first and last run ({kind}): {abs(a - b) / base[kind]:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
