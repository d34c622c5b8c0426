"""One validator per catalogued field, compiled once from its entry; and a record's rules.

``field_check(field)`` turns a ``projects.catalogue.Field`` into a plain closure
``check(value, problems, where) -> clean value | BAD``: the value as a file, a request, a
workbook cell or a form holds it (never ``None``: absent is the caller's business), the
``Fields`` collector the problem goes to, and the record's place (``projects[3].milestones[2]``,
``milestone P001/tender``); the problem is placed at ``where.<field>``. Each check tries the
common, valid value first with a few type and range tests inline (no exceptions, no look-ups),
and calls the ``Fields`` methods, which word the problems in English and Chinese, only for the
rest. Structural types (``STRUCTURAL``: dependencies, contacts, a person, co-units...) need
the whole portfolio and have no field check: ``projects.checks`` resolves them.

The bounds every check applies: text holds no control characters (``fields.control_character``)
and at most ``max_length`` characters; a required text is not blank; ids are at most
``ID_MAX`` characters, without ``/`` or surrounding spaces; dates lie in ``EARLIEST`` ..
``LATEST``; amounts are yuan, 0 or more and below ``fields.AMOUNT_MAX``; ratios 0..1 (``35%`` reads as 0.35).

``record_reader(fields, rules)`` compiles a whole record's reading into one straight-line
function (each field's fast test inline, then the record's ``NotLater`` rules); the portfolio
checks (``read_milestone``) and the report form use it. ``milestone_problems`` is the whole
check of a model milestone (the API's reports and creations). Pure: values in, problems out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from projects.cadence import Cadence, CadenceError, parse_cadence
from projects.catalogue import (
    COMPLAINT,
    COMPLAINT_RULES,
    EARLIEST,
    ID_MAX,
    LATEST,
    MILESTONE,
    MILESTONE_RULES,
    RECORDS,
    Field,
    NotLater,
)
from projects.errors import Problem
from projects.extensions import DECISIONS
from projects.fields import AMOUNT_MAX, BAD, Fields, type_name
from projects.model import (
    COMPLAINT_KIND_WORDS,
    KIND_WORDS,
    RATING_WORDS,
    Category,
    ComplaintKind,
    Kind,
    Level,
    Milestone,
    Rating,
)

#: ``check(value, problems, where) -> clean value | BAD`` (see the module header).
Check = Callable[[Any, Fields, str], Any]

_Date = dt.date
_INF = math.inf
KINDS_SHOWN: Final = tuple(k.value for k in Kind)
CATEGORY_WORDS: Final[dict[str, Category]] = {
    "project": Category.PROJECT, "task": Category.TASK,
    "重点项目": Category.PROJECT, "重点工作": Category.TASK,
}
LEVEL_WORDS: Final[dict[str, Level]] = {lv.value: lv for lv in Level} | {
    "绿": Level.GREEN, "蓝": Level.BLUE, "黄": Level.YELLOW, "红": Level.RED,
}
#: The words of each choice type, and the words a problem lists.
CHOICES: Final[dict[str, tuple[Mapping[str, Any], tuple[str, ...]]]] = {
    "kind": (KIND_WORDS, KINDS_SHOWN),
    "category": (CATEGORY_WORDS, ("project", "task")),
    "level": (LEVEL_WORDS, tuple(lv.value for lv in Level)),
    "decision": (DECISIONS, ("approved (同意)", "rejected (不同意)")),  # an extension's (审批结果)
    # issue 13: a complaint's kind and its rating, each shown as "word (中文)"
    "complaint_kind": (COMPLAINT_KIND_WORDS, tuple(f"{k.value} ({k.chinese})" for k in ComplaintKind)),
    "rating": (RATING_WORDS, tuple(f"{r.value} ({r.chinese})" for r in Rating)),
}
#: Types resolved against the whole portfolio, not value by value: dependencies, contacts,
#: milestones, a person (an id among the people), co-units (ids among the units, not the lead).
STRUCTURAL: Final = frozenset({"deps", "contacts", "milestones", "person", "units", "milestone_ref"})


def _at(where: str, name: str) -> str:
    return f"{where}.{name}"


#: What the fast tests of the checks may name (``Compiled.fast``).
_NAMES: Final[dict[str, Any]] = {"_Date": dt.date, "_EARLIEST": EARLIEST, "_LATEST": LATEST, "_INF": _INF,
                                  "_AMOUNT_MAX": AMOUNT_MAX}


@dataclass(frozen=True, slots=True)
class Compiled:
    """One field's check: ``fast``, a Python expression over ``{v}`` that holds for a clean
    value kept as it is (``None`` when every value is converted, as choices are), and
    ``slow``, which converts or words the problem of any other value. ``closure()`` makes the
    two one function; ``record_reader`` inlines ``fast`` instead of calling it."""

    field: Field
    fast: str | None
    slow: Check

    def closure(self) -> Check:
        if self.fast is None:
            return self.slow
        test = self.fast.format(v="v")
        make = eval(f"lambda slow: lambda v, f, where: v if {test} else slow(v, f, where)",
                    dict(_NAMES))  # our own text, from the catalogue
        check: Check = make(self.slow)
        return check


def _text(field: Field) -> Compiled:
    name, most, required = field.name, field.max_length, field.required
    fast = "type({v}) is str and {v}.isprintable()"
    if most is not None:
        fast += f" and len({{v}}) <= {most}"
    if required:
        fast += " and {v} != '' and not {v}.isspace()"

    def slow(value: Any, f: Fields, where: str) -> Any:
        text = f.text(value, where, name)
        if not isinstance(text, str):
            return BAD
        if required and not text.strip():
            return f.add(_at(where, name), f"a {name} cannot be blank; give the {name} people read",
                         f"{field.zh}不能为空")
        if most is not None and len(text) > most:
            return f.add(_at(where, name), f"is {len(text)} characters long; at most {most} are kept",
                         f"{field.zh}共 {len(text)} 个字符，最多 {most} 个")
        return text

    return Compiled(field, fast, slow)


def _ident(field: Field) -> Compiled:
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        text = f.ident(value, where, name)
        if isinstance(text, str) and len(text) > ID_MAX:
            return f.add(_at(where, name), f"id is {len(text)} characters long; at most {ID_MAX}",
                         f"编号共 {len(text)} 个字符，最多 {ID_MAX} 个")
        return text

    return Compiled(field, f"type({{v}}) is str and {{v}} != '' and len({{v}}) <= {ID_MAX} and '/' not in {{v}}"
                    " and not {v}[0].isspace() and not {v}[-1].isspace() and {v}.isprintable()", slow)


#: Each clean day already read, by the value it was read from (``"2026-04-30"`` or the
#: ``date`` itself) to one ``date`` object per day: a portfolio names a few thousand distinct
#: days a hundred thousand times, so a reader takes each from here (one look-up, no parsing)
#: and the model holds one object per day instead of one per field (32 bytes each, four a
#: milestone). Only values that read cleanly are kept; at most ``_DAYS_MAX``.
DAYS: Final[dict[object, dt.date]] = {}
_DAYS_MAX: Final = 100_000


def _date(field: Field) -> Compiled:
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        day = f.date(value, where, name)
        if isinstance(day, dt.date) and not EARLIEST <= day <= LATEST:
            return f.add(_at(where, name), f"{day.isoformat()} is not a plausible date; give one in "
                         f"{EARLIEST.year}..{LATEST.year}",
                         f"{day.isoformat()} 不是可信的日期，应在 {EARLIEST.year} 至 {LATEST.year} 年之间")
        if type(day) is _Date and (type(value) is str or type(value) is _Date) \
                and len(DAYS) < _DAYS_MAX:
            day = DAYS.setdefault(day, day)
            DAYS[value] = day
        return day

    return Compiled(field, "type({v}) is _Date and _EARLIEST <= {v} <= _LATEST", slow)


def _ratio(field: Field) -> Compiled:
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        return f.ratio(value, where, name)

    return Compiled(field, "type({v}) is float and 0.0 <= {v} <= 1.0", slow)


def _yuan(field: Field) -> Compiled:
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        if type(value) is int and 0 <= value < AMOUNT_MAX:
            return float(value)
        return f.amount(value, where, name)

    return Compiled(field, "type({v}) is float and 0.0 <= {v} < _AMOUNT_MAX", slow)


def _workdays(field: Field) -> Compiled:
    """A whole number of working days, 0 or more (at most a century of them)."""
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        if value is None:
            return None
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is int and 0 <= value <= _WORKDAYS_MAX:
            return value
        return f.add(_at(where, name), f"{value!r} is not a number of working days; give a whole "
                     f"number from 0 to {_WORKDAYS_MAX}",
                     f"{field.zh}应为 0 至 {_WORKDAYS_MAX} 之间的整数个工作日，而不是 {value!r}")

    return Compiled(field, f"type({{v}}) is int and 0 <= {{v}} <= {_WORKDAYS_MAX}", slow)


_WORKDAYS_MAX: Final = 100_000


def choice_words(field: Field) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """The words of a choice ``field`` (either spelling of each of its ``choices``, or its
    type's ``CHOICES``) and the words a problem lists."""
    if field.choices:
        return ({s: word for word, zh in field.choices for s in (word, zh)},
                tuple(f"{word} ({zh})" for word, zh in field.choices))
    return CHOICES[field.type]


def _choice(field: Field) -> Compiled:
    words, shown = choice_words(field)
    name = field.name
    what = field.en if field.choices else field.type.replace("_", " ")

    def slow(value: Any, f: Fields, where: str) -> Any:
        if type(value) is str:
            found = words.get(value)
            if found is not None:
                return found
        return f.choice(value, words, _at(where, name), what, shown)

    return Compiled(field, None, slow)


def _cadence(field: Field) -> Compiled:
    name = field.name
    known: dict[str, Cadence] = {}  # a file repeats a few spellings many times

    def slow(value: Any, f: Fields, where: str) -> Any:
        if isinstance(value, Cadence):
            return value
        if type(value) is str and value in known:
            return known[value]
        try:
            found = parse_cadence(value)
        except CadenceError as exc:
            return f.add(_at(where, name), f"not a duration: {exc}",
                         "报送周期不是时长，请写如 周报、月报、2 周、3 个月、10 个工作日")
        if type(value) is str and len(known) < 1000:
            known[value] = found
        return found

    return Compiled(field, None, slow)


def _zh_value(value: object) -> str:
    if isinstance(value, str):
        return f"文字「{value}」"
    if isinstance(value, int | float):
        return f"数字 {value}"
    return "列表" if isinstance(value, list | tuple) else "这样的值"


def _bool(field: Field) -> Compiled:
    """A yes-or-no flag (a project's ``urgent``): ``true`` or ``false`` itself, no other word."""
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        return f.add(_at(where, name), f"{name} is true or false, not {type_name(value)}",
                     f"{field.zh}标记只能是 true 或 false，不能是{_zh_value(value)}")

    return Compiled(field, "type({v}) is bool", slow)


def _flag(field: Field) -> Compiled:
    """An optional yes-or-no (a milestone's ``resourced``): ``true``, ``false`` or absent."""
    name = field.name

    def slow(value: Any, f: Fields, where: str) -> Any:
        if value is None or type(value) is bool:
            return value
        return f.add(_at(where, name), f"{name} is true or false, not {type_name(value)}",
                     f"{field.zh}只能是 true 或 false，不能是{_zh_value(value)}")

    return Compiled(field, "type({v}) is bool", slow)


def _long_text(field: Field) -> Compiled:
    """Plain text with its lines (a complaint's text, its answer): the text check, trimmed."""
    plain = _text(field).slow

    def slow(value: Any, f: Fields, where: str) -> Any:
        return plain(value.strip() if isinstance(value, str) else value, f, where)

    return Compiled(field, None, slow)


#: A mainland mobile number or landline (``+86`` allowed), or an e-mail address.
_PHONE: Final = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}(?:[- ]?\d{1,6})?)$")
_EMAIL: Final = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")


def contact_form(text: str) -> bool:
    """Whether ``text`` (trimmed) is a contact the office can use: a phone number or an e-mail address."""
    return bool(_PHONE.match(text) or _EMAIL.match(text))


def _contact(field: Field) -> Compiled:
    """A complainant's contact: trimmed text within its bounds that is a phone number or an
    e-mail address."""
    plain = _text(field).slow

    def slow(value: Any, f: Fields, where: str) -> Any:
        text = plain(value.strip() if isinstance(value, str) else value, f, where)
        if isinstance(text, str) and not contact_form(text):
            return f.add(_at(where, field.name), "should be an 11-digit mobile number, a landline (0759-1234567) "
                         "or an e-mail address (name@mail.example)",
                         f"{field.zh}应为 11 位手机号码、固定电话（如 0759-1234567）或电子邮箱（如 name@mail.example）")
        return text

    return Compiled(field, None, slow)


def _secret(field: Field) -> Compiled:
    """A secret someone holds (a rating link's): printable text, not blank, within its bound."""
    most = field.max_length

    def slow(value: Any, f: Fields, where: str) -> Any:
        if not isinstance(value, str) or not value.strip() or not value.isprintable() or (
                most is not None and len(value) > most):
            return f.add(_at(where, field.name), f"is not a {field.en}: printable text of 1 to {most} characters",
                         f"{field.zh}应为 1 到 {most} 个可见字符")
        return value

    fast = "type({v}) is str and {v}.isprintable() and {v}.strip() != ''"
    return Compiled(field, fast + (f" and len({{v}}) <= {most}" if most is not None else ""), slow)


_FACTORIES: Final[dict[str, Callable[[Field], Compiled]]] = {
    "text": _text, "id": _ident, "date": _date, "ratio": _ratio, "yuan": _yuan,
    "workdays": _workdays,
    "kind": _choice, "category": _choice, "level": _choice, "decision": _choice, "cadence": _cadence,
    "complaint_kind": _choice, "rating": _choice, "bool": _bool, "flag": _flag,
    "long_text": _long_text, "contact": _contact, "secret": _secret,
}


def compiled(field: Field) -> Compiled | None:
    """The compiled check of ``field``; ``None`` for the structural types (module header)."""
    if field.type in STRUCTURAL:
        return None
    if field.choices:
        return _choice(field)
    factory = _FACTORIES.get(field.type)
    return None if factory is None else factory(field)


def field_check(field: Field) -> Check | None:
    """``compiled(field).closure()``: one function (``None`` for the structural types)."""
    c = compiled(field)
    return None if c is None else c.closure()


def record_checks(fields: tuple[Field, ...]) -> dict[str, Check]:
    """Name -> compiled check of each of ``fields`` that has one."""
    return {f.name: c for f in fields if (c := field_check(f)) is not None}


#: Each milestone field's check, by name (compiled once, at import).
CHECKS: Final[dict[str, Check]] = record_checks(MILESTONE)


def missing(f: Fields, where: str, field: Field) -> Any:
    """The problem of a required ``field`` left out."""
    return f.required({}, field.file_key or field.name, where)


def later(f: Fields, where: str, rule: NotLater, day: dt.date, other: dt.date) -> Any:
    """The problem of a ``NotLater`` rule broken: ``day`` (of ``rule.field``) after ``other``.
    A day after today is ``BAD`` from then on, so the rules after it leave it out (one mistake,
    one message); a rule between two fields keeps both values (either may be the wrong one)."""
    if rule.than == "today":
        f.not_after_today(day, other, where, rule.field, rule.en, rule.zh)
        return BAD
    f.add(_at(where, rule.at or rule.field), f"{rule.field} {day.isoformat()} is after {rule.than} "
          f"{other.isoformat()}; {rule.en}",
          f"{rule.zh}（{_LABELS.get(rule.field, rule.field)} {day.isoformat()} 晚于 "
          f"{_LABELS.get(rule.than, rule.than)} {other.isoformat()}）")
    return None


#: The Chinese label of each date field a ``NotLater`` rule names (any record).
_LABELS: Final[dict[str, str]] = {f.name: f.zh for fields in RECORDS.values() for f in fields
                                  if f.type == "date"}

#: ``read(get, problems, where, today) -> {name: clean value | BAD | None}`` (``record_reader``).
Reader = Callable[[Callable[[str], Any], Fields, str, dt.date], dict[str, Any]]


def read_names(fields: tuple[Field, ...]) -> tuple[str, ...]:
    """The names of the fields ``record_reader(fields)`` reads, in its order (the others are
    structural or not in files)."""
    return tuple(f.name for f in fields if f.file_key is not None and compiled(f) is not None)


def record_reader(fields: tuple[Field, ...], rules: tuple[NotLater, ...] = (), *,
                  as_tuple: bool = False) -> Reader:
    """One function that reads and checks ``fields`` of a record, then its ``rules``.

    ``get(key)`` gives the raw value under a field's file key (``None``: absent). Compiled
    once from the catalogue into straight-line Python: per field a look-up, the field's fast
    test inline, its slow check only when that fails; a required field left out is a problem.
    The rules whose fields are all read (or ``today``) follow. Structural fields are skipped.
    A value is ``BAD`` only when a problem was added for it, so callers may count problems
    instead of searching the values. ``as_tuple`` returns the values as a tuple in the order of
    ``read_names(fields)`` instead of a dict (for ``projects.model.builder``).
    """
    env: dict[str, Any] = dict(_NAMES, BAD=BAD, missing=missing, later=later, DAYS=DAYS)
    lines = ["def read(get, f, where, today):"]
    local: dict[str, str] = {}
    for i, field in enumerate(fields):
        c = compiled(field)
        if c is None or field.file_key is None:
            continue
        v = local[field.name] = f"v{i}"
        env[f"F{i}"], env[f"C{i}"] = field, c.slow
        lines.append(f"    {v} = get({field.file_key!r})")
        lines.append(f"    if {v} is None:")
        lines.append(f"        {v} = missing(f, where, F{i})" if field.required else "        pass")
        if field.type in CHOICES or field.choices:  # a choice's words, looked up inline
            env[f"W{i}"] = choice_words(field)[0]
            lines.append(f"    elif type({v}) is str and {v} in W{i}:\n        {v} = W{i}[{v}]")
        if field.type == "date":  # a day read before: its one object (``DAYS``)
            lines.append(f"    elif (type({v}) is str or type({v}) is _Date) and (d := DAYS.get({v})) is not None:"
                         f"\n        {v} = d")
            lines.append(f"    else:\n        {v} = C{i}({v}, f, where)")
        elif c.fast is None:
            lines.append(f"    else:\n        {v} = C{i}({v}, f, where)")
        else:
            lines.append(f"    elif not ({c.fast.format(v=v)}):\n        {v} = C{i}({v}, f, where)")
    for j, rule in enumerate(rules):
        if rule.field not in local or (rule.than != "today" and rule.than not in local):
            continue
        day, other = local[rule.field], local.get(rule.than, "today")
        env[f"R{j}"] = rule
        guard = f"{day} is not None and {day} is not BAD"
        if other != "today":
            guard += f" and {other} is not None and {other} is not BAD"
        lines.append(f"    if {guard} and {day} > {other}:\n        "
                     + (f"{day} = " if other == "today" else "") + f"later(f, where, R{j}, {day}, {other})")
    if as_tuple:
        lines.append("    return (" + "".join(f"{v}, " for v in local.values()) + ")")
    else:
        lines.append("    return {" + ", ".join(f"{name!r}: {v}" for name, v in local.items()) + "}")
    exec("\n".join(lines), env)
    return env["read"]  # type: ignore[no-any-return]


#: The milestone fields read value by value are all but these, which have an identity or a
#: reference the caller resolves against the portfolio (and the structural types).
OWN: Final = frozenset({"project", "id", "name", "unit"})
read_milestone: Final = record_reader(tuple(f for f in MILESTONE if f.name not in OWN), MILESTONE_RULES)
#: ``read_milestone`` giving a tuple, in the order of ``MILESTONE_READ`` (the loader's).
read_milestone_values: Final = record_reader(tuple(f for f in MILESTONE if f.name not in OWN),
                                             MILESTONE_RULES, as_tuple=True)
MILESTONE_READ: Final = read_names(tuple(f for f in MILESTONE if f.name not in OWN))
#: A complaint's own fields and the rules between its dates (its id, unit and project are
#: references the portfolio checks resolve).
read_complaint: Final = record_reader(tuple(f for f in COMPLAINT if f.name not in OWN), COMPLAINT_RULES)


def milestone_problems(m: Milestone, today: dt.date, units: Mapping[str, object]) -> list[Problem]:
    """Every problem of a model milestone (a report or a creation through the API), each at
    ``milestone P/M.<field>``: the same compiled checks and rules as a portfolio file
    (``read_milestone``), its id and name, and its unit among ``units``."""
    f = Fields()
    where = f"milestone {m.project}/{m.id}"
    CHECKS["id"](m.id, f, where)
    CHECKS["name"](m.name, f, where)
    read_milestone({fd.file_key: getattr(m, fd.name) for fd in MILESTONE if fd.file_key}.get, f, where, today)
    if m.unit is not None:
        unit = CHECKS["unit"](m.unit, f, where)
        if isinstance(unit, str) and unit not in units:
            f.reference(unit, units, _at(where, "unit"), "unit")
    return f.problems
