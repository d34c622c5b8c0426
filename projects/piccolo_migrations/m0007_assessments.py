"""Closed assessment periods (考核), issue 13."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Varchar
from piccolo.table import Table

from projects.storage import DbEngine


class _Assessment(Table, tablename="projects_assessment"):
    period = Varchar(length=16, unique=True)
    first_day = Date()
    last_day = Date()
    rulebook_version = Integer(null=True, default=None)
    figures = Text()
    digest = Varchar(length=64)
    closed_on = Date()
    closed_at = Varchar(length=40, default="")
    closed_by = Varchar(length=64, default="")


async def forwards(engine: DbEngine) -> None:
    _Assessment._meta.db = engine
    await _Assessment.create_table(if_not_exists=True)
