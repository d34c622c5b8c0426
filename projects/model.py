"""The portfolio model: units, projects, milestones, dependencies and notices.

Owns the pure value types every other package works on. Invariants:

- Every value is immutable (frozen, slotted dataclasses); a change makes a new value.
- Dates are ``datetime.date`` (``pendulum.Date`` is a subclass and is accepted); money is
  ``float`` yuan; ratios are ``float`` in 0..1. A field that was not reported is ``None``.
- Ids are unique within their scope: units and projects in the portfolio, milestones in
  their project, notices in the portfolio. ``load_portfolio`` guarantees it; code that
  builds values by hand must keep it.
- Nothing here knows a database, a clock or a network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # annotations only: cadence and extensions import the calendar, which imports us
    from projects.accountability import Accountability
    from projects.cadence import Cadence
    from projects.extensions import Extension

Date = dt.date


class Kind(StrEnum):
    """What a milestone is about; the rule language writes either the English or Chinese word."""

    APPROVAL = "approval"
    TENDERING = "tendering"
    CONTRACT = "contract"
    PROGRESS = "progress"
    SUPERVISION = "supervision"
    SAFETY = "safety"
    FUNDS = "funds"
    COMPLETION = "completion"

    @property
    def chinese(self) -> str:
        return KIND_CHINESE[self]


KIND_CHINESE: dict[Kind, str] = {
    Kind.APPROVAL: "立项",
    Kind.TENDERING: "招标",
    Kind.CONTRACT: "合同",
    Kind.PROGRESS: "进度",
    Kind.SUPERVISION: "监理",
    Kind.SAFETY: "安全",
    Kind.FUNDS: "资金",
    Kind.COMPLETION: "竣工",
}

#: Every word that names a kind, English or Chinese, to the kind.
KIND_WORDS: dict[str, Kind] = {k.value: k for k in Kind} | {v: k for k, v in KIND_CHINESE.items()}


class ComplaintKind(StrEnum):
    """What a member of the public brings (群众投诉 / 咨询 / 建议)."""

    COMPLAINT = "complaint"  # 投诉
    CONSULTATION = "consultation"  # 咨询
    SUGGESTION = "suggestion"  # 建议

    @property
    def chinese(self) -> str:
        return COMPLAINT_KIND_CHINESE[self]


COMPLAINT_KIND_CHINESE: dict[ComplaintKind, str] = {
    ComplaintKind.COMPLAINT: "投诉",
    ComplaintKind.CONSULTATION: "咨询",
    ComplaintKind.SUGGESTION: "建议",
}
#: Every word that names a complaint's kind, English or Chinese.
COMPLAINT_KIND_WORDS: dict[str, ComplaintKind] = {k.value: k for k in ComplaintKind} | {
    v: k for k, v in COMPLAINT_KIND_CHINESE.items()}


class Rating(StrEnum):
    """The complainant's rating of the answer (满意 / 基本满意 / 不满意)."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"

    @property
    def chinese(self) -> str:
        return RATING_CHINESE[self]

    @property
    def satisfied(self) -> bool:
        """Satisfied or basically satisfied: what ``satisfaction_rate`` counts."""
        return self is not Rating.DISSATISFIED


RATING_CHINESE: dict[Rating, str] = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
}
#: Every word that names a rating, English or Chinese.
RATING_WORDS: dict[str, Rating] = {r.value: r for r in Rating} | {v: r for r, v in RATING_CHINESE.items()}


class Category(StrEnum):
    PROJECT = "project"  # 重点项目
    TASK = "task"  # 重点工作


class Level(StrEnum):
    GREEN = "green"
    BLUE = "blue"  # a reminder (提醒 / 催报), never a card
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.GREEN: 0, Level.BLUE: 1, Level.YELLOW: 2, Level.RED: 3}


@dataclass(frozen=True, slots=True)
class Unit:
    """A responsible unit (责任单位): a government department, an owner, a contractor."""

    id: str
    name: str
    parent: str | None = None
    level: str | None = None
    contacts: tuple[str, ...] = ()  # Apprise URLs: secrets, never logged in full


@dataclass(frozen=True, slots=True)
class Dependency:
    """A link from ``on`` to the milestone, with ``lag`` workdays (negative: a lead).

    ``type`` is ``FS`` (the default: the milestone starts after ``on`` finishes), ``SS``
    (starts after ``on`` starts), ``FF`` (finishes after ``on`` finishes) or ``SF``
    (finishes after ``on`` starts). ``project`` is ``None`` for a milestone of the same
    project; a cross-project dependency names the other project explicitly.
    """

    on: str
    lag: int = 0
    project: str | None = None
    type: str = "FS"


@dataclass(frozen=True, slots=True)
class Milestone:
    """One node of a project's milestone graph, as last reported."""

    project: str
    id: str
    name: str
    kind: Kind
    due: Date | None = None
    start: Date | None = None
    finished: Date | None = None
    unit: str | None = None  # responsible unit when not the project's
    progress: float | None = None  # 0..1
    amount: float | None = None  # planned money, yuan
    paid: float | None = None  # money paid, yuan
    updated: Date | None = None  # date of the last report
    after: tuple[Dependency, ...] = ()
    note: str | None = None
    # version 2 (issue 12); None means the project's value
    person: str | None = None  # 责任人, a person id
    co_units: tuple[str, ...] | None = None  # 配合单位, unit ids
    report_every: Cadence | None = None  # 报送周期
    schedule_slip: int | None = None  # 计划推迟: working days the finish moved at the last import
    forecast_slip: int | None = None  # 预测推迟: working days the computed forecast finish moved
    float_eroded: int | None = None  # 总时差减少: whole working days of total float lost
    resourced: bool | None = None  # 资源加载: the imported activity has resources or cost (DCMA 10)

    @property
    def key(self) -> tuple[str, str]:
        """Portfolio-wide identity: (project id, milestone id)."""
        return (self.project, self.id)


@dataclass(frozen=True, slots=True)
class Project:
    """A key project (重点项目) or key task (重点工作) with its milestones in file order."""

    id: str
    name: str
    category: Category
    unit: str
    budget: float | None = None
    milestones: tuple[Milestone, ...] = ()
    # version 2 (issue 12): 立项交办; ``unit`` is the lead unit (牵头单位)
    co_units: tuple[str, ...] = ()  # 配合单位, unit ids
    person: str | None = None  # 责任人, a person id
    urgent: bool = False  # 紧急
    source: str | None = None  # 交办依据
    instruction: str | None = None  # 领导批示
    report_every: Cadence | None = None  # 报送周期


@dataclass(frozen=True, slots=True)
class Person:
    """A responsible person (责任人) of a unit."""

    id: str
    name: str
    unit: str
    post: str | None = None  # 岗位, free text


@dataclass(frozen=True, slots=True)
class Notice:
    """A supervision notice (督办通知) issued to a unit."""

    id: str
    title: str
    unit: str
    issued: Date
    due: Date
    rule: str | None = None
    level: Level | None = None
    responded: Date | None = None  # date of the response, if any
    subject: str | None = None  # e.g. "milestone:P001/tender"


@dataclass(frozen=True, slots=True)
class Complaint:
    """A complaint, consultation or suggestion (群众投诉 / 咨询 / 建议) routed to a unit with a
    forced-response deadline (``due``), as ``supervision.md`` describes it. It exists from
    ``received``, is answered from ``responded`` and rated from ``rated`` (as-of replay:
    ``projects.replay``). Its text and the complainant's contact are not part of the model:
    they stay in the database, for the office and the unit only (``projects.repository``)."""

    id: str  # the tracking code, e.g. C-2026-0001
    title: str
    unit: str
    received: Date
    due: Date
    kind: ComplaintKind = ComplaintKind.COMPLAINT
    project: str | None = None
    responded: Date | None = None  # the day the unit answered
    rating: Rating | None = None
    rated: Date | None = None  # the day the complainant rated the answer, with ``rating``


@dataclass(frozen=True)
class Portfolio:
    """Everything a run needs to know about the world, as of the moment it was loaded."""

    units: tuple[Unit, ...] = ()
    projects: tuple[Project, ...] = ()
    notices: tuple[Notice, ...] = ()
    calendar: str = "cn"  # "cn" or "weekdays"
    timezone: str = "Asia/Shanghai"
    calendar_years: tuple[CalendarYear, ...] = field(default=())  # years a calendar file adds
    people: tuple[Person, ...] = ()  # 责任人 (version 2)
    extensions: tuple[Extension, ...] = ()  # 延期申请, in file order (version 2)
    complaints: tuple[Complaint, ...] = ()  # 群众投诉 / 咨询 / 建议, in file order (issue 13)
    accountability: tuple[Accountability, ...] = ()  # 通报批评 / 问责, in file order (issue 13)

    def replaced(self, **changes: Any) -> Portfolio:
        """``dataclasses.replace(self, **changes)`` keeping the look-ups already made
        (``unit_by_id`` ...) of the fields it does not change: a report group's new snapshot
        changes its notices and a few projects, and a 2,000-entry ``project_by_id`` made again
        for the first request after every group costs more than the group's own look-ups."""
        out = replace(self, **changes)
        made = self.__dict__
        for lookup, source in _LOOKUPS.items():
            if source not in changes and lookup in made:
                out.__dict__[lookup] = made[lookup]
        return out

    @cached_property
    def unit_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        return {p.id: p for p in self.projects}

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {x.id: x for x in self.people}

    @cached_property
    def complaint_by_id(self) -> dict[str, Complaint]:
        return {c.id: c for c in self.complaints}

    @cached_property
    def notice_by_id(self) -> dict[str, Notice]:
        return {n.id: n for n in self.notices}

    def milestones(self) -> list[Milestone]:
        """All milestones of all projects, in file order."""
        return [m for p in self.projects for m in p.milestones]


#: ``Portfolio``'s cached look-ups and the field each is made from (``Portfolio.replaced``).
_LOOKUPS = {"unit_by_id": "units", "project_by_id": "projects", "person_by_id": "people",
            "complaint_by_id": "complaints", "notice_by_id": "notices"}


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """One year of a working-day calendar: its holidays and its makeup workdays (调休上班)."""

    year: int
    holidays: frozenset[Date] = frozenset()
    workdays: frozenset[Date] = frozenset()  # weekend days that are working days


_T = TypeVar("_T")


def builder(cls: type[_T], order: Sequence[str]) -> Callable[..., _T]:
    """A positional constructor of the frozen, slotted dataclass ``cls`` that takes every
    field once, in ``order``: it makes the value ``cls(**dict(zip(order, args)))`` makes
    (equal, same hash), without the per-field ``object.__setattr__`` calls of a frozen
    class's ``__init__`` (a third of a milestone's construction; the loader builds a million
    of them for a province). The value is made as a plain class with the very same slots
    (each field an ordinary, specialised attribute store) and then given its class, the one
    change of a value's class CPython allows between two such layouts; where that is refused
    the slots are set through their own setters. ``cls`` must have no ``__post_init__``; a
    field missing from ``order``, or one ``order`` names that ``cls`` does not have, raises
    ``ValueError`` when the constructor is made, not when it is used."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if len(set(order)) != len(order) or set(order) != set(names):
        raise ValueError(f"{cls.__name__}: the order must name each field once: "
                         f"missing {sorted(set(names) - set(order))}, "
                         f"unknown {sorted(set(order) - set(names))}")
    if hasattr(cls, "__post_init__"):
        raise ValueError(f"{cls.__name__} has a __post_init__ this constructor would skip")
    params = ", ".join(f"a{i}" for i in range(len(order)))
    slots = cls.__dict__.get("__slots__")
    if isinstance(slots, tuple) and cls.__bases__ == (object,):
        twin = type(f"_{cls.__name__}Draft", (), {"__slots__": slots})
        env: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
        body = "".join(f"    self.{name} = a{i}\n" for i, name in enumerate(order))
        exec(f"def make({params}):\n    self = _new(_twin)\n{body}"  # our text
             "    self.__class__ = _cls\n    return self\n", env)
        make: Callable[..., _T] = env["make"]
        probe = [object() for _ in order]
        try:
            made = make(*probe)
        except TypeError:  # the layouts differ after all: set the slots one by one
            pass
        else:
            if all(getattr(made, name) is v for name, v in zip(order, probe, strict=True)):
                return make
    env = {"_new": object.__new__, "_cls": cls}
    for i, name in enumerate(order):
        env[f"_s{i}"] = cls.__dict__[name].__set__  # the slot's own setter
    body = "".join(f"    _s{i}(self, a{i})\n" for i in range(len(order)))
    exec(f"def make({params}):\n    self = _new(_cls)\n{body}    return self\n", env)  # our text
    return env["make"]  # type: ignore[no-any-return]
