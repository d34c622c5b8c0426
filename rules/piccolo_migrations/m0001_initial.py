"""Rulebook versions, evaluations and findings (schema frozen here)."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _Rulebook(Table, tablename="rules_rulebook_version"):
    number = Integer(unique=True)
    status = Varchar(length=16)
    sources = Text()
    author = Varchar(length=64)
    note = Text(default="")
    created_at = Varchar(length=40)
    checked_at = Varchar(length=40, null=True, default=None)
    published_at = Varchar(length=40, null=True, default=None)


class _Evaluation(Table, tablename="rules_evaluation"):
    as_of = Date()
    rulebook_version = Integer()
    scope = Text(null=True, default=None)
    ran_at = Varchar(length=40)
    actor = Varchar(length=64)
    reason = Varchar(length=32)
    finding_count = Integer(default=0)
    errors = Text(default="[]")
    rates = Text(default="{}")
    scores = Text(default="{}")


class _Finding(Table, tablename="rules_finding"):
    evaluation = Integer(index=True)
    current = Integer(default=1, index=True)
    rule = Varchar(length=128)
    title = Text(default="")
    subject = Varchar(length=200)
    level = Varchar(length=16)
    message = Text(default="")
    project = Varchar(length=64, null=True, default=None, index=True)
    unit = Varchar(length=64, null=True, default=None)
    notify = Text(default="[]")
    respond_by = Date(null=True, default=None)
    explain = Text(default="[]")


async def forwards(engine: DbEngine) -> None:
    for table in (_Rulebook, _Evaluation, _Finding):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
