"""The portfolio's working-day calendar on the server: the kind a portfolio file names
(``calendar``) and the years it adds (``calendar_years``). Before, an import dropped both and
the server counted working days on the packaged PRC calendar alone."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Varchar
from piccolo.table import Table

from projects.storage import DbEngine


class _CalendarYear(Table, tablename="projects_calendar_year"):
    year = Integer(unique=True)
    holidays = Text(default="[]")
    workdays = Text(default="[]")


class _Setting(Table, tablename="projects_setting"):
    name = Varchar(length=32, unique=True)
    value = Text()


async def forwards(engine: DbEngine) -> None:
    for table in (_CalendarYear, _Setting):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
