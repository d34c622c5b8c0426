"""Complaints at the edge: each step of ``projects.complaints`` read, checked and written in
one write transaction.

What the web side calls (the public form, the office's routing, the unit's inbox, the rating
link, the API); each function checks the step against the stored complaint inside
``projects.storage.write_transaction`` (joining the caller's transaction when one is open, so
the caller's audit entry lands in the same one), writes it only when the complaint is still
as it was read (``repository.save_complaint_step``), and bumps the portfolio revision so the
server's snapshot carries the change. A refused step writes nothing.

- ``submit`` files a complaint from the public: a tracking code (``C-YYYY-`` and eight
  random characters: not guessable, so following one by code shows nobody else's) and the
  rating link's secret, returned once and kept only as its hash. ``per_hour`` bounds how many
  one ``address`` may file within an hour (``ComplaintLimitError`` past it).
- ``route`` (the office; again to re-route while unanswered), ``answer`` (the unit it was
  routed to, once), ``rate`` (through the secret, once: a forged secret is
  ``ComplaintLinkError``, a second rating ``ComplaintStateError``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projects import complaints as steps
from projects import repository as repo
from projects.calendar import WorkCalendar
from projects.errors import ComplaintLimitError, ComplaintLinkError, ComplaintStateError
from projects.repository import StoredComplaint
from projects.storage import write_transaction

#: The letters of a tracking code's random part (no 0/O, 1/I/L: read aloud, typed by hand).
_CODE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Submitted:
    """A filed complaint: its tracking code, and the rating link's secret (shown once)."""

    code: str
    secret: str
    complaint: StoredComplaint


def new_code(year: int) -> str:
    """A fresh tracking code such as ``C-2026-7KQ2-M9XA``."""
    part = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
    return f"C-{year}-{part[:4]}-{part[4:]}"


async def submit(engine: Any, *, title: object, text: object, today: dt.date, now: dt.datetime,
                 kind: object = None, contact: object = None, address: str | None = None,
                 per_hour: int | None = None) -> Submitted:
    """File a complaint received ``today`` (``now``: the moment, for the per-hour bound)."""
    clean_title, clean_text, found_kind, clean_contact = steps.intake(
        title=title, text=text, kind=kind, contact=contact)
    secret = secrets.token_urlsafe(24)
    async with write_transaction(engine):
        if address is not None and per_hour is not None:
            since = now - dt.timedelta(hours=1)
            sent = await repo.complaints_submitted_since(address, since.isoformat())
            if sent >= per_hour:
                raise ComplaintLimitError(
                    f"一小时内最多提交 {per_hour} 条，请稍后再试 — at most {per_hour} complaints an hour "
                    "from one address; try again later", retry_after=3600)
        code = new_code(today.year)
        while await _exists(code):
            code = new_code(today.year)
        stored = StoredComplaint(
            code=code, title=clean_title, kind=found_kind, unit=None, project=None, received=today,
            due=None, responded=None, rating=None, rated=None, text=clean_text, response=None,
            contact=clean_contact, routed=None, routed_by=None, responded_by=None,
            submitted_at=now.isoformat())
        await repo.insert_complaint(stored, secret_hash=steps.secret_hash(secret), address=address)
    return Submitted(code, secret, stored)


async def _exists(code: str) -> bool:
    try:
        await repo.get_complaint(code)
    except LookupError:
        return False
    return True


async def route(engine: Any, code: str, *, unit: str, today: dt.date, calendar: WorkCalendar,
                due: dt.date | None = None, project: str | None = None, actor: str | None = None,
                units: Iterable[str] | None = None, projects: Iterable[str] | None = None,
                ) -> StoredComplaint:
    """The office routes ``code`` to ``unit``; ``due`` defaults to ``DEFAULT_RESPONSE_WORKDAYS``
    working days after ``today``. ``units`` / ``projects``: the ids that exist (read from the
    portfolio when not given)."""
    async with write_transaction(engine):
        before = await repo.get_complaint(code)
        if units is None or projects is None:
            current = await repo.load_portfolio()
            units = [u.id for u in current.units] if units is None else units
            projects = [p.id for p in current.projects] if projects is None else projects
        deadline = due if due is not None else calendar.add_workdays(today, steps.DEFAULT_RESPONSE_WORKDAYS)
        after = steps.route(before, unit=unit, due=deadline, today=today, units=set(units),
                            project=project, projects=set(projects), actor=actor)
        await _save(before, after)
    return after


async def answer(engine: Any, code: str, *, unit: str | None, text: object, today: dt.date,
                 actor: str | None = None) -> StoredComplaint:
    """The unit ``unit`` answers ``code`` (``None``: the office records the answer)."""
    async with write_transaction(engine):
        before = await repo.get_complaint(code)
        after = steps.answer(before, unit=unit, text=text, today=today, actor=actor)
        await _save(before, after)
    return after


async def rate(engine: Any, secret: str, rating: object, today: dt.date) -> StoredComplaint:
    """The complainant rates the answer through the link's ``secret``, once."""
    async with write_transaction(engine):
        before = await repo.complaint_by_secret(steps.secret_hash(secret)) if isinstance(secret, str) \
            and secret else None
        if before is None:
            raise ComplaintLinkError("评价链接无效 — this rating link is not valid; use the link you "
                                     "received when you filed the complaint", where="link")
        after = steps.rate(before, rating, today)
        await _save(before, after)
    return after


async def _save(before: StoredComplaint, after: StoredComplaint) -> None:
    if not await repo.save_complaint_step(before, after):
        raise ComplaintStateError(f"投诉 {before.code} 刚被他人处理过，请刷新后重试 — complaint "
                                  f"{before.code} changed meanwhile; reload it and try again")
    if before.complaint is not None or after.complaint is not None:
        await repo.bump_revision()  # the portfolio carries routed complaints

