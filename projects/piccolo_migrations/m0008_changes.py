"""What each revision made by a milestone report group changed (issue 16.6): the table
``projects_change`` another process reads to bring its snapshot up to date."""

from __future__ import annotations

from piccolo.columns import Integer, Text
from piccolo.table import Table

from projects.storage import DbEngine


class _Change(Table, tablename="projects_change"):
    revision = Integer(index=True)
    milestones = Text(default="[]")
    notices = Text(default="[]")


async def forwards(engine: DbEngine) -> None:
    _Change._meta.db = engine
    await _Change.create_table(if_not_exists=True)
