"""The notifier's tables: notices, their history, the outbox and its attempts (schema frozen
here, as the notifier created them before it had migrations).

Databases made before this migration already hold these tables, created by the notifier's old
``create_table(if_not_exists=True)`` at every start: this migration adopts them as they are
(nothing is created twice, no row is touched) and records itself, so later changes to the
notifier's tables are migrations like every other app's.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Varchar,
)
from projects.storage import DbEngine
from piccolo.table import Table


class _Notice(Table, tablename="notifier_notice"):
    """A supervision notice (督办通知) to one unit about one finding at one level."""

    code = Varchar(length=32, unique=True, index=True)  # N-2026-0001
    rule = Varchar(length=200, index=True)
    subject = Varchar(length=300, index=True)
    unit = Varchar(length=200, index=True)
    level = Varchar(length=16)
    state = Varchar(length=16, index=True)
    project = Varchar(length=200, null=True, default=None, index=True)
    title = Text()
    message = Text()
    explain = Text(default="[]")  # JSON list of [name, printed value]
    issued = Date()
    due = Date()
    escalates = Varchar(length=32, null=True, default=None)  # code of the notice it replaces
    responded = Date(null=True, default=None)
    response_text = Text(null=True, default=None)
    attachment = Text(null=True, default=None)  # a reference (file id, URL), not the file
    closed = Date(null=True, default=None)  # the day it was rectified or escalated
    lang = Varchar(length=8, default="zh")


class _NoticeEvent(Table, tablename="notifier_notice_event"):
    """One step of a notice's history: issued, respond, accept, reject, rectify, escalate."""

    notice = Varchar(length=32, index=True)
    day = Date()
    event = Varchar(length=16)
    from_state = Varchar(length=16, null=True, default=None)
    to_state = Varchar(length=16)
    actor = Varchar(length=200, null=True, default=None)
    detail = Text(null=True, default=None)
    at = DoublePrecision()  # epoch seconds, for ordering


class _Delivery(Table, tablename="notifier_delivery"):
    """The outbox: one message about one notice to one contact URL of its unit."""

    notice = Varchar(length=32, index=True)
    kind = Varchar(length=16)  # issued / escalated / reopened / rectified
    unit = Varchar(length=200, index=True)
    target = Text()  # the contact URL: a secret, never shown
    target_label = Varchar(length=300)  # redacted, for display
    title = Text()
    body = Text()
    state = Varchar(length=16, index=True)  # pending / delivered / failed
    attempts = Integer(default=0)
    next_at = DoublePrecision(index=True)
    lease_owner = Varchar(length=100, null=True, default=None)
    lease_until = DoublePrecision(null=True, default=None)
    created_at = DoublePrecision()
    delivered_at = DoublePrecision(null=True, default=None)
    last_error = Text(null=True, default=None)


class _DeliveryAttempt(Table, tablename="notifier_delivery_attempt"):
    """One try of one delivery, written before the send and completed after it, so a try
    cut short by a crash still shows (``ok`` stays null until the next claim marks it)."""

    delivery = Integer(index=True)
    number = Integer()
    worker = Varchar(length=100)
    started_at = DoublePrecision()
    finished_at = DoublePrecision(null=True, default=None)
    ok = Boolean(null=True, default=None)
    error = Text(null=True, default=None)


async def forwards(engine: DbEngine) -> None:
    for table in (_Notice, _NoticeEvent, _Delivery, _DeliveryAttempt):
        table._meta.db = engine
        await table.create_table(if_not_exists=True)
