"""Units, projects, milestones, the milestone report history and the portfolio revision."""

from __future__ import annotations

from piccolo.columns import Date, DoublePrecision, Integer, Text, Varchar
from projects.storage import DbEngine
from piccolo.querystring import QueryString
from piccolo.table import Table


class _Unit(Table, tablename="projects_unit"):
    uid = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    parent = Varchar(length=64, null=True, default=None)
    level = Varchar(length=64, null=True, default=None)
    contacts = Text(default="[]")
    position = Integer(default=0)


class _Project(Table, tablename="projects_project"):
    pid = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    category = Varchar(length=16)
    unit = Varchar(length=64, index=True)
    budget = DoublePrecision(null=True, default=None)
    position = Integer(default=0)
    version = Integer(default=1)


class _Milestone(Table, tablename="projects_milestone"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    position = Integer(default=0)
    version = Integer(default=1)
    name = Varchar(length=255)
    kind = Varchar(length=16)
    due = Date(null=True, default=None)
    start = Date(null=True, default=None)
    finished = Date(null=True, default=None)
    unit = Varchar(length=64, null=True, default=None)
    progress = DoublePrecision(null=True, default=None)
    amount = DoublePrecision(null=True, default=None)
    paid = DoublePrecision(null=True, default=None)
    updated = Date(null=True, default=None)
    after = Text(default="[]")
    note = Text(null=True, default=None)


class _Report(Table, tablename="projects_milestone_report"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    version = Integer()
    known_on = Date()
    recorded_at = Varchar(length=40)
    actor = Varchar(length=64)
    data = Text()


class _Revision(Table, tablename="projects_revision"):
    revision = Integer(default=0)


async def forwards(engine: DbEngine) -> None:
    for table in (_Unit, _Project, _Milestone, _Report, _Revision):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
    for sql in (
        "CREATE UNIQUE INDEX IF NOT EXISTS projects_milestone_key ON projects_milestone (project, mid)",
        "CREATE UNIQUE INDEX IF NOT EXISTS projects_report_key ON projects_milestone_report (project, mid, version)",
        "CREATE INDEX IF NOT EXISTS projects_report_known ON projects_milestone_report (known_on)",
    ):
        await engine.run_querystring(QueryString(sql))
    await _Revision.insert(_Revision(revision=0))
