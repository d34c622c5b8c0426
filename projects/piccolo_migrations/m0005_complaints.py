"""Complaints, consultations and suggestions (群众投诉 / 咨询 / 建议), issue 13."""

from __future__ import annotations

from piccolo.columns import Date, Text, Varchar
from projects.storage import DbEngine
from piccolo.table import Table


class _Complaint(Table, tablename="projects_complaint"):
    code = Varchar(length=64, unique=True)
    title = Varchar(length=255)
    kind = Varchar(length=32, default="complaint")
    unit = Varchar(length=64, null=True, default=None, index=True)
    project = Varchar(length=64, null=True, default=None)
    received = Date()
    due = Date(null=True, default=None)
    responded = Date(null=True, default=None)
    rating = Varchar(length=32, null=True, default=None)
    rated = Date(null=True, default=None)
    text = Text(default="")
    response = Text(null=True, default=None)
    contact = Text(null=True, default=None)
    rating_secret = Varchar(length=128, null=True, default=None, unique=True)
    address = Varchar(length=128, null=True, default=None, index=True)
    submitted_at = Varchar(length=40, null=True, default=None)
    routed = Date(null=True, default=None)
    routed_by = Varchar(length=64, null=True, default=None)
    responded_by = Varchar(length=64, null=True, default=None)


async def forwards(engine: DbEngine) -> None:
    _Complaint._meta.db = engine
    await _Complaint.create_table(if_not_exists=True)
