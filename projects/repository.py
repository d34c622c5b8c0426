"""Rows <-> portfolio model: the only module that touches ``projects.tables``.

Reads rebuild pure ``projects.model`` values; writes take model values. Every milestone change
(creation included) bumps its ``version`` and appends the full new state to the report
history with the day it became known, so :func:`load_portfolio_as_of` rebuilds any past day
from the reports known on it. Callers wrap writes in ``projects.storage.write_transaction``; these
functions never open transactions themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar, cast

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count, Max

from projects import storage
from projects.accountability import Accountability
from projects.cadence import Cadence, parse_cadence
from projects.catalogue import EXTENSION, MILESTONE, PERSON, PROJECT, UNIT, Field
from projects.errors import DuplicateError, RecordNotFoundError, StaleVersionError
from projects.extensions import Extension
from projects.model import (
    CalendarYear,
    Category,
    Complaint,
    ComplaintKind,
    Dependency,
    Kind,
    Milestone,
    Person,
    Portfolio,
    Project,
    Rating,
    Unit,
)
from projects.storage import changes
from projects.tables import (
    AccountabilityRow,
    AssessmentRow,
    CalendarYearRow,
    ChangeRow,
    ComplaintRow,
    ExtensionRow,
    MilestoneReportRow,
    MilestoneRow,
    PersonRow,
    ProjectRow,
    RevisionRow,
    SettingRow,
    UnitRow,
)


@dataclass(frozen=True, slots=True)
class Report:
    """One entry of a milestone's history."""

    version: int
    known_on: dt.date
    recorded_at: str
    actor: str
    milestone: Milestone


# ---------------------------------------------------------------- mapping


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _as_date(value: Any) -> dt.date:
    """A date column's value (a date, or ISO text from SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _date(v: Any) -> dt.date | None:
    return None if v is None else _as_date(v)


def dependency_data(d: Dependency) -> dict[str, Any]:
    """The one stored form of a dependency (table column, history, audit)."""
    out: dict[str, Any] = {"on": d.on, "lag": d.lag, "project": d.project}
    if d.type != "FS":
        out["type"] = d.type  # rows written before link types read as FS
    return out


def dependency_from_data(x: Mapping[str, Any]) -> Dependency:
    return Dependency(on=x["on"], lag=x.get("lag", 0), project=x.get("project"), type=x.get("type", "FS"))


def deps_to_json(after: Iterable[Dependency]) -> str:
    return json.dumps([dependency_data(d) for d in after], ensure_ascii=False)


def deps_from_json(text: str | None) -> tuple[Dependency, ...]:
    return tuple(dependency_from_data(x) for x in json.loads(text or "[]"))


def _cadence_text(c: Cadence | None) -> str | None:
    return None if c is None else str(c)


def _cadence(text: str | None) -> Cadence | None:
    return None if text is None else parse_cadence(text)


def _units_json(units: tuple[str, ...] | None) -> str | None:
    return None if units is None else json.dumps(list(units), ensure_ascii=False)


def _units(text: str | None) -> tuple[str, ...] | None:
    return None if text is None else tuple(json.loads(text))


def _value(k: Kind) -> str:
    return k.value


# A milestone's fields to and from a row and the history's JSON, by catalogue type (the types
# not named here are stored as they are). Compiled once into (name, column, convert) tuples.
# Reading conversions take None (a field absent from an older history entry) too.
_TO_COLUMN: dict[str, Callable[[Any], Any]] = {
    "kind": _value, "deps": deps_to_json, "units": _units_json, "cadence": _cadence_text}
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "date": _date, "kind": Kind, "deps": deps_from_json, "units": _units, "cadence": _cadence}
_TO_DATA: dict[str, Callable[[Any], Any]] = {
    "date": _iso, "kind": _value, "deps": lambda after: [dependency_data(d) for d in after],
    "units": lambda units: None if units is None else list(units), "cadence": _cadence_text}
_FROM_DATA: dict[str, Callable[[Any], Any]] = {
    "date": _date, "kind": Kind, "deps": lambda after: tuple(dependency_from_data(x) for x in after or ()),
    "units": lambda units: None if units is None else tuple(units), "cadence": _cadence}


def _plan(table: dict[str, Callable[[Any], Any]], *, stored: bool) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    return tuple((f.name, (f.db_column or f.name) if stored else f.name, table.get(f.type))
                 for f in MILESTONE if not stored or f.db_column is not None)


_KEY_COLUMNS = ("project", "mid")  # the row's identity, written by the callers
_COLUMNS_OUT = tuple(x for x in _plan(_TO_COLUMN, stored=True) if x[1] not in _KEY_COLUMNS)
_COLUMNS_IN = _plan(_FROM_COLUMN, stored=True)
_DATA_OUT = _plan(_TO_DATA, stored=False)
_DATA_IN = _plan(_FROM_DATA, stored=False)


def milestone_data(m: Milestone) -> dict[str, Any]:
    """The JSON form of a milestone's reported state (history rows, audit entries)."""
    return {key: getattr(m, name) if convert is None else convert(getattr(m, name))
            for name, key, convert in _DATA_OUT}


def milestone_from_data(d: dict[str, Any]) -> Milestone:
    # every reading conversion takes None (an absent field) too
    values: dict[str, Any] = {name: d.get(key) if convert is None else convert(d.get(key))
                              for name, key, convert in _DATA_IN}
    return Milestone(**values)


def _milestone_from_row(r: dict[str, Any]) -> Milestone:
    return Milestone(**{name: r[column] if convert is None else convert(r[column]) for name, column, convert in _COLUMNS_IN})


def _milestone_columns(m: Milestone) -> dict[str, Any]:
    return {column: getattr(m, name) if convert is None else convert(getattr(m, name))
            for name, column, convert in _COLUMNS_OUT}


# The other records' own fields to and from their rows, by catalogue type too: a unit, a
# project (not its milestones), a person and an extension request. A NULL column reads as the
# model's default when that is not None (a project's co-units: none; urgent: no). An extension
# names its milestone ``PROJECT/MILESTONE`` (type ``milestone_ref``), stored as the ``project``
# and ``mid`` columns.
_RECORD_TO_COLUMN: dict[str, Callable[[Any], Any]] = {
    **_TO_COLUMN, "category": _value, "contacts": lambda cs: json.dumps(list(cs), ensure_ascii=False)}
_RECORD_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    **_FROM_COLUMN, "category": Category, "bool": bool, "contacts": lambda text: tuple(json.loads(text or "[]"))}

_Model = TypeVar("_Model")


@dataclass(frozen=True, slots=True)
class _RecordPlan(Generic[_Model]):
    """How one record's catalogued fields map to its row (compiled once per record): per
    stored field its name, type, column, conversions to and from the column and its model
    default; ``key`` is the column of the record's id (written by the callers), if it has one."""

    model: Callable[..., _Model]
    fields: tuple[tuple[str, str, str, Callable[[Any], Any] | None, Callable[[Any], Any] | None, Any], ...]
    key: str | None


def _record_plan(model: type[_Model], fields: tuple[Field, ...], *, key: bool = True) -> _RecordPlan[_Model]:
    defaults = {f.name: f.default for f in dataclasses.fields(cast(Any, model))
                if f.default is not dataclasses.MISSING}
    stored = [(f, f.db_column) for f in fields if f.db_column is not None]
    return _RecordPlan(
        model,
        tuple((f.name, f.type, column, _RECORD_TO_COLUMN.get(f.type), _RECORD_FROM_COLUMN.get(f.type),
               defaults.get(f.name)) for f, column in stored),
        stored[0][1] if key else None)


_UNIT = _record_plan(Unit, UNIT)
_PROJECT = _record_plan(Project, PROJECT)
_PERSON = _record_plan(Person, PERSON)
_EXTENSION = _record_plan(Extension, EXTENSION, key=False)  # its id is the row's serial


def record_from_row(plan: _RecordPlan[_Model], r: Mapping[str, Any], **extra: Any) -> _Model:
    """The model value of a row (``extra``: fields not stored in it, a project's milestones)."""
    values: dict[str, Any] = {}
    for name, kind, column, _, convert, default in plan.fields:
        if kind == "milestone_ref":
            values[name] = f"{r['project']}/{r['mid']}"
            continue
        value = r[column] if convert is None else convert(r[column])
        values[name] = default if value is None else value
    return plan.model(**values, **extra)


def record_columns(plan: _RecordPlan[_Model], x: _Model) -> dict[str, Any]:
    """The stored columns of a record's own fields (not its key column)."""
    out: dict[str, Any] = {}
    for name, kind, column, convert, _, _ in plan.fields:
        if column == plan.key:
            continue
        value = getattr(x, name)
        if kind == "milestone_ref":
            out["project"], _, out["mid"] = value.partition("/")
        else:
            out[column] = value if convert is None else convert(value)
    return out


def _unit_from_row(r: dict[str, Any]) -> Unit:
    return record_from_row(_UNIT, r)


def _project_from_row(r: dict[str, Any], milestones: tuple[Milestone, ...]) -> Project:
    return record_from_row(_PROJECT, r, milestones=milestones)


def _project_columns(p: Project) -> dict[str, Any]:
    """The stored columns of a project's own fields (not its id, position or version)."""
    return record_columns(_PROJECT, p)


def _person_from_row(r: dict[str, Any]) -> Person:
    return record_from_row(_PERSON, r)


def _extension_from_row(r: dict[str, Any]) -> Extension:
    return record_from_row(_EXTENSION, r)


def _extension_columns(e: Extension) -> dict[str, Any]:
    return record_columns(_EXTENSION, e)


def _accountability_from_row(r: dict[str, Any]) -> Accountability:
    return Accountability(id=r["record_id"], kind=r["kind"], unit=r["unit"], date=_as_date(r["day"]),
                          reason=r["reason"], person=r["person"], notice=r["notice_code"],
                          complaint=r["complaint_code"])


def _accountability_columns(a: Accountability) -> dict[str, Any]:
    return {"record_id": a.id, "kind": a.kind, "unit": a.unit, "person": a.person, "day": a.date,
            "reason": a.reason, "notice_code": a.notice, "complaint_code": a.complaint}


# ---------------------------------------------------------------- reads


async def revision() -> int:
    """The portfolio revision (every request asks: one statement, its text made once)."""
    rows = await storage.fetch(RevisionRow._meta.db, f'SELECT "revision" FROM "{RevisionRow._meta.tablename}" LIMIT 1')
    return int(rows[0]["revision"]) if rows else 0


async def bump_revision() -> int:
    """Advance the portfolio revision (inside the write transaction) and return the new one."""
    rows = await storage.fetch(RevisionRow._meta.db, f'UPDATE "{RevisionRow._meta.tablename}" '
                               'SET "revision" = "revision" + 1 RETURNING "revision"')
    return int(rows[0]["revision"]) if rows else 0


#: How many revisions back ``projects_change`` reaches; a process further behind reloads all.
CHANGES_KEPT = 1000

MilestoneKey = tuple[str, str]


async def record_change(revision: int, milestones: Iterable[MilestoneKey], notices: Iterable[str]) -> None:
    """Note what ``revision`` changed (inside its write transaction): these milestones and
    notices only. Rows older than ``CHANGES_KEPT`` revisions go."""
    engine, table = ChangeRow._meta.db, ChangeRow._meta.tablename
    await storage.fetch(engine, f'INSERT INTO "{table}" ("revision", "milestones", "notices") VALUES ({{}}, {{}}, {{}})',
                        revision, json.dumps([list(k) for k in milestones]), json.dumps(list(notices)))
    await storage.fetch(engine, f'DELETE FROM "{table}" WHERE "revision" <= {{}}', revision - CHANGES_KEPT)


async def changes_between(after: int, upto: int) -> dict[int, tuple[tuple[MilestoneKey, ...], tuple[str, ...]]]:
    """What each revision in ``(after, upto]`` that has a change row changed: revision ->
    (milestone keys, notice codes). A revision missing from the answer changed anything."""
    rows = await ChangeRow.select(ChangeRow.revision, ChangeRow.milestones, ChangeRow.notices).where(
        (ChangeRow.revision > after) & (ChangeRow.revision <= upto))
    return {int(r["revision"]): (tuple((str(p), str(m)) for p, m in json.loads(r["milestones"])),
                                 tuple(str(c) for c in json.loads(r["notices"]))) for r in rows}


async def get_milestones(keys: Iterable[MilestoneKey]) -> dict[MilestoneKey, tuple[Milestone, int]]:
    """The current state and version of each milestone of ``keys`` that exists, in one query."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = await MilestoneRow.select().where(MilestoneRow.project.is_in(sorted({p for p, _ in wanted})))
    return {(r["project"], r["mid"]): (_milestone_from_row(r), int(r["version"])) for r in rows
            if (r["project"], r["mid"]) in wanted}


async def is_empty() -> bool:
    return int(await ProjectRow.count()) == 0 and int(await UnitRow.count()) == 0


async def load_portfolio() -> Portfolio:
    """The current portfolio (without notices: the server adds them from the notifier)."""
    units = tuple(_unit_from_row(r) for r in await UnitRow.select().order_by(UnitRow.position, UnitRow.id))
    by_project: dict[str, list[Milestone]] = defaultdict(list)
    for r in await MilestoneRow.select().order_by(MilestoneRow.position, MilestoneRow.id):
        by_project[r["project"]].append(_milestone_from_row(r))
    projects = tuple(
        _project_from_row(r, tuple(by_project.get(r["pid"], ())))
        for r in await ProjectRow.select().order_by(ProjectRow.position, ProjectRow.id)
    )
    people = tuple(_person_from_row(r) for r in await PersonRow.select().order_by(PersonRow.position, PersonRow.id))
    extensions = tuple(_extension_from_row(r) for r in await ExtensionRow.select().order_by(ExtensionRow.id))
    records = tuple(_accountability_from_row(r) for r in
                    await AccountabilityRow.select().order_by(AccountabilityRow.id))
    complaints = tuple(c for r in await ComplaintRow.select(*_COMPLAINT_COLUMNS).where(
        ComplaintRow.unit.is_not_null() & ComplaintRow.due.is_not_null()).order_by(ComplaintRow.id)
        if (c := _complaint_from_row(r)) is not None)
    kind, years = await calendar_settings()
    return Portfolio(units=units, projects=projects, people=people, extensions=extensions,
                     complaints=complaints, accountability=records, calendar=kind, calendar_years=years)


def _calendar_year_from_row(r: Mapping[str, Any]) -> CalendarYear:
    return CalendarYear(int(r["year"]), frozenset(dt.date.fromisoformat(d) for d in json.loads(r["holidays"])),
                        frozenset(dt.date.fromisoformat(d) for d in json.loads(r["workdays"])))


def _calendar_year_columns(y: CalendarYear) -> dict[str, Any]:
    return {"holidays": json.dumps(sorted(d.isoformat() for d in y.holidays)),
            "workdays": json.dumps(sorted(d.isoformat() for d in y.workdays))}


async def calendar_settings() -> tuple[str, tuple[CalendarYear, ...]]:
    """The stored calendar kind (``cn`` until a file names one) and the years files added."""
    row = await SettingRow.select(SettingRow.value).where(SettingRow.name == "calendar").first()
    years = tuple(_calendar_year_from_row(r) for r in await CalendarYearRow.select().order_by(CalendarYearRow.year))
    return (str(row["value"]) if row else "cn"), years


async def _store_calendar(portfolio: Portfolio, *, kind: bool) -> int:
    """Store the calendar ``portfolio`` gives: its kind when ``kind`` (a portfolio file always
    names one, ``cn`` by default), and each year it adds, replacing a stored year of the same
    number (a year is the whole truth, as in the file); stored years it does not give stay.
    Returns how many years were added or changed."""
    if kind:
        if await SettingRow.exists().where(SettingRow.name == "calendar"):
            await SettingRow.update({SettingRow.value: portfolio.calendar}).where(SettingRow.name == "calendar")
        else:
            await SettingRow.insert(SettingRow(name="calendar", value=portfolio.calendar))
    stored = {y.year: y for y in (_calendar_year_from_row(r) for r in await CalendarYearRow.select())}
    changed = 0
    for y in portfolio.calendar_years:
        old = stored.get(y.year)
        if old == y:
            continue
        if old is None:
            await CalendarYearRow.insert(CalendarYearRow(year=y.year, **_calendar_year_columns(y)))
        else:
            await CalendarYearRow.update(changes(_calendar_year_columns(y))).where(CalendarYearRow.year == y.year)
        changed += 1
    return changed


async def load_portfolio_as_of(day: dt.date) -> Portfolio:
    """The portfolio rebuilt from the milestone reports known on ``day``.

    A milestone with no report known on that day did not exist yet, and dependencies on it
    are dropped. Units and projects are taken as they are now (they are not reported).
    """
    return (await load_portfolios_as_of([day]))[day]


async def load_portfolios_as_of(days: Sequence[dt.date]) -> dict[dt.date, Portfolio]:
    """``load_portfolio_as_of`` of each of ``days`` in one pass over the report history: one
    read of the rows known by the last day, swept in ``known_on`` order, and each report's
    data decoded once however many days show it."""
    if not days:
        return {}
    current = await load_portfolio()
    rows = await MilestoneReportRow.select(
        MilestoneReportRow.project, MilestoneReportRow.mid, MilestoneReportRow.version,
        MilestoneReportRow.known_on, MilestoneReportRow.data,
    ).where(MilestoneReportRow.known_on <= max(days))
    history = sorted(((_as_date(r["known_on"]), (r["project"], r["mid"]), int(r["version"]), r["data"])
                      for r in rows), key=lambda h: h[0])
    latest: dict[tuple[str, str], tuple[int, str]] = {}
    decoded: dict[tuple[tuple[str, str], int], Milestone] = {}
    entered = {r["record_id"]: _as_date(r["recorded_on"]) for r in
               await AccountabilityRow.select(AccountabilityRow.record_id, AccountabilityRow.recorded_on)}
    out: dict[dt.date, Portfolio] = {}
    at = 0
    for day in sorted(set(days)):
        while at < len(history) and history[at][0] <= day:
            _, key, version, data = history[at]
            if key not in latest or version > latest[key][0]:
                latest[key] = (version, data)
            at += 1
        known = current
        if any(entered.get(a.id, day) > day for a in current.accountability):
            # entered after the day (even dated back): not known then
            known = replace(current, accountability=tuple(
                a for a in current.accountability if entered.get(a.id, day) <= day))
        out[day] = _rebuilt(known, latest, decoded)
    return out


def _rebuilt(current: Portfolio, latest: Mapping[tuple[str, str], tuple[int, str]],
             decoded: dict[tuple[tuple[str, str], int], Milestone]) -> Portfolio:
    projects = []
    for p in current.projects:
        ms = []
        for m in p.milestones:
            held = latest.get(m.key)
            if held is None:
                continue
            found = decoded.get((m.key, held[0]))
            if found is None:
                found = decoded[(m.key, held[0])] = milestone_from_data(json.loads(held[1]))
            ms.append(found)
        projects.append((p, ms))
    known = {(p.id, m.id) for p, ms in projects for m in ms}
    rebuilt = []
    for p, ms in projects:
        kept = []
        for m in ms:
            after = tuple(d for d in m.after if (d.project or p.id, d.on) in known)
            kept.append(m if after == m.after else _replace_after(m, after))
        rebuilt.append(_with_milestones(p, tuple(kept)))
    # people are not reported; extension records carry their own days (as-of replays them)
    # complaints too: their days replay them (``projects.replay``)
    # the calendar is not reported either: every day is counted on today's
    return Portfolio(units=current.units, projects=tuple(rebuilt), people=current.people,
                     extensions=current.extensions, complaints=current.complaints,
                     accountability=current.accountability, calendar=current.calendar,
                     calendar_years=current.calendar_years)


async def report_marks(days: Sequence[dt.date]) -> dict[dt.date, tuple[int, int]]:
    """Day -> (count, highest id) of the report rows known on that day, in one query: what
    changes exactly when ``load_portfolio_as_of(day)`` would read other reports (history is
    append-only)."""
    if not days:
        return {}
    rows = await MilestoneReportRow.select(
        MilestoneReportRow.known_on, Count(alias="n"), Max(MilestoneReportRow.id, alias="top"),
    ).where(MilestoneReportRow.known_on <= max(days)).group_by(MilestoneReportRow.known_on)
    per_day = sorted((_as_date(r["known_on"]), int(r["n"]), int(r["top"] or 0)) for r in rows)
    marks = {}
    for day in days:
        known = [(n, top) for d, n, top in per_day if d <= day]
        marks[day] = (sum(n for n, _ in known), max((top for _, top in known), default=0))
    return marks


def _replace_after(m: Milestone, after: tuple[Dependency, ...]) -> Milestone:
    return replace(m, after=after)


def _with_milestones(p: Project, ms: tuple[Milestone, ...]) -> Project:
    return replace(p, milestones=ms)


async def _suggest(column: Any, table: Any, key: str) -> list[str]:
    ids = [r[column._meta.name] for r in await table.select(column)]
    return difflib.get_close_matches(key, ids, n=3)


async def get_unit(uid: str) -> Unit:
    row = await UnitRow.select().where(UnitRow.uid == uid).first()
    if row is None:
        raise RecordNotFoundError("unit", uid, await _suggest(UnitRow.uid, UnitRow, uid))
    return _unit_from_row(row)


async def project_version(pid: str) -> int:
    row = await ProjectRow.select(ProjectRow.version).where(ProjectRow.pid == pid).first()
    if row is None:
        raise RecordNotFoundError("project", pid, await _suggest(ProjectRow.pid, ProjectRow, pid))
    return int(row["version"])


async def get_milestone(pid: str, mid: str) -> tuple[Milestone, int]:
    """The milestone's current state and version."""
    row = await MilestoneRow.select().where((MilestoneRow.project == pid) & (MilestoneRow.mid == mid)).first()
    if row is None:
        await project_version(pid)  # a missing project is named first
        ids = [r["mid"] for r in await MilestoneRow.select(MilestoneRow.mid).where(MilestoneRow.project == pid)]
        raise RecordNotFoundError("milestone", f"{pid}/{mid}", [f"{pid}/{s}" for s in difflib.get_close_matches(mid, ids, n=3)])
    return _milestone_from_row(row), int(row["version"])


async def milestone_history(pid: str, mid: str) -> list[Report]:
    await get_milestone(pid, mid)
    rows = await MilestoneReportRow.select().where(
        (MilestoneReportRow.project == pid) & (MilestoneReportRow.mid == mid)
    ).order_by(MilestoneReportRow.version)
    return [
        Report(r["version"], _date(r["known_on"]) or dt.date.min, r["recorded_at"], r["actor"],
               milestone_from_data(json.loads(r["data"])))
        for r in rows
    ]


# ---------------------------------------------------------------- writes


async def _report(m: Milestone, version: int, *, actor: str, known_on: dt.date, recorded_at: str) -> None:
    await MilestoneReportRow.insert(
        MilestoneReportRow(
            project=m.project, mid=m.id, version=version, known_on=known_on,
            recorded_at=recorded_at, actor=actor,
            data=json.dumps(milestone_data(m), ensure_ascii=False),
        )
    )


async def save_unit(unit: Unit, *, create: bool) -> None:
    exists = await UnitRow.exists().where(UnitRow.uid == unit.id)
    values = record_columns(_UNIT, unit)
    if create:
        if exists:
            raise DuplicateError("unit", unit.id)
        await UnitRow.insert(UnitRow(uid=unit.id, position=await UnitRow.count(), **values))
    else:
        if not exists:
            raise RecordNotFoundError("unit", unit.id, await _suggest(UnitRow.uid, UnitRow, unit.id))
        await UnitRow.update(changes(values)).where(UnitRow.uid == unit.id)


async def save_project(project: Project, *, create: bool, expected_version: int | None = None) -> int:
    """Create or update a project's own fields (not its milestones); returns the new version."""
    values = _project_columns(project)
    if create:
        if await ProjectRow.exists().where(ProjectRow.pid == project.id):
            raise DuplicateError("project", project.id)
        await ProjectRow.insert(ProjectRow(pid=project.id, position=await ProjectRow.count(), version=1, **values))
        return 1
    current = await project_version(project.id)
    if expected_version is not None and expected_version != current:
        raise StaleVersionError("project", project.id, expected_version, current, None)
    await ProjectRow.update(changes({**values, "version": current + 1})).where(ProjectRow.pid == project.id)
    return current + 1


async def create_milestone(m: Milestone, *, position: int | None, actor: str, known_on: dt.date, recorded_at: str) -> int:
    if await MilestoneRow.exists().where((MilestoneRow.project == m.project) & (MilestoneRow.mid == m.id)):
        raise DuplicateError("milestone", f"{m.project}/{m.id}")
    if position is None:
        position = await MilestoneRow.count().where(MilestoneRow.project == m.project)
    await MilestoneRow.insert(MilestoneRow(project=m.project, mid=m.id, position=position, version=1, **_milestone_columns(m)))
    await _report(m, 1, actor=actor, known_on=known_on, recorded_at=recorded_at)
    return 1


async def update_milestone(m: Milestone, *, expected_version: int, actor: str, known_on: dt.date, recorded_at: str) -> int:
    """Store a new report of ``m`` if ``expected_version`` is current; returns the new version.

    Raises ``StaleVersionError`` (with the current state) when someone else reported first.
    """
    new = expected_version + 1
    changed = await MilestoneRow.update(changes({**_milestone_columns(m), "version": new})).where(
        (MilestoneRow.project == m.project) & (MilestoneRow.mid == m.id)
        & (MilestoneRow.version == expected_version)
    ).returning(MilestoneRow.id)
    if not changed:  # someone reported first (or no such milestone: 404 with suggestions)
        old, current = await get_milestone(m.project, m.id)
        raise StaleVersionError("milestone", f"{m.project}/{m.id}", expected_version, current, old)
    await _report(m, new, actor=actor, known_on=known_on, recorded_at=recorded_at)
    return new


async def report_milestones(reports: Sequence[tuple[Milestone, int, str]], *, known_on: dt.date,
                            recorded_at: str) -> bool:
    """Store a group of reports ``(milestone, expected version, actor)`` in order (a milestone
    may come twice, the second expecting the first's version) with three prepared statements
    in all: one look at the stored versions, every row's update, every history entry. Returns
    ``False`` and writes nothing when a milestone is not at the version its first report
    expects: the caller then stores them one by one (``update_milestone`` names the stale
    one). Inside the write transaction nobody else writes between the look and the update;
    the update stays conditional on the version all the same."""
    if not reports:
        return True
    engine = MilestoneRow._meta.db
    table = MilestoneRow._meta.tablename
    expected: dict[tuple[str, str], int] = {}
    for m, v, _ in reports:
        expected.setdefault(m.key, v)
    pids = sorted({pid for pid, _ in expected})
    marks = ", ".join("{}" for _ in pids)
    stored = {(r["project"], r["mid"]): int(r["version"]) for r in await storage.raw(
        engine, f'SELECT "project", "mid", "version" FROM "{table}" WHERE "project" IN ({marks})',
        *pids)}
    if any(stored.get(key) != version for key, version in expected.items()):
        return False
    columns = list(_milestone_columns(reports[0][0]))
    sets = ", ".join(f'"{c}" = {{}}' for c in (*columns, "version"))
    await storage.execute_many(
        engine, f'UPDATE "{table}" SET {sets} WHERE "project" = {{}} AND "mid" = {{}} AND "version" = {{}}',
        [(*_milestone_columns(m).values(), v + 1, m.project, m.id, v) for m, v, _ in reports])
    await storage.execute_many(
        engine, f'INSERT INTO "{MilestoneReportRow._meta.tablename}" ("project", "mid", "version", '
        '"known_on", "recorded_at", "actor", "data") VALUES ({}, {}, {}, {}, {}, {}, {})',
        [(m.project, m.id, v + 1, known_on, recorded_at, actor,
          json.dumps(milestone_data(m), ensure_ascii=False)) for m, v, actor in reports])
    return True


async def import_portfolio(portfolio: Portfolio, *, actor: str, known_on: dt.date, recorded_at: str,
                           known_on_from_updated: bool = False, calendar: bool = False) -> dict[str, int]:
    """Upsert every unit, project and milestone of ``portfolio``; nothing is deleted.

    A milestone whose reported state differs from the stored one gets a new version and a
    history entry; an identical one is left alone. With ``known_on_from_updated`` a report is
    dated by the milestone's ``updated`` day when it has one (seeding a past history). The
    calendar years it adds are stored (``_store_calendar``), and its calendar kind with
    ``calendar`` (a portfolio file names it; a workbook or a schedule has none).
    Returns counts of what changed.
    """
    counts = {"units": 0, "projects": 0, "milestones": 0, "people": 0, "extensions": 0,
              "complaints": 0, "accountability": 0,
              "calendar_years": await _store_calendar(portfolio, kind=calendar)}
    units = {r["uid"] for r in await UnitRow.select(UnitRow.uid)}
    for i, u in enumerate(portfolio.units):
        await save_unit(u, create=u.id not in units)
        if u.id not in units:
            await UnitRow.update({UnitRow.position: i}).where(UnitRow.uid == u.id)
        counts["units"] += 1
    pids = {r["pid"] for r in await ProjectRow.select(ProjectRow.pid)}
    stored: dict[tuple[str, str], tuple[Milestone, int]] = {}
    for r in await MilestoneRow.select():
        stored[(r["project"], r["mid"])] = (_milestone_from_row(r), int(r["version"]))
    new_rows: list[MilestoneRow] = []
    reports: list[MilestoneReportRow] = []
    for pi, p in enumerate(portfolio.projects):
        if p.id in pids:
            await ProjectRow.update(changes({**_project_columns(p), "position": pi})).where(ProjectRow.pid == p.id)
        else:
            await ProjectRow.insert(ProjectRow(pid=p.id, position=pi, version=1, **_project_columns(p)))
        counts["projects"] += 1
        for mi, m in enumerate(p.milestones):
            day = (m.updated or known_on) if known_on_from_updated else known_on
            old = stored.get(m.key)
            if old is not None and old[0] == m:
                continue
            version = 1 if old is None else old[1] + 1
            if old is None:
                new_rows.append(MilestoneRow(project=m.project, mid=m.id, position=mi, version=1, **_milestone_columns(m)))
            else:
                await MilestoneRow.update(changes({**_milestone_columns(m), "version": version, "position": mi})).where(
                    (MilestoneRow.project == m.project) & (MilestoneRow.mid == m.id))
            reports.append(MilestoneReportRow(
                project=m.project, mid=m.id, version=version, known_on=day, recorded_at=recorded_at,
                actor=actor, data=json.dumps(milestone_data(m), ensure_ascii=False)))
            counts["milestones"] += 1
    known_people = {r["person_id"] for r in await PersonRow.select(PersonRow.person_id)}
    for x in portfolio.people:
        await save_person(x, create=x.id not in known_people)
        counts["people"] += 1
    stored_extensions = {e for _, e, _, _ in await extensions()}
    for e in portfolio.extensions:  # a request already stored (same fields) is not added twice
        if e not in stored_extensions:
            await create_extension(e, actor=actor)
            counts["extensions"] += 1
    counts["complaints"] = await import_complaints(portfolio.complaints)
    stored_records = {a.id: a for a, _, _ in await accountability_records()}
    for a in portfolio.accountability:  # the same record again is not added twice
        if stored_records.get(a.id) == a:
            continue
        if a.id in stored_records:
            raise DuplicateError("accountability record", a.id)
        await create_accountability(a, actor=actor, known_on=known_on, recorded_at=recorded_at)
        counts["accountability"] += 1
    for chunk in range(0, len(new_rows), 500):
        await MilestoneRow.insert(*new_rows[chunk:chunk + 500])
    for chunk in range(0, len(reports), 500):
        await MilestoneReportRow.insert(*reports[chunk:chunk + 500])
    return counts


async def all_milestone_versions() -> dict[tuple[str, str], int]:
    rows = await MilestoneRow.select(MilestoneRow.project, MilestoneRow.mid, MilestoneRow.version)
    return {(r["project"], r["mid"]): int(r["version"]) for r in rows}


# ---------------------------------------------------------------- people and extensions (issue 12)


async def save_person(person: Person, *, create: bool) -> None:
    """Create or update a person (the caller has checked the unit exists)."""
    exists = await PersonRow.exists().where(PersonRow.person_id == person.id)
    values = record_columns(_PERSON, person)
    if create:
        if exists:
            raise DuplicateError("person", person.id)
        await PersonRow.insert(PersonRow(person_id=person.id, position=await PersonRow.count(), **values))
    else:
        if not exists:
            raise RecordNotFoundError("person", person.id, await _suggest(PersonRow.person_id, PersonRow, person.id))
        await PersonRow.update(changes(values)).where(PersonRow.person_id == person.id)


async def extensions() -> list[tuple[int, Extension, str, str | None]]:
    """Every extension request: (id, record, requested by, decided by), oldest first."""
    rows = await ExtensionRow.select().order_by(ExtensionRow.id)
    return [(int(r["id"]), _extension_from_row(r), r["requested_by"], r["decided_by"]) for r in rows]


async def get_extension(eid: int) -> tuple[Extension, str, str | None]:
    rows = await ExtensionRow.select().where(ExtensionRow.id == eid)
    if not rows:
        raise RecordNotFoundError("extension request", str(eid))
    r = rows[0]
    return _extension_from_row(r), r["requested_by"], r["decided_by"]


async def create_extension(e: Extension, *, actor: str) -> int:
    row = ExtensionRow(requested_by=actor, **_extension_columns(e))
    await row.save()
    return int(row.id)


async def decide_extension(eid: int, e: Extension, *, actor: str) -> None:
    """Store the decision of a request that is still pending (checked again in the transaction)."""
    changed = await ExtensionRow.update({"decided": e.decided, "decision": e.decision,
                                         "decision_reason": e.decision_reason, "decided_by": actor}).where(
        (ExtensionRow.id == eid) & ExtensionRow.decided.is_null()).returning(ExtensionRow.id)
    if not changed:
        from projects.errors import ExtensionStateError  # noqa: PLC0415

        raise ExtensionStateError(f"extension request {eid} was decided meanwhile; a decision is final",
                                  where="decision")


# ---------------------------------------------------------------- complaints (issue 13)


@dataclass(frozen=True, slots=True)
class StoredComplaint:
    """A complaint as the server keeps it: the model's fields (``unit`` and ``due`` are
    ``None`` until the office routes it) plus what only the server holds. ``text`` and
    ``response`` are plain text; ``contact`` is for the office's eyes only (never in the
    portfolio, a finding, a notice or a public answer). The rating link's secret is not here:
    only its hash is stored (``complaint_by_secret``)."""

    code: str
    title: str
    kind: ComplaintKind
    unit: str | None
    project: str | None
    received: dt.date
    due: dt.date | None
    responded: dt.date | None
    rating: Rating | None
    rated: dt.date | None
    text: str
    response: str | None
    contact: str | None
    routed: dt.date | None
    routed_by: str | None
    responded_by: str | None
    submitted_at: str | None

    @property
    def complaint(self) -> Complaint | None:
        """The model record (what rules see), or ``None`` while it is not routed."""
        if self.unit is None or self.due is None:
            return None
        return Complaint(id=self.code, title=self.title, unit=self.unit, received=self.received,
                         due=self.due, kind=self.kind, project=self.project,
                         responded=self.responded, rating=self.rating, rated=self.rated)


#: The columns the model reads (``load_portfolio``): the big text columns stay in the table.
_COMPLAINT_COLUMNS = (ComplaintRow.code, ComplaintRow.title, ComplaintRow.kind, ComplaintRow.unit,
                      ComplaintRow.project, ComplaintRow.received, ComplaintRow.due,
                      ComplaintRow.responded, ComplaintRow.rating, ComplaintRow.rated)


def _complaint_from_row(r: dict[str, Any]) -> Complaint | None:
    if r["unit"] is None or r["due"] is None:
        return None
    return Complaint(id=r["code"], title=r["title"], unit=r["unit"], received=_as_date(r["received"]),
                     due=_as_date(r["due"]), kind=ComplaintKind(r["kind"] or "complaint"),
                     project=r["project"], responded=_date(r["responded"]),
                     rating=None if r["rating"] is None else Rating(r["rating"]), rated=_date(r["rated"]))


def _stored_complaint(r: dict[str, Any]) -> StoredComplaint:
    return StoredComplaint(
        code=r["code"], title=r["title"], kind=ComplaintKind(r["kind"] or "complaint"), unit=r["unit"],
        project=r["project"], received=_as_date(r["received"]), due=_date(r["due"]),
        responded=_date(r["responded"]), rating=None if r["rating"] is None else Rating(r["rating"]),
        rated=_date(r["rated"]), text=r["text"] or "", response=r["response"], contact=r["contact"],
        routed=_date(r["routed"]), routed_by=r["routed_by"], responded_by=r["responded_by"],
        submitted_at=r["submitted_at"])


def _complaint_columns(c: Complaint) -> dict[str, Any]:
    """The stored columns of a model complaint's catalogued fields (not its code)."""
    return {"title": c.title, "kind": c.kind.value, "unit": c.unit, "project": c.project,
            "received": c.received, "due": c.due, "responded": c.responded,
            "rating": None if c.rating is None else c.rating.value, "rated": c.rated}


async def import_complaints(complaints: Iterable[Complaint]) -> int:
    """Upsert complaints from a portfolio file by code (their catalogued fields; text, contact
    and the rating secret of a stored one are kept); returns how many were written."""
    stored = {r["code"]: _complaint_from_row(r) for r in await ComplaintRow.select(*_COMPLAINT_COLUMNS)}
    new: list[ComplaintRow] = []
    written = 0
    for c in complaints:
        if c.id not in stored:
            new.append(ComplaintRow(code=c.id, routed=c.received, **_complaint_columns(c)))
        elif stored[c.id] != c:
            await ComplaintRow.update(changes(_complaint_columns(c))).where(ComplaintRow.code == c.id)
        else:
            continue
        written += 1
    for chunk in range(0, len(new), 500):
        await ComplaintRow.insert(*new[chunk:chunk + 500])
    return written


async def complaints(*, unit: str | None = None, routed: bool | None = None) -> list[StoredComplaint]:
    """Stored complaints, oldest first: all, one unit's, or only the routed (``True``) or not
    yet routed (``False``) ones."""
    query = ComplaintRow.select()
    if unit is not None:
        query = query.where(ComplaintRow.unit == unit)
    if routed is True:
        query = query.where(ComplaintRow.unit.is_not_null())
    elif routed is False:
        query = query.where(ComplaintRow.unit.is_null())
    return [_stored_complaint(r) for r in await query.order_by(ComplaintRow.id)]


async def get_complaint(code: str) -> StoredComplaint:
    """The complaint with tracking code ``code``. A code that does not exist gets no
    suggestions: nearby codes are other people's complaints. A code no column can hold (a NUL,
    which PostgreSQL refuses in text, or one longer than any code) is not asked for."""
    if "\x00" in code or len(code) > 64:
        raise RecordNotFoundError("complaint", code[:64])
    row = await ComplaintRow.select().where(ComplaintRow.code == code).first()
    if row is None:
        raise RecordNotFoundError("complaint", code)
    return _stored_complaint(row)


async def complaint_by_secret(secret_hash: str) -> StoredComplaint | None:
    """The complaint whose rating link's secret hashes to ``secret_hash`` (None: no such link)."""
    row = await ComplaintRow.select().where(ComplaintRow.rating_secret == secret_hash).first()
    return None if row is None else _stored_complaint(row)


async def complaints_submitted_since(address: str, since: str) -> int:
    """How many complaints ``address`` submitted at or after ``since`` (ISO timestamp)."""
    return int(await ComplaintRow.count().where(
        (ComplaintRow.address == address) & (ComplaintRow.submitted_at >= since)))


async def insert_complaint(stored: StoredComplaint, *, secret_hash: str | None, address: str | None) -> None:
    """Store a new complaint (``DuplicateError`` when its code exists)."""
    if await ComplaintRow.exists().where(ComplaintRow.code == stored.code):
        raise DuplicateError("complaint", stored.code)
    await ComplaintRow.insert(ComplaintRow(
        code=stored.code, title=stored.title, kind=stored.kind.value, unit=stored.unit,
        project=stored.project, received=stored.received, due=stored.due, responded=stored.responded,
        rating=None if stored.rating is None else stored.rating.value, rated=stored.rated,
        text=stored.text, response=stored.response, contact=stored.contact, rating_secret=secret_hash,
        address=address, submitted_at=stored.submitted_at, routed=stored.routed,
        routed_by=stored.routed_by, responded_by=stored.responded_by))


async def save_complaint_step(before: StoredComplaint, after: StoredComplaint) -> bool:
    """Write ``after`` over the stored complaint if it still is ``before`` in the fields a step
    changes (unit, due, responded, rated): ``False`` when another step came first."""
    guard: Combinable = ComplaintRow.code == before.code
    for column, value in ((ComplaintRow.unit, before.unit), (ComplaintRow.due, before.due),
                          (ComplaintRow.responded, before.responded), (ComplaintRow.rated, before.rated)):
        guard &= column.is_null() if value is None else column == value
    changed = await ComplaintRow.update({
        "unit": after.unit, "project": after.project, "due": after.due, "routed": after.routed,
        "routed_by": after.routed_by, "responded": after.responded, "response": after.response,
        "responded_by": after.responded_by, "kind": after.kind.value,
        "rating": None if after.rating is None else after.rating.value, "rated": after.rated,
    }).where(guard).returning(ComplaintRow.id)
    return bool(changed)


# ---------------------------------------------------------------- accountability (issue 13)


async def accountability_records() -> list[tuple[Accountability, dt.date, str]]:
    """Every 通报批评 / 问责 record: (record, the day it was entered, by whom), oldest first."""
    rows = await AccountabilityRow.select().order_by(AccountabilityRow.id)
    return [(_accountability_from_row(r), _as_date(r["recorded_on"]), r["actor"]) for r in rows]


async def create_accountability(a: Accountability, *, actor: str, known_on: dt.date, recorded_at: str) -> None:
    """Store a checked record (``projects.accountability.check_new``); an id taken meanwhile
    is a ``DuplicateError``."""
    if await AccountabilityRow.exists().where(AccountabilityRow.record_id == a.id):
        raise DuplicateError("accountability record", a.id)
    await AccountabilityRow.insert(AccountabilityRow(recorded_on=known_on, recorded_at=recorded_at, actor=actor,
                                                     **_accountability_columns(a)))


# ---------------------------------------------------------------- assessments (issue 13)


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """A closed period as stored: its figures (JSON text, as frozen) and who closed it when."""

    period: str
    first_day: dt.date
    last_day: dt.date
    rulebook_version: int | None
    figures: str
    digest: str
    closed_on: dt.date
    closed_at: str
    closed_by: str


def _stored_assessment(r: dict[str, Any]) -> StoredAssessment:
    return StoredAssessment(r["period"], _as_date(r["first_day"]), _as_date(r["last_day"]),
                            None if r["rulebook_version"] is None else int(r["rulebook_version"]),
                            r["figures"], r["digest"], _as_date(r["closed_on"]), r["closed_at"], r["closed_by"])


async def assessments() -> list[StoredAssessment]:
    """Every closed period, the latest period first."""
    rows = await AssessmentRow.select().order_by(AssessmentRow.last_day, ascending=False)
    return [_stored_assessment(r) for r in rows]


async def get_assessment(period: str) -> StoredAssessment:
    row = await AssessmentRow.select().where(AssessmentRow.period == period).first()
    if row is None:
        known = [r["period"] for r in await AssessmentRow.select(AssessmentRow.period)]
        raise RecordNotFoundError("assessment", period, difflib.get_close_matches(period, known, n=3))
    return _stored_assessment(row)


async def save_assessment(a: StoredAssessment) -> None:
    """Freeze a closed period; one already closed is a ``DuplicateError`` (never overwritten)."""
    if await AssessmentRow.exists().where(AssessmentRow.period == a.period):
        raise DuplicateError("assessment", a.period)
    await AssessmentRow.insert(AssessmentRow(
        period=a.period, first_day=a.first_day, last_day=a.last_day, rulebook_version=a.rulebook_version,
        figures=a.figures, digest=a.digest, closed_on=a.closed_on, closed_at=a.closed_at,
        closed_by=a.closed_by))
