"""The pooled SQLite engine: bounded connections, commits outside transactions, broken ones dropped."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from piccolo.querystring import QueryString

from api.database import PooledSQLiteEngine


async def test_concurrent_queries_share_at_most_pool_size_connections(tmp_path: Path) -> None:
    """Twenty queries at once all answer, over no more than the pool's two connections."""
    engine = PooledSQLiteEngine(str(tmp_path / "d.sqlite"), pool_size=2)
    rows = await asyncio.gather(*(engine.run_querystring(QueryString("SELECT {} AS n", i)) for i in range(20)))
    assert [r[0]["n"] for r in rows] == list(range(20))
    assert engine._open <= 2 and len(engine._idle) == engine._open
    await engine.close_pool()
    assert engine._open == 0


async def test_a_write_outside_a_transaction_is_committed(tmp_path: Path) -> None:
    """A statement run on a pooled connection is committed: another connection sees it."""
    path = tmp_path / "d.sqlite"
    engine = PooledSQLiteEngine(str(path), pool_size=1)
    await engine.run_querystring(QueryString("CREATE TABLE t (x INTEGER)"))
    await engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", 7))
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT x FROM t").fetchall() == [(7,)]
    await engine.close_pool()


async def test_a_failing_statement_drops_its_connection_and_the_pool_goes_on(tmp_path: Path) -> None:
    """A statement that fails raises, its connection is closed, and later queries still run."""
    engine = PooledSQLiteEngine(str(tmp_path / "d.sqlite"), pool_size=1)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await engine.run_querystring(QueryString("SELECT * FROM missing"))
    assert engine._open == 0
    assert (await engine.run_querystring(QueryString("SELECT 1 AS one")))[0]["one"] == 1
    await engine.close_pool()


async def test_transactions_reuse_connections_and_roll_back_cleanly(tmp_path: Path) -> None:
    """A transaction's connection is kept for the next one; a transaction that raises rolls
    back (nothing of it stays) and the kept connection is outside any transaction."""
    engine = PooledSQLiteEngine(str(tmp_path / "d.sqlite"), pool_size=2)
    await engine.run_querystring(QueryString("CREATE TABLE t (x INTEGER)"))
    async with engine.transaction():
        await engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", 1))
    assert len(engine._spare) == 1
    kept = engine._spare[0]
    with pytest.raises(RuntimeError, match="refused"):
        async with engine.transaction():
            await engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", 2))
            raise RuntimeError("refused")
    assert engine._spare == [kept] and not kept.in_transaction
    rows = await engine.run_querystring(QueryString("SELECT x FROM t"))
    assert [r["x"] for r in rows] == [1]
    await engine.close_pool()
    assert engine._spare == []


def test_a_process_that_never_closes_the_pool_still_exits(tmp_path: Path) -> None:
    """Kept connections do not hold the interpreter open: a script that forgets close_pool ends."""
    script = (
        "import asyncio\n"
        "from piccolo.querystring import QueryString\n"
        "from api.database import PooledSQLiteEngine\n"
        f"engine = PooledSQLiteEngine({str(tmp_path / 'd.sqlite')!r})\n"
        "async def main():\n"
        "    await engine.run_querystring(QueryString('SELECT 1'))\n"
        "    async with engine.transaction():\n"
        "        await engine.run_querystring(QueryString('SELECT 2'))\n"
        "asyncio.run(main())\n"
        "print('done')\n"
    )
    ran = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert ran.returncode == 0 and ran.stdout.strip() == "done", ran.stderr


async def test_writing_transactions_queue_in_process_and_nested_ones_join(tmp_path: Path) -> None:
    """Ten writing transactions at once all commit, one at a time; a writing transaction opened
    inside another joins it instead of waiting for itself."""
    from piccolo.engine.sqlite import TransactionType  # noqa: PLC0415

    engine = PooledSQLiteEngine(str(tmp_path / "d.sqlite"))
    await engine.run_querystring(QueryString("CREATE TABLE t (x INTEGER)"))
    inside = 0
    most = 0

    async def write(i: int) -> None:
        nonlocal inside, most
        async with engine.transaction(transaction_type=TransactionType.immediate):
            inside += 1
            most = max(most, inside)
            await engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", i))
            async with engine.transaction(transaction_type=TransactionType.immediate):
                await engine.run_querystring(QueryString("INSERT INTO t VALUES ({})", 100 + i))
            await asyncio.sleep(0)
            inside -= 1

    await asyncio.wait_for(asyncio.gather(*(write(i) for i in range(10))), timeout=30)
    rows = await engine.run_querystring(QueryString("SELECT count(*) AS n FROM t"))
    assert rows[0]["n"] == 20 and most == 1
    await engine.close_pool()
