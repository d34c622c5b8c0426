"""Throwaway PostgreSQL databases for the tests and benchmarks.

Owns how a test run gets a database of its own on the server named by
``DUBAN_TEST_POSTGRES_URL`` (started by ``scripts/services.d/postgres.sh``): only the server
and the credentials are taken from that URL. Each run creates ``duban_test_<pid>_<random>``
through the server's maintenance database, works in it (``reset_database`` between tests)
and drops it at the end, so two runs against one server — two checkouts, CI and a
developer — never see each other's tables. A run killed outright leaves its database
behind; the next run on the same host drops those whose process is gone (``sweep_stale``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import re
import secrets
import socket
from collections.abc import Coroutine, Iterator
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")
ENV = "DUBAN_TEST_POSTGRES_URL"
PREFIX = "duban_test_"
_MAINTENANCE = ("postgres", "template1")
_NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")


class PostgresUnavailable(RuntimeError):
    """No server to test against: says which variable and which script provide one."""


def server_url() -> str:
    """The URL in ``DUBAN_TEST_POSTGRES_URL``; its database part is not used as such."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        raise PostgresUnavailable(
            f"{ENV} is not set: run the tests through scripts/test, or first "
            f"`source scripts/services.d/postgres.sh`, which starts PostgreSQL on 127.0.0.1")
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise PostgresUnavailable(f"{ENV}={url!r} is not a postgresql:// URL")
    return url


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` (same server, credentials and options)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _maintenance(url: str) -> object:
    import asyncpg  # noqa: PLC0415 - only PostgreSQL runs need it

    last: Exception | None = None
    for db in _MAINTENANCE:
        try:
            return await asyncpg.connect(with_database(url, db))
        except asyncpg.InvalidCatalogNameError as exc:  # no "postgres" database: template1
            last = exc
    raise PostgresUnavailable(f"no maintenance database ({', '.join(_MAINTENANCE)}) on the "
                              f"server of {ENV}: {last}")


def _tag(pid: int) -> str:
    """The comment a run puts on its database: which host and process own it."""
    host = re.sub(r"[^A-Za-z0-9._-]", "", socket.gethostname())
    return f"duban test run on {host} pid {pid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def sweep_stale(url: str) -> list[str]:
    """Drop the test databases a killed run of this host left behind (their process is
    gone); returns their names. Databases of other hosts, or in use, are left alone."""
    conn = await _maintenance(url)
    dropped = []
    try:
        rows = await conn.fetch(  # type: ignore[attr-defined]
            "SELECT datname, shobj_description(oid, 'pg_database') AS tag FROM pg_database "
            "WHERE datname LIKE $1", PREFIX.replace("_", r"\_") + "%")
        for row in rows:
            name = row["datname"]
            m = _NAME.match(name)
            if not m or row["tag"] != _tag(int(m.group(1))) or _alive(int(m.group(1))):
                continue
            with contextlib.suppress(Exception):  # in use after all, or gone meanwhile
                await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)}")  # type: ignore[attr-defined]
                dropped.append(name)
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return dropped


async def create_database(url: str, template: str | None = None) -> str:
    """Create a fresh database for this process on ``url``'s server, empty or a copy of the
    database ``template`` (which nobody may be connected to); returns its URL."""
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    copy = "" if template is None else f" TEMPLATE {_quote(template)}"
    conn = await _maintenance(url)
    try:
        try:
            await conn.execute(f"CREATE DATABASE {_quote(name)}{copy}")  # type: ignore[attr-defined]
        except Exception as exc:
            raise PostgresUnavailable(
                f"cannot create the test database {name} on the server of {ENV} ({exc}); the "
                f"role needs CREATEDB (scripts/services.d/postgres.sh grants it)") from exc
        await conn.execute(  # type: ignore[attr-defined]
            f"COMMENT ON DATABASE {_quote(name)} IS '{_tag(os.getpid())}'")
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return with_database(url, name)


async def drop_database(url: str) -> None:
    """Drop the database of ``url``, ending any connection still open to it."""
    name = database_of(url)
    if not _NAME.match(name):
        raise ValueError(f"refusing to drop {name!r}: not a database made by create_database")
    conn = await _maintenance(url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")  # type: ignore[attr-defined]
    finally:
        await conn.close()  # type: ignore[attr-defined]


async def reset_database(url: str) -> None:
    """Empty the database of ``url``: every table, sequence and type of schema public."""
    import asyncpg  # noqa: PLC0415

    if not _NAME.match(database_of(url)):
        raise ValueError(f"refusing to empty {database_of(url)!r}: not a database made by "
                         "create_database")
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def run(coro: Coroutine[object, object, T]) -> T:
    """Run ``coro`` to the end on a fresh loop in a thread of its own: callable from sync
    code and from inside a running loop (pytest-asyncio's) alike, touching neither."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="duban-pg") as pool:
        return pool.submit(asyncio.run, coro).result()


@contextlib.contextmanager
def temporary_database(url: str, template: str | None = None) -> Iterator[str]:
    """A database of its own for the ``with`` block (created, then dropped even on error),
    empty or a copy of ``template``."""
    run(sweep_stale(url))
    db = run(create_database(url, template))
    try:
        yield db
    finally:
        run(drop_database(db))
