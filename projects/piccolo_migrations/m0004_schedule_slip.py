"""A milestone's schedule slip (计划推迟, issue 17): working days its imported finish moved later
at the last schedule import."""

from __future__ import annotations

from projects.storage import DbEngine
from piccolo.querystring import QueryString


async def forwards(engine: DbEngine) -> None:
    await engine.run_querystring(QueryString(
        "ALTER TABLE projects_milestone ADD COLUMN schedule_slip INTEGER NULL"))
