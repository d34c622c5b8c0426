"""Rows <-> rulebook versions, evaluations and findings: the only module that touches
``rules.tables``.

A rulebook version's sources are a mapping file name -> text; its status moves
``draft`` -> ``checked`` -> ``published`` and never back. An evaluation is stored with the
version that ran and the projects it covered (``None``: all); storing one replaces the
*current* findings of exactly that scope. Callers hold the write transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


async def store_evaluation(findings: Iterable[Any], *, as_of: dt.date, rulebook_version: int,
                           scope: Sequence[str] | None, actor: str, reason: str, ran_at: str,
                           errors: Any = (), rates: Any = None, scores: Any = None,
                           current: bool = True) -> int:
    """Store an evaluation and its findings; with ``current`` they replace the current findings
    of ``scope`` (every project, or the ones named). Returns the evaluation id."""
    kept = list(findings) if scope is None else [f for f in findings if getattr(f, "project", None) in set(scope)]
    inserted = await EvaluationRow.insert(EvaluationRow(
        as_of=as_of, rulebook_version=rulebook_version,
        scope=None if scope is None else json.dumps(list(scope)), ran_at=ran_at, actor=actor,
        reason=reason, finding_count=len(kept), errors=json.dumps(_plain(list(errors)), ensure_ascii=False),
        rates=json.dumps(_plain(rates or {}), ensure_ascii=False),
        scores=json.dumps(_plain(scores or {}), ensure_ascii=False))).returning(EvaluationRow.id)
    eid = int(inserted[0]["id"])
    if current:
        old = FindingRow.update({FindingRow.current: 0}).where(FindingRow.current == 1)
        if scope is not None:
            old = old.where(FindingRow.project.is_in(list(scope)))
        await old
    rows = [(eid, 1 if current else 0, f.rule, getattr(f, "title", "") or "", f.subject,
             str(getattr(f.level, "value", f.level)), f.message or "", getattr(f, "project", None),
             getattr(f, "unit", None), json.dumps(_plain(getattr(f, "notify", ()) or ()), ensure_ascii=False),
             getattr(f, "respond_by", None),
             json.dumps(_plain(getattr(f, "explain", ()) or ()), ensure_ascii=False)) for f in kept]
    await _insert_many(FindingRow, _FINDING_COLUMNS, rows)
    return eid


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
    query, count = FindingRow.select(), FindingRow.count()
    conds: list[Any] = [FindingRow.current == 1] if evaluation is None else [FindingRow.evaluation == evaluation]
    if among is not None:
        seen, own = sorted(among[0]), among[1]
        parts: list[Any] = []
        if seen:
            parts.append(FindingRow.project.is_in(seen))
        if own is not None:
            parts.append(FindingRow.project.is_null() & (FindingRow.unit == own))
        if not parts:
            return [], 0
        conds.append(parts[0] if len(parts) == 1 else parts[0] | parts[1])
    for column, value in ((FindingRow.level, level), (FindingRow.project, project),
                          (FindingRow.unit, unit), (FindingRow.rule, rule)):
        if value is not None:
            conds.append(column == value)
    for c in conds:
        query, count = query.where(c), count.where(c)
    rows = await query.order_by(FindingRow.id).offset(offset).limit(limit)
    return [_finding(r) for r in rows], int(await count)


_FINDING_COLUMNS = ("evaluation", "current", "rule", "title", "subject", "level", "message",
                    "project", "unit", "notify", "respond_by", "explain")


async def _insert_many(table: type[Table], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` with one prepared statement (``projects.storage.execute_many``)."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("{}" for _ in columns)
    await storage.execute_many(table._meta.db, f'INSERT INTO "{table._meta.tablename}" ({names}) '
                               f"VALUES ({marks})", rows)


