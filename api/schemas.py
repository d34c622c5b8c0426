"""Request and response shapes of the HTTP API, as msgspec Structs (never ORM rows).

``*Read`` is what the API returns, ``*Create`` what a POST takes, ``*Update`` what a PATCH
takes (fields left out stay as they are; ``version`` is the one the client read). Lists come
as ``*Page`` with ``items``, ``total``, ``offset`` and ``limit``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

import msgspec
from msgspec import UNSET, Struct, UnsetType

from projects import catalogue
from projects.cadence import Cadence
from projects.fields import control_character
from projects.model import Dependency, Milestone, Project, Unit

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


class UnitRead(Struct):
    id: str
    name: str
    parent: str | None = None
    level: str | None = None
    contacts: int = 0  # how many contact URLs (they are secrets; never returned)


class UnitCreate(Input):
    id: str
    name: str
    parent: str | None = None
    level: str | None = None
    contacts: list[str] = msgspec.field(default_factory=list)


class UnitUpdate(Input):
    name: str | UnsetType = UNSET
    parent: str | UnsetType | None = UNSET
    level: str | UnsetType | None = UNSET
    contacts: list[str] | UnsetType = UNSET


class _Report(Input):
    """What a report carries besides the fields it changes: the version the client read."""

    version: int


#: The Python type of each catalogue type in a request or an answer.
_TYPES: dict[str, Any] = {
    "text": str, "id": str, "kind": str, "category": str, "level": str, "date": dt.date,
    "ratio": float, "yuan": float, "workdays": int, "deps": list[DependencyRead], "contacts": list[str],
    "person": str, "units": list[str], "cadence": str,
}


def shape_fields(fields: tuple[catalogue.Field, ...], mode: str) -> list[tuple[str, Any, Any]]:
    """The msgspec fields of the catalogued ``fields`` a shape carries: ``r`` (an answer: every
    field, ``None`` when unreported), ``c`` (a creation: required fields must be sent) or ``u``
    (an update: every field may be left out, ``UNSET``; only optional ones may be ``None``).
    Required fields come first, as msgspec wants, each group in the catalogue's order."""
    required: list[tuple[str, Any, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for f in fields:
        if mode not in f.api:
            continue
        kind = _TYPES[f.type]
        if f.type in ("deps", "contacts"):
            entry = (f.name, kind | UnsetType, UNSET) if mode == "u" else (f.name, kind, msgspec.field(default_factory=list))
        elif mode == "u":
            entry = (f.name, kind | UnsetType if f.required else kind | UnsetType | None, UNSET)
        elif f.required:
            required.append((f.name, kind, msgspec.NODEFAULT))
            continue
        else:
            entry = (f.name, kind | None, None)
        optional.append(entry)
    return required + optional


def _shape(name: str, mode: str, base: type[Struct], extra: tuple[tuple[str, Any, Any], ...] = ()) -> Any:
    fields = shape_fields(catalogue.MILESTONE, mode)
    cut = sum(1 for f in fields if f[2] is msgspec.NODEFAULT)
    return msgspec.defstruct(name, [*fields[:cut], *extra, *fields[cut:]], bases=(base,), module=__name__)


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


class MilestoneHistoryEntry(Struct):
    version: int
    known_on: dt.date
    recorded_at: str
    actor: str
    milestone: MilestoneRead


class ProjectRead(Struct):
    id: str
    name: str
    category: str
    unit: str
    budget: float | None = None
    milestones: int = 0
    co_units: list[str] = msgspec.field(default_factory=list)
    person: str | None = None
    urgent: bool = False
    source: str | None = None
    instruction: str | None = None
    report_every: str | None = None


class ProjectDetail(Struct):
    id: str
    name: str
    category: str
    unit: str
    budget: float | None
    milestones: list[MilestoneRead]


class ProjectCreate(Input):
    id: str
    name: str
    category: str
    unit: str
    budget: float | None = None


class ProjectUpdate(Input):
    """The office's change of a project, assignment (交办) included: lead unit, co-units,
    person, cadence, urgency, source and leader's instruction."""

    name: str | UnsetType = UNSET
    category: str | UnsetType = UNSET
    unit: str | UnsetType = UNSET
    budget: float | UnsetType | None = UNSET
    co_units: list[str] | UnsetType = UNSET
    person: str | UnsetType | None = UNSET
    urgent: bool | UnsetType = UNSET
    source: str | UnsetType | None = UNSET
    instruction: str | UnsetType | None = UNSET
    report_every: str | UnsetType | None = UNSET  # a cadence: "2 weeks", "1 months", "月报"


class PersonRead(Struct):
    id: str
    name: str
    unit: str
    post: str | None = None


class PersonCreate(Input):
    id: str
    name: str
    unit: str
    post: str | None = None


class PersonUpdate(Input):
    name: str | UnsetType = UNSET
    unit: str | UnsetType = UNSET
    post: str | UnsetType | None = UNSET


class ExtensionCreate(Input):
    """A unit's request (延期申请): the new date and why."""

    new_due: dt.date
    reason: str


class ExtensionDecision(Input):
    """The office's decision: approved (同意) or rejected (不同意), with its reason (审批意见)."""

    decision: str
    reason: str


class ExtensionRead(Struct):
    id: int
    milestone: str
    requested: dt.date
    new_due: dt.date
    reason: str
    requested_by: str
    status: str  # pending 待审批 | approved 同意 | rejected 不同意
    decided: dt.date | None = None
    decision_reason: str | None = None
    decided_by: str | None = None


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


class RatesRead(Struct):
    evaluation: int | None
    as_of: dt.date | None
    rates: Any


class RankingsRead(Struct):
    evaluation: int | None
    as_of: dt.date | None
    scores: Any


class NoticeRead(Struct):
    code: str
    rule: str
    subject: str
    unit: str
    level: str
    state: str
    title: str
    message: str
    issued: dt.date
    due: dt.date
    project: str | None = None
    responded: dt.date | None = None
    response_text: str | None = None
    attachment: str | None = None


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


class NoticeRespond(Input):
    text: str
    attachment: str | None = None  # a reference to an attached file (an id or URL), not the file


class NoticeReject(Input):
    reason: str
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


def unit_read(u: Unit) -> UnitRead:
    return UnitRead(u.id, u.name, u.parent, u.level, len(u.contacts))


def milestone_read(m: Milestone, version: int) -> MilestoneRead:
    values = {f.name: _answer(getattr(m, f.name)) for f in catalogue.MILESTONE if "r" in f.api}
    return MilestoneRead(version=version, **values)


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
    return ProjectRead(p.id, p.name, p.category.value, p.unit, p.budget, len(p.milestones),
                       list(p.co_units), p.person, p.urgent, p.source, p.instruction,
                       None if p.report_every is None else str(p.report_every))


def set_fields(struct: Struct, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of an update the client actually sent."""
    return {f: getattr(struct, f) for f in struct.__struct_fields__
            if f not in skip and getattr(struct, f) is not UNSET}
