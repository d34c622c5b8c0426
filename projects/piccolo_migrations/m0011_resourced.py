"""A milestone's resource loading (资源加载, issue 17, DCMA point 10): whether the imported
activity carries resources or cost; NULL when the point does not count it."""

from __future__ import annotations

from piccolo.querystring import QueryString

from projects.storage import DbEngine


async def forwards(engine: DbEngine) -> None:
    await engine.run_querystring(QueryString(
        "ALTER TABLE projects_milestone ADD COLUMN resourced BOOLEAN NULL"))
