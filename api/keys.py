"""The server's secret: the one key that signs and encrypts session cookies, CSRF tokens and
keys the audit chain's HMAC.

Where it comes from, in order:

1. ``DUBAN_SECRET_KEY`` when it is set.
2. SQLite: a random key in a file beside the database (``<db>.secret``), created once with
   mode 0600 so only the server's own account reads it.
3. PostgreSQL: a random key in the table ``api_secret``, created once by the first process
   (``INSERT ... ON CONFLICT DO NOTHING``, so every process on the database reads the same
   key), with every privilege revoked from ``PUBLIC``: only the role the server connects as
   (the table's owner) reads it.

Never is a key derived from something an outsider can know or guess (the database URL, a
host name, a constant): the key is 32 random bytes from ``secrets``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from api.settings import Settings

KEY_NAME = "session"
_TABLE = "api_secret"


def derive(secret: str, purpose: str) -> str:
    """A key of its own for ``purpose`` (the demo inbox, the audit chain), made from the server's
    secret by HMAC-SHA256: one cannot be computed from another, nor the secret from any."""
    return hmac.new(secret.encode(), f"duban:{purpose}".encode(), hashlib.sha256).hexdigest()


def server_secret(settings: Settings) -> str:
    """The server's secret for ``settings`` (made and stored on first use when not set)."""
    if settings.secret_key:
        return settings.secret_key
    if settings.is_sqlite:
        return _file_secret(settings.sqlite_path.with_name(settings.sqlite_path.name + ".secret"))
    # Called while building the app, possibly inside a running event loop: ask PostgreSQL
    # from a thread of its own with its own loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _postgres_secret(settings.database_url)).result()


def _file_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    text = path.read_text().strip()
    if len(text) < 32:
        raise RuntimeError(f"{path}: the secret key file is empty or too short; delete it to make a new one "
                           f"(密钥文件为空或太短，删除后重启即可重新生成)")
    return text


async def _postgres_secret(url: str) -> str:
    import asyncpg  # noqa: PLC0415 - only PostgreSQL deployments need it

    parts = urlsplit(url)
    conn: Any = await asyncpg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                                      user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                                      database=parts.path.lstrip("/"))
    try:
        for attempt in range(3):
            try:
                async with conn.transaction():
                    await conn.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} "
                                       "(name VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)")
                    await conn.execute(f"REVOKE ALL ON {_TABLE} FROM PUBLIC")
                break
            except (asyncpg.UniqueViolationError, asyncpg.DuplicateTableError):
                if attempt == 2:  # another process created it at the same moment; it is there now
                    raise
        await conn.execute(f"INSERT INTO {_TABLE} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                           KEY_NAME, secrets.token_hex(32))
        value = await conn.fetchval(f"SELECT value FROM {_TABLE} WHERE name = $1", KEY_NAME)
    finally:
        await conn.close()
    return str(value)
