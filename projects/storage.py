"""The persistence convention every package follows, in one place: binding tables, the write
transaction, savepoints and the migration runner.

It sits in the lowest layer so that every package's repository can use it (``projects``,
``rules``, ``notifier``, ``api``):

- **Tables are bound once**, by whoever opens the engine (the server at startup, a command, a
  standalone worker, a test fixture): ``bind(engine, tables)``. Repositories never bind.
- **One write transaction**, ``write_transaction(engine)``: on SQLite ``BEGIN IMMEDIATE`` (two
  writers queue on the lock instead of failing on upgrade); on PostgreSQL a transaction that
  first takes the advisory lock ``WRITE_LOCK_KEY``, so writers queue instead of deadlocking and
  the audit chain has one writer at a time. Inside a transaction already open it joins it (the
  advisory lock is re-entrant within the session).
- **Migrations for every app**: ``APP/piccolo_migrations/mNNNN_<what>.py`` with ``async def
  forwards(engine)``; each migration freezes the tables it creates, so a later change to
  ``tables.py`` comes with a new migration. ``migrate(engine, apps)`` runs, in order, each one
  not yet recorded in ``duban_migration``, each in its own write transaction that checks the
  record again (two processes starting together run each migration once).

Piccolo's own migration CLI is bound to one global engine from ``piccolo_conf.py``; the server
needs an engine per settings (and tests one per backend), hence this small runner.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast

from piccolo.columns import Column, Serial, Varchar
from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

#: Piccolo's engine, typed once here for every package (its ``Engine`` is generic in the
#: transaction type, which nothing here depends on).
DbEngine: TypeAlias = "Engine[Any]"



class Keyed:
    """Mixed into every table: Piccolo gives a table that declares no primary key a serial
    ``id`` column when the class is made; this declares that column to the type checker only
    (at run time the class body is empty, so Piccolo's own column is the one used), so
    ``Row.id`` is a column and ``row.id`` an ``int`` without an ignore at each use."""

    if TYPE_CHECKING:
        id = Serial(primary_key=True)


#: Column values for Piccolo's ``update`` (its parameter is keyed by columns or their names).
Changes: TypeAlias = "dict[Column | str, Any]"


def changes(values: Mapping[str, Any]) -> Changes:
    """``values`` (column name -> value) as the mapping Piccolo's ``update`` is typed to take."""
    out: Changes = {}
    out.update(values.items())
    return out


#: Advisory lock id held by every writer on PostgreSQL.
WRITE_LOCK_KEY = 734_201


class MigrationRow(Keyed, Table, tablename="duban_migration"):
    """One migration applied: which app, which module, when."""

    app = Varchar(length=32)
    name = Varchar(length=128)
    applied_at = Varchar(length=40)


class _Migration(Protocol):
    async def forwards(self, engine: DbEngine) -> None: ...


def bind(engine: DbEngine, tables: Iterable[type[Table]]) -> None:
    """Point ``tables`` at ``engine`` (Piccolo keeps the engine on each table class)."""
    for table in tables:
        table._meta.db = engine


def is_postgres(engine: DbEngine) -> bool:
    """Whether ``engine`` speaks PostgreSQL (row locks, advisory locks)."""
    return getattr(engine, "engine_type", "") in {"postgres", "cockroach"}


async def raw(engine: DbEngine, sql: str, *args: object) -> list[dict[str, Any]]:
    """Run one SQL statement with ``{}`` placeholders; the rows as dicts."""
    return cast(list[dict[str, Any]], await engine.run_querystring(QueryString(sql, *args)))


@functools.cache
def _native(sql: str, postgres: bool) -> str:
    """``sql``'s ``{}`` placeholders in the driver's own spelling (``$1, $2, ...`` or ``?``)."""
    if postgres:
        parts = sql.split("{}")
        return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]
    return sql.replace("{}", "?")


async def fetch(engine: DbEngine, sql: str, *args: object) -> list[dict[str, Any]]:
    """``raw``, run straight on the write transaction's connection when there is one (a report
    group's few statements): the statement's text made once (``_native``, cached) instead of
    Piccolo building a query and a query string each time; outside a transaction, ``raw``."""
    transaction = engine.current_transaction.get()
    if transaction is None:
        return await raw(engine, sql, *args)
    connection = transaction.connection
    if is_postgres(engine):
        return [dict(r) for r in await connection.fetch(_native(sql, True), *args)]
    async with connection.execute(_native(sql, False), args) as cursor:
        return cast(list[dict[str, Any]], await cursor.fetchall())


async def execute_many(engine: DbEngine, sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Run one statement with ``{}`` placeholders once per row, prepared once (the driver's
    ``executemany``), on the current write transaction's connection: Piccolo builds a query
    object and string per row, which costs more than the database's own work for a group of
    reports or a re-evaluation's findings."""
    if not rows:
        return
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("execute_many needs the write transaction (storage.write_transaction)")
    await transaction.connection.executemany(_native(sql, is_postgres(engine)), [tuple(r) for r in rows])


@asynccontextmanager
async def write_transaction(engine: DbEngine) -> AsyncIterator[None]:
    """A transaction for a change: writers are serialised, readers are not blocked."""
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
        return
    async with engine.transaction():
        await raw(engine, f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        yield


async def savepoint(engine: DbEngine) -> Any:
    """A savepoint in the current write transaction (``rollback_to()`` / ``release()``)."""
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("a savepoint needs the write transaction (storage.write_transaction)")
    return await transaction.savepoint()


def migration_modules(app: str) -> list[tuple[str, _Migration]]:
    """The migrations of ``app`` in name order (loaded by name: the one plugin-style import)."""
    package: ModuleType = importlib.import_module(f"{app}.piccolo_migrations")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("m"))
    return [(n, cast(_Migration, importlib.import_module(f"{app}.piccolo_migrations.{n}")))
            for n in names]


async def applied_migrations(engine: DbEngine) -> set[tuple[str, str]]:
    """Every (app, migration) recorded as applied; creates the record table if missing."""
    bind(engine, (MigrationRow,))
    await MigrationRow.create_table(if_not_exists=True)
    rows = await MigrationRow.select(MigrationRow.app, MigrationRow.name).run()
    return {(r["app"], r["name"]) for r in rows}


async def migrate(engine: DbEngine, apps: Sequence[str], *, echo: bool = False) -> list[str]:
    """Apply every migration of ``apps`` not yet applied, in order; names the ones run."""
    done = await applied_migrations(engine)
    ran: list[str] = []
    for app in apps:
        for name, module in migration_modules(app):
            if (app, name) in done:
                continue
            async with write_transaction(engine):
                if await MigrationRow.exists().where(
                        (MigrationRow.app == app) & (MigrationRow.name == name)).run():
                    continue  # another process applied it meanwhile
                await module.forwards(engine)
                await MigrationRow.insert(MigrationRow(
                    app=app, name=name, applied_at=dt.datetime.now(dt.UTC).isoformat())).run()
            ran.append(f"{app}.{name}")
            if echo:
                print(f"applied {app}.{name}")
    return ran
