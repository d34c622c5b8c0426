"""The types of the rule language and every subject's fields (spec: "Types", "Fields").

Owns ``Type`` and ``FIELDS``: subject -> field name -> ``FieldInfo(type, missing)``. A field
with ``missing=False`` is never ``None`` at run time (the engine guarantees it); the compiler
leans on that to emit plain Python without ``None`` checks. The engine's subject views have
exactly these attribute names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    """A static type: a scalar name, a subject name, or a collection of a subject."""

    name: str
    item: str | None = None  # the subject of a collection

    def __str__(self) -> str:
        return f"collection of {self.item}s" if self.item else self.name


NUMBER = Type("number")
RATIO = Type("ratio")
TEXT = Type("text")
BOOL = Type("bool")
DATE = Type("date")
DURATION = Type("duration")
KIND = Type("kind")
CATEGORY = Type("category")
LEVEL = Type("level")
MILESTONE = Type("milestone")
PROJECT = Type("project")
UNIT = Type("unit")
NOTICE = Type("notice")
PERSON = Type("person")  # 责任人 (version 2)
ERROR = Type("error")  # a type that already has a diagnostic: silences everything above it

SUBJECTS = ("milestone", "project", "unit", "notice", "person")
SUBJECT_TYPES = {t.name: t for t in (MILESTONE, PROJECT, UNIT, NOTICE, PERSON)}
#: The subjects a ``score`` ranks.
SCORE_SUBJECTS = ("unit", "person")
NUMERIC = frozenset({NUMBER, RATIO})
ENUMS = frozenset({KIND, CATEGORY, LEVEL})


def collection(subject: str) -> Type:
    return Type("collection", subject)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    type: Type
    missing: bool = True  # may be None at run time


_N = FieldInfo  # brevity in the table below
_RATES = {
    "on_time_rate": _N(RATIO),
    "completion_rate": _N(RATIO),
    "early_rate": _N(RATIO),
    "response_rate": _N(RATIO),
}

FIELDS: dict[str, dict[str, FieldInfo]] = {
    "milestone": {
        "id": _N(TEXT, False),
        "name": _N(TEXT, False),
        "kind": _N(KIND, False),
        "project": _N(PROJECT, False),
        "unit": _N(UNIT, False),
        "start": _N(DATE),
        "due": _N(DATE),
        "done": _N(BOOL, False),
        "finished": _N(DATE),
        "progress": _N(RATIO),
        "amount": _N(NUMBER),
        "paid": _N(NUMBER),
        "updated": _N(DATE),
        "overdue": _N(NUMBER),
        "late": _N(BOOL, False),
        "forecast": _N(DATE),
        "float": _N(NUMBER),
        "critical": _N(BOOL, False),
        # version 2 (issue 12): the supervision loop
        "person": _N(PERSON),
        "co_units": _N(collection("unit"), False),
        "report_every": _N(DURATION),
        "next_report": _N(DATE),
        "report_overdue": _N(NUMBER),
        "original_due": _N(DATE),
        "extensions": _N(NUMBER, False),
        "extension_pending": _N(BOOL, False),
        "late_extension_requests": _N(NUMBER, False),  # requested after the due they would move
        "planned_progress": _N(RATIO),
        # issue 17: the milestone's own links (``after``): all, finish-to-start, with a
        # negative lag (leads), with a positive lag
        "links": _N(NUMBER, False),
        "fs_links": _N(NUMBER, False),
        "leads": _N(NUMBER, False),
        "lags": _N(NUMBER, False),
    },
    "project": {
        "id": _N(TEXT, False),
        "name": _N(TEXT, False),
        "category": _N(CATEGORY, False),
        "unit": _N(UNIT, False),
        "budget": _N(NUMBER),
        "paid": _N(NUMBER),
        "progress": _N(RATIO),
        "due": _N(DATE),
        "forecast": _N(DATE),
        "done": _N(BOOL, False),
        "milestones": _N(collection("milestone"), False),
        **_RATES,
        # version 2 (issue 12): 交办
        "person": _N(PERSON),
        "co_units": _N(collection("unit"), False),
        "urgent": _N(BOOL, False),
        "source": _N(TEXT),
        "instruction": _N(TEXT),
        "report_every": _N(DURATION),
        "planned_progress": _N(RATIO),
    },
    "unit": {
        "id": _N(TEXT, False),
        "name": _N(TEXT, False),
        "parent": _N(UNIT),
        "level": _N(TEXT),
        "milestones": _N(collection("milestone"), False),
        "projects": _N(collection("project"), False),
        "notices": _N(collection("notice"), False),
        "red_cards": _N(NUMBER, False),
        "yellow_cards": _N(NUMBER, False),
        **_RATES,
        "people": _N(collection("person"), False),  # version 2
        "extensions": _N(NUMBER, False),  # approved extensions of its milestones by today
    },
    "notice": {
        "id": _N(TEXT, False),
        "title": _N(TEXT, False),
        "unit": _N(UNIT, False),
        "rule": _N(TEXT),
        "level": _N(LEVEL),
        "issued": _N(DATE, False),
        "due": _N(DATE, False),
        "responded": _N(BOOL, False),
        "response_date": _N(DATE),
        "overdue": _N(NUMBER),
    },
    "person": {  # 责任人 (version 2): the milestones whose person it is, given or inherited
        "id": _N(TEXT, False),
        "name": _N(TEXT, False),
        "unit": _N(UNIT, False),
        "post": _N(TEXT),
        "milestones": _N(collection("milestone"), False),
        "on_time_rate": _N(RATIO),
        "completion_rate": _N(RATIO),
        "early_rate": _N(RATIO),
    },
}

#: Words of the enumerations, English or Chinese (kinds come from ``projects.model``).
CATEGORY_WORDS = {"project": "project", "task": "task", "重点项目": "project", "重点工作": "task"}
LEVEL_WORDS = {"green": "green", "blue": "blue", "yellow": "yellow", "red": "red"}
DURATION_UNITS = {
    "day": "days", "days": "days", "workday": "workdays", "workdays": "workdays",
    "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
}
