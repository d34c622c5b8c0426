"""Throwaway PostgreSQL databases for the tests and benchmarks.

Owns how a test run gets a database of its own on the server named by
``DUBAN_TEST_POSTGRES_URL`` (started by ``scripts/services.d/postgres.sh``): only the server
and the credentials are taken from that URL. Each run creates ``duban_test_<pid>_<random>``
through the server's maintenance database, works in it (``reset_database`` between tests)
and drops it at the end, so two runs against one server — two checkouts, CI and a
developer — never see each other's tables. A run killed outright leaves its database
behind; the next run on the same host drops those whose process is gone (``sweep_stale``).

Copies instead of migrations: ``migrated_template`` is a database with every migration of the
tree applied, named for the migration set (``duban_tmpl_<hash>``, so a template of an older tree
is never taken for this one's) and kept on the server for every later run, worktree and xdist
worker, which copy it (``CREATE DATABASE ... TEMPLATE``, ``restore_database``) instead of
migrating. The first run to need it builds it under a name of its own, holding an advisory lock
for it (racing workers wait, then copy), and renames it when done: a killed build leaves only a
database ``sweep_stale`` drops. A template is sealed (``seal``) before it is copied: nobody may
connect to it (``ALLOW_CONNECTIONS false``), so no pool left over and no autovacuum worker can
make a copy fail with "source database is being accessed by other users".

A copy of a whole database still costs the server about half a CPU-second (its catalogs are most
of it), so a test that only changed rows gets them back in place instead (``keep_rows`` once,
``restore_rows`` per test: every table's rows and every sequence's position put back from the
kept schema ``duban_seed``, as the SQLite tests restore from their seeded file); a database
whose tables changed shape, or that another test emptied, is copied from the template again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import os
import re
import secrets
import socket
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")
ENV = "DUBAN_TEST_POSTGRES_URL"
PREFIX = "duban_test_"
_MAINTENANCE = ("postgres", "template1")
_NAME = re.compile(rf"^{PREFIX}(\d+)_[0-9a-f]+$")
TEMPLATE_PREFIX = "duban_tmpl_"
#: How often, and after how long, a copy is tried again while its template is still in use.
COPY_WAITS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


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
                await _drop(conn, name, force=False)
                dropped.append(name)
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return dropped


async def _drop(conn: object, name: str, *, force: bool) -> None:
    """Drop database ``name`` (a sealed template too: it is unsealed first)."""
    await conn.execute(  # type: ignore[attr-defined]
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}' AND "
        f"datistemplate) THEN ALTER DATABASE {_quote(name)} IS_TEMPLATE false; END IF; END $$")
    await conn.execute(  # type: ignore[attr-defined]
        f"DROP DATABASE IF EXISTS {_quote(name)}{' WITH (FORCE)' if force else ''}")


async def _copy(conn: object, name: str, template: str) -> None:
    """``CREATE DATABASE name TEMPLATE template``, tried again a few times, a little later each
    time, while PostgreSQL says the template is still in use (a session just closed whose
    server process has not yet ended): that error only."""
    import asyncpg  # noqa: PLC0415

    for wait in (*COPY_WAITS, None):
        try:
            await conn.execute(  # type: ignore[attr-defined]
                f"CREATE DATABASE {_quote(name)} TEMPLATE {_quote(template)}")
            return
        except asyncpg.ObjectInUseError:
            if wait is None:
                raise
        await asyncio.sleep(wait)


async def create_database(url: str, template: str | None = None) -> str:
    """Create a fresh database for this process on ``url``'s server, empty or a copy of the
    database ``template`` (which nobody may be connected to: ``seal`` it); returns its URL."""
    name = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    conn = await _maintenance(url)
    try:
        try:
            if template is None:
                await conn.execute(f"CREATE DATABASE {_quote(name)}")  # type: ignore[attr-defined]
            else:
                await _copy(conn, name, template)
        except Exception as exc:
            raise PostgresUnavailable(
                f"cannot create the test database {name} on the server of {ENV} ({exc}); the "
                f"role needs CREATEDB (scripts/services.d/postgres.sh grants it)") from exc
        await conn.execute(  # type: ignore[attr-defined]
            f"COMMENT ON DATABASE {_quote(name)} IS '{_tag(os.getpid())}'")
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return with_database(url, name)


async def _seal(conn: object, name: str) -> None:
    """Make database ``name`` a template nobody connects to: new connections refused, this
    role's own still open ended (a closed pool's server processes may outlive it a moment), and
    marked a template. PostgreSQL itself ends an autovacuum worker in the way of a copy."""
    await conn.execute(f"ALTER DATABASE {_quote(name)} WITH ALLOW_CONNECTIONS false")  # type: ignore[attr-defined]
    await conn.execute(  # type: ignore[attr-defined]
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 "
        "AND usename = current_user AND pid <> pg_backend_pid()", name)
    await conn.execute(f"ALTER DATABASE {_quote(name)} WITH IS_TEMPLATE true")  # type: ignore[attr-defined]


async def _rename(conn: object, name: str, new: str) -> None:
    """``ALTER DATABASE name RENAME TO new``, tried again as ``_copy`` is while the database is
    still in use."""
    import asyncpg  # noqa: PLC0415

    for wait in (*COPY_WAITS, None):
        try:
            await conn.execute(f"ALTER DATABASE {_quote(name)} RENAME TO {_quote(new)}")  # type: ignore[attr-defined]
            return
        except asyncpg.ObjectInUseError:
            if wait is None:
                raise
        await asyncio.sleep(wait)


async def seal(url: str) -> str:
    """Turn the database of ``url`` (one of ``create_database``'s, its connections closed)
    into a sealed template of this process under a new name; returns its URL. ``url``'s
    database is gone until ``restore_database`` copies the template back to it."""
    name = database_of(url)
    if not _NAME.match(name):
        raise ValueError(f"refusing to seal {name!r}: not a database made by create_database")
    template = f"{PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    conn = await _maintenance(url)
    try:
        await _seal(conn, name)
        await _rename(conn, name, template)
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return with_database(url, template)


async def restore_database(url: str, template: str) -> None:
    """Make the database of ``url`` a fresh copy of the database ``template`` (sealed) again,
    under the same name, so URLs held stay valid: dropped, ending any connection still open to
    it, and copied from the template (a file copy of a small database costs less than emptying,
    migrating and seeding it)."""
    name = database_of(url)
    if not _NAME.match(name):
        raise ValueError(f"refusing to restore {name!r}: not a database made by create_database")
    conn = await _maintenance(url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")  # type: ignore[attr-defined]
        await _copy(conn, name, template)
        await conn.execute(  # type: ignore[attr-defined]
            f"COMMENT ON DATABASE {_quote(name)} IS '{_tag(os.getpid())}'")
    finally:
        await conn.close()  # type: ignore[attr-defined]


SEED_SCHEMA = "duban_seed"
#: The shape of schema public: every table, index and sequence with its columns and their types.
_SHAPE = ("SELECT md5(coalesce(string_agg(c.relname || '.' || a.attname || ':' || a.atttypid || ':' || "
          "a.attnotnull, ',' ORDER BY c.relname, a.attnum), '')) FROM pg_class c JOIN pg_namespace n "
          "ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = "
          "'public' AND a.attnum > 0 AND NOT a.attisdropped")


async def keep_rows(url: str) -> None:
    """Keep every table's rows and every sequence's position of schema public of ``url``'s
    database, and the schema's shape, in schema ``duban_seed``: what ``restore_rows`` puts
    back. Call it with nothing else connected (before ``seal``)."""
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute(f"DROP SCHEMA IF EXISTS {SEED_SCHEMA} CASCADE; CREATE SCHEMA {SEED_SCHEMA}")
            for (table,) in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"):
                await conn.execute(f"CREATE TABLE {SEED_SCHEMA}.{_quote(table)} AS TABLE public.{_quote(table)}")
            await conn.execute(
                f"CREATE TABLE {SEED_SCHEMA}.duban_sequences AS SELECT sequencename AS name, "
                "start_value, last_value FROM pg_sequences WHERE schemaname = 'public'")
            await conn.execute(f"CREATE TABLE {SEED_SCHEMA}.duban_shape AS SELECT ({_SHAPE}) AS shape")
    finally:
        await conn.close()


async def restore_rows(url: str) -> bool:
    """Put back the rows and sequence positions ``keep_rows`` kept in ``url``'s database, in
    one transaction; False (nothing done) when there is no database or nothing kept, schema
    public no longer has the shape it had then (a test dropped a table, or emptied the
    database), or a session left open holds a lock for more than a few seconds: copy the
    template then."""
    import asyncpg  # noqa: PLC0415

    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:  # no database (sealed away as the template)
        return False
    try:
        if await conn.fetchval(f"SELECT to_regclass('{SEED_SCHEMA}.duban_shape')") is None:
            return False
        if await conn.fetchval(f"SELECT shape FROM {SEED_SCHEMA}.duban_shape") != await conn.fetchval(_SHAPE):
            return False
        tables = [t for (t,) in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        sequences = await conn.fetch(f"SELECT name, start_value, last_value FROM {SEED_SCHEMA}.duban_sequences")
        steps = ["SET LOCAL lock_timeout = '5s'"]
        for table in tables:
            steps.append(f"DELETE FROM public.{_quote(table)}")
            steps.append(f"INSERT INTO public.{_quote(table)} SELECT * FROM {SEED_SCHEMA}.{_quote(table)}")
        for row in sequences:
            called = row["last_value"] is not None
            value = row["last_value"] if called else row["start_value"]
            steps.append(f"SELECT setval('public.{_quote(row['name'])}', {int(value)}, {str(called).lower()})")
        try:
            async with conn.transaction():
                await conn.execute(";\n".join(steps))
        except asyncpg.LockNotAvailableError:
            return False
        return True
    finally:
        await conn.close()


def migration_set() -> str:
    """A digest of every migration of every app (``api.database.MIGRATION_APPS``): their
    names and sources, the runner's (``projects.storage``, which records them) and Piccolo's
    version."""
    import importlib.metadata  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    from api import database  # noqa: PLC0415

    digest = hashlib.sha256()
    for app in database.MIGRATION_APPS:
        spec = importlib.util.find_spec(f"{app}.piccolo_migrations")
        assert spec is not None and spec.submodule_search_locations, app
        folder = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(folder.glob("m*.py")):
            digest.update(f"{app}/{path.name}\0".encode() + path.read_bytes() + b"\0")
    storage = importlib.util.find_spec("projects.storage")
    assert storage is not None and storage.origin
    digest.update(Path(storage.origin).read_bytes())
    digest.update(importlib.metadata.version("piccolo").encode())  # the DDL it writes
    return digest.hexdigest()[:16]


async def migrated_template(url: str) -> str:
    """The name of the sealed template on ``url``'s server holding every migration of this
    tree applied (``migration_set``), built first if no run made it yet."""
    name = f"{TEMPLATE_PREFIX}{migration_set()}"
    lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    ready = ("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate "
             "AND NOT datallowconn")
    conn = await _maintenance(url)
    try:
        if await conn.fetchval(ready, name):  # type: ignore[attr-defined]
            return name
        await conn.execute("SELECT pg_advisory_lock($1)", lock)  # type: ignore[attr-defined]
        try:  # another process may have built it while this one waited
            if not await conn.fetchval(ready, name):  # type: ignore[attr-defined]
                await _build(conn, url, name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", lock)  # type: ignore[attr-defined]
    finally:
        await conn.close()  # type: ignore[attr-defined]
    return name


async def _build(conn: object, url: str, name: str) -> None:
    """Migrate a new database of this process and rename it ``name``, sealed. The tables'
    engines are put back as they were (migrating binds them to its own)."""
    from api import database  # noqa: PLC0415
    from api.settings import Settings  # noqa: PLC0415
    from projects.storage import MigrationRow  # noqa: PLC0415

    built = await create_database(url)
    scratch = database_of(built)
    try:
        engine = database.make_engine(Settings(database_url=built, secret_key="template"))
        bound = [(t, t._meta._db) for t in (*database.ALL_TABLES, MigrationRow)]
        await database.open_engine(engine, 1)
        try:
            await database.migrate(engine)
        finally:
            await database.close_engine(engine)
            for table, db in bound:
                table._meta._db = db
        await _drop(conn, name, force=True)  # never left unsealed (renamed once sealed), but sure
        await _seal(conn, scratch)
        await _rename(conn, scratch, name)
    except BaseException:
        with contextlib.suppress(Exception):  # no half-made template left behind
            await _drop(conn, scratch, force=True)
        raise
    await conn.execute(  # type: ignore[attr-defined]
        f"COMMENT ON DATABASE {_quote(name)} IS 'duban test template: migration set "
        f"{name.removeprefix(TEMPLATE_PREFIX)}, copied by every later test run'")


async def drop_database(url: str) -> None:
    """Drop the database of ``url``, ending any connection still open to it."""
    name = database_of(url)
    if not _NAME.match(name):
        raise ValueError(f"refusing to drop {name!r}: not a database made by create_database")
    import asyncpg  # noqa: PLC0415

    conn = await _maintenance(url)
    try:
        for wait in (*COPY_WAITS, None):
            try:
                await _drop(conn, name, force=True)
                return
            except asyncpg.InsufficientPrivilegeError:
                # FORCE may not end a process of no role of ours: an autovacuum worker, when
                # the role lacks pg_signal_backend (the services script grants it). A plain
                # DROP DATABASE ends autovacuum itself and fails only while a session is open.
                with contextlib.suppress(asyncpg.ObjectInUseError):
                    await _drop(conn, name, force=False)
                    return
            if wait is None:
                raise PostgresUnavailable(
                    f"cannot drop the test database {name}: a process of another role is "
                    f"still connected to it; grant the role pg_signal_backend")
            await asyncio.sleep(wait)
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
