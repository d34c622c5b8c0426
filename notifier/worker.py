"""The delivery worker: drains the outbox through a ``Channel``, one database, one worker.

Owns the loop claim → send → record. Invariants:

- Rows are taken under a lease (see ``notifier.outbox``); the lease outlasts the slowest
  possible batch (``timeout`` × rounds of ``concurrency``), so a live worker never loses a
  row to another, and a dead one's rows come back when its lease runs out.
- Each try is recorded as begun before the send and as done after it. A crash between the
  send and the record makes the message go out at most once more — never lost.
- Targets are sent concurrently (``concurrency``), each under ``timeout``: a dead target
  holds up nothing but its own row.
- A failed try is retried after an exponential, jittered delay (``RetryPolicy``), and given
  up after ``policy.max_attempts`` tries (state ``failed``, shown by
  ``outbox.failed_deliveries``). A target Apprise cannot parse is given up at once.
- Only redacted targets reach the log.

Run alone: ``python -m notifier.worker --db duban.sqlite`` or ``--dsn postgresql://...``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import os
import random
import socket
import time
from collections.abc import Callable

from notifier import outbox
from notifier.backoff import RetryPolicy
from notifier.channels import AppriseChannel, Channel
from notifier.errors import DeliveryConfigError
from notifier.redact import redact_text
from notifier.tables import TABLES
from projects.storage import DbEngine, bind

log = logging.getLogger("duban.notifier")

Clock = Callable[[], float]


class DeliveryWorker:
    """Delivers pending outbox rows; ``run_once`` for one batch, ``run`` until stopped."""

    def __init__(
        self,
        engine: DbEngine,
        channel: Channel,
        *,
        batch_size: int = 50,
        concurrency: int = 8,
        lease_seconds: float = 120.0,
        timeout: float = 20.0,
        policy: RetryPolicy | None = None,
        name: str | None = None,
        clock: Clock = time.time,
        rng: random.Random | None = None,
    ) -> None:
        if batch_size < 1 or concurrency < 1:
            raise DeliveryConfigError("batch_size/concurrency", "both must be at least 1")
        slowest = timeout * math.ceil(batch_size / concurrency) + 2 * timeout
        if lease_seconds < slowest:
            raise DeliveryConfigError(
                "lease_seconds",
                f"{lease_seconds:g} s is shorter than the slowest batch ({slowest:g} s = timeout "
                f"{timeout:g} s × {math.ceil(batch_size / concurrency)} rounds + margin); "
                f"use lease_seconds >= {slowest:g} or a smaller batch",
            )
        self.engine = engine
        self.channel = channel
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.timeout = timeout
        self.policy = policy or RetryPolicy()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.rng = rng or random.Random()

    async def run_once(self) -> int:
        """Claim one batch of due deliveries and try each; returns how many were tried."""
        batch = await outbox.claim(
            self.engine, worker=self.name, now=self.clock(),
            lease_seconds=self.lease_seconds, limit=self.batch_size,
        )
        if not batch:
            return 0
        gate = asyncio.Semaphore(self.concurrency)

        async def one(item: outbox.Claimed) -> None:
            async with gate:
                await self._deliver(item)

        await asyncio.gather(*(one(item) for item in batch))
        return len(batch)

    async def _deliver(self, item: outbox.Claimed) -> None:
        attempt_id, number = await outbox.start_attempt(
            self.engine, item, worker=self.name, now=self.clock()
        )
        try:
            result = await self.channel.send(item.target, item.title, item.body, timeout=self.timeout)
            ok, error, permanent = result.ok, result.error, result.permanent
        except Exception as exc:  # a broken channel must not stop the batch
            ok, error, permanent = False, f"{type(exc).__name__}: {exc}", False
        if error:
            error = redact_text(error, [item.target])
        now = self.clock()
        retry_at = None
        if not ok and not permanent and not self.policy.gives_up(number):
            retry_at = now + self.policy.delay(number, self.rng.random())
        state = await outbox.finish_attempt(
            self.engine, item, attempt_id, worker=self.name, now=now, ok=ok, error=error,
            retry_at=retry_at,
        )
        # One line per outcome: the redacted target only, the error cut to a readable length.
        if ok:
            log.info("notice %s delivered to %s (try %d)", item.notice, item.target_label, number)
        elif state == outbox.FAILED:
            log.warning("notice %s to %s given up after %d tries: %.300s", item.notice,
                        item.target_label, number, error)
        else:
            log.info("notice %s to %s: try %d failed, retry in %.0f s: %.300s", item.notice,
                     item.target_label, number, (retry_at or now) - now, error)

    async def run(self, stop: asyncio.Event, *, idle: float = 1.0) -> None:
        """Deliver until ``stop`` is set; sleeps ``idle`` seconds when nothing is due.

        A database error is logged and retried after ``idle``: the worker outlives a
        database restart.
        """
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:
                log.exception("delivery batch failed; retrying in %.1f s", idle)
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle)


def _engine(args: argparse.Namespace) -> DbEngine:
    if args.dsn:
        from piccolo.engine.postgres import PostgresEngine  # noqa: PLC0415 - only when asked

        return PostgresEngine(config={"dsn": args.dsn})
    from piccolo.engine.sqlite import SQLiteEngine  # noqa: PLC0415 - only when asked

    return SQLiteEngine(path=args.db, timeout=30)


def _bound(engine: DbEngine) -> DbEngine:
    """``engine`` with the notifier's tables bound to it: once, here where it is opened."""
    bind(engine, TABLES)
    return engine


def main(argv: list[str] | None = None) -> int:
    """``python -m notifier.worker``: a standalone delivery worker for one database."""
    parser = argparse.ArgumentParser(prog="python -m notifier.worker", description=main.__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="SQLite database file")
    where.add_argument("--dsn", help="PostgreSQL URL (postgresql://user@host/db)")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--lease", type=float, default=None, help="lease seconds (default: derived)")
    parser.add_argument("--max-attempts", type=int, default=8)
    parser.add_argument("--base-delay", type=float, default=30.0)
    parser.add_argument("--max-delay", type=float, default=3600.0)
    parser.add_argument("--idle", type=float, default=1.0)
    parser.add_argument("--once", action="store_true", help="deliver what is due, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    lease = args.lease or args.timeout * (math.ceil(args.batch_size / args.concurrency) + 2)
    worker = DeliveryWorker(
        _bound(_engine(args)), AppriseChannel(), batch_size=args.batch_size,
        concurrency=args.concurrency, lease_seconds=lease, timeout=args.timeout,
        policy=RetryPolicy(args.max_attempts, args.base_delay, args.max_delay),
    )

    async def go() -> None:
        if args.once:
            while await worker.run_once():
                pass
            return
        await worker.run(asyncio.Event(), idle=args.idle)

    asyncio.run(go())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
