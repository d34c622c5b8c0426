"""The notices' repository: stored notices in and out, the evaluation hook, responses.

Owns the ``notifier_notice`` and ``notifier_notice_event`` rows and maps them to and from
the pure values (``reconcile.OpenNotice``, ``projects.model.Notice``). Every function takes
the Piccolo engine (its tables bound to it once, by whoever opened it) and writes in
``projects.storage.write_transaction``, which joins the caller's transaction when there is
one: called inside the server's transaction, a notice, its history and its outbox rows commit
or vanish together with the evaluation that caused them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Max

from notifier import outbox
from notifier.errors import NoticeNotFoundError, NoticeStateError
from notifier.lifecycle import (
    ANSWERED_STATES,
    ISSUE_EVENT,
    ISSUED_STATE,
    OPEN_STATES,
    NoticeEvent,
    NoticeState,
    Workdays,
    check_responder,
    check_step,
    next_state,
    reopened_due,
    weekdays_calendar,
)
from notifier.reconcile import Actions, FindingLike, NewNotice, OpenNotice, reconcile
from notifier.tables import TABLES, NoticeEventRow, NoticeRow
from notifier.text import Message, MessageKind, format_value, render
from projects.model import Level, Notice, Portfolio
from projects.storage import Changes, DbEngine, bind, execute_many, raw, write_transaction
from projects.storage import migrate as migrate_apps
from projects.subjects import parse_subject


async def migrate(engine: DbEngine) -> list[str]:
    """The notifier on its own (a standalone worker, its tests): bind its tables to ``engine``
    and bring them to the current schema by its migrations; names the ones run. The server
    migrates every app at once (``api.database.migrate``)."""
    bind(engine, TABLES)
    return await migrate_apps(engine, ("notifier",))


@dataclass(frozen=True, slots=True)
class StoredNotice:
    """A notice as stored, for the API and the inbox page."""

    code: str
    rule: str
    subject: str
    unit: str
    level: Level
    state: NoticeState
    title: str
    message: str
    issued: dt.date
    due: dt.date
    project: str | None = None
    explain: tuple[tuple[str, str], ...] = ()
    escalates: str | None = None
    responded: dt.date | None = None
    response_text: str | None = None
    attachment: str | None = None
    closed: dt.date | None = None
    lang: str = "zh"


def _stored(r: dict[str, Any]) -> StoredNotice:
    return StoredNotice(
        code=r["code"], rule=r["rule"], subject=r["subject"], unit=r["unit"],
        level=Level(r["level"]), state=NoticeState(r["state"]), title=r["title"],
        message=r["message"], issued=r["issued"], due=r["due"], project=r["project"],
        explain=tuple(tuple(p) for p in json.loads(r["explain"] or "[]")),
        escalates=r["escalates"], responded=r["responded"],
        response_text=r["response_text"], attachment=r["attachment"],
        closed=r["closed"], lang=r["lang"] or "zh",
    )


def to_model(n: StoredNotice) -> Notice:
    """The notice as the engine sees it. A closed notice (rectified or escalated) shows as
    answered on the day it closed, so notice rules stop lighting on it."""
    if n.state in ANSWERED_STATES:
        responded = n.responded
    elif n.state in OPEN_STATES:
        responded = None
    else:
        responded = n.responded or n.closed
    return Notice(
        id=n.code, title=n.title, unit=n.unit, issued=n.issued, due=n.due, rule=n.rule,
        level=n.level, responded=responded, subject=n.subject,
    )


#: The open states as SQL no index of ``state`` serves (``_open``; ``|| ''``: an expression,
#: as SQLite's ``+`` makes one of a number, that PostgreSQL takes for text too).
_OPEN_NAMED = f'("state" || \'\') IN ({", ".join(repr(str(s)) for s in sorted(OPEN_STATES))})'


def _open(*, narrowed: bool) -> Any:
    """The open notices' condition. ``narrowed``: the query also names its unit, projects or
    codes, and their index finds the rows; written so that the ``state`` index is not taken
    instead (SQLite's planner, with no statistics, prefers it and reads every open notice of
    the portfolio: a report group's notices of 20 projects 20.4 -> 2.5 ms over the
    40,000-milestone bench database). Otherwise the ``state`` index serves."""
    return WhereRaw(_OPEN_NAMED) if narrowed else NoticeRow.state.is_in([str(s) for s in OPEN_STATES])


async def list_notices(
    engine: DbEngine, *, unit: str | None = None, open_only: bool = False,
    projects: Collection[str] | None = None, codes: Collection[str] | None = None,
) -> list[StoredNotice]:
    """Stored notices in issue order, optionally of one unit, only the open ones, only those
    about ``projects`` (and those about no project: unit notices), or only ``codes``."""
    query = _notices_query(unit=unit, open_only=open_only, projects=projects, codes=codes)
    return [_stored(r) for r in await query.run()]


def _notices_query(*, unit: str | None, open_only: bool, projects: Collection[str] | None,
                   codes: Collection[str] | None) -> Any:
    """``list_notices``' query."""
    query = NoticeRow.select().order_by(NoticeRow.id)
    if unit is not None:
        query = query.where(NoticeRow.unit == unit)
    if open_only:
        query = query.where(_open(narrowed=unit is not None or projects is not None or codes is not None))
    if projects is not None:
        query = query.where(NoticeRow.project.is_in(list(projects) or [""])
                            | NoticeRow.project.is_null())
    if codes is not None:
        query = query.where(NoticeRow.code.is_in(list(codes) or [""]))
    return query


async def open_notices(engine: DbEngine, projects: Collection[str]) -> list[tuple[int, StoredNotice]]:
    """The open notices about ``projects`` and those about no project (unit notices), with
    their row ids, in issue order: what ``record_evaluation`` reconciles a scoped evaluation
    against, for a caller that keeps them (``held=``)."""
    query = _notices_query(unit=None, open_only=True, projects=projects, codes=None)
    return [(int(r["id"]), _stored(r)) for r in await query.run()]


async def every_notice(engine: DbEngine) -> list[tuple[int, StoredNotice]]:
    """Every stored notice with its row id, in issue order (one read): what a loading server
    derives both ``Portfolio.notices`` (``to_model``) and the open notices it holds from."""
    return [(int(r["id"]), _stored(r)) for r in await NoticeRow.select().order_by(NoticeRow.id).run()]


async def notices_for_engine(engine: DbEngine, *,
                             codes: Collection[str] | None = None) -> tuple[Notice, ...]:
    """Every stored notice (or those of ``codes``) as ``projects.model.Notice``, for
    ``Portfolio.notices``."""
    return tuple(to_model(n) for n in await list_notices(engine, codes=codes))


async def get_notice(engine: DbEngine, code: str) -> StoredNotice:
    """One notice by code; ``NoticeNotFoundError`` with the nearest codes otherwise."""
    rows = await NoticeRow.select().where(NoticeRow.code == code).run()
    if not rows:
        codes = [r["code"] for r in await NoticeRow.select(NoticeRow.code).run()]
        raise NoticeNotFoundError(code, tuple(difflib.get_close_matches(code, codes, n=3)))
    return _stored(rows[0])


@dataclass(frozen=True, slots=True)
class EventView:
    day: dt.date
    event: str
    from_state: str | None
    to_state: str
    actor: str | None
    detail: str | None


async def notice_history(engine: DbEngine, code: str) -> list[EventView]:
    """The notice's history, oldest first."""
    await get_notice(engine, code)
    rows = await (
        NoticeEventRow.select().where(NoticeEventRow.notice == code).order_by(NoticeEventRow.id).run()
    )
    return [
        EventView(r["day"], r["event"], r["from_state"], r["to_state"], r["actor"], r["detail"])
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class NoticeStep:
    """One step of a notice's history as a unit reads it: a reply's text, a rejection's
    reason and the new deadline it set (``new_due``)."""

    day: dt.date
    event: str
    from_state: str | None
    to_state: str
    actor: str | None
    text: str | None
    new_due: dt.date | None = None


_NEW_DUE = re.compile(r"^(?P<reason>.*) \(new due (?P<due>\d{4}-\d{2}-\d{2})\)$", re.DOTALL)


def step(event: EventView) -> NoticeStep:
    """An event with its detail split: a rejection's ``reason (new due D)`` -> text and day."""
    text, due = event.detail, None
    if event.event == "reject" and text:
        match = _NEW_DUE.match(text)
        if match:
            text, due = match["reason"], dt.date.fromisoformat(match["due"])
    return NoticeStep(event.day, event.event, event.from_state, event.to_state, event.actor,
                      text, due)


async def notice_steps(engine: DbEngine, code: str) -> list[NoticeStep]:
    """The notice's history, oldest first, each step with its text and any new deadline."""
    return [step(e) for e in await notice_history(engine, code)]


# -- the evaluation hook ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applied:
    """What ``record_evaluation`` did: codes issued, escalated, rectified; outbox rows."""

    issued: tuple[str, ...] = ()
    escalated: tuple[str, ...] = ()
    rectified: tuple[str, ...] = ()
    deliveries: int = 0
    no_contacts: tuple[str, ...] = ()  # units notified that have no contact URL
    actions: Actions = field(default_factory=Actions)
    opened: tuple[tuple[int, StoredNotice], ...] = ()  # the issued ones as stored, with row ids
    closed: tuple[StoredNotice, ...] = ()  # the escalated and rectified ones as now stored


def _names(portfolio: Portfolio, project: str | None, subject: str) -> tuple[str | None, str | None]:
    proj = portfolio.project_by_id.get(project) if project else None
    milestone = None
    mid = parse_subject(subject).milestone
    if proj is not None and mid is not None:
        milestone = next((m.name for m in proj.milestones if m.id == mid), mid)
    return (proj.name if proj else project), milestone


def _message(
    kind: MessageKind, n: StoredNotice | NewNotice, code: str, title: str, portfolio: Portfolio,
    *, explain: tuple[tuple[str, object], ...], reason: str | None = None,
    day: dt.date | None = None, due: dt.date | None = None,
) -> Message:
    unit = portfolio.unit_by_id.get(n.unit)
    project_name, milestone_name = _names(portfolio, n.project, n.subject)
    return Message(
        kind=kind, code=code, title=title, message=n.message, level=n.level,
        unit_name=unit.name if unit else n.unit, issued=n.issued, due=due or n.due,
        project_name=project_name, milestone_name=milestone_name, explain=explain,
        escalates=n.escalates, reason=reason, day=day,
    )


def _contacts(portfolio: Portfolio, unit: str) -> tuple[str, ...]:
    u = portfolio.unit_by_id.get(unit)
    return u.contacts if u else ()


async def _next_codes(year: int, count: int) -> list[str]:
    rows = await NoticeRow.select(Max(NoticeRow.id, alias="top")).run()
    top = (rows[0]["top"] if rows else None) or 0
    return [f"N-{year}-{top + i:04d}" for i in range(1, count + 1)]


#: A notice row's columns as ``record_evaluation`` writes them (the others take their defaults).
_NOTICE_COLUMNS = tuple(f'"{c}"' for c in ("code", "rule", "subject", "unit", "level", "state", "project", "title",
                                           "message", "explain", "issued", "due", "escalates", "lang"))

#: A notice event row's columns (``_insert_events``).
_EVENT_COLUMNS = ("notice", "day", "event", "from_state", "to_state", "actor", "detail", "at")


async def _insert_events(engine: DbEngine, rows: Sequence[Sequence[object]]) -> None:
    """Notice events, one prepared statement for them all, in the caller's transaction (a
    Piccolo row object and query string each cost more than the database's work)."""
    await execute_many(engine, f'INSERT INTO "{NoticeEventRow._meta.tablename}" '
                       f'({", ".join(_EVENT_COLUMNS)}) VALUES ({", ".join("{}" for _ in _EVENT_COLUMNS)})', rows)


async def _event(code: str, day: dt.date, event: str, before: str | None, after: str, *,
                 actor: str | None = None, detail: str | None = None, now: float) -> None:
    await NoticeEventRow.insert(
        NoticeEventRow(notice=code, day=day, event=event, from_state=before, to_state=after,
                       actor=actor, detail=detail, at=now)
    ).run()


async def record_evaluation(
    engine: DbEngine,
    findings: Iterable[FindingLike],
    today: dt.date,
    *,
    portfolio: Portfolio,
    calendar: Workdays | None = None,
    projects: Collection[str] | None = None,
    failed_rules: Collection[str] = (),
    lang: str = "zh",
    now: float | None = None,
    held: Iterable[tuple[int, StoredNotice]] | None = None,
) -> Applied:
    """Turn an evaluation's findings into notices and outbox rows (idempotent per day).

    Call inside the transaction that stores the evaluation. ``projects``/``failed_rules``:
    see ``reconcile``. ``portfolio`` gives unit names and contacts, project and milestone names.
    ``held``: the open notices ``open_notices(projects)`` would read, kept by a caller that
    knows them (they are not read again); ``Applied.opened`` and ``closed`` say how they changed.
    """
    stamp = time.time() if now is None else now
    async with write_transaction(engine):
        # A scoped evaluation can only issue, escalate or rectify notices of its projects
        # (``reconcile``); the unit notices (no project) are few and read for the keys.
        if held is None:
            held = [(0, n) for n in await list_notices(engine, open_only=True, projects=projects)]
        by_code = {n.code: n for _, n in held}
        opens = [OpenNotice(n.code, n.rule, n.subject, n.unit, n.level, n.state, n.project)
                 for n in by_code.values()]
        actions = reconcile(opens, findings, today, calendar=calendar, projects=projects,
                            failed_rules=failed_rules)
        if not actions:
            return Applied(actions=actions)

        messages: list[outbox.Outgoing] = []
        closed: list[StoredNotice] = []
        closing: dict[str, list[str]] = {}  # state after -> the codes moved to it
        moved: list[tuple[object, ...]] = []  # their events (``_EVENT_COLUMNS``)
        escalated = frozenset(actions.escalated)
        for code in actions.escalated + actions.rectified:
            old = by_code[code]
            event = NoticeEvent.ESCALATE if code in escalated else NoticeEvent.RECTIFY
            after = next_state(old.state, event, notice=code)
            closing.setdefault(str(after), []).append(code)
            closed.append(replace(old, state=after, closed=today))
            moved.append((code, today, str(event), str(old.state), str(after), None, None, stamp))
            if event is NoticeEvent.RECTIFY:
                msg = _message(MessageKind.RECTIFIED, old, code, old.title, portfolio,
                               explain=old.explain, day=today)
                title, body = render(msg, old.lang)
                messages.append(outbox.Outgoing(code, "rectified", old.unit,
                                                _contacts(portfolio, old.unit), title, body))

        # the closed ones in a few statements (a group closes dozens: one statement each was
        # two trips to the database's thread, ~1 ms apiece, the most of such a group's time)
        for state, moving in closing.items():
            for i in range(0, len(moving), 400):
                await (NoticeRow.update({NoticeRow.state: state, NoticeRow.closed: today})
                       .where(NoticeRow.code.is_in(moving[i : i + 400])).run())
        await _insert_events(engine, moved)

        codes = await _next_codes(today.year, len(actions.issue))
        rows = []
        issued: list[StoredNotice] = []
        for code, new in zip(codes, actions.issue, strict=True):
            project_name, _ = _names(portfolio, new.project, new.subject)
            title = f"{project_name}：{new.title}" if project_name else new.title
            printed = tuple((str(k), format_value(v)) for k, v in new.explain)
            issued.append(StoredNotice(
                code=code, rule=new.rule, subject=new.subject, unit=new.unit, level=Level(str(new.level)),
                state=ISSUED_STATE, title=title, message=new.message, issued=new.issued, due=new.due,
                project=new.project, explain=printed, escalates=new.escalates, lang=lang))
            rows.append((code, new.rule, new.subject, new.unit, str(new.level), str(ISSUED_STATE), new.project,
                         title, new.message, json.dumps(printed, ensure_ascii=False), new.issued, new.due,
                         new.escalates, lang))
            kind = MessageKind.ESCALATED if new.escalates else MessageKind.ISSUED
            mtitle, body = render(_message(kind, new, code, title, portfolio, explain=new.explain), lang)
            messages.append(outbox.Outgoing(code, str(kind), new.unit,
                                            _contacts(portfolio, new.unit), mtitle, body))
        id_of: dict[str, int] = {}
        for i in range(0, len(rows), 300):  # (RETURNING's rows come in no promised order: by code)
            part = rows[i : i + 300]
            made = await raw(
                engine, f'INSERT INTO "{NoticeRow._meta.tablename}" ({", ".join(_NOTICE_COLUMNS)}) VALUES '
                f'{", ".join("(" + ", ".join("{}" for _ in _NOTICE_COLUMNS) + ")" for _ in part)} '
                'RETURNING "id", "code"', *(v for r in part for v in r))
            id_of.update((str(r["code"]), int(r["id"])) for r in made)
        ids = [id_of[code] for code in codes]
        await _insert_events(engine, [
            (code, today, ISSUE_EVENT, None, str(ISSUED_STATE), None,
             f"escalates {new.escalates}" if new.escalates else None, stamp)
            for code, new in zip(codes, actions.issue, strict=True)])
        count = await outbox.enqueue(engine, messages, now=stamp)
    no_contacts = tuple(sorted({m.unit for m in messages if not m.contacts}))
    opened = tuple((i, n) for i, n in zip(ids, issued, strict=True))
    return Applied(tuple(codes), actions.escalated, actions.rectified, count, no_contacts, actions,
                   opened, tuple(closed))


# -- responses -------------------------------------------------------------------------------


async def _move(engine: DbEngine, code: str, event: NoticeEvent, today: dt.date,
                values: Changes, *, actor: str | None, detail: str | None,
                now: float | None) -> StoredNotice:
    notice = await get_notice(engine, code)
    after = next_state(notice.state, event, notice=code)
    changed = await (
        NoticeRow.update({NoticeRow.state: str(after), **values})
        .where((NoticeRow.code == code) & (NoticeRow.state == str(notice.state)))
        .returning(NoticeRow.id)
        .run()
    )
    if not changed:  # someone else moved it in between: refuse rather than guess
        current = await get_notice(engine, code)
        raise NoticeStateError(code, str(current.state), str(event), ())
    await _event(code, today, str(event), str(notice.state), str(after), actor=actor,
                 detail=detail, now=time.time() if now is None else now)
    return await get_notice(engine, code)


async def respond(engine: DbEngine, code: str, today: dt.date, text: str | None, *,
                  unit: str | None = None, attachment: str | None = None,
                  actor: str | None = None, now: float | None = None) -> StoredNotice:
    """The unit answers the notice (text, optionally a reference to an attached file).

    ``unit``: the unit the caller answers for (``None``: the office, for any unit); the life
    cycle refuses another unit's notice and a response without text."""
    said = check_step(code, NoticeEvent.RESPOND, text=text)
    async with write_transaction(engine):
        check_responder(code, (await get_notice(engine, code)).unit, unit)
        return await _move(engine, code, NoticeEvent.RESPOND, today,
                           {NoticeRow.responded: today, NoticeRow.response_text: said,
                            NoticeRow.attachment: attachment},
                           actor=actor, detail=said, now=now)


async def accept(engine: DbEngine, code: str, today: dt.date, *, actor: str | None = None,
                 now: float | None = None) -> StoredNotice:
    """The supervision office accepts the unit's response."""
    async with write_transaction(engine):
        return await _move(engine, code, NoticeEvent.ACCEPT, today, {}, actor=actor,
                           detail=None, now=now)


async def reject(engine: DbEngine, code: str, today: dt.date, *, reason: str | None,
                 portfolio: Portfolio | None = None, new_due: dt.date | None = None,
                 calendar: Workdays | None = None, actor: str | None = None,
                 now: float | None = None) -> StoredNotice:
    """The office rejects the response: the notice reopens with a new deadline (by default as
    many working days from today as it first had) and the unit is told why."""
    why = check_step(code, NoticeEvent.REJECT, reason=reason, new_due=new_due, today=today)
    assert why is not None  # check_step refuses a rejection without a reason
    stamp = time.time() if now is None else now
    async with write_transaction(engine):
        notice = await get_notice(engine, code)
        due = new_due or reopened_due(notice.issued, notice.due, today, calendar or weekdays_calendar())
        after = await _move(engine, code, NoticeEvent.REJECT, today,
                            {NoticeRow.due: due, NoticeRow.responded: None,
                             NoticeRow.response_text: None, NoticeRow.attachment: None},
                            actor=actor, detail=f"{why} (new due {due.isoformat()})",
                            now=stamp)
        if portfolio is not None:
            msg = _message(MessageKind.REOPENED, after, code, after.title, portfolio,
                           explain=after.explain, reason=why, day=today, due=due)
            title, body = render(msg, after.lang)
            await outbox.enqueue(engine, [outbox.Outgoing(
                code, "reopened", after.unit, _contacts(portfolio, after.unit), title, body)],
                now=stamp)
    return after
