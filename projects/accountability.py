"""Accountability records (通报批评 / 问责) and what they count as of a day.

Per ``supervision.md``: the office records a 通报批评 (``criticism``) of a unit, or a 问责
(``accountability``) of an official of a unit, with the reason and, optionally, the cause it
answers (a notice: a red one is a red card). Records count from their ``date``:

- ``u.criticisms``: criticism records of the unit dated by today (a criticism that also names
  a person is still a criticism of the unit, never a 问责 of the person);
- ``u.accountabilities``: accountability records of the unit or of one of its people, dated by
  today, each record once;
- ``x.accountabilities``: accountability records naming the person, dated by today.

Pure: values in, values out. ``read`` is the one check of a record, for portfolio files
(``projects.checks``) and the server (``check_new``) alike: it collects every problem with its
place in a ``Fields`` instead of raising, so a form shows each one beside its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from projects import catalogue
from projects.catalogue import ID_MAX, NAME_MAX, NOTE_MAX
from projects.errors import PortfolioError, suggest
from projects.fields import BAD, Fields, _at, control_character_zh, field_set
from projects.validation import record_checks

if TYPE_CHECKING:
    from projects.model import Complaint, Notice, Portfolio

CRITICISM: Final = "criticism"
ACCOUNTABILITY: Final = "accountability"
#: The Chinese word of each kind (the catalogue's ``choices`` of ``kind``).
KIND_ZH: Final = dict(catalogue.field("accountability", "kind").choices)
#: The keys a record may have, in file order (the catalogue's).
FILE_KEYS: Final = field_set(tuple(f.file_key for f in catalogue.ACCOUNTABILITY if f.file_key is not None))
_CHECKS: Final = record_checks(catalogue.ACCOUNTABILITY)
_DATE: Final = _CHECKS["date"]
_KIND: Final = _CHECKS["kind"]


@dataclass(frozen=True, slots=True)
class Accountability:
    """One 通报批评 of ``unit`` or 问责 of ``person`` (of ``unit``), dated ``date``."""

    id: str
    kind: str  # CRITICISM | ACCOUNTABILITY
    unit: str
    date: dt.date
    reason: str
    person: str | None = None  # required for ACCOUNTABILITY, optional for CRITICISM
    notice: str | None = None  # the cause: a supervision notice (a red one is a red card)
    complaint: str | None = None  # or a complaint from the public (its tracking code)

    def known(self, today: dt.date) -> bool:
        """Whether the record counts on ``today`` (records count from their date)."""
        return self.date <= today


@dataclass(frozen=True, slots=True)
class Counts:
    """What the records count as of one day, by unit id and by person id."""

    criticisms: Mapping[str, int] = field(default_factory=dict)
    unit_accountabilities: Mapping[str, int] = field(default_factory=dict)
    person_accountabilities: Mapping[str, int] = field(default_factory=dict)


def counts(records: Iterable[Accountability], person_units: Mapping[str, str],
           today: dt.date) -> Counts:
    """The three counts of the module header over ``records`` dated by ``today``;
    ``person_units`` gives each person's unit (a 问责 of a person counts for that unit too)."""
    criticisms: dict[str, int] = {}
    units: dict[str, int] = {}
    people: dict[str, int] = {}
    for r in records:
        if not r.known(today):
            continue
        if r.kind == CRITICISM:
            criticisms[r.unit] = criticisms.get(r.unit, 0) + 1
            continue
        seen = {r.unit}
        if r.person is not None:
            people[r.person] = people.get(r.person, 0) + 1
            home = person_units.get(r.person)
            if home is not None:
                seen.add(home)
        for uid in seen:
            units[uid] = units.get(uid, 0) + 1
    return Counts(criticisms, units, people)


def as_of(records: tuple[Accountability, ...], day: dt.date) -> tuple[Accountability, ...]:
    """The records known on ``day`` (the same tuple when every one is)."""
    if all(r.date <= day for r in records):
        return records
    return tuple(r for r in records if r.date <= day)


# -- the one check of a record ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """What a record may refer to. ``None`` for a collection means it could not be read
    completely (another problem was reported): an id missing from it is then not reported."""

    units: Collection[str] | None
    people: Collection[str] | None
    person_units: Mapping[str, str]  # person id -> their unit (those whose unit is known)
    notices: Mapping[str, Notice] | None
    taken: Collection[str] = ()  # record ids already used
    complaints: Mapping[str, Complaint] | None = None


_HINTS: Final = {
    "id": "a short stable id, e.g. A-2026-001",
    "kind": "criticism (通报批评, of a unit) or accountability (问责, of an official)",
    "unit": "the id of the unit criticised or whose official is held to account",
    "date": "the day it was decided, e.g. 2026-06-01",
    "reason": "the reason (事由), e.g. 督办通知逾期未回复",
}
_HINTS_ZH: Final = {
    "id": "编号，例如 A-2026-001", "kind": "通报批评（单位）或问责（责任人）",
    "unit": "被通报或被问责人员所在单位的编号", "date": "决定日期，例如 2026-06-01",
    "reason": "事由，例如 督办通知逾期未回复",
}


def _missing(f: Fields, where: str, key: str) -> Any:
    return f.add(_at(where, key), f'missing field "{key}": {_HINTS[key]}',
                 f"缺少「{key}」：{_HINTS_ZH[key]}")


def _text(f: Fields, value: object, where: str, key: str, longest: int) -> Any:
    if isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return f.add(_at(where, key), "expected text", "应为文字")
    text = value.strip()
    if not text:
        return _missing(f, where, key)
    bad = control_character_zh(text)
    if bad is not None:
        return f.add(_at(where, key), bad[1], bad[0])
    if len(text) > longest:
        return f.add(_at(where, key), f"{len(text)} characters; at most {longest}",
                     f"共 {len(text)} 个字，最多 {longest} 个")
    return text


def _ref(f: Fields, value: str, known: Collection[str] | None, where: str, what: str, *,
         zh: str) -> Any:
    if known is None or value in known:
        return value if known is not None else BAD
    if not known:
        return f.add(where, f'no {what} "{value}": none is listed', f"找不到{zh}「{value}」：尚未登记任何{zh}")
    hint = suggest(value, known)
    return f.add(where, f'no {what} "{value}"' + (f'; did you mean "{hint}"?' if hint else ""),
                 f"找不到{zh}「{value}」" + (f"，是不是「{hint}」？" if hint else ""))


@dataclass(frozen=True)
class _Cause:
    """A kind of record an accountability record may answer, and how its messages name it."""

    key: str  # the record's field, and the cause's word in English
    zh: str
    longest: int
    sent: str  # "was addressed to" ...
    sent_zh: str  # "下发给「{}」" ...
    since: str  # the cause's own date attribute, which the record cannot precede
    since_zh: str


_NOTICE = _Cause("notice", "督办通知", NAME_MAX, "was addressed to", "下发给「{}」", "issued", "下发")
_COMPLAINT = _Cause("complaint", "群众投诉", ID_MAX, "was routed to", "交由「{}」办理", "received", "受理")


def _cause(f: Fields, item: Mapping[str, Any], where: str, cause: _Cause, held: Mapping[str, Any] | None,
           *, unit: Any, day: Any) -> Any:
    """The record's ``cause.key`` (None when not given), checked: a known one, of the record's
    unit, and not dated after the record."""
    value: Any = item.get(cause.key)
    if value is None or value == "":
        return None
    value = _text(f, value, where, cause.key, cause.longest)
    if not isinstance(value, str):
        return value
    at = _at(where, cause.key)
    value = _ref(f, value, None if held is None else held.keys(), at, cause.key, zh=cause.zh)
    if not isinstance(value, str) or held is None:
        return value
    record = held[value]
    since: dt.date = getattr(record, cause.since)
    if isinstance(unit, str) and record.unit != unit:
        return f.add(at, f"{cause.key} {value} {cause.sent} {record.unit}, not {unit}",
                     f"{cause.zh}「{value}」{cause.sent_zh.format(record.unit)}，不是「{unit}」")
    if isinstance(day, dt.date) and day < since:
        return f.add(at, f"{cause.key} {value} was {cause.since} on {since.isoformat()}, after this record's "
                         f"date {day.isoformat()}; a cause comes before the record",
                     f"{cause.zh}「{value}」于 {since.isoformat()} {cause.since_zh}，晚于本记录日期 {day.isoformat()}")
    return value


def read(item: Mapping[str, Any], where: str, f: Fields, known: Known,
         today: dt.date) -> Accountability | None:
    """The record ``item`` (a file entry or a form's values) checked completely against
    ``known``; every problem goes to ``f`` at ``where.KEY``, and then the result is None."""
    before = len(f.problems)
    f.unknown_keys(item, FILE_KEYS, where)
    rid: Any = item.get("id")
    if rid is None or rid == "":
        rid = _missing(f, where, "id")
    else:
        rid = _text(f, rid, where, "id", ID_MAX)
        if isinstance(rid, str):
            if "/" in rid:
                rid = f.add(_at(where, "id"), f'id "{rid}" contains "/"; use - or _', "编号不能含有“/”，请改用 - 或 _")
            elif rid in known.taken:
                rid = f.add(_at(where, "id"), f'the id "{rid}" is already used by another record',
                            f"编号「{rid}」已被另一条记录使用")
    kind: Any = item.get("kind")
    kind = _missing(f, where, "kind") if kind is None or kind == "" else _KIND(kind, f, where)
    unit: Any = item.get("unit")
    unit = _missing(f, where, "unit") if unit is None or unit == "" else _text(f, unit, where, "unit", ID_MAX)
    if isinstance(unit, str):
        unit = _ref(f, unit, known.units, _at(where, "unit"), "unit", zh="单位")
    person: Any = item.get("person")
    if person == "":
        person = None
    if person is not None:
        person = _text(f, person, where, "person", ID_MAX)
        if isinstance(person, str):
            person = _ref(f, person, known.people, _at(where, "person"), "person", zh="责任人")
            home = known.person_units.get(person) if isinstance(person, str) else None
            if isinstance(unit, str) and home is not None and home != unit:
                person = f.add(_at(where, "person"),
                               f'{person} works in {home}, not {unit}; name the unit they work in',
                               f"责任人「{person}」属于单位「{home}」，不是「{unit}」：请填其所在单位")
    if kind == ACCOUNTABILITY and person is None:
        person = f.add(_at(where, "person"), "an accountability record (问责) names the official held to account: add person",
                       "问责须写明被问责的责任人（person）")
    day: Any = item.get("date")
    if day is None or day == "":
        day = _missing(f, where, "date")
    else:
        day = _DATE(day, f, where)
        if isinstance(day, dt.date):
            f.not_after_today(day, today, where, "date", "a record cannot be dated in the future",
                              "不能记录将来的日期")
    reason: Any = item.get("reason")
    reason = _missing(f, where, "reason") if reason is None else _text(f, reason, where, "reason", NOTE_MAX)
    notice = _cause(f, item, where, _NOTICE, known.notices, unit=unit, day=day)
    complaint = _cause(f, item, where, _COMPLAINT, known.complaints, unit=unit, day=day)
    if len(f.problems) != before:
        return None
    return Accountability(rid, kind, unit, day, reason, person, notice, complaint)


def known_in(portfolio: Portfolio) -> Known:
    """What a new record may refer to in ``portfolio`` (the server's current one)."""
    return Known(units=portfolio.unit_by_id.keys(), people=portfolio.person_by_id.keys(),
                 person_units={x.id: x.unit for x in portfolio.people},
                 notices=portfolio.notice_by_id,
                 taken={r.id for r in portfolio.accountability},
                 complaints=portfolio.complaint_by_id)


def next_id(portfolio: Portfolio, day: dt.date) -> str:
    """The next free id of the year of ``day``: ``A-2026-001``, ``A-2026-002``..."""
    prefix = f"A-{day.year}-"
    taken = {r.id for r in portfolio.accountability}
    n = sum(1 for r in taken if r.startswith(prefix)) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


def check_new(portfolio: Portfolio, values: Mapping[str, Any], today: dt.date) -> Accountability:
    """A record the office enters ``today`` (a form or an API body, keys of ``FILE_KEYS``;
    without an id it gets ``next_id``), checked against ``portfolio``. Raises
    ``PortfolioError`` with every problem, each at its key (``unit``, ``reason``...)."""
    data = dict(values)
    if data.get("id") in (None, ""):
        day = data.get("date")
        data["id"] = next_id(portfolio, day if isinstance(day, dt.date) else today)
    f = Fields()
    record = read(data, "", f, known_in(portfolio), today)
    if record is None:  # places as plain keys: ``.unit`` (of no enclosing path) is ``unit``
        raise PortfolioError([replace(x, where=x.where.lstrip(".")) for x in f.problems], "accountability")
    return record
