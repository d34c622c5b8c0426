"""Complaints on the server (issue 13.2): who may do each step and what each reader sees. The
steps themselves are ``projects.complaint_store``'s (checked by the pure ``projects.complaints``,
written only while the complaint is still as read); here each runs in the server's write
transaction with its audit entry, so a refused step writes nothing. The API
(``api.controllers.complaints``) and the pages (``api.web.complaint_pages``,
``api.web.public_pages``) call these.

- ``file_complaint``: a checked ``api.intake.Intake`` from a client address, at most
  ``Settings.complaints_per_hour`` an hour from one address (counted in the database, so every
  worker and restart sees the same count; the address is kept only as a keyed digest), else
  ``ComplaintLimitError`` (429). Answers the tracking code and the rating secret (shown once,
  stored only as its hash). A complaint about a project is routed at once to the project's
  unit, with the default deadline.
- ``route``: the office sends (or re-sends, until it is answered) a complaint to a unit with a
  deadline: the one given, or ``Settings.complaint_days`` working days after today on the
  portfolio's calendar.
- ``answer``: the unit it is routed to answers it, once (another unit: 403).
- ``track``: what the holder of a tracking code reads: state, unit, deadline, the answer; never
  the contact or the text. ``rate``: the code and the rating secret of that complaint, once,
  after the answer; a forged secret or another complaint's changes nothing
  (``ComplaintLinkError``, 404), a second rating neither (``ComplaintStateError``, 409).
- ``complaints_for(who)`` / ``complaint_for``: what a signed-in user may read
  (``api.visibility.sees_complaint``); the contact only for the office (``sees_contact``).
  Nothing a step writes to the audit chain holds the contact or the text (the leaders read it).
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from api import audit
from api.intake import Intake, address_key
from api.values import ForbiddenError
from api.visibility import sees_complaint, sees_contact
from projects import complaint_store
from projects import repository as repo
from projects.catalogue import SECRET_MAX
from projects.complaints import secret_hash
from projects.errors import ComplaintLinkError, RecordNotFoundError
from projects.repository import StoredComplaint

if TYPE_CHECKING:
    from api.auth import Principal
    from api.service import Server


@dataclass(frozen=True, slots=True)
class Filed:
    code: str
    secret: str
    unit: str | None
    due: dt.date | None


class ComplaintRead(Struct, frozen=True):
    """One complaint as a reader may see it: ``contact`` only for the office, ``text`` not for
    the public (``track``); the API answers it as it is (one shape, not a view copied field
    by field into an answer)."""

    code: str
    title: str
    kind: str
    state: str  # received | routed | answered | rated (``state_of``)
    project: str | None
    received: dt.date
    unit: str | None
    due: dt.date | None
    responded: dt.date | None
    rating: str | None
    rated: dt.date | None
    text: str | None
    answer: str | None
    answered_by: str | None
    routed_by: str | None
    contact: str | None  # the office only


def state_of(c: StoredComplaint) -> str:
    """Where a complaint is: rated, answered, routed to a unit, or just received."""
    if c.rating is not None:
        return "rated"
    if c.responded is not None:
        return "answered"
    return "routed" if c.unit is not None else "received"


def view(c: StoredComplaint, *, text: bool, contact: bool) -> ComplaintRead:
    return ComplaintRead(
        code=c.code, title=c.title, kind=c.kind.value, state=state_of(c), project=c.project, received=c.received,
        unit=c.unit, due=c.due, responded=c.responded,
        rating=None if c.rating is None else c.rating.value, rated=c.rated,
        text=c.text if text else None, answer=c.response, answered_by=c.responded_by,
        routed_by=c.routed_by, contact=c.contact if contact else None)


def _brief(c: StoredComplaint) -> dict[str, Any]:
    """What the audit chain keeps of a step: never the contact or the text."""
    return {"unit": c.unit, "due": c.due.isoformat() if c.due else None, "project": c.project,
            "responded": c.responded.isoformat() if c.responded else None,
            "rating": None if c.rating is None else c.rating.value}


async def file_complaint(server: Server, intake: Intake, address: str, key: str) -> Filed:
    """File ``intake`` from ``address`` (see the module header); ``key`` keys the address's
    digest (``app.state.complaint_key``)."""
    async with server.writing():
        snap = await server.snapshot()
        today = server.today()
        made = await complaint_store.submit(
            server.engine, title=intake.title, text=intake.text, kind=intake.kind, contact=intake.contact,
            today=today, now=dt.datetime.now(dt.UTC), address=address_key(key, address or "-"),
            per_hour=server.settings.complaints_per_hour)
        stored = made.complaint
        await audit.append("public", "complaint.file", f"complaint:{made.code}", None,
                             {"title": stored.title, "kind": stored.kind.value, **_brief(stored)})
        project = snap.portfolio.project_by_id.get(intake.project or "")
        if project is not None:  # routed by its project: the project's lead unit answers
            routed = await complaint_store.route(
                server.engine, made.code, unit=project.unit, today=today, calendar=snap.calendar,
                due=snap.calendar.add_workdays(today, server.settings.complaint_days), project=project.id,
                actor="project", units=snap.portfolio.unit_by_id, projects=snap.portfolio.project_by_id)
            await audit.append("public", "complaint.route", f"complaint:{made.code}", _brief(stored),
                                 _brief(routed))
            stored = routed
    return Filed(made.code, made.secret, stored.unit, stored.due)


async def complaints_for(server: Server, who: Principal) -> list[ComplaintRead]:
    """Every complaint ``who`` may read, newest first (the contact for the office only)."""
    del server
    out = [view(c, text=True, contact=sees_contact(who)) for c in await repo.complaints()
           if sees_complaint(who, c.unit)]
    out.reverse()
    return out


async def _readable(who: Principal, code: str) -> StoredComplaint:
    c = await repo.get_complaint(code)
    if not sees_complaint(who, c.unit):
        raise ForbiddenError(f"complaint {code} is not routed to your unit (只有承办单位和督办办公室可以查看)",
                             where="code")
    return c


async def complaint_for(server: Server, who: Principal, code: str) -> ComplaintRead:
    """One complaint for ``who``: 404 when there is none, 403 when it is another unit's."""
    del server
    return view(await _readable(who, code), text=True, contact=sees_contact(who))


async def route(server: Server, actor: str, code: str, unit: str, due: dt.date | None) -> ComplaintRead:
    """The office sends complaint ``code`` to ``unit`` with deadline ``due`` (default: the
    setting's working days after today); again while it is unanswered."""
    async with server.writing():
        snap = await server.snapshot()
        before = await repo.get_complaint(code)
        today = server.today()
        after = await complaint_store.route(
            server.engine, code, unit=unit, today=today, calendar=snap.calendar,
            due=due if due is not None else snap.calendar.add_workdays(today, server.settings.complaint_days),
            project=before.project, actor=actor, units=snap.portfolio.unit_by_id,
            projects=snap.portfolio.project_by_id)
        await audit.append(actor, "complaint.route", f"complaint:{code}", _brief(before), _brief(after))
    return view(after, text=True, contact=True)


async def answer(server: Server, who: Principal, code: str, text: str) -> ComplaintRead:
    """The unit ``code`` is routed to answers it, once; anyone else is refused (403) before
    anything else is said of it."""
    async with server.writing():
        before = await repo.get_complaint(code)
        if before.unit is None or who.unit is None or before.unit != who.unit:
            raise ForbiddenError(f"complaint {code} is not routed to {who.unit or who.role}; only the unit it is "
                                 f"routed to answers it (只有承办单位可以答复)", where="code")
        after = await complaint_store.answer(server.engine, code, unit=who.unit, text=text, today=server.today(),
                                             actor=who.username)
        await audit.append(who.username, "complaint.answer", f"complaint:{code}", _brief(before), _brief(after))
    return view(after, text=True, contact=sees_contact(who))


def normal_code(text: str) -> str:
    """A tracking code as people type it: case and surrounding spaces ignored."""
    return text.strip().upper()[:64]


async def track(server: Server, code: str) -> ComplaintRead | None:
    """What the holder of tracking ``code`` reads (no contact, no text), or None."""
    del server
    try:
        c = await repo.get_complaint(normal_code(code))
    except RecordNotFoundError:
        return None
    return view(c, text=False, contact=False)


async def rate(server: Server, code: str, secret: str, rating: str) -> ComplaintRead:
    """Record the complainant's ``rating`` of complaint ``code`` with its rating secret, once.

    The secret is looked up by its hash (a random value of 192 bits: timing tells nothing of a
    stored hash), and the complaint it belongs to must be ``code``, compared in constant time:
    the link of one complaint rates no other.
    """
    code = normal_code(code)
    async with server.writing():
        owner = (await repo.complaint_by_secret(secret_hash(secret))
                 if isinstance(secret, str) and 0 < len(secret) <= SECRET_MAX else None)
        if owner is None or not hmac.compare_digest(owner.code.encode(), code.encode()):
            raise ComplaintLinkError("评价链接无效，评价未改变 — this rating link is not valid for this "
                                     "complaint; nothing changed", where="link")
        after = await complaint_store.rate(server.engine, secret, rating, server.today())
        await audit.append("public", "complaint.rate", f"complaint:{code}", _brief(owner), _brief(after))
    return view(after, text=False, contact=False)


__all__ = ["ComplaintRead", "Filed", "answer", "complaint_for", "complaints_for", "file_complaint",
           "normal_code", "rate", "route", "track", "view"]
