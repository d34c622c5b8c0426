"""Delivery benchmark: outbox throughput to a local webhook, and the outbox's cost per notice.

Prints figures and ratios against baselines measured in the same run:

1. delivery throughput (notices/s) of ``DeliveryWorker`` + ``AppriseChannel`` to a local
   ``json://`` webhook, against Apprise alone sending the same messages with the same
   concurrency and no database (the cost of leases and attempt records);
   and the worker with a ``CapturingChannel`` (the database bookkeeping alone);
2. enqueue cost: ``record_evaluation`` of N findings in one transaction (notices, history,
   outbox rows), against a plain bulk INSERT of N notice rows in one transaction.

Run: ``.venv/bin/python benchmarks/bench_delivery.py [--notices 400] [--enqueue 2000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from piccolo.engine.sqlite import SQLiteEngine

from api.database import PooledSQLiteEngine
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


WAL = False


async def fresh(path: Path) -> SQLiteEngine:
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
    while await worker.run_once():
        pass


async def bench_throughput(tmp: Path, n: int, concurrency: int) -> None:
    server, count = start_hook()
    url = f"json://127.0.0.1:{server.server_port}/hook"
    pf = portfolio(url)

    # Baseline: Apprise alone, same concurrency, no database.
    channel = AppriseChannel()
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await channel.send(url, f"t{i}", f"b{i}", timeout=10)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    direct = time.perf_counter() - t0

    engine = await fresh(tmp / "throughput.sqlite")
    await store.record_evaluation(engine, findings(n), DAY, portfolio=pf)
    before = count[0]
    worker = DeliveryWorker(engine, AppriseChannel(), batch_size=50, concurrency=concurrency,
                            lease_seconds=600, timeout=10)
    t0 = time.perf_counter()
    await drain(worker)
    real = time.perf_counter() - t0
    assert count[0] - before == n, (count[0] - before, n)

    engine2 = await fresh(tmp / "capture.sqlite")
    await store.record_evaluation(engine2, findings(n), DAY, portfolio=pf)
    worker2 = DeliveryWorker(engine2, CapturingChannel(), batch_size=50,
                             concurrency=concurrency, lease_seconds=600, timeout=10)
    t0 = time.perf_counter()
    await drain(worker2)
    capture = time.perf_counter() - t0
    server.shutdown()

    print(f"delivery of {n} notices to a local json:// webhook, concurrency {concurrency}:")
    print(f"  Apprise alone (baseline)        {n / direct:8.1f} notices/s  ({direct:.2f} s)")
    print(f"  outbox worker + Apprise         {n / real:8.1f} notices/s  ({real:.2f} s)"
          f"  = {real / direct:.2f}x the baseline's time")
    print(f"  outbox worker + capturing chan. {n / capture:8.1f} notices/s  ({capture:.2f} s)"
          f"  (database bookkeeping alone: {capture / n * 1000:.2f} ms/notice)")


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
    parser.add_argument("--wal", action="store_true", help="SQLite in WAL journal mode")
    args = parser.parse_args()
    global WAL  # noqa: PLW0603 - a benchmark switch
    WAL = args.wal
    print(f"SQLite journal mode: {'WAL' if WAL else 'default (rollback journal)'}")
    with tempfile.TemporaryDirectory() as d:
        await bench_throughput(Path(d), args.notices, args.concurrency)
        await bench_enqueue(Path(d), args.enqueue)


if __name__ == "__main__":
    asyncio.run(main())
