"""Request and response shapes of the HTTP API, as msgspec Structs (never ORM rows).

``*Read`` is what the API returns, ``*Create`` what a POST takes, ``*Update`` what a PATCH
takes (fields left out stay as they are; ``version`` is the one the client read). Lists come
as ``*Page`` with ``items``, ``total``, ``offset`` and ``limit``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from projects import catalogue
from projects.cadence import Cadence
from projects.extensions import Extension
from projects.fields import control_character
from projects.model import Dependency, Milestone, Notice, Person, Project, Unit

__all__ = ["UNSET"]


def _texts(value: object, where: str) -> None:
    if isinstance(value, str):
        bad = control_character(value)
        if bad is not None:
            raise ValueError(f"{where} {bad}")
    elif isinstance(value, dict):
        for k, v in value.items():
            _texts(k, f"{where} (a key)")
            _texts(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _texts(v, f"{where}[{i}]")
    elif isinstance(value, Struct):
        for name in value.__struct_fields__:
            _texts(getattr(value, name), f"{where}.{name}")


class Input(Struct, forbid_unknown_fields=True):
    """A request body: unknown fields are refused, and so is text with control characters
    (no database column keeps a NUL; the others are invisible and never meant)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            _texts(getattr(self, name), name)


class DependencyRead(Struct):
    on: str
    lag: int = 0  # working days; negative: a lead
    project: str | None = None
    type: Literal["FS", "SS", "FF", "SF"] = "FS"


class _Report(Input):
    """What a report carries besides the fields it changes: the version the client read."""

    version: Annotated[int, msgspec.Meta(description="读取时的版本号（已被他人修改则答复 409） — the version "
                                                     "the client read (409 when it changed since)")]


#: The Python type of each catalogue type in a request or an answer.
_TYPES: dict[str, Any] = {
    "text": str, "id": str, "kind": str, "category": str, "level": str, "date": dt.date,
    "ratio": float, "yuan": float, "workdays": int, "deps": list[DependencyRead], "contacts": list[str],
    "person": str, "units": list[str], "cadence": str, "bool": bool, "flag": bool, "milestone_ref": str,
    "decision": str, "complaint_kind": str, "rating": str, "long_text": str, "contact": str, "secret": str,
}


def description(f: catalogue.Field) -> str:
    """What the API document says of a catalogued field: its zh-CN label, then the English
    one, then its choices where it has any (``word（中文）``)."""
    label = " — ".join(x for x in (f.zh, f.en) if x)
    if f.choices:
        label += "；可选 one of: " + "、".join(f"{w}（{zh}）" for w, zh in f.choices)
    return label


def _described(kind: Any, f: catalogue.Field, more: str = "") -> Any:
    """``kind`` carrying ``f``'s description (and ``more``) into the OpenAPI document (no
    constraint: the catalogue's validators, not msgspec, check the value)."""
    return Annotated[kind, msgspec.Meta(description=description(f) + more)]


def model_defaults(model: type) -> dict[str, Any]:
    """Field name -> its default in the model dataclass (fields without one are left out)."""
    return {f.name: f.default for f in dataclasses.fields(model) if f.default is not dataclasses.MISSING}


def shape_fields(fields: tuple[catalogue.Field, ...], mode: str, defaults: Mapping[str, Any] | None = None,
                 override: Mapping[str, tuple[Any, Any]] | None = None) -> list[tuple[str, Any, Any]]:
    """The msgspec fields of the catalogued ``fields`` a shape carries: ``r`` (an answer: every
    field, ``None`` when unreported), ``c`` (a creation: required fields must be sent) or ``u``
    (an update: every field may be left out, ``UNSET``; only optional ones may be ``None``).
    A field whose model default (``defaults``) is a value, not ``None``, has that default in
    an answer or a creation (an empty list for a tuple) and cannot be ``None`` in an update
    (a project's co-units, urgent). ``override``: name -> (type, default) of a field an answer
    shows otherwise (a unit's contacts as their count). Required fields come first, as
    msgspec wants, each group in the catalogue's order."""
    defaults = defaults or {}
    override = override or {}
    required: list[tuple[str, Any, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    entry: tuple[str, Any, Any]
    for f in fields:
        if mode not in f.api:
            continue
        if f.name in override:
            kind, default = override[f.name]
            counted = kind is int and _TYPES.get(f.type) is not int  # shown as how many there are
            optional.append((f.name, _described(kind, f, "（个数 — how many）" if counted else ""), default))
            continue
        kind = _TYPES[f.type]
        default = defaults.get(f.name)
        if f.required:
            if mode == "u":
                optional.append((f.name, _described(kind | UnsetType, f), UNSET))
            else:
                required.append((f.name, _described(kind, f), msgspec.NODEFAULT))
            continue
        if default is not None or f.type in ("deps", "contacts"):
            if mode == "u":
                entry = (f.name, _described(kind | UnsetType, f), UNSET)
            elif isinstance(default, tuple) or default is None:
                entry = (f.name, _described(kind, f), msgspec.field(default_factory=list))
            else:
                entry = (f.name, _described(kind, f), default)
        elif mode == "u":
            entry = (f.name, _described(kind | UnsetType | None, f), UNSET)
        else:
            entry = (f.name, _described(kind | None, f), None)
        optional.append(entry)
    return required + optional


def record_shape(name: str, fields: tuple[catalogue.Field, ...], model: type, mode: str, base: type[Struct], *,
                 first: tuple[tuple[str, Any, Any], ...] = (), middle: tuple[tuple[str, Any, Any], ...] = (),
                 last: tuple[tuple[str, Any, Any], ...] = (),
                 override: Mapping[str, tuple[Any, Any]] | None = None, doc: str | None = None,
                 rename: Mapping[str, str] | None = None) -> Any:
    """The msgspec shape of a record's catalogued fields for ``mode`` (``shape_fields``), with
    fields that are not the record's own: ``first`` before them, ``middle`` after the required
    ones, ``last`` at the end (a version, a request's id and status...). ``rename``: a
    field's name in the shape where it is not the catalogue's (a notice's ``id`` is its
    ``code``)."""
    entries = [((rename or {}).get(n, n), t, d) for n, t, d in shape_fields(fields, mode, model_defaults(model), override)]
    cut = sum(1 for f in entries if f[2] is msgspec.NODEFAULT)
    shape = msgspec.defstruct(name, [*first, *entries[:cut], *middle, *entries[cut:], *last],
                              bases=(base,), module=__name__)
    if doc is not None:
        shape.__doc__ = doc
    return shape


def body_shape(name: str, fields: tuple[catalogue.Field, ...], carries: Mapping[str, str], *,
               required: tuple[str, ...] | None = None, defaults: Mapping[str, Any] | None = None,
               base: type[Struct] = Input, doc: str | None = None) -> Any:
    """The body of an action (a decision, a notice's response...): each field it ``carries``
    (the body's name -> the name of one of the catalogued ``fields``) with that field's type,
    required when the field is (or when the body's name is among ``required``, where the
    action needs what the record may lack), else ``None`` when left out; in the order of
    ``carries``. ``defaults``: the value of a field left out where the action's own check,
    not msgspec, says what is missing (``""``; ``None`` makes it nullable)."""
    by_name = {f.name: f for f in fields}
    needed = {own for own, of in carries.items() if by_name[of].required} if required is None else set(required)
    given = defaults or {}
    entries: list[tuple[str, Any, Any]] = []
    for own, of in carries.items():
        f = by_name[of]
        kind = _TYPES[f.type]
        if own in given:
            entries.append((own, _described(kind if given[own] is not None else kind | None, f), given[own]))
        else:
            entries.append((own, _described(kind, f), msgspec.NODEFAULT) if own in needed
                           else (own, _described(kind | None, f), None))
    return _made(name, entries, base, doc)


def text_body(name: str, fields: tuple[catalogue.Field, ...], base: type[Struct] = Input, *,
              optional: tuple[str, ...] = (), doc: str | None = None) -> Any:
    """A body carrying each of a record's file fields as text, so that the record's one check
    (not msgspec) says each problem at its field: the catalogue's required ones required
    (but those in ``optional``), the others ``None`` when left out; required fields first,
    each group in the catalogue's order."""
    keyed = {f.file_key: f for f in fields if f.file_key is not None}
    needed = {f.file_key for f in fields if f.required and f.file_key not in optional}
    return _made(name, [(k, _described(str, f), msgspec.NODEFAULT) for k, f in keyed.items() if k in needed]
                 + [(k, _described(str | None, f), None) for k, f in keyed.items() if k not in needed], base, doc)


def _made(name: str, entries: list[tuple[str, Any, Any]], base: type[Struct], doc: str | None) -> Any:
    shape = msgspec.defstruct(name, entries, bases=(base,), module=__name__)
    if doc is not None:
        shape.__doc__ = doc
    return shape


def _shape(name: str, mode: str, base: type[Struct], extra: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    return record_shape(name, catalogue.MILESTONE, Milestone, mode, base, middle=extra)


# The milestone shapes are the catalogue's (``shape_fields``): a new field reaches the API by
# itself. Statically each is its base class, since a type checker cannot see fields made at
# run time; the handlers therefore read a milestone shape's catalogued fields by name
# (``msgspec.structs.asdict``, ``set_fields``), never as attributes.
if TYPE_CHECKING:
    MilestoneRead = Struct
    MilestoneCreate = Input
    MilestoneUpdate = _Report
else:
    MilestoneRead = _shape("MilestoneRead", "r", Struct, extra=(("version", int, msgspec.NODEFAULT),))
    MilestoneCreate = _shape("MilestoneCreate", "c", Input)
    MilestoneUpdate = _shape("MilestoneUpdate", "u", _Report)
    MilestoneUpdate.__doc__ = "A report: the version read, and the fields that changed."

# The unit, project, person and extension shapes are the catalogue's too (``record_shape``),
# read by name likewise (``record_values``, ``set_fields``).
_NO = msgspec.NODEFAULT
#: A notice's catalogue field -> its name in the API and the notifier's store.
_NOTICE_NAMES: Final = {"id": "code"}
if TYPE_CHECKING:
    UnitRead = Struct
    UnitCreate = Input
    UnitUpdate = Input
    ProjectRead = Struct
    ProjectCreate = Input
    ProjectUpdate = Input
    PersonRead = Struct
    PersonCreate = Input
    PersonUpdate = Input
    ExtensionRead = Struct
    ExtensionCreate = Input
    ProjectDetail = Struct
    ExtensionDecision = Input
    NoticeRead = Struct
    NoticeRespond = Input
    NoticeReject = Input
else:
    UnitRead = record_shape("UnitRead", catalogue.UNIT, Unit, "r", Struct, override={
        "contacts": (int, 0)})  # how many contact URLs (they are secrets; never returned)
    UnitCreate = record_shape("UnitCreate", catalogue.UNIT, Unit, "c", Input)
    UnitUpdate = record_shape("UnitUpdate", catalogue.UNIT, Unit, "u", Input)
    ProjectRead = record_shape("ProjectRead", catalogue.PROJECT, Project, "r", Struct, override={
        "milestones": (int, 0)})  # how many
    ProjectCreate = record_shape("ProjectCreate", catalogue.PROJECT, Project, "c", Input)
    ProjectUpdate = record_shape("ProjectUpdate", catalogue.PROJECT, Project, "u", Input, doc=(
        "The office's change of a project, assignment (交办) included: lead unit, co-units, "
        "person, cadence, urgency, source and leader's instruction."))
    PersonRead = record_shape("PersonRead", catalogue.PERSON, Person, "r", Struct)
    PersonCreate = record_shape("PersonCreate", catalogue.PERSON, Person, "c", Input)
    PersonUpdate = record_shape("PersonUpdate", catalogue.PERSON, Person, "u", Input)
    ExtensionRead = record_shape(
        "ExtensionRead", catalogue.EXTENSION, Extension, "r", Struct, first=(("id", int, _NO),),
        middle=(("requested_by", str, _NO),
                ("status", str, _NO)),  # pending 待审批 | approved 同意 | rejected 不同意
        last=(("decided_by", str | None, None),))
    ExtensionCreate = record_shape("ExtensionCreate", catalogue.EXTENSION, Extension, "c", Input,
                                   doc="A unit's request (延期申请): the new date and why.")
    # a project with its milestones themselves, not their count
    ProjectDetail = record_shape("ProjectDetail", catalogue.PROJECT, Project, "r", Struct, override={
        "milestones": (list[MilestoneRead], msgspec.field(default_factory=list))})
    ExtensionDecision = body_shape(
        "ExtensionDecision", catalogue.EXTENSION, {"decision": "decision", "reason": "decision_reason"},
        required=("decision", "reason"),
        doc="The office's decision: approved (同意) or rejected (不同意), with its reason (审批意见).")
    # a notice as the notifier keeps it: the catalogue's fields (its id is its ``code``) and
    # where it is in its life cycle
    NoticeRead = record_shape(
        "NoticeRead", catalogue.NOTICE, Notice, "r", Struct, rename=_NOTICE_NAMES,
        middle=(("state", str, _NO), ("message", str, _NO)),
        last=(("project", str | None, None), ("response_text", str | None, None), ("attachment", str | None, None)))
    NoticeRespond = body_shape("NoticeRespond", catalogue.NOTICE_STEP, {"text": "text", "attachment": "attachment"},
                               doc="A unit's response: its text, and an attached file's reference (an id or "
                                   "URL), not the file.")
    NoticeReject = body_shape("NoticeReject", catalogue.NOTICE_STEP, {"reason": "reason", "new_due": "new_due"},
                              doc="The office's rejection of a response: why, and a new deadline.")


class MilestoneHistoryEntry(Struct):
    version: int
    known_on: dt.date
    recorded_at: str
    actor: str
    milestone: MilestoneRead




class FindingRead(Struct):
    rule: str
    title: str
    subject: str
    level: str
    message: str
    project: str | None
    unit: str | None
    respond_by: dt.date | None
    notify: list[Any]
    explain: list[Any]
    evaluation: int


class EvaluationRead(Struct):
    id: int | None
    as_of: dt.date
    rulebook_version: int | None
    scope: list[str] | None
    reason: str
    actor: str
    ran_at: str
    findings: int
    by_level: dict[str, int]
    errors: list[Any]


class MilestoneReportResult(Struct):
    milestone: MilestoneRead
    evaluation: EvaluationRead | None
    findings: list[FindingRead]


class EvaluationRequest(Input):
    as_of: dt.date | None = None


class RulebookCreate(Input):
    sources: dict[str, str]
    note: str = ""


class RulebookRead(Struct):
    number: int
    status: str
    author: str
    note: str
    created_at: str
    checked_at: str | None
    published_at: str | None
    files: list[str]
    sources: dict[str, str] | None = None


class RulebookCheck(Struct):
    number: int
    status: str
    rules: int
    scores: int


class DryRunRequest(Input):
    days: list[dt.date] = msgspec.field(default_factory=list)


class DryRunDay(Struct):
    as_of: dt.date
    findings: int
    by_level: dict[str, int]
    errors: list[Any]
    sample: list[dict[str, Any]]


class DryRunRead(Struct):
    number: int
    days: list[DryRunDay]


class PublishRead(Struct):
    rulebook: RulebookRead
    evaluation: EvaluationRead | None


class AuditRead(Struct):
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    before: Any
    after: Any
    hash: str


class AuditVerifyRead(Struct):
    ok: bool
    entries: int
    first_bad: int | None
    message: str
    anchor: str  # N:HEAD now: keep it outside the database, check later with ?head=


class UserRead(Struct):
    username: str
    display: str
    role: str
    unit: str | None
    active: bool


class UserCreate(Input):
    username: str
    role: str
    password: str
    unit: str | None = None
    display: str = ""


class UserUpdate(Input):
    role: str | UnsetType = UNSET
    unit: str | UnsetType = UNSET
    password: str | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    display: str | UnsetType = UNSET


class TokenCreate(Input):
    name: str = "script"


class TokenRead(Struct):
    username: str
    name: str
    token: str


class ImportResult(Struct):
    units: int
    projects: int
    milestones: int
    people: int = 0
    extensions: int = 0
    complaints: int = 0  # issue 13
    accountability: int = 0  # 通报批评 / 问责 records (issue 13)
    calendar_years: int = 0  # working-day calendar years added or changed


class RatesRead(Struct):
    evaluation: int | None
    as_of: dt.date | None
    rates: Any


class RankingsRead(Struct):
    evaluation: int | None
    as_of: dt.date | None
    scores: Any


class NoticeStepRead(Struct):
    """One step of a notice's history: who did what on which day, the reply's text or the
    rejection's reason, and the new deadline a rejection set."""

    day: dt.date
    event: str
    to_state: str
    from_state: str | None = None
    actor: str | None = None
    text: str | None = None
    new_due: dt.date | None = None


class UnitPage(Struct):
    items: list[UnitRead]
    total: int
    offset: int
    limit: int


class ProjectPage(Struct):
    items: list[ProjectRead]
    total: int
    offset: int
    limit: int


class MilestonePage(Struct):
    items: list[MilestoneRead]
    total: int
    offset: int
    limit: int


class FindingPage(Struct):
    items: list[FindingRead]
    total: int
    offset: int
    limit: int


class EvaluationPage(Struct):
    items: list[EvaluationRead]
    total: int
    offset: int
    limit: int


class AuditPage(Struct):
    items: list[AuditRead]
    total: int
    offset: int
    limit: int


# ------------------------------------------------------------------ model -> shapes


def _answers(fields: tuple[catalogue.Field, ...], x: object, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The answer's value of each field of ``x`` an answer carries (``r``); ``rename``: the
    name of a field in the answer and on ``x`` where it is not the catalogue's."""
    return {n: v if type(v) in _AS_IS else _answer(v) for n in _read_names(fields, rename)
            for v in (getattr(x, n),)}


#: The types an answer carries as they are (``_answer`` would return them unchanged).
_AS_IS = frozenset({str, int, float, bool, type(None), dt.date})
_NAMES: dict[tuple[int, int], tuple[tuple[catalogue.Field, ...], Mapping[str, str] | None, tuple[str, ...]]] = {}


def _read_names(fields: tuple[catalogue.Field, ...], rename: Mapping[str, str] | None) -> tuple[str, ...]:
    """The names ``_answers`` reads, made once per catalogue tuple and renaming (both module
    constants, held with the names so that their ids stay theirs)."""
    held = _NAMES.get((id(fields), id(rename)))
    if held is None:
        names = tuple((rename or {}).get(f.name, f.name) for f in fields if "r" in f.api)
        held = _NAMES[(id(fields), id(rename))] = (fields, rename, names)
    return held[2]


def notice_read(n: Any) -> NoticeRead:
    """A notice as the notifier stores it (``notifier.store.StoredNotice``)."""
    return NoticeRead(**_answers(catalogue.NOTICE, n, _NOTICE_NAMES), state=str(n.state), message=n.message,
                      project=n.project, response_text=n.response_text, attachment=n.attachment)


def unit_read(u: Unit) -> UnitRead:
    return UnitRead(**{**_answers(catalogue.UNIT, u), "contacts": len(u.contacts)})


def milestone_read(m: Milestone, version: int) -> MilestoneRead:
    return MilestoneRead(version=version, **_answers(catalogue.MILESTONE, m))


def _answer(value: Any) -> Any:
    """A model value as an answer carries it: a choice by its word, dependencies as shapes,
    lists as lists, a cadence as its text ("2 weeks")."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple) and value and isinstance(value[0], Dependency):
        return [DependencyRead(d.on, d.lag, d.project, d.type) for d in value]
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Cadence):
        return str(value)
    return value


def project_read(p: Project) -> ProjectRead:
    return ProjectRead(**{**_answers(catalogue.PROJECT, p), "milestones": len(p.milestones)})


def project_detail(p: Project, versions: Mapping[tuple[str, str], int]) -> ProjectDetail:
    """A project with each milestone at its version (1 when ``versions`` has none)."""
    return ProjectDetail(**{**_answers(catalogue.PROJECT, p),
                            "milestones": [milestone_read(m, versions.get(m.key, 1)) for m in p.milestones]})


def person_read(x: Person) -> PersonRead:
    return PersonRead(**_answers(catalogue.PERSON, x))


def extension_read(eid: int, e: Extension, requested_by: str, decided_by: str | None) -> ExtensionRead:
    return ExtensionRead(id=eid, requested_by=requested_by, status=e.decision or "pending",
                         decided_by=decided_by, **_answers(catalogue.EXTENSION, e))


def record_values(struct: Struct) -> dict[str, Any]:
    """A request's fields by name, lists as the model's tuples (the shapes are made at run
    time, so handlers read them by name, never as attributes)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in msgspec.structs.asdict(struct).items()}


def set_fields(struct: Struct, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of an update the client actually sent."""
    return {f: getattr(struct, f) for f in struct.__struct_fields__
            if f not in skip and getattr(struct, f) is not UNSET}
