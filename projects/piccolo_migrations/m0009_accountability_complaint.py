"""An accountability record's cause may be a complaint from the public (issue 13): its
tracking code."""

from __future__ import annotations

from piccolo.querystring import QueryString

from projects.storage import DbEngine


async def forwards(engine: DbEngine) -> None:
    await engine.run_querystring(QueryString(
        "ALTER TABLE projects_accountability ADD COLUMN complaint_code VARCHAR(64) NULL"))
