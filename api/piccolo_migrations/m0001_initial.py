"""Users, API tokens, the audit chain and settings kept in the database (schema frozen here)."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Text, Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _User(Table, tablename="api_user"):
    username = Varchar(length=64, unique=True)
    display = Varchar(length=255, default="")
    role = Varchar(length=16)
    unit = Varchar(length=64, null=True, default=None)
    password_hash = Text(default="")
    active = Boolean(default=True)
    created_at = Varchar(length=40)


class _Token(Table, tablename="api_token"):
    username = Varchar(length=64, index=True)
    name = Varchar(length=128, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Varchar(length=40)
    revoked = Boolean(default=False)


class _Audit(Table, tablename="api_audit"):
    seq = Integer(unique=True)
    at = Varchar(length=40)
    actor = Varchar(length=64)
    action = Varchar(length=64)
    subject = Varchar(length=200)
    before = Text(default="null")
    after = Text(default="null")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class _Meta(Table, tablename="api_meta"):
    key = Varchar(length=64, unique=True)
    value = Text()


async def forwards(engine: DbEngine) -> None:
    for table in (_User, _Token, _Audit, _Meta):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
