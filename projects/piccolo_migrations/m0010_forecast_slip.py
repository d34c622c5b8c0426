"""A milestone's forecast slip (预测推迟) and float eroded (总时差减少), issue 17: what the last
schedule import measured of the computed schedule (the CPM early finish and total float
against the import before), in working days."""

from __future__ import annotations

from piccolo.querystring import QueryString

from projects.storage import DbEngine


async def forwards(engine: DbEngine) -> None:
    for column in ("forecast_slip", "float_eroded"):
        await engine.run_querystring(QueryString(
            f"ALTER TABLE projects_milestone ADD COLUMN {column} INTEGER NULL"))
