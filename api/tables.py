"""Piccolo tables of the server itself: users, API tokens, the audit chain, settings kept in
the database, and the record of applied migrations.

Only ``api.repository`` modules import this. Invariants: passwords are argon2 hashes and
tokens sha256 digests (a token is 32 random bytes, so a fast digest is enough); audit entries
are append-only, numbered without gaps by ``seq``, each ``hash`` covering the entry and the
previous hash.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Text, Varchar
from piccolo.table import Table

from projects.storage import Keyed, MigrationRow


class UserRow(Keyed, Table, tablename="api_user"):
    username = Varchar(length=64, unique=True)
    display = Varchar(length=255, default="")
    role = Varchar(length=16)
    unit = Varchar(length=64, null=True, default=None)
    password_hash = Text(default="")
    active = Boolean(default=True)
    created_at = Varchar(length=40)
    session_version = Integer(default=0)  # bumped by logout, deactivation and a password change


class TokenRow(Keyed, Table, tablename="api_token"):
    username = Varchar(length=64, index=True)
    name = Varchar(length=128, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Varchar(length=40)
    revoked = Boolean(default=False)


class AuditRow(Keyed, Table, tablename="api_audit"):
    seq = Integer(unique=True)
    at = Varchar(length=40)
    actor = Varchar(length=64)
    action = Varchar(length=64)
    subject = Varchar(length=200)
    before = Text(default="null")
    after = Text(default="null")
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class MetaRow(Keyed, Table, tablename="api_meta"):
    key = Varchar(length=64, unique=True)
    value = Text()


TABLES: tuple[type[Table], ...] = (UserRow, TokenRow, AuditRow, MetaRow, MigrationRow)
