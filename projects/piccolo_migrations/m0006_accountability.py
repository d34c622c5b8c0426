"""Accountability records (通报批评 / 问责), issue 13."""

from __future__ import annotations

from piccolo.columns import Date, Text, Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _Accountability(Table, tablename="projects_accountability"):
    record_id = Varchar(length=64, unique=True)
    kind = Varchar(length=16)
    unit = Varchar(length=64, index=True)
    person = Varchar(length=64, null=True, default=None)
    day = Date()
    reason = Text()
    notice_code = Varchar(length=255, null=True, default=None)
    recorded_on = Date()
    recorded_at = Varchar(length=40, default="")
    actor = Varchar(length=64, default="")


async def forwards(engine: DbEngine) -> None:
    _Accountability._meta.db = engine
    await _Accountability.create_table(if_not_exists=True)
