"""Database wiring: the Piccolo engine for a URL (a pooled one for SQLite), every table of
every package bound to it once, and ``duban db migrate`` over every app.

The convention itself (binding, the one write transaction with PostgreSQL's advisory lock,
savepoints, the migration runner) is ``projects.storage``; this module applies it to the whole
server: ``ALL_TABLES`` and ``MIGRATION_APPS`` list every package, the notifier's included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.table import Table

from api import tables as api_tables
from api.settings import Settings
from notifier import tables as notifier_tables
from projects import storage
from projects import tables as project_tables
from projects.storage import DbEngine
from rules import tables as rule_tables

#: Apps whose migrations run, in order.
MIGRATION_APPS = ("api", "projects", "rules", "notifier")

ALL_TABLES: tuple[type[Table], ...] = (
    *api_tables.TABLES,
    *project_tables.TABLES,
    *rule_tables.TABLES,
    *notifier_tables.TABLES,
)


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, keeping its connections.

    Piccolo opens a new connection (and, through aiosqlite, a new thread) for every query run
    outside a transaction and for every transaction, and repeats ``PRAGMA foreign_keys``
    before every query inside one: most of the cost of a small request. Here queries outside
    a transaction borrow one of up to ``pool_size`` open connections (WAL lets them read while
    a writer writes; each query commits as before), a transaction reuses a connection an
    earlier one finished with, and a connection that has the pragma set is not told again.
    """

    def __init__(self, path: str, *, pool_size: int = 4, **kwargs: Any) -> None:
        super().__init__(path=path, **kwargs)
        self._idle: list[Any] = []
        self._open = 0
        self._pool_size = pool_size
        self._returned: asyncio.Condition | None = None
        self._spare: list[Any] = []  # connections kept between transactions
        self._writer: asyncio.Lock | None = None

    async def _connect(self) -> Any:
        """A new connection, as Piccolo's ``get_connection`` makes it, whose aiosqlite thread
        is a daemon: a kept connection must not hold the process open at exit when its owner
        never closed the pool (committed data is already in the database file)."""
        # Any: aiosqlite types neither the thread nor the attribute this sets
        connection: Any = aiosqlite.connect(**self.connection_kwargs)
        connection._thread.daemon = True  # aiosqlite starts the thread when awaited
        await connection
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        connection.duban_foreign_keys = True
        return connection

    async def get_connection(self) -> Any:
        """The connection of a new transaction: a spare one when there is one. Piccolo closes
        it when the transaction ends; that hands it back instead (``_Lent``)."""
        if self._spare:
            return _Lent(self, self._spare.pop())
        return _Lent(self, await self._connect())

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> Any:
        """Piccolo's transaction; a writing one (``IMMEDIATE``/``EXCLUSIVE``) that is not
        nested in another first queues on this process's writer lock. SQLite lets one writer
        in at a time and makes the others poll with growing sleeps; queueing in the event loop
        instead hands the lock over as soon as it is free."""
        inner = super().transaction(transaction_type=transaction_type, allow_nested=allow_nested)
        if transaction_type is TransactionType.deferred or self.current_transaction.get() is not None:
            return inner
        if self._writer is None:
            self._writer = asyncio.Lock()
        return _Queued(self._writer, inner)

    async def _keep(self, connection: Any) -> None:
        """Keep a connection a transaction is done with, unless it is still inside one (a
        rollback that failed) or enough are kept already."""
        if connection.in_transaction or len(self._spare) >= self._pool_size:
            await connection.close()
        else:
            self._spare.append(connection)

    async def _borrow(self) -> Any:
        if self._returned is None:
            self._returned = asyncio.Condition()
        async with self._returned:
            while not self._idle and self._open >= self._pool_size:
                await self._returned.wait()
            if self._idle:
                return self._idle.pop()
            self._open += 1
        try:
            return await self._connect()
        except BaseException:
            async with self._returned:
                self._open -= 1
                self._returned.notify()
            raise

    async def _give_back(self, connection: Any, *, broken: bool) -> None:
        assert self._returned is not None
        if broken:
            await connection.close()
        async with self._returned:
            if broken:
                self._open -= 1
            else:
                self._idle.append(connection)
            self._returned.notify()

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None,
                                     query_type: str = "generic", table: Any = None) -> Any:
        connection = await self._borrow()
        broken = True
        try:
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
            await connection.commit()
            broken = False
            return rows
        finally:
            if broken:  # a failed statement: roll back whatever it began, drop the connection
                with contextlib.suppress(Exception):
                    await connection.rollback()
            await self._give_back(connection, broken=broken)

    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None) -> Any:
        if not getattr(connection, "duban_foreign_keys", False):
            await connection.execute("PRAGMA foreign_keys = 1")
            connection.duban_foreign_keys = True
        connection.row_factory = dict_factory
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        spare, self._spare = self._spare, []
        for connection in (*idle, *spare):
            await connection.close()


class _Queued:
    """A writing transaction entered once its process-wide writer lock is held."""

    __slots__ = ("_inner", "_lock")

    def __init__(self, lock: asyncio.Lock, inner: Any) -> None:
        self._lock = lock
        self._inner = inner

    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            return await self._inner.__aenter__()
        except BaseException:
            self._lock.release()
            raise

    async def __aexit__(self, *exc: Any) -> Any:
        try:
            return await self._inner.__aexit__(*exc)
        finally:
            self._lock.release()


class _Lent:
    """A connection lent to a Piccolo transaction; its ``close()`` gives it back for reuse."""

    __slots__ = ("_connection", "_engine")

    def __init__(self, engine: PooledSQLiteEngine, connection: Any) -> None:
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._connection, name, value)

    async def close(self) -> None:
        await self._engine._keep(self._connection)


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by the server's account only (0600): it holds contacts
    and password hashes. SQLite gives its -wal and -shm files the same mode."""
    if str(path) in {"", ":memory:"}:
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(settings: Settings) -> DbEngine:
    """The Piccolo engine for the settings' database URL (not yet connected)."""
    url = settings.database_url
    if settings.is_sqlite:
        _create_private(settings.sqlite_path)
        return PooledSQLiteEngine(str(settings.sqlite_path), timeout=30)
    parts = urlsplit(url)
    config = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
    }
    return PostgresEngine(config=config, extensions=())


def bind(engine: DbEngine, tables: Iterable[type[Table]] = ALL_TABLES) -> None:
    """Point every table of every package at ``engine``: once, where the engine is opened."""
    storage.bind(engine, tables)


async def open_engine(engine: DbEngine, pool_size: int = 10) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: DbEngine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


async def migrate(engine: DbEngine, *, echo: bool = False) -> list[str]:
    """Bind every table to ``engine`` and apply every migration of every app not yet applied
    (``projects.storage.migrate``); names the ones run."""
    bind(engine)
    return await storage.migrate(engine, MIGRATION_APPS, echo=echo)
