"""A worker process killed mid-batch loses nothing and sends nothing more than twice."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store

from .conftest import Hook, portfolio, tender

ROOT = Path(__file__).resolve().parents[2]


def _worker(db: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "notifier.worker", "--db", str(db), "--batch-size", "8",
         "--concurrency", "4", "--timeout", "1", "--lease", "4", "--idle", "0.1",
         "--base-delay", "0.1", "--max-delay", "0.5"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
async def test_sigkill_mid_batch_then_restart(tmp_path: Path, hook: Hook) -> None:
    """40 notices; the worker is SIGKILLed after some arrive; a new worker finishes the rest."""
    db = tmp_path / "duban.sqlite"
    engine = SQLiteEngine(path=str(db), timeout=30)
    await store.migrate(engine)
    pf = portfolio({"transport": (hook.url(),)})
    findings = [dataclasses.replace(tender(), subject=f"milestone:P001/m{i:02d}") for i in range(40)]
    await store.record_evaluation(engine, findings, dt.date(2026, 5, 6), portfolio=pf)
    hook.delay = 0.05  # slow receiver: the kill lands in the middle of a batch

    first = _worker(db)
    try:
        end = time.monotonic() + 30
        while len(hook.received) < 12 and time.monotonic() < end:
            await asyncio.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(10)
    got_before = len(hook.received)
    assert 12 <= got_before < 40

    second = _worker(db)
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if not await outbox.deliveries(engine, states=(outbox.PENDING,)):
                break
            await asyncio.sleep(0.2)
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(10)

    counts = collections.Counter(hook.codes())
    assert len(counts) == 40  # none lost
    views = await outbox.deliveries(engine)
    assert all(v.state == "delivered" for v in views)
    # None more than twice (the try the kill cut short, then the new worker's), unless a try
    # failed on its own: on a loaded machine a send can outlast its 1 s timeout after the
    # receiver has it, and its retry is a receipt more. Every receipt is a recorded try.
    assert sorted(v.notice for v in views) == sorted(counts)  # one delivery a notice
    for v in views:
        failed = sum(t.ok is False and t.error != outbox.INTERRUPTED for t in v.tries)
        assert counts[v.notice] <= min(2 + failed, len(v.tries)), (v.notice, v.tries)
    # Every try is recorded: one successful try per delivery, and any try cut short by the
    # kill shows as interrupted rather than vanishing.
    for v in views:
        assert sum(t.ok is True for t in v.tries) == 1
        assert all(t.ok is not None for t in v.tries)
    assert sum(len(v.tries) for v in views) >= sum(counts.values())
    # The kill did land mid-batch: some try was cut short between send and record.
    assert any(t.error == outbox.INTERRUPTED for v in views for t in v.tries)
