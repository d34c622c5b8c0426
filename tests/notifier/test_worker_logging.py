"""The standalone worker (``python -m notifier.worker``) logs as ``duban serve`` does: its own
line per outcome, and Apprise's warnings and errors only (``notifier.logs``), not Apprise's INFO
line for every message sent."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from piccolo.engine.sqlite import SQLiteEngine

from notifier import outbox, store

from .conftest import Hook, portfolio, tender

ROOT = Path(__file__).resolve().parents[2]


async def test_the_standalone_worker_logs_its_outcomes_and_not_apprises_info(tmp_path: Path, hook: Hook) -> None:
    db = tmp_path / "duban.sqlite"
    engine = SQLiteEngine(path=str(db), timeout=30)
    await store.migrate(engine)
    pf = portfolio({"transport": (hook.url(),)})
    await store.record_evaluation(engine, [tender()], dt.date(2026, 5, 6), portfolio=pf)

    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "notifier.worker", "--db", str(db), "--once", "--timeout", "5",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(worker.communicate(), 60)
    log = err.decode()

    assert worker.returncode == 0, log
    assert len(hook.received) == 1  # really sent, through Apprise, to the local receiver
    assert [v.state for v in await outbox.deliveries(engine)] == ["delivered"]
    assert "duban.notifier INFO notice" in log and "delivered to" in log, log
    assert "apprise" not in log.lower(), log  # Apprise's "Sent JSON notification." is INFO
