"""People (责任人) and extension requests (延期申请), issue 12."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _Person(Table, tablename="projects_person"):
    person_id = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    unit = Varchar(length=64, index=True)
    post = Varchar(length=255, null=True, default=None)
    position = Integer(default=0)


class _Extension(Table, tablename="projects_extension"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    requested = Date()
    new_due = Date()
    reason = Text()
    decided = Date(null=True, default=None)
    decision = Varchar(length=16, null=True, default=None)
    decision_reason = Text(null=True, default=None)
    requested_by = Varchar(length=64, default="")
    decided_by = Varchar(length=64, null=True, default=None)


async def forwards(engine: DbEngine) -> None:
    for table in (_Person, _Extension):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
