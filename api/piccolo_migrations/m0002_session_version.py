"""Sessions that can be ended: a per-user session version (``api_user.session_version``).

A session cookie carries the version its user had at sign-in; logout, deactivation and a
password change bump it, and a cookie with an older version no longer signs anyone in.
"""

from __future__ import annotations

from piccolo.columns import Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _User(Table, tablename="api_user"):
    username = Varchar(length=64, unique=True)


async def forwards(engine: DbEngine) -> None:
    _User._meta.db = engine
    await _User.raw("ALTER TABLE api_user ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")
