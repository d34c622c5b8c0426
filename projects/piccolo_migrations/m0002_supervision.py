"""The supervision loop (issue 12): a project's co-units, person, urgency, source, leader's
instruction and report cadence; a milestone's own person, co-units and cadence."""

from __future__ import annotations

from projects.storage import DbEngine
from piccolo.querystring import QueryString

_COLUMNS = (
    ("projects_project", "co_units", "TEXT NULL"),
    ("projects_project", "person", "VARCHAR(64) NULL"),
    ("projects_project", "urgent", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("projects_project", "source", "TEXT NULL"),
    ("projects_project", "instruction", "TEXT NULL"),
    ("projects_project", "report_every", "VARCHAR(32) NULL"),
    ("projects_milestone", "person", "VARCHAR(64) NULL"),
    ("projects_milestone", "co_units", "TEXT NULL"),
    ("projects_milestone", "report_every", "VARCHAR(32) NULL"),
)


async def forwards(engine: DbEngine) -> None:
    for table, column, kind in _COLUMNS:
        await engine.run_querystring(QueryString(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
