"""Rows <-> rulebook versions, evaluations and findings: the only module that touches
``rules.tables``.

A rulebook version's sources are a mapping file name -> text; its status moves
``draft`` -> ``checked`` -> ``published`` and never back. An evaluation is stored with the
version that ran and the projects it covered (``None``: all); storing one replaces the
*current* findings of exactly that scope. A scoped one (a report's re-evaluation) writes only
what changed against the current findings the writer holds (``store_scoped_evaluation``): an
unchanged finding keeps its row, and the id of the evaluation that first stored it so. Callers
hold the write transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from projects import storage
from rules.errors import EvaluationNotFoundError, RulebookNotFoundError, RulebookStateError
from rules.tables import EvaluationRow, FindingRow, RulebookVersionRow

DRAFT, CHECKED, PUBLISHED = "draft", "checked", "published"


@dataclass(frozen=True, slots=True)
class RulebookVersion:
    number: int
    status: str
    sources: dict[str, str]
    author: str
    note: str
    created_at: str
    checked_at: str | None
    published_at: str | None


@dataclass(frozen=True, slots=True)
class StoredEvaluation:
    id: int
    as_of: dt.date
    rulebook_version: int
    scope: tuple[str, ...] | None
    ran_at: str
    actor: str
    reason: str
    finding_count: int
    errors: list[Any]
    rates: Any
    scores: Any


@dataclass(frozen=True, slots=True)
class StoredFinding:
    evaluation: int
    rule: str
    title: str
    subject: str
    level: str
    message: str
    project: str | None
    unit: str | None
    notify: list[Any]
    respond_by: dt.date | None
    explain: list[Any]


def _version(r: dict[str, Any]) -> RulebookVersion:
    return RulebookVersion(int(r["number"]), r["status"], json.loads(r["sources"]), r["author"],
                           r["note"] or "", r["created_at"], r["checked_at"], r["published_at"])


async def list_versions() -> list[RulebookVersion]:
    rows = await RulebookVersionRow.select().order_by(RulebookVersionRow.number, ascending=False)
    return [_version(r) for r in rows]


async def get_version(number: int) -> RulebookVersion:
    row = await RulebookVersionRow.select().where(RulebookVersionRow.number == number).first()
    if row is None:
        known = sorted(r["number"] for r in await RulebookVersionRow.select(RulebookVersionRow.number))
        raise RulebookNotFoundError(number, known)
    return _version(row)


async def latest_published_number() -> int | None:
    """The number of the latest published version (what a server compares with the rulebook
    it compiled before reading any sources)."""
    rows = await storage.fetch(RulebookVersionRow._meta.db, f'SELECT max("number") AS "number" FROM '
                               f'"{RulebookVersionRow._meta.tablename}" WHERE "status" = {{}}', PUBLISHED)
    return None if not rows or rows[0]["number"] is None else int(rows[0]["number"])


async def latest_published() -> RulebookVersion | None:
    row = await (RulebookVersionRow.select().where(RulebookVersionRow.status == PUBLISHED)
                 .order_by(RulebookVersionRow.number, ascending=False).first())
    return None if row is None else _version(row)


async def save_draft(sources: Mapping[str, str], *, author: str, note: str, at: str) -> RulebookVersion:
    last = await RulebookVersionRow.select(RulebookVersionRow.number).order_by(
        RulebookVersionRow.number, ascending=False).first()
    number = 1 if last is None else int(last["number"]) + 1
    await RulebookVersionRow.insert(RulebookVersionRow(
        number=number, status=DRAFT, sources=json.dumps(dict(sources), ensure_ascii=False),
        author=author, note=note, created_at=at))
    return await get_version(number)


async def mark_checked(number: int, *, at: str) -> RulebookVersion:
    v = await get_version(number)
    if v.status == DRAFT:
        await RulebookVersionRow.update({RulebookVersionRow.status: CHECKED,
                                         RulebookVersionRow.checked_at: at}).where(RulebookVersionRow.number == number)
    return await get_version(number)


async def mark_published(number: int, *, at: str) -> RulebookVersion:
    v = await get_version(number)
    if v.status != CHECKED:
        raise RulebookStateError(number, v.status, "publish", "checked first (POST .../check)")
    await RulebookVersionRow.update({RulebookVersionRow.status: PUBLISHED,
                                     RulebookVersionRow.published_at: at}).where(RulebookVersionRow.number == number)
    return await get_version(number)


def _plain(value: Any) -> Any:
    """Engine values (views, dates, enums, tuples) as JSON-able data."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    for attr in ("id", "value"):
        if hasattr(value, attr):
            return getattr(value, attr)
    return str(value)


def _encoded(value: Any) -> str:
    """``value`` as the JSON text a finding column stores: the same text as
    ``json.dumps(_plain(value))`` (the round trip through ``_plain`` changes no text), in one
    encoding. The two shapes a report group encodes by the hundred, ``notify`` (a tuple of
    unit ids) and ``explain`` (a tuple of pairs of texts), are composed from their strings'
    JSON (``encode_basestring``, what ``json.dumps`` itself writes for a string) instead."""
    if type(value) is tuple:
        if all(type(x) is str for x in value):
            return "[" + ", ".join(map(_string, value)) + "]"
        if all(type(x) is tuple and len(x) == 2 and type(x[0]) is str and type(x[1]) is str for x in value):
            return "[" + ", ".join([f"[{_string(a)}, {_string(b)}]" for a, b in value]) + "]"
    return json.dumps(value, default=_default, ensure_ascii=False)


#: A string's JSON text as ``json.dumps(..., ensure_ascii=False)`` writes it.
_string = json.encoder.encode_basestring


#: A finding's stored columns beside evaluation, current, rule, subject and project (``_row_of``).
Row = tuple[str, str, str, str | None, str, dt.date | None, str]


#: What a finding stores beside its evaluation, rule, subject and project, as values before
#: encoding (``_values_of``): two findings of equal values store the same row.
Values = tuple[str, str, str, str | None, Any, dt.date | None, Any]


def _values_of(f: Any) -> Values:
    return (getattr(f, "title", "") or "", str(getattr(f.level, "value", f.level)), f.message or "",
            getattr(f, "unit", None), getattr(f, "notify", ()) or (), getattr(f, "respond_by", None),
            getattr(f, "explain", ()) or ())


def _row_from(values: Values) -> Row:
    title, level, message, unit, notify, respond_by, explain = values
    return (title, level, message, unit, _encoded(notify), respond_by, _encoded(explain))


def _row_of(f: Any) -> Row:
    """What a finding stores beside its evaluation, rule, subject and project: title, level,
    message, unit, notify and explain as stored text, respond_by."""
    return _row_from(_values_of(f))


#: ``current = 1`` as a condition no index of ``current`` serves, for the statements that name
#: their projects (the ``project`` index then finds the rows). Without statistics SQLite's
#: planner takes the two-valued ``current`` index over the ``project`` one and reads every
#: current row of the portfolio: a report group's stale-row update over the 40,000-milestone
#: bench database 16.5 -> 0.5 ms, a project's findings 17 -> 1 ms. (PostgreSQL plans by its
#: statistics either way; ``+`` is its unary plus too.)
_CURRENT_NAMED = '+"current" = 1'


def _current_of(projects_named: bool) -> Any:
    """The current findings' condition: through the ``project`` index when the query names its
    projects, through the ``current`` one otherwise (every current finding, in id order)."""
    return WhereRaw(_CURRENT_NAMED) if projects_named else FindingRow.current == 1


def _stale_rows_sql(projects: int, keys: int) -> str:
    """The statement taking ``keys`` findings of ``projects`` projects out of the current ones
    (``{}`` placeholders: the projects' ids, then each finding's rule and subject)."""
    return (f'UPDATE "{FindingRow._meta.tablename}" SET "current" = 0 WHERE {_CURRENT_NAMED} '
            f'AND "project" IN ({", ".join("{}" for _ in range(projects))}) AND ("rule", "subject") IN '
            f'({", ".join("({}, {})" for _ in range(keys))})')


def _current_rows(projects: list[str]) -> Any:
    """The query of these projects' current findings, in row order."""
    return FindingRow.select().where(_current_of(True) & FindingRow.project.is_in(projects)).order_by(FindingRow.id)


async def _new_evaluation(*, as_of: dt.date, rulebook_version: int, scope: Sequence[str] | None, actor: str,
                          reason: str, ran_at: str, count: int, errors: Any, rates: Any,
                          scores: Any) -> StoredEvaluation:
    """Insert the evaluation's row; returns it as ``get_evaluation`` would read it back."""
    plain = (_plain(list(errors)), _plain(rates or {}), _plain(scores or {}))
    inserted = await storage.fetch(
        EvaluationRow._meta.db, f'INSERT INTO "{EvaluationRow._meta.tablename}" ("as_of", "rulebook_version", '
        '"scope", "ran_at", "actor", "reason", "finding_count", "errors", "rates", "scores") '
        'VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}) RETURNING "id"',
        as_of, rulebook_version, None if scope is None else json.dumps(list(scope)), ran_at, actor, reason, count,
        *(json.dumps(x, ensure_ascii=False) for x in plain))
    return StoredEvaluation(int(inserted[0]["id"]), as_of, rulebook_version, None if scope is None else tuple(scope),
                            ran_at, actor, reason, count, *plain)


async def store_evaluation(findings: Iterable[Any], *, as_of: dt.date, rulebook_version: int,
                           scope: Sequence[str] | None, actor: str, reason: str, ran_at: str,
                           errors: Any = (), rates: Any = None, scores: Any = None,
                           current: bool = True) -> int:
    """Store an evaluation and its findings; with ``current`` they replace the current findings
    of ``scope`` (every project, or the ones named). Returns the evaluation id."""
    kept = list(findings) if scope is None else [f for f in findings if getattr(f, "project", None) in set(scope)]
    eid = (await _new_evaluation(as_of=as_of, rulebook_version=rulebook_version, scope=scope, actor=actor,
                                 reason=reason, ran_at=ran_at, count=len(kept), errors=errors, rates=rates,
                                 scores=scores)).id
    if current:
        old = FindingRow.update({FindingRow.current: 0}).where(_current_of(scope is not None))
        if scope is not None:
            old = old.where(FindingRow.project.is_in(list(scope)))
        await old
    rows = [_finding_row(eid, 1 if current else 0, f, _row_of(f)) for f in kept]
    await _insert_many(FindingRow, _FINDING_COLUMNS, rows)
    return eid


def _finding_row(eid: int, current: int, f: Any, row: Row) -> tuple[Any, ...]:
    title, level, message, unit, notify, respond_by, explain = row
    return (eid, current, f.rule, title, f.subject, level, message, getattr(f, "project", None), unit, notify,
            respond_by, explain)


class HeldFinding:
    """A stored current finding as the write path keeps it: its evaluation, rule, subject and
    project, and what it stores as text (``row``: to tell an unchanged finding without
    encoding it twice). ``stored``, the finding as ``findings`` reads it back, is decoded from
    the row the first time it is asked for (a report's answer asks for its own project's
    only; a loading server holds every project's)."""

    __slots__ = ("_stored", "evaluation", "project", "row", "rule", "subject", "values")

    def __init__(self, evaluation: int, rule: str, subject: str, project: str | None, row: Row, *,
                 values: Values | None = None) -> None:
        self.evaluation, self.rule, self.subject, self.project, self.row = evaluation, rule, subject, project, row
        self._stored: StoredFinding | None = None
        #: the values ``row`` was encoded from (``_values_of``), once known: a later finding of
        #: equal values is unchanged, told without encoding it (None: read from the database)
        self.values = values

    @property
    def stored(self) -> StoredFinding:
        if self._stored is None:
            title, level, message, unit, notify, respond_by, explain = self.row
            self._stored = StoredFinding(self.evaluation, self.rule, title, self.subject, level, message,
                                         self.project, unit, json.loads(notify), respond_by, json.loads(explain))
        return self._stored


#: A project's stored current findings by (rule, subject), in the order of their rows.
ProjectFindings = dict[tuple[str, str], HeldFinding]


async def current_findings(projects: Collection[str]) -> dict[str, ProjectFindings]:
    """The stored current findings of each of ``projects`` (an entry for every one, maybe
    empty), in row order: what ``store_scoped_evaluation`` compares a new evaluation with."""
    out: dict[str, ProjectFindings] = {p: {} for p in projects}
    wanted = sorted(out)
    for i in range(0, len(wanted), 500):
        rows = await _current_rows(wanted[i:i + 500])
        for r in rows:
            row = (r["title"], r["level"], r["message"], r["unit"], r["notify"], r["respond_by"], r["explain"])
            out[r["project"]][(r["rule"], r["subject"])] = HeldFinding(int(r["evaluation"]), r["rule"], r["subject"],
                                                                       r["project"], row)
    return out


async def store_scoped_evaluation(findings: Iterable[Any], held: Mapping[str, ProjectFindings], *,
                                  as_of: dt.date, rulebook_version: int, scope: Sequence[str], actor: str,
                                  reason: str, ran_at: str, errors: Any = (), rates: Any = None,
                                  scores: Any = None) -> tuple[StoredEvaluation, dict[str, ProjectFindings]]:
    """Store a scoped evaluation as the current findings of ``scope``, writing only what
    changed against ``held`` (``current_findings`` of every project of ``scope``, or what the
    last call returned): a finding no longer lit, or lit otherwise (level, message, notify,
    deadline, explanation...), loses its current row; a new or changed one gets a row of this
    evaluation; an unchanged one keeps its row, and with it the evaluation that first stored
    it so. The current findings of ``scope`` are then exactly the new ones. Returns the
    evaluation as stored and the new ``held`` of ``scope``'s projects."""
    wanted = set(scope)
    kept = [f for f in findings if getattr(f, "project", None) in wanted]
    if len({(f.rule, f.subject) for f in kept}) != len(kept):  # not one finding a rule x subject:
        eid = await store_evaluation(kept, as_of=as_of, rulebook_version=rulebook_version, scope=scope,
                                     actor=actor, reason=reason, ran_at=ran_at, errors=errors, rates=rates,
                                     scores=scores)  # no key to compare by; every row rewritten
        return await get_evaluation(eid), await current_findings(wanted)
    stored = await _new_evaluation(as_of=as_of, rulebook_version=rulebook_version, scope=scope, actor=actor,
                                   reason=reason, ran_at=ran_at, count=len(kept), errors=errors, rates=rates,
                                   scores=scores)
    eid = stored.id
    out = {p: dict(held[p]) for p in wanted}
    seen: set[tuple[str, str]] = set()
    stale: list[tuple[str, str, str]] = []
    fresh: list[tuple[Any, Row]] = []
    fresh_values: list[Values] = []
    for f in kept:
        key = (f.rule, f.subject)
        seen.add(key)
        values = _values_of(f)
        mine = out[f.project]
        was = mine.get(key)
        row = None
        if was is not None:
            # equal values store an equal row: compared as values, encoded only when they differ
            # (or when the held row was read from the database and its values are not known)
            if was.values is not None:
                if was.values == values:
                    continue
            else:
                row = _row_from(values)
                if was.row == row:
                    was.values = values
                    continue
            del mine[key]
        stale.append((f.project, f.rule, f.subject))  # (a new one's: in case another wrote it)
        fresh.append((f, row if row is not None else _row_from(values)))
        fresh_values.append(values)
    for pid in wanted:
        mine = out[pid]
        for key in [k for k in mine if k not in seen]:
            del mine[key]
            stale.append((pid, *key))
    for i in range(0, len(stale), 400):  # one statement a few hundred keys, on the project index
        part = stale[i:i + 400]
        pids = sorted({p for p, _, _ in part})
        await storage.raw(FindingRow._meta.db, _stale_rows_sql(len(pids), len(part)),
                          *pids, *(x for _, r, subj in part for x in (r, subj)))
    rows = [_finding_row(eid, 1, f, row) for f, row in fresh]
    await _insert_many(FindingRow, _FINDING_COLUMNS, rows)
    for (f, row), values in zip(fresh, fresh_values, strict=True):
        out[f.project][(f.rule, f.subject)] = HeldFinding(eid, f.rule, f.subject, f.project, row, values=values)
    return stored, out


def _evaluation(r: dict[str, Any]) -> StoredEvaluation:
    return StoredEvaluation(int(r["id"]), r["as_of"], int(r["rulebook_version"]),
                            None if r["scope"] is None else tuple(json.loads(r["scope"])), r["ran_at"],
                            r["actor"], r["reason"], int(r["finding_count"]), json.loads(r["errors"]),
                            json.loads(r["rates"]), json.loads(r["scores"]))


async def list_evaluations(*, offset: int, limit: int) -> tuple[list[StoredEvaluation], int]:
    rows = await EvaluationRow.select().order_by(EvaluationRow.id, ascending=False).offset(offset).limit(limit)
    return [_evaluation(r) for r in rows], int(await EvaluationRow.count())


async def get_evaluation(eid: int) -> StoredEvaluation:
    row = await EvaluationRow.select().where(EvaluationRow.id == eid).first()
    if row is None:
        raise EvaluationNotFoundError(eid)
    return _evaluation(row)


async def latest_full_evaluation() -> StoredEvaluation | None:
    row = await (EvaluationRow.select().where(EvaluationRow.scope.is_null())
                 .order_by(EvaluationRow.id, ascending=False).first())
    return None if row is None else _evaluation(row)


def _finding(r: dict[str, Any]) -> StoredFinding:
    return StoredFinding(int(r["evaluation"]), r["rule"], r["title"], r["subject"], r["level"],
                         r["message"], r["project"], r["unit"], json.loads(r["notify"]),
                         r["respond_by"], json.loads(r["explain"]))


async def findings(*, evaluation: int | None = None, level: str | None = None, project: str | None = None,
                   unit: str | None = None, rule: str | None = None, offset: int = 0,
                   limit: int = 50, among: tuple[Collection[str], str | None] | None = None,
                   ) -> tuple[list[StoredFinding], int]:
    """A page of findings (the current ones unless an evaluation is named) and the total.

    ``among=(projects, unit)``: only findings of those projects, and findings of no project
    whose unit is ``unit`` (what a reader may see, ``api.visibility``).
    """
    queries = _findings_queries(evaluation=evaluation, level=level, project=project, unit=unit, rule=rule,
                                among=among)
    if queries is None:
        return [], 0
    query, count = queries
    rows = await query.order_by(FindingRow.id).offset(offset).limit(limit)
    return [_finding(r) for r in rows], int(await count)


def _findings_queries(*, evaluation: int | None, level: str | None, project: str | None, unit: str | None,
                      rule: str | None, among: tuple[Collection[str], str | None] | None) -> tuple[Any, Any] | None:
    """``findings``' select and count (None: nothing a reader may see)."""
    query, count = FindingRow.select(), FindingRow.count()
    named = project is not None or among is not None
    conds: list[Any] = [_current_of(named)] if evaluation is None else [FindingRow.evaluation == evaluation]
    if among is not None:
        seen, own = sorted(among[0]), among[1]
        parts: list[Any] = []
        if seen:
            parts.append(FindingRow.project.is_in(seen))
        if own is not None:
            parts.append(FindingRow.project.is_null() & (FindingRow.unit == own))
        if not parts:
            return None
        conds.append(parts[0] if len(parts) == 1 else parts[0] | parts[1])
    for column, value in ((FindingRow.level, level), (FindingRow.project, project),
                          (FindingRow.unit, unit), (FindingRow.rule, rule)):
        if value is not None:
            conds.append(column == value)
    for c in conds:
        query, count = query.where(c), count.where(c)
    return query, count


_FINDING_COLUMNS = ("evaluation", "current", "rule", "title", "subject", "level", "message",
                    "project", "unit", "notify", "respond_by", "explain")


async def _insert_many(table: type[Table], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` with one prepared statement (``projects.storage.execute_many``)."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("{}" for _ in columns)
    await storage.execute_many(table._meta.db, f'INSERT INTO "{table._meta.tablename}" ({names}) '
                               f"VALUES ({marks})", rows)


