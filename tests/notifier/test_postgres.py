"""The delivery worker on a real PostgreSQL database: leases taken with ``FOR UPDATE SKIP
LOCKED`` by concurrent workers, exactly-once delivery to a real local webhook receiver,
backoff of a dead target beside live ones, and a killed worker's lease taken over."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from piccolo.engine.postgres import PostgresEngine

from notifier import outbox, store
from notifier.backoff import RetryPolicy
from notifier.channels import AppriseChannel
from notifier.worker import DeliveryWorker
from tests import pg

from .conftest import Finding, Hook, portfolio, tender

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 5, 6)


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[PostgresEngine]:
    """The notifier's tables in this session's PostgreSQL database, emptied first."""
    await pg.reset_database(postgres_url)
    e = PostgresEngine(config={"dsn": postgres_url})
    await e.start_connection_pool(min_size=2, max_size=20)
    try:
        await store.migrate(e)
        yield e
    finally:
        await e.close_connection_pool()


@pytest.fixture
def silent() -> Iterator[str]:
    """A webhook target that accepts connections and never answers (a hung receiver)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    try:
        yield f"json://127.0.0.1:{s.getsockname()[1]}/dead"
    finally:
        s.close()


def findings(n: int) -> list[Finding]:
    return [dataclasses.replace(tender(), subject=f"milestone:P001/m{i:02d}") for i in range(n)]


async def fetch(url: str, sql: str) -> list[asyncpg.Record]:
    """Rows of ``sql``, read with a connection of its own (not through the notifier)."""
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def pending(engine: PostgresEngine) -> list[outbox.DeliveryView]:
    return await outbox.deliveries(engine, states=(outbox.PENDING,))


async def run_until_drained(engine: PostgresEngine, *workers: DeliveryWorker,
                            within: float = 60) -> None:
    """Run ``workers`` side by side (``run``) until nothing is pending, then stop them."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop, idle=0.05)) for w in workers]
    try:
        end = time.monotonic() + within
        while await pending(engine):
            assert time.monotonic() < end, "deliveries still pending"
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_concurrent_claims_take_disjoint_rows(engine: PostgresEngine,
                                                    postgres_url: str) -> None:
    """Eight claims racing on one instant lease 60 due rows between them, none twice."""
    await outbox.enqueue(engine, [outbox.Outgoing(f"N-{i}", "issued", "transport",
                                                  (f"json://127.0.0.1:9/{i}",), "t", "b")
                                  for i in range(60)], now=1000.0)
    got = await asyncio.gather(*(
        outbox.claim(engine, worker=f"w{k}", now=1000.0, lease_seconds=30, limit=10)
        for k in range(8)
    ))
    ids = [c.id for batch in got for c in batch]
    assert len(ids) == len(set(ids)) == 60
    owners = dict(await fetch(postgres_url, "SELECT id, lease_owner FROM notifier_delivery"))
    assert all(owners[c.id] == f"w{k}" for k, batch in enumerate(got) for c in batch)
    assert await outbox.claim(engine, worker="late", now=1000.0, lease_seconds=30, limit=10) == []


async def test_a_claim_skips_rows_another_transaction_has_locked(
    engine: PostgresEngine, postgres_url: str
) -> None:
    """While a worker's claim holds the oldest rows locked, another claim takes the next ones
    at once instead of waiting for it."""
    await outbox.enqueue(engine, [outbox.Outgoing(f"N-{i}", "issued", "transport",
                                                  (f"json://127.0.0.1:9/{i}",), "t", "b")
                                  for i in range(20)], now=1000.0)
    other = await asyncpg.connect(postgres_url)
    try:
        async with other.transaction():
            held = [r["id"] for r in await other.fetch(
                "SELECT id FROM notifier_delivery ORDER BY next_at, id LIMIT 5 FOR UPDATE")]
            got = await asyncio.wait_for(
                outbox.claim(engine, worker="w2", now=1000.0, lease_seconds=30, limit=10), 20)
        ids = [r["id"] for r in await fetch(postgres_url, "SELECT id FROM notifier_delivery "
                                                          "ORDER BY next_at, id")]
        assert held == ids[:5] and [c.id for c in got] == ids[5:15]
    finally:
        await other.close()


async def test_two_workers_deliver_every_notice_exactly_once(engine: PostgresEngine,
                                                             hook: Hook) -> None:
    """40 notices, two workers draining side by side: each arrives once, by one try, and
    both workers took a share."""
    hook.delay = 0.02
    await store.record_evaluation(engine, findings(40), DAY, portfolio=portfolio(
        {"transport": (hook.url(),)}))
    workers = [DeliveryWorker(engine, AppriseChannel(), batch_size=4, concurrency=2,
                              timeout=5, lease_seconds=60, name=f"w{k}") for k in (1, 2)]
    await run_until_drained(engine, *workers)

    counts = collections.Counter(hook.codes())
    assert len(counts) == 40 and set(counts.values()) == {1}
    views = await outbox.deliveries(engine)
    assert len(views) == 40 and {v.state for v in views} == {"delivered"}
    assert all(v.attempts == 1 and len(v.tries) == 1 and v.tries[0].ok is True
               and v.tries[0].finished_at is not None for v in views)
    by_worker = collections.Counter(v.tries[0].worker for v in views)
    assert set(by_worker) == {"w1", "w2"}


async def test_dead_target_backs_off_without_holding_up_the_others(
    engine: PostgresEngine, hook: Hook, silent: str
) -> None:
    """Each notice goes to a hung target and to a live one; two workers share the rows: the
    live copies all arrive in the first round, the hung ones are retried after growing
    delays, then given up."""
    policy = RetryPolicy(max_attempts=3, base=0.3, cap=2.0)
    # 4 hung sends at a time: within Apprise's process-wide thread pool (min(32, cpus + 4)
    # threads), which a hung send occupies past its timeout.
    await store.record_evaluation(engine, findings(4), DAY, portfolio=portfolio(
        {"transport": (silent, hook.url())}))
    workers = [DeliveryWorker(engine, AppriseChannel(), batch_size=4, concurrency=4, timeout=1,
                              lease_seconds=10, policy=policy, name=f"w{k}") for k in (1, 2)]
    assert await asyncio.gather(*(w.run_once() for w in workers)) == [4, 4]

    live = hook.url().replace("/hook", "/***")
    first = await outbox.deliveries(engine)
    assert sorted(collections.Counter(hook.codes()).values()) == [1] * 4
    assert {v.state for v in first if v.target == live} == {"delivered"}
    dead = [v for v in first if v.target != live]
    assert len(dead) == 4 and all(v.state == "pending" and v.attempts == 1 for v in dead)
    assert all(v.next_at and v.tries[0].finished_at
               and v.next_at >= v.tries[0].finished_at + dt.timedelta(seconds=0.14)
               for v in dead)

    await run_until_drained(engine, *workers)
    assert len(hook.received) == 4
    failed = await outbox.failed_deliveries(engine)
    assert len(failed) == 4 and all(f.attempts == 3 and len(f.tries) == 3 for f in failed)
    for f in failed:
        assert all(t.ok is False and t.error for t in f.tries)
        gaps = [(b.started_at - a.finished_at).total_seconds()  # type: ignore[operator]
                for a, b in zip(f.tries, f.tries[1:], strict=False)]
        # Equal jitter: the wait after try k is at least half of base * 2**(k-1).
        assert gaps[0] >= 0.14 and gaps[1] >= 0.29


def _worker(dsn: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "notifier.worker", "--dsn", dsn, "--batch-size", "8",
         "--concurrency", "4", "--timeout", "1", "--lease", "4", "--idle", "0.1",
         "--base-delay", "0.1", "--max-delay", "0.5"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
async def test_lease_of_a_killed_worker_is_taken_over_when_it_expires(
    engine: PostgresEngine, postgres_url: str, hook: Hook
) -> None:
    """A worker process is SIGKILLed mid-batch: another worker leaves its leased rows alone
    until the lease runs out, then delivers them; nothing is lost, nothing sent thrice."""
    await store.record_evaluation(engine, findings(30), DAY, portfolio=portfolio(
        {"transport": (hook.url(),)}))
    hook.delay = 0.1  # slow receiver: the kill lands in the middle of a batch
    first = _worker(postgres_url)
    try:
        end = time.monotonic() + 30
        while len(hook.received) < 8 and time.monotonic() < end:
            await asyncio.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    assert 8 <= len(hook.received) < 30
    held = dict(await fetch(postgres_url, "SELECT id, lease_until FROM notifier_delivery "
                                          "WHERE state = 'pending' AND lease_owner IS NOT NULL"))
    assert held, "the killed worker held no lease"

    second = DeliveryWorker(engine, AppriseChannel(), batch_size=8, concurrency=4, timeout=5,
                            lease_seconds=60, name="second",
                            policy=RetryPolicy(max_attempts=5, base=0.1, cap=0.5))
    await run_until_drained(engine, second)

    counts = collections.Counter(hook.codes())
    assert len(counts) == 30 and max(counts.values()) <= 2
    views = {v.id: v for v in await outbox.deliveries(engine)}
    assert {v.state for v in views.values()} == {"delivered"}
    assert all(t.ok is not None for v in views.values() for t in v.tries)
    for row, lease_until in held.items():
        taken = [t for t in views[row].tries if t.worker == "second"]
        assert taken and taken[0].started_at.timestamp() >= lease_until
        assert [t.ok for t in views[row].tries].count(True) == 1
    assert any(t.error == outbox.INTERRUPTED for v in views.values() for t in v.tries)


async def test_notifier_writes_queue_behind_the_server_writers_advisory_lock(
    engine: PostgresEngine, postgres_url: str
) -> None:
    """The notifier writes in the one write transaction: while another session holds the
    writers' advisory lock, an enqueue waits for it (seen waiting in ``pg_locks``) and writes
    once the lock is released."""
    from projects.storage import WRITE_LOCK_KEY  # noqa: PLC0415

    holder = await asyncpg.connect(postgres_url)
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        task = asyncio.create_task(outbox.enqueue(engine, [outbox.Outgoing(
            "N-1", "issued", "transport", ("json://127.0.0.1:9/x",), "t", "b")], now=1000.0))
        waiting: list[asyncpg.Record] = []
        for _ in range(400):  # until the enqueue's session is seen waiting for the lock
            waiting = await holder.fetch(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 "
                "AND NOT granted AND database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database())", WRITE_LOCK_KEY)
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting and not task.done()
        assert await fetch(postgres_url, "SELECT id FROM notifier_delivery") == []
        await tx.commit()
        assert await asyncio.wait_for(task, 30) == 1
    finally:
        await holder.close()
    assert len(await fetch(postgres_url, "SELECT id FROM notifier_delivery")) == 1
