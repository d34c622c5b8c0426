"""Piccolo tables of the portfolio: units, projects, milestones and the report history.

Only ``projects.repository`` imports this module. Invariants:

- ``projects_milestone`` holds each milestone's current state and its ``version``; every
  change appends the full new state to ``projects_milestone_report`` (never overwritten), with
  ``known_on``, the day the report became known. The portfolio as of a day is rebuilt from
  the reports known on that day.
- ``projects_revision`` has one row whose number grows with every change to the portfolio;
  processes compare it to decide whether their cached portfolio is current.
- Lists (contacts, dependencies) are JSON text, so SQLite and PostgreSQL store them alike.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, DoublePrecision, Integer, Text, Varchar
from piccolo.table import Table


class UnitRow(Table, tablename="projects_unit"):
    uid = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    parent = Varchar(length=64, null=True, default=None)
    level = Varchar(length=64, null=True, default=None)
    contacts = Text(default="[]")
    position = Integer(default=0)


class ProjectRow(Table, tablename="projects_project"):
    pid = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    category = Varchar(length=16)
    unit = Varchar(length=64, index=True)
    budget = DoublePrecision(null=True, default=None)
    position = Integer(default=0)
    version = Integer(default=1)
    # version 2 (issue 12, migration m0002): 交办
    co_units = Text(null=True, default=None)  # JSON list of unit ids
    person = Varchar(length=64, null=True, default=None)
    urgent = Boolean(default=False)
    source = Text(null=True, default=None)
    instruction = Text(null=True, default=None)
    report_every = Varchar(length=32, null=True, default=None)  # a cadence, e.g. "2 weeks"


class MilestoneRow(Table, tablename="projects_milestone"):
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
    # version 2 (issue 12, migration m0002); NULL means the project's value
    person = Varchar(length=64, null=True, default=None)
    co_units = Text(null=True, default=None)  # JSON list of unit ids
    report_every = Varchar(length=32, null=True, default=None)


class MilestoneReportRow(Table, tablename="projects_milestone_report"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    version = Integer()
    known_on = Date()
    recorded_at = Varchar(length=40)
    actor = Varchar(length=64)
    data = Text()


class RevisionRow(Table, tablename="projects_revision"):
    revision = Integer(default=0)


TABLES: tuple[type[Table], ...] = (UnitRow, ProjectRow, MilestoneRow, MilestoneReportRow, RevisionRow)
