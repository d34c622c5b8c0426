"""API throughput and latency: reads and milestone reports per second, p50/p99, 20 clients.

Starts `duban serve` as a second process on loopback (SQLite, and PostgreSQL when
DUBAN_TEST_POSTGRES_URL is set or --pg-url is given: in a database of its own on that server,
dropped at the end), imports a generated portfolio of
--projects x 20 milestones, publishes the standard rulebook, then drives it with concurrent
HTTP clients for a bounded time per phase. The baseline, measured in the same run, is the
anonymous health probe (one revision query): the ratios say what the work itself costs.
A report includes the re-evaluation of its project and the notices it causes; the target
is p99 < 50 ms for it.

    .venv/bin/python benchmarks/bench_api.py [--projects 200] [--seconds 8] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
DUBAN = Path(sys.executable).with_name("duban")
TODAY = dt.date(2026, 5, 6)
KINDS = ["approval", "tendering", "contract", "funds", "progress", "supervision", "safety", "completion"]


def portfolio(n: int) -> dict[str, object]:
    rng = random.Random(7)
    units = [{"id": f"u{i}", "name": f"单位{i}"} for i in range(20)]
    projects = []
    for p in range(n):
        ms = []
        for m in range(20):
            due = dt.date(2026, 1, 5) + dt.timedelta(days=12 * m + rng.randint(0, 9))
            ms.append({"id": f"m{m}", "name": f"节点{m}", "kind": KINDS[m % len(KINDS)], "due": due.isoformat(),
                       **({"after": [f"m{m - 1}"]} if m else {}),
                       **({"finished": (due - dt.timedelta(days=2)).isoformat()} if due < TODAY - dt.timedelta(days=20) else {})})
        projects.append({"id": f"P{p:04d}", "name": f"项目{p}", "category": "project", "unit": f"u{p % 20}",
                         "milestones": ms})
    return {"units": units, "projects": projects}


PHASES = ("baseline", "read", "report", "report·1", "base·1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


class Connection:
    """One keep-alive HTTP/1.1 connection speaking just what the phases need. httpx costs
    the load generator several milliseconds of CPU per request on this 2-core machine, which
    the server shares: measured with it, twenty clients saturate the client, not the server
    (the no-op probe: ~200 req/s, p99 ~430 ms with httpx; ~1,000 req/s, p99 ~40 ms with this)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url: str) -> Connection:
        host, _, port = url.removeprefix("http://").partition(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        return cls(reader, writer, f"{host}:{port}")

    async def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                      body: object = None) -> tuple[int, bytes]:
        data = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(data)}",
                 *(f"{k}: {v}" for k, v in (headers or {}).items())]
        if body is not None:
            lines.append("Content-Type: application/json")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        await self.writer.drain()
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        if "content-length" not in fields:
            raise RuntimeError(f"{method} {path}: a response without Content-Length: {fields}")
        return status, await self.reader.readexactly(int(fields["content-length"]))

    def close(self) -> None:
        self.writer.close()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/PID/stat``; 0 without a pid)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phase(url: str, token: str, *, clients: int, seconds: float, kind: str, n_projects: int,
                pid: int | None = None, finishing: float = 0.0) -> dict[str, float]:
    """``clients`` clients doing ``kind`` for ``seconds``: throughput, latencies, and the
    server's own CPU time per request (``pid``: the server process; a figure the shared
    machine's load does not inflate the way it does wall times). A report sets a milestone's
    progress, or, for a share ``finishing`` of them, finishes it (progress 1, finished today):
    only those change findings and notices."""
    latencies: list[float] = []
    conflicts = 0
    auth = {"Authorization": f"Bearer {token}"}
    # Each client reports on its own projects (every ``clients``-th); it reads their milestones'
    # versions before the clock starts, as a client that has the project open does, so the
    # measured window holds reports only, not a first read before nearly every one.
    versions: list[dict[str, int]] = [{} for _ in range(clients)]

    async def known(w: int) -> None:
        conn = await Connection.open(url)
        try:
            for p in (range(w, n_projects, clients) if n_projects > clients else [w % n_projects]):
                detail = json.loads((await conn.request("GET", f"/api/projects/P{p:04d}", auth))[1])
                for m in detail["milestones"]:
                    versions[w][f"/api/projects/P{p:04d}/milestones/{m['id']}"] = m["version"]
        finally:
            conn.close()

    if kind == "report":
        await asyncio.gather(*(known(w) for w in range(clients)))
    stop = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal conflicts
        rng = random.Random(w)
        mine = versions[w]
        finished: set[str] = set()
        conn = await Connection.open(url)
        try:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                if kind == "baseline":
                    status, body = await conn.request("GET", "/api/health")
                elif kind == "read":
                    status, body = await conn.request("GET", f"/api/projects/P{rng.randrange(n_projects):04d}", auth)
                else:  # each worker reports its own milestones, so versions stay its own
                    p = rng.randrange(w, n_projects, clients) if n_projects > clients else w % n_projects
                    path = f"/api/projects/P{p:04d}/milestones/m{rng.randrange(12, 20)}"
                    change: dict[str, object] = {"progress": round(rng.random(), 2)}
                    if path not in finished and rng.random() < finishing:
                        finished.add(path)
                        change = {"progress": 1.0, "finished": TODAY.isoformat()}
                    status, body = await conn.request("PATCH", path, auth, {"version": mine[path], **change})
                    if status == 409:
                        conflicts += 1
                        mine[path] = json.loads(body)["current_version"]
                        continue
                    if status < 400:
                        mine[path] = json.loads(body)["milestone"]["version"]
                if status >= 400:
                    raise RuntimeError(f"{kind}: {status} {body[:300]!r}")
                latencies.append(time.perf_counter() - t)
        finally:
            conn.close()

    t0, cpu0, own0 = time.perf_counter(), cpu_seconds(pid), time.process_time()
    await asyncio.gather(*(worker(w) for w in range(clients)))
    elapsed, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    own = time.process_time() - own0
    return {"per_s": len(latencies) / elapsed, "p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99),
            "n": len(latencies), "conflicts": conflicts, "mean": statistics.fmean(latencies) * 1000,
            "cpu_ms": cpu * 1000 / max(1, len(latencies)), "client_ms": own * 1000 / max(1, len(latencies))}


@dataclass(frozen=True)
class Prepared:
    """A database holding the imported portfolio and the published rulebook's evaluation: a
    SQLite file (and its secret) or a PostgreSQL database to copy (``CREATE DATABASE ...
    TEMPLATE``); each measured server gets a fresh copy, so runs start from the same state."""

    name: str
    token: str
    sqlite: Path | None = None
    template: str | None = None


def _env(db_url: str | None, pythonpath: str | None = None) -> dict[str, str]:
    env = {**os.environ, "DUBAN_DEMO": "0", "DUBAN_TODAY": TODAY.isoformat()}
    env.pop("DUBAN_DATABASE_URL", None)
    env.pop("PYTHONPATH", None)
    if db_url:
        env["DUBAN_DATABASE_URL"] = db_url
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


class Served:
    """``duban serve`` on a free loopback port in ``work`` until ``stop``."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = (work / "serve.log").open("a")
        self.process = subprocess.Popen([str(DUBAN), "serve", "--port", self.url.rsplit(":", 1)[1]], cwd=work,
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if self.process.poll() is not None:
                raise RuntimeError(f"duban serve stopped ({self.process.returncode}); see {work / 'serve.log'}")
            try:
                if httpx.get(f"{self.url}/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"duban serve did not answer in 120 s; see {work / 'serve.log'}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def _cache_key(projects: int) -> str:
    """What a prepared database depends on: the size, the migrations and the standard rulebook."""
    from rules.standard import standard_sources  # noqa: PLC0415

    migrations = sorted(p.name for p in ROOT.glob("*/piccolo_migrations/*.py"))
    digest = hashlib.sha256(json.dumps([migrations, standard_sources()], sort_keys=True).encode())
    return f"{projects}_{digest.hexdigest()[:10]}"


def prepare(name: str, server_url: str | None, args: argparse.Namespace, into: Path) -> Prepared:
    """Import the generated portfolio and publish the standard rulebook into a database kept
    as ``into`` (SQLite) or a PostgreSQL database of that server (``server_url``); reused
    when ``--cache`` already holds one of the same key."""
    key = _cache_key(args.projects)
    token_file = into / f"{name}-{key}.token"
    template = f"duban_bench_api_{key}" if server_url else None
    sqlite = into / f"sqlite-{key}" if not server_url else None
    if token_file.exists() and (sqlite is None or (sqlite / "duban.sqlite").exists()) \
            and (template is None or _pg_exists(server_url, template)):
        print(f"[{name}] the prepared database of {args.projects} projects from {into}", flush=True)
        return Prepared(name, token_file.read_text().strip(), sqlite, template)
    work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-prep-")) if sqlite is None else sqlite
    work.mkdir(parents=True, exist_ok=True)
    db_url = None
    if server_url and template:
        _pg_admin(server_url, f'DROP DATABASE IF EXISTS "{template}"', f'CREATE DATABASE "{template}"')
        from tests import pg  # noqa: PLC0415

        db_url = pg.with_database(server_url, template)
    env = _env(db_url)
    made = subprocess.run([str(DUBAN), "users", "add", "bench", "--role", "office", "--password", "bench-password",
                           "--token"], cwd=work, env=env, capture_output=True, text=True, check=True)
    token = made.stdout.strip().rsplit(" ", 1)[-1]
    served = Served(work, env)
    try:
        url, auth = served.url, {"Authorization": f"Bearer {token}"}
        t = time.perf_counter()
        r = httpx.post(f"{url}/api/portfolio", json=portfolio(args.projects), headers=auth, timeout=3600)
        r.raise_for_status()
        print(f"[{name}] imported {args.projects} projects x 20 milestones in {time.perf_counter() - t:.1f} s",
              flush=True)
        from rules.standard import standard_sources  # noqa: PLC0415

        number = httpx.post(f"{url}/api/rulebooks", json={"sources": standard_sources()}, headers=auth).json()["number"]
        httpx.post(f"{url}/api/rulebooks/{number}/check", headers=auth, timeout=120).raise_for_status()
        t = time.perf_counter()
        httpx.post(f"{url}/api/rulebooks/{number}/publish", headers=auth, timeout=3600).raise_for_status()
        print(f"[{name}] published the standard rulebook (full evaluation) in {time.perf_counter() - t:.1f} s",
              flush=True)
    finally:
        served.stop()
    token_file.write_text(token)
    return Prepared(name, token, sqlite, template)


def _pg_admin(server_url: str, *statements: str) -> None:
    from tests import pg  # noqa: PLC0415

    async def go() -> None:
        conn = await pg._maintenance(server_url)
        try:
            for s in statements:
                await conn.execute(s)  # type: ignore[attr-defined]
        finally:
            await conn.close()  # type: ignore[attr-defined]

    pg.run(go())


def _pg_exists(server_url: str | None, name: str) -> bool:
    from tests import pg  # noqa: PLC0415

    async def go() -> bool:
        conn = await pg._maintenance(server_url or "")
        try:
            return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))  # type: ignore[attr-defined]
        finally:
            await conn.close()  # type: ignore[attr-defined]

    return pg.run(go())


def measure(prepared: Prepared, server_url: str | None, args: argparse.Namespace,
            pythonpath: str | None = None) -> dict[str, dict[str, float]]:
    """The phases against a server of the code on ``pythonpath`` (None: this tree) over a
    fresh copy of the prepared database."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-{prepared.name}-"))
    with contextlib.ExitStack() as stack:
        db_url = None
        if prepared.sqlite is not None:
            for f in prepared.sqlite.glob("duban.sqlite*"):
                shutil.copy2(f, work / f.name)
        else:
            from tests import pg  # noqa: PLC0415

            db_url = stack.enter_context(pg.temporary_database(server_url or "", template=prepared.template))
        served = Served(work, _env(db_url, pythonpath))
        stack.callback(served.stop)
        url, token = served.url, prepared.token
        auth = {"Authorization": f"Bearer {token}"}
        # warm-up: the snapshot loaded, the rulebook compiled, one report on a milestone the
        # clients leave alone (m5 of the first project), as the publish did in the old order
        httpx.get(f"{url}/api/projects/P0000", headers=auth, timeout=600).raise_for_status()
        path = f"{url}/api/projects/P0000/milestones/m5"
        version = httpx.get(path, headers=auth, timeout=600).json()["version"]
        httpx.patch(path, headers=auth, json={"version": version, "progress": 0.5}, timeout=600).raise_for_status()
        out = {}
        pid = served.process.pid
        if args.profile:  # after the warm-up: the phases' samples, not the load's and the compile's
            stack.enter_context(_profiled(pid, work, prepared.name, pythonpath))
        for kind in ("baseline", "read", "report"):
            if kind in args.phases:
                out[kind] = asyncio.run(phase(url, token, clients=args.clients, seconds=args.seconds,
                                               kind=kind, n_projects=args.projects, pid=pid,
                                               finishing=args.finishing))
        # One client alone: what a report costs without queueing behind the others.
        for name, kind in (("report·1", "report"), ("base·1", "baseline")):
            if name in args.phases:
                out[name] = asyncio.run(phase(url, token, clients=1, seconds=args.seconds / 2,
                                               kind=kind, n_projects=args.projects, pid=pid,
                                               finishing=args.finishing))
    shutil.rmtree(work, ignore_errors=True)
    return out


@contextlib.contextmanager
def _profiled(pid: int, work: Path, name: str, pythonpath: str | None) -> Iterator[None]:
    """py-spy sampling the server while the phases run (``--profile``): the top functions by
    own and total time, written next to the results."""
    side = "old" if pythonpath else "new"
    out = Path(tempfile.gettempdir()) / f"bench-api-{name}-{side}.pyspy.txt"
    spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid),
                            "--format", "raw", "--output", str(out), "--rate", "200", "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
        print(f"[{name}] py-spy samples of the {side} server: {out}", flush=True)


def show(name: str, figures: dict[str, dict[str, float]], args: argparse.Namespace, label: str = "") -> None:
    print(f"\n{name}{label}: {args.clients} clients, {args.projects * 20} milestones, {args.seconds:g} s per phase, "
          f"{args.finishing:.0%} of the reports finishing their milestone")
    print(f"  {'phase':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x base p50':>11} {'CPU ms/req':>11} {'client ms':>10}  n")
    for kind, f in figures.items():
        b = figures.get("base·1" if kind.endswith("·1") else "baseline")
        ratio = f"{f['p50'] / b['p50']:11.1f}" if b else f"{'-':>11}"
        print(f"  {kind:<9} {f['per_s']:8.1f} {f['p50']:8.1f} {f['p99']:8.1f} {ratio} {f['cpu_ms']:11.2f} "
              f"{f['client_ms']:10.2f}  {int(f['n'])}" + (f" ({int(f['conflicts'])} conflicts)" if f["conflicts"] else ""))
    if not {"baseline", "report", "report·1"} <= figures.keys():
        return
    base = figures["baseline"]
    verdict = "meets" if figures["report"]["p99"] < 50 and figures["report"]["per_s"] >= 500 else "misses"
    print(f"  report p99 {figures['report']['p99']:.1f} ms, {figures['report']['per_s']:.0f}/s with {args.clients} "
          f"clients {verdict} the target (p99 < 50 ms, >= 500/s; the no-op baseline's own p99 is "
          f"{base['p99']:.1f} ms); alone, a report takes p50 {figures['report·1']['p50']:.1f} / p99 "
          f"{figures['report·1']['p99']:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--pg-url", default=os.environ.get("DUBAN_TEST_POSTGRES_URL"))
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the prepared databases here and reuse them (PostgreSQL: a database "
                             "duban_bench_api_<size>_<key> on that server)")
    parser.add_argument("--against", default=None, metavar="TREE",
                        help="an older tree (git archive REV | tar -x -C TREE): its server and this one "
                             "take turns on copies of the same prepared database, --rounds times")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--finishing", type=float, default=0.0,
                        help="the share of reports that finish their milestone (changing findings and notices); "
                             "the others report progress, which changes none")
    parser.add_argument("--profile", action="store_true", help="py-spy the server during the phases")
    parser.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES,
                        help="the phases to run (e.g. --phases report to profile reports alone)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    for name, server_url, prepared in prepared_backends(args, "bench-api-prep-"):
        if args.against is None:
            show(name, measure(prepared, server_url, args), args)
            continue
        pairs = [(old["report"], new["report"])
                 for old, new in paired_rounds(
                     measure, show, name=name, prepared=prepared, server_url=server_url, args=args) if "report" in new]
        print(f"\n{name}, {args.projects * 20} milestones, reports with {args.clients} clients, before -> after "
              "(each round's two servers in turns, same prepared database):")
        for i, (o, n) in enumerate(pairs, 1):
            print(f"  round {i}: p50 {o['p50']:.1f} -> {n['p50']:.1f} ms, p99 {o['p99']:.1f} -> {n['p99']:.1f} ms, "
                  f"{o['per_s']:.1f} -> {n['per_s']:.1f} reports/s ({n['per_s'] / o['per_s']:.2f}x), server CPU "
                  f"{o['cpu_ms']:.2f} -> {n['cpu_ms']:.2f} ms a report ({o['cpu_ms'] / n['cpu_ms']:.2f}x less)")
    return 0


def prepared_backends(args: argparse.Namespace, prefix: str) -> Iterator[tuple[str, str | None, Prepared]]:
    """Each backend the arguments ask for (SQLite unless ``--no-sqlite``, PostgreSQL with
    ``--pg-url``): its name, server and prepared database (``prepare``; in ``--cache`` or a
    temporary place removed, with its PostgreSQL template, after the caller's turn)."""
    backends = ([] if args.no_sqlite else [("sqlite", None)]) + ([("postgres", args.pg_url)] if args.pg_url else [])
    for name, server_url in backends:
        with contextlib.ExitStack() as stack:
            into = args.cache
            if into is None:
                into = Path(tempfile.mkdtemp(prefix=prefix))
                stack.callback(shutil.rmtree, into, True)
            into.mkdir(parents=True, exist_ok=True)
            prepared = prepare(name, server_url, args, into)
            if args.cache is None and prepared.template:
                stack.callback(_pg_admin, server_url or "", f'DROP DATABASE IF EXISTS "{prepared.template}" WITH (FORCE)')
            yield name, server_url, prepared


def paired_rounds(measure: Any, show: Any, *, name: str, prepared: Prepared, server_url: str | None,
                  args: argparse.Namespace) -> list[tuple[Any, Any]]:
    """``--rounds`` rounds of ``measure`` on ``--against``'s code and on this tree's, which goes
    first alternating (the second may find more cached), each shown; the (before, after) pairs."""
    pairs = []
    for i in range(args.rounds):
        if i % 2:
            new = measure(prepared, server_url, args)
            old = measure(prepared, server_url, args, pythonpath=args.against)
        else:
            old = measure(prepared, server_url, args, pythonpath=args.against)
            new = measure(prepared, server_url, args)
        show(name, old, args, f" [round {i + 1}, before: {args.against}]")
        show(name, new, args, f" [round {i + 1}, after: this tree]")
        pairs.append((old, new))
    return pairs


if __name__ == "__main__":
    sys.exit(main())
