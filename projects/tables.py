"""Piccolo tables of the portfolio: units, projects, milestones and the report history.

Only ``projects.repository`` imports this module. Invariants:

- ``projects_milestone`` holds each milestone's current state and its ``version``; every
  change appends the full new state to ``projects_milestone_report`` (never overwritten), with
  ``known_on``, the day the report became known. The portfolio as of a day is rebuilt from
  the reports known on that day.
- ``projects_revision`` has one row whose number grows with every change to the portfolio;
  processes compare it to decide whether their cached portfolio is current.
- Lists (contacts, dependencies, co-units) are JSON text, so SQLite and PostgreSQL store them
  alike.
- A milestone's field columns are the catalogue's (``catalogue_columns``): a new catalogued
  field gets its column here by itself, and only its migration is written by hand
  (``tests/api/test_migrated_columns.py`` checks the two agree).
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Boolean, Column, Date, DoublePrecision, Integer, Text, Varchar
from piccolo.table import Table

from projects.catalogue import ID_MAX, MILESTONE, Field
from projects.storage import Keyed

#: The longest text kept in a ``VARCHAR``; longer text fields are ``TEXT``.
VARCHAR_MAX = 255


def catalogue_column(f: Field) -> Column:
    """The column of a catalogued field, by its type; optional fields are NULL when absent."""
    optional: dict[str, Any] = {} if f.required else {"null": True, "default": None}
    if f.type == "date":
        return Date(**optional)
    if f.type in ("ratio", "yuan"):
        return DoublePrecision(**optional)
    if f.type == "workdays":
        return Integer(**optional)
    if f.type == "flag":  # an optional yes/no: NULL when absent
        return Boolean(**optional)
    if f.type in ("id", "person"):
        return Varchar(length=ID_MAX, **optional)
    if f.type == "cadence":  # its text, e.g. "2 weeks"
        return Varchar(length=32, **optional)
    if f.type == "units":  # JSON list of unit ids; NULL is the project's
        return Text(**optional)
    if f.type in ("kind", "category", "level"):
        return Varchar(length=16, **optional)
    if f.type in ("deps", "contacts"):
        return Text(default="[]")
    if f.type == "text":
        if f.max_length is not None and f.max_length <= VARCHAR_MAX:
            return Varchar(length=VARCHAR_MAX, **optional)
        return Text(**optional)
    raise ValueError(f"no column type for the catalogue type {f.type!r} of {f.name}")


def catalogue_columns(fields: tuple[Field, ...], skip: tuple[str, ...]) -> dict[str, Column]:
    """Column name -> column of each stored field but ``skip`` (columns the table declares)."""
    return {f.db_column: catalogue_column(f) for f in fields
            if f.db_column is not None and f.db_column not in skip}


class UnitRow(Keyed, Table, tablename="projects_unit"):
    uid = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    parent = Varchar(length=64, null=True, default=None)
    level = Varchar(length=64, null=True, default=None)
    contacts = Text(default="[]")
    position = Integer(default=0)


class ProjectRow(Keyed, Table, tablename="projects_project"):
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


class MilestoneRow(Keyed, Table, tablename="projects_milestone"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    position = Integer(default=0)
    version = Integer(default=1)
    # The field columns, from the catalogue: a class body's namespace is a plain dict, and
    # Piccolo collects the columns from it when the class is made.
    vars().update(catalogue_columns(MILESTONE, skip=("project", "mid")))


class MilestoneReportRow(Keyed, Table, tablename="projects_milestone_report"):
    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    version = Integer()
    known_on = Date()
    recorded_at = Varchar(length=40)
    actor = Varchar(length=64)
    data = Text()


class RevisionRow(Keyed, Table, tablename="projects_revision"):
    revision = Integer(default=0)


class ChangeRow(Keyed, Table, tablename="projects_change"):
    """What one revision changed, when a milestone report group made it (issue 16.6, migration
    m0008): its milestones (JSON ``[[pid, mid], ...]``) and notices (JSON codes), so that
    another process brings its snapshot up to date by reading those alone. A revision without
    a row may have changed anything: a process that meets one reloads everything."""

    revision = Integer(index=True)
    milestones = Text(default="[]")
    notices = Text(default="[]")


class PersonRow(Keyed, Table, tablename="projects_person"):
    """责任人 (issue 12, migration m0003), managed by the office."""

    person_id = Varchar(length=64, unique=True)
    name = Varchar(length=255)
    unit = Varchar(length=64, index=True)
    post = Varchar(length=255, null=True, default=None)
    position = Integer(default=0)


class ExtensionRow(Keyed, Table, tablename="projects_extension"):
    """延期申请 (issue 12, migration m0003): requested by a unit, decided once by the office.
    ``requested`` and ``decided`` are the server's days, so the history replays as of a day."""

    project = Varchar(length=64, index=True)
    mid = Varchar(length=64)
    requested = Date()
    new_due = Date()
    reason = Text()
    decided = Date(null=True, default=None)
    decision = Varchar(length=16, null=True, default=None)
    decision_reason = Text(null=True, default=None)
    requested_by = Varchar(length=64, default="")
    decided_by = Varchar(length=64, null=True, default=None)


class ComplaintRow(Keyed, Table, tablename="projects_complaint"):
    """群众投诉 / 咨询 / 建议 (issue 13, migration m0005). The catalogued fields (``code`` is the
    record's ``id``, its tracking code) plus what only the server keeps: the complaint's
    ``text`` and the unit's ``response`` (plain text), the complainant's ``contact`` (shown to
    the office only), ``rating_secret`` (the SHA-256 hex of the private rating link's secret;
    the secret itself is never stored), ``address`` and ``submitted_at`` (who sent it and when,
    for the per-address bound of the public form), and who routed and answered it. ``unit`` and
    ``due`` are NULL until the office routes it: the portfolio carries routed complaints only.
    Days are the server's, so the history replays as of a day."""

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



class AccountabilityRow(Keyed, Table, tablename="projects_accountability"):
    """通报批评 / 问责 (issue 13, migration m0006), recorded by the office. ``day`` is the
    record's date (it counts from then); ``recorded_on`` the server's day it was entered, so a
    replay of an earlier day never sees a record entered later, even one dated back."""

    record_id = Varchar(length=64, unique=True)
    kind = Varchar(length=16)
    unit = Varchar(length=64, index=True)
    person = Varchar(length=64, null=True, default=None)
    day = Date()
    reason = Text()
    notice_code = Varchar(length=255, null=True, default=None)
    complaint_code = Varchar(length=64, null=True, default=None)  # migration m0009
    recorded_on = Date()
    recorded_at = Varchar(length=40, default="")
    actor = Varchar(length=64, default="")


class AssessmentRow(Table, tablename="projects_assessment"):
    """A closed assessment period (考核, issue 13, migration m0007): its figures frozen as JSON
    (``rules.assessment.assess``) with their SHA-256 ``digest``; written once, never updated."""

    period = Varchar(length=16, unique=True)
    first_day = Date()
    last_day = Date()
    rulebook_version = Integer(null=True, default=None)
    figures = Text()
    digest = Varchar(length=64)
    closed_on = Date()
    closed_at = Varchar(length=40, default="")
    closed_by = Varchar(length=64, default="")


class CalendarYearRow(Table, tablename="projects_calendar_year"):
    """A year of the working-day calendar a portfolio file added (``calendar_years``, migration
    m0012): its holidays and makeup workdays as JSON lists of ISO dates. It is the whole truth
    for that year, as in the file; a later file's same year replaces it."""

    year = Integer(unique=True)
    holidays = Text(default="[]")
    workdays = Text(default="[]")


class SettingRow(Table, tablename="projects_setting"):
    """A portfolio-wide setting a portfolio file gives (migration m0012): ``calendar`` (cn or
    weekdays), absent until a file says it (the file format's default, cn)."""

    name = Varchar(length=32, unique=True)
    value = Text()


TABLES: tuple[type[Table], ...] = (UnitRow, ProjectRow, MilestoneRow, MilestoneReportRow, RevisionRow, ChangeRow,
                                   PersonRow, ExtensionRow, ComplaintRow, AccountabilityRow, AssessmentRow,
                                   CalendarYearRow, SettingRow)
