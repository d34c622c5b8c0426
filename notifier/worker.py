"""The delivery worker: drains the outbox through a ``Channel``, one database, one worker.

Owns the loop claim → send → record. Invariants:

- Rows are taken under a lease (see ``notifier.outbox``); the lease outlasts the slowest
  possible batch (``timeout`` × rounds of ``concurrency``), so a live worker never loses a
  row to another, and a dead one's rows come back when its lease runs out.
- Each try is recorded as begun before the send (by the claim, for the whole batch) and as
  done after it (outcomes written in groups, ``_Recorder``: an outcome waits at most
  ``linger`` seconds for the others of its group). A crash between the send and the record
  makes the message go out at most once more — never lost.
- ``run`` drains the outbox as a pipeline (``drain``): the next claim is made while the
  last claimed rows are being sent, so the sends never wait for the database.
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
from collections import deque
from collections.abc import Callable
from typing import Any

from notifier import logs, outbox
from notifier.backoff import RetryPolicy
from notifier.channels import AppriseChannel, Channel
from notifier.errors import DeliveryConfigError
from notifier.redact import redact_text
from notifier.tables import TABLES
from projects.storage import DbEngine, bind

log = logging.getLogger("duban.notifier")

#: The session advisory lock the delivery worker of a PostgreSQL database holds while it
#: delivers (``DeliveryWorker.run_elected``); the writers' transaction lock is another key.
DELIVERY_LOCK_KEY = 734_202

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
        linger: float = 0.05,
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
        self.linger = linger

    async def run_once(self) -> int:
        """Claim one batch of due deliveries and try each; returns how many were tried.
        Their outcomes are on record when it returns."""
        batch = await self._claim(self.batch_size)
        if not batch:
            return 0
        recorder = _Recorder(self.engine, self.name, self.linger, self.batch_size)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(item: outbox.Claimed) -> None:
            async with gate:
                await self._deliver(item, recorder)

        try:
            await asyncio.gather(*(one(item) for item in batch))
        finally:
            await recorder.settle()
        return len(batch)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Deliver until nothing is due (or ``stop`` is set); returns how many were tried.

        A pipeline: ``concurrency`` sends at a time, the next claim made while the last of
        the claimed rows are still being sent, so sending never waits for the database. At
        most ``batch_size`` rows are held at once (claimed and not yet recorded), the bound
        the lease was checked against. Outcomes are on record when it returns.
        """
        recorder = _Recorder(self.engine, self.name, self.linger, self.batch_size)
        queue: deque[outbox.Claimed] = deque()
        sending: set[asyncio.Task[None]] = set()
        claiming: asyncio.Task[list[outbox.Claimed]] | None = None
        exhausted, total = False, 0
        try:
            while True:
                room = self.batch_size - len(queue) - len(sending)
                if (claiming is None and not exhausted and room > 0
                        and len(queue) < self.concurrency and not (stop and stop.is_set())):
                    claiming = asyncio.create_task(self._claim(room))
                while queue and len(sending) < self.concurrency:
                    sending.add(asyncio.create_task(self._deliver(queue.popleft(), recorder)))
                waiting: set[asyncio.Future[Any]] = {*sending, *([claiming] if claiming else [])}
                if not waiting:
                    return total
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if claiming is not None and claiming in done:
                    got, claiming = claiming.result(), None  # a database error ends the drain
                    exhausted = not got
                    queue.extend(got)
                    total += len(got)
                sending.difference_update(done)
        finally:
            for task in (*sending, *([claiming] if claiming else [])):
                task.cancel()
            await asyncio.gather(*sending, *([claiming] if claiming else []), return_exceptions=True)
            await recorder.settle()

    async def _claim(self, limit: int) -> list[outbox.Claimed]:
        return await outbox.claim(
            self.engine, worker=self.name, now=self.clock(),
            lease_seconds=self.lease_seconds, limit=limit,
        )

    async def _deliver(self, item: outbox.Claimed, recorder: _Recorder) -> None:
        try:
            result = await self.channel.send(item.target, item.title, item.body, timeout=self.timeout)
            ok, error, permanent = result.ok, result.error, result.permanent
        except Exception as exc:  # a broken channel must not stop the batch
            ok, error, permanent = False, f"{type(exc).__name__}: {exc}", False
        if error:
            error = redact_text(error, [item.target])
        now = self.clock()
        number = item.number
        retry_at = None
        if not ok and not permanent and not self.policy.gives_up(number):
            retry_at = now + self.policy.delay(number, self.rng.random())
        outcome = outbox.Outcome(item, ok, error, now, retry_at)
        recorder.add(outcome)
        # One line per outcome: the redacted target only, the error cut to a readable length.
        if ok:
            log.info("notice %s delivered to %s (try %d)", item.notice, item.target_label, number)
        elif outcome.state == outbox.FAILED:
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
                done = await self.drain(stop)
            except Exception:
                log.exception("delivery batch failed; retrying in %.1f s", idle)
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle)


    async def run_elected(self, stop: asyncio.Event, *, idle: float = 1.0,
                          check: float = 5.0) -> None:
        """``run``, in one process only among those sharing a PostgreSQL database: each
        waits for the session advisory lock ``DELIVERY_LOCK_KEY`` on a connection of its own
        (tried every ``check`` seconds); the holder delivers and checks its connection as
        often. When the holder dies its connection closes, PostgreSQL frees the lock and the
        next process to try takes over; a holder whose connection is lost stops delivering.
        Should two ever deliver at once, the leases still give each row to one of them."""
        while not stop.is_set():
            try:
                await self._deliver_if_elected(stop, idle=idle, check=check)
            except Exception:
                log.exception("notice delivery election failed; trying again in %.0f s", check)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=check)

    async def _deliver_if_elected(self, stop: asyncio.Event, *, idle: float, check: float) -> None:
        connection: Any = await self.engine.get_new_connection()  # type: ignore[attr-defined]
        try:
            if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", DELIVERY_LOCK_KEY):
                return
            log.warning("notice delivery runs in this process (pid %d, worker %s)", os.getpid(), self.name)
            mine = asyncio.Event()
            task = asyncio.create_task(self.run(mine, idle=idle))
            try:
                while not stop.is_set() and not task.done():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=check)
                    await connection.fetchval("SELECT 1")  # the lock lives as long as this session
            finally:
                mine.set()
                await task
        finally:
            with contextlib.suppress(Exception):
                await connection.close()  # frees the lock too


class _Recorder:
    """Writes outcomes in groups (group commit): an outcome waits up to ``linger`` seconds,
    or until ``enough`` have gathered, for the others of its group; one transaction records
    them all (``outbox.finish_attempts``). ``settle`` writes what is left. A write that
    fails keeps its outcomes for the next one; should none succeed, the rows' leases run
    out and the tries show as interrupted: resent at most once more, never lost."""

    def __init__(self, engine: DbEngine, worker: str, linger: float, enough: int) -> None:
        self.engine, self.worker, self.linger, self.enough = engine, worker, linger, enough
        self.pending: list[outbox.Outcome] = []
        self.full = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def add(self, outcome: outbox.Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= self.enough:
            self.full.set()
        if self.task is None or self.task.done():
            if self.task is not None and not self.task.cancelled() and self.task.exception():
                log.warning("recording delivery outcomes failed; trying again: %s",
                            self.task.exception())
            self.task = asyncio.create_task(self._write(self.linger))

    async def _write(self, linger: float) -> None:
        while self.pending:
            if linger > 0 and not self.full.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.full.wait(), timeout=linger)
            group, self.pending = self.pending, []
            self.full.clear()
            try:
                await outbox.finish_attempts(self.engine, group, worker=self.worker)
            except BaseException:
                self.pending[:0] = group
                raise

    async def settle(self) -> None:
        """Write every outcome added so far, now (raises if the database refuses)."""
        self.full.set()
        if self.task is not None and not self.task.done():
            await self.task
        if self.pending:
            self.task = asyncio.create_task(self._write(0))
            await self.task


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
    logs.configure()  # the libraries quietened as in `duban serve` (Apprise logs every send at INFO)
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
