"""Delivery benchmark: outbox throughput to a local webhook, and the outbox's cost per notice.

Prints figures and ratios against baselines measured in the same run:

1. delivery throughput (notices/s) of ``DeliveryWorker`` + ``AppriseChannel`` to a local
   ``json://`` webhook, against Apprise alone sending the same messages with the same
   concurrency and no database (the cost of leases and attempt records): the ratio of the
   two throughputs (goal >= 0.9x); and the worker with a ``CapturingChannel`` (the database
   bookkeeping alone) as a fraction of a send's cost per notice (goal < 0.25). Rounds are
   interleaved and the medians compared, after one warm-up of Apprise;
2. enqueue cost: ``record_evaluation`` of N findings in one transaction (notices, history,
   outbox rows), against a plain bulk INSERT of N notice rows in one transaction.

Run: ``.venv/bin/python benchmarks/bench_delivery.py [--notices 400] [--enqueue 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from api.database import PooledSQLiteEngine, close_engine, make_engine, open_engine
from api.settings import Settings
from notifier import store
from notifier.channels import AppriseChannel, CapturingChannel
from notifier.tables import NoticeRow
from notifier.worker import DeliveryWorker
from projects.model import Category, Level, Portfolio, Project, Unit
from projects.storage import write_transaction

DAY = dt.date(2026, 5, 6)


@dataclasses.dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    subject: str
    level: Level
    message: str
    notify: tuple[str, ...]
    respond_by: dt.date | None
    explain: tuple[tuple[str, object], ...]
    project: str | None
    unit: str | None


def findings(n: int) -> list[Finding]:
    return [
        Finding("tender_overdue", "招标节点逾期", f"milestone:P{i % 2000:04d}/tender", Level.YELLOW,
                f"「项目{i}」招标节点已逾期 3 个工作日", ("transport",), dt.date(2026, 5, 11),
                (("m.due", dt.date(2026, 4, 30)), ("m.overdue", 3)), f"P{i % 2000:04d}", "transport")
        for i in range(n)
    ]


def start_hook() -> tuple[ThreadingHTTPServer, list[int]]:
    count = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                count[0] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, count


WAL = True  # as `duban serve` opens it (api.database.open_engine); --rollback for the other


PG_URL: str | None = None  # --pg-url: the throughput rounds on PostgreSQL instead


async def fresh(path: Path) -> Any:
    if PG_URL:  # the database emptied, then the engine and pool duban serve makes
        from tests import pg  # noqa: PLC0415

        await pg.reset_database(PG_URL)
        engine = make_engine(Settings(database_url=PG_URL))
        await open_engine(engine, 4)
        await store.migrate(engine)
        return engine
    engine = PooledSQLiteEngine(str(path), timeout=30)  # the engine duban serve uses
    if WAL:
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    await store.migrate(engine)
    return engine


def portfolio(url: str) -> Portfolio:
    return Portfolio(
        units=(Unit("transport", "市交通运输局", contacts=(url,)),),
        projects=tuple(Project(f"P{i:04d}", f"项目{i}", Category.PROJECT, "transport")
                       for i in range(2000)),
    )


async def drain(worker: DeliveryWorker) -> None:
    await worker.drain()  # what `run` does while there is work: the pipelined path


async def bench_throughput(tmp: Path, n: int, concurrency: int, rounds: int) -> None:
    server, count = start_hook()
    url = f"json://127.0.0.1:{server.server_port}/hook"
    pf = portfolio(url)
    channel = AppriseChannel()
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await channel.send(url, f"t{i}", f"b{i}", timeout=10)

    async def apprise_alone() -> float:
        """Baseline: Apprise alone, same concurrency, no database."""
        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - t0

    async def worker_with(name: str, chan: AppriseChannel | CapturingChannel) -> float:
        engine = await fresh(tmp / f"{name}.sqlite")
        await store.record_evaluation(engine, findings(n), DAY, portfolio=pf)
        before = count[0]
        worker = DeliveryWorker(engine, chan, batch_size=50, concurrency=concurrency,
                                lease_seconds=600, timeout=10)
        t0 = time.perf_counter()
        await drain(worker)
        took = time.perf_counter() - t0
        if isinstance(chan, AppriseChannel):
            assert count[0] - before == n, (count[0] - before, n)
        await close_engine(engine)
        if not PG_URL:
            (tmp / f"{name}.sqlite").unlink()
        return took

    await apprise_alone()  # warm-up: Apprise loads its plugins on first use
    direct, real, capture = [], [], []
    for r in range(rounds):  # interleaved, so a busy spell on the shared machine hits all three
        direct.append(await apprise_alone())
        real.append(await worker_with(f"real{r}", AppriseChannel()))
        capture.append(await worker_with(f"capture{r}", CapturingChannel()))
    server.shutdown()
    d, w, c = statistics.median(direct), statistics.median(real), statistics.median(capture)
    send = d / n  # what a send costs per notice at this concurrency, Apprise alone
    book = c / n  # the outbox's bookkeeping per notice (claim, try records, outcomes), no send
    print(f"delivery of {n} notices to a local json:// webhook, concurrency {concurrency}, "
          f"{'PostgreSQL' if PG_URL else 'SQLite file'}, median of {rounds} interleaved rounds:")
    print(f"  Apprise alone (baseline)        {n / d:8.1f} notices/s  ({d:.2f} s)")
    print(f"  outbox worker + Apprise         {n / w:8.1f} notices/s  ({w:.2f} s)"
          f"  = {d / w:.2f}x the baseline's throughput (goal >= 0.9x)")
    print(f"  outbox worker + capturing chan. {n / c:8.1f} notices/s  ({c:.2f} s)"
          f"  (database bookkeeping alone: {book * 1000:.2f} ms/notice"
          f" = {book / send:.2f} of a send's {send * 1000:.2f} ms; goal < 0.25)")


async def bench_enqueue(tmp: Path, n: int) -> None:
    pf = portfolio("json://127.0.0.1:9/hook")
    fs = findings(n)

    base_engine = await fresh(tmp / "plain.sqlite")
    rows = [NoticeRow(code=f"X-{i}", rule="r", subject=f.subject, unit="transport", level="yellow",
                      state="issued", project=f.project, title=f.title, message=f.message,
                      explain="[]", issued=DAY, due=DAY, lang="zh")
            for i, f in enumerate(fs)]
    t0 = time.perf_counter()
    async with write_transaction(base_engine):
        for i in range(0, n, 300):
            await NoticeRow.insert(*rows[i : i + 300]).run()
    plain = time.perf_counter() - t0

    engine = await fresh(tmp / "outbox.sqlite")
    t0 = time.perf_counter()
    async with write_transaction(engine):
        applied = await store.record_evaluation(engine, fs, DAY, portfolio=pf)
    full = time.perf_counter() - t0
    assert len(applied.issued) == n and applied.deliveries == n

    t0 = time.perf_counter()
    again = await store.record_evaluation(engine, fs, DAY, portfolio=pf)
    idle = time.perf_counter() - t0
    assert not again.issued

    print(f"enqueue {n} notices in one transaction (SQLite file):")
    print(f"  plain INSERT of notice rows (baseline)  {plain * 1000:8.1f} ms  "
          f"({plain / n * 1e6:.0f} µs/notice)")
    print(f"  record_evaluation: notices + history + outbox (+ texts, reconcile) "
          f"{full * 1000:8.1f} ms  ({full / n * 1e6:.0f} µs/notice) = {full / plain:.1f}x baseline")
    print(f"  same evaluation again (nothing to do)   {idle * 1000:8.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=400)
    parser.add_argument("--enqueue", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rollback", action="store_true",
                        help="SQLite in its default rollback journal mode (duban serve uses WAL)")
    parser.add_argument("--pg-url", help="also the throughput rounds on this PostgreSQL server "
                                         "(in a database of their own, dropped at the end)")
    args = parser.parse_args()
    global WAL, PG_URL  # noqa: PLW0603 - benchmark switches
    WAL = not args.rollback
    print(f"SQLite journal mode: {'WAL' if WAL else 'default (rollback journal)'}")
    with tempfile.TemporaryDirectory() as d:
        await bench_throughput(Path(d), args.notices, args.concurrency, args.rounds)
        await bench_enqueue(Path(d), args.enqueue)
        if args.pg_url:
            from tests import pg  # noqa: PLC0415

            with pg.temporary_database(args.pg_url) as own:
                PG_URL = own
                await bench_throughput(Path(d), args.notices, args.concurrency, args.rounds)


if __name__ == "__main__":
    asyncio.run(main())
