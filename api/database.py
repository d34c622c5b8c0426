"""Database wiring: the Piccolo engine for a URL, binding tables to it, write transactions,
and the migration runner behind ``duban db migrate``.

Each app (``api``, ``projects``, ``rules``) keeps its migrations in ``piccolo_migrations/``
as modules ``mNNNN_<what>.py`` with ``async def forwards(engine) -> None``; a migration
defines the tables it creates itself (frozen), so a later change to ``tables.py`` comes with a
new migration instead of rewriting history. ``duban_migration`` records what ran. Piccolo's
own migration CLI is bound to one global engine from ``piccolo_conf.py``; the server needs an
engine per settings (and tests one per backend), hence this small runner.

Writes go through :func:`write_transaction`: on SQLite an ``IMMEDIATE`` transaction, on
PostgreSQL a transaction holding an advisory lock, so writers queue instead of deadlocking
and the audit chain is appended by one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString
from piccolo.table import Table

from api import tables as api_tables
from api.settings import Settings
from projects import tables as project_tables
from rules import tables as rule_tables

#: Apps whose migrations run, in order.
MIGRATION_APPS = ("api", "projects", "rules")
_WRITE_LOCK_KEY = 734_201  # advisory lock id for writers on PostgreSQL

ALL_TABLES: tuple[type[Table], ...] = (
    *api_tables.TABLES,
    *project_tables.TABLES,
    *rule_tables.TABLES,
)


def make_engine(settings: Settings) -> Engine:
    """The Piccolo engine for the settings' database URL (not yet connected)."""
    url = settings.database_url
    if settings.is_sqlite:
        return SQLiteEngine(path=str(settings.sqlite_path), timeout=30)
    parts = urlsplit(url)
    config = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
    }
    return PostgresEngine(config=config, extensions=())


def bind(engine: Engine, tables: Iterable[type[Table]] = ALL_TABLES) -> None:
    """Point the tables at ``engine`` (Piccolo keeps the engine on each table class)."""
    for table in tables:
        table._meta.db = engine


async def open_engine(engine: Engine, pool_size: int = 10) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


def is_postgres(engine: Engine) -> bool:
    return isinstance(engine, PostgresEngine)


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[None]:
    """A transaction for a change: writers are serialised, readers are not blocked."""
    if isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate):
            yield
        return
    async with engine.transaction():
        await _raw(engine, f"SELECT pg_advisory_xact_lock({_WRITE_LOCK_KEY})")
        yield


async def savepoint(engine: Engine) -> Any:
    """A savepoint in the current write transaction (``rollback_to()`` / ``release()``)."""
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("a savepoint needs the write transaction (database.write_transaction)")
    return await transaction.savepoint()


async def _raw(engine: Engine, sql: str, *args: object) -> list[dict[str, object]]:
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


def _migration_modules(app: str) -> list[tuple[str, object]]:
    package = importlib.import_module(f"{app}.piccolo_migrations")
    names = sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("m")
    )
    return [(n, importlib.import_module(f"{app}.piccolo_migrations.{n}")) for n in names]


async def applied_migrations(engine: Engine) -> set[tuple[str, str]]:
    await api_tables.MigrationRow.create_table(if_not_exists=True)
    rows = await api_tables.MigrationRow.select(
        api_tables.MigrationRow.app, api_tables.MigrationRow.name
    )
    return {(r["app"], r["name"]) for r in rows}


async def migrate(engine: Engine, *, echo: bool = False) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction; names the ones run.

    Also creates the notifier's tables (``notifier.store.create_tables``) once it exists.
    """
    bind(engine)
    done = await applied_migrations(engine)
    ran: list[str] = []
    for app in MIGRATION_APPS:
        for name, module in _migration_modules(app):
            if (app, name) in done:
                continue
            async with engine.transaction():
                await module.forwards(engine)  # type: ignore[attr-defined]
                await api_tables.MigrationRow.insert(
                    api_tables.MigrationRow(
                        app=app, name=name, applied_at=dt.datetime.now(dt.UTC).isoformat()
                    )
                )
            ran.append(f"{app}.{name}")
            if echo:
                print(f"applied {app}.{name}")
    await _notifier_tables(engine)
    return ran


async def _notifier_tables(engine: Engine) -> None:
    store = notifier_store()
    if store is not None:
        await store.create_tables(engine)


def notifier_store() -> Any:
    """``notifier.store`` once the notifier's edge exists, else ``None``."""
    try:
        return importlib.import_module("notifier.store")
    except ModuleNotFoundError as exc:
        if exc.name != "notifier.store":
            raise
        return None
