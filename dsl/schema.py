"""The types of the rule language and every subject's fields (spec: "Types", "Fields").

Owns ``Type`` and ``FIELDS`` (derived from the field catalogue): subject -> field name ->
``FieldInfo(type, missing)``. A field
with ``missing=False`` is never ``None`` at run time (the engine guarantees it); the compiler
leans on that to emit plain Python without ``None`` checks. The engine's subject views have
exactly these attribute names.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects import catalogue


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
COMPLAINT = Type("complaint")  # 群众投诉 / 咨询 / 建议 (issue 13)
COMPLAINT_KIND = Type("complaint_kind")  # complaint 投诉 | consultation 咨询 | suggestion 建议
RATING = Type("rating")  # satisfied 满意 | basically_satisfied 基本满意 | dissatisfied 不满意
ERROR = Type("error")  # a type that already has a diagnostic: silences everything above it

SUBJECTS = ("milestone", "project", "unit", "notice", "person", "complaint")
SUBJECT_TYPES = {t.name: t for t in (MILESTONE, PROJECT, UNIT, NOTICE, PERSON, COMPLAINT)}
#: The subjects a ``score`` ranks.
SCORE_SUBJECTS = ("unit", "person")
NUMERIC = frozenset({NUMBER, RATIO})
ENUMS = frozenset({KIND, CATEGORY, LEVEL, COMPLAINT_KIND, RATING})


def collection(subject: str) -> Type:
    return Type("collection", subject)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    type: Type
    missing: bool = True  # may be None at run time


_SCALARS = {t.name: t for t in (NUMBER, RATIO, TEXT, BOOL, DATE, DURATION, KIND, CATEGORY, LEVEL,
                                 COMPLAINT_KIND, RATING, MILESTONE, PROJECT, UNIT, NOTICE, PERSON,
                                 COMPLAINT)}


def _type(text: str) -> Type:
    """The type a catalogue entry's ``dsl`` names: ``date``, ``unit``, ``collection of units``."""
    if text.startswith("collection of "):
        return collection(text.removeprefix("collection of ").removesuffix("s"))
    return _SCALARS[text]


def _info(f: catalogue.Field) -> FieldInfo:
    assert f.dsl is not None
    t = _type(f.dsl)
    return FieldInfo(t, missing=f.absent or not (f.required or f.present or t == BOOL
                                                  or t.item is not None))


#: Every field a rule can read, from the field catalogue (``projects.catalogue.rule_fields``:
#: the stored fields with a rule-language type, then the ones the engine computes). A field
#: is never missing when it is required, ``present``, a yes/no value or a collection.
FIELDS: dict[str, dict[str, FieldInfo]] = {
    record: {f.name: _info(f) for f in catalogue.rule_fields(record)} for record in SUBJECTS
}

#: Words of the enumerations, English or Chinese (kinds come from ``projects.model``).
CATEGORY_WORDS = {"project": "project", "task": "task", "重点项目": "project", "重点工作": "task"}
LEVEL_WORDS = {"green": "green", "blue": "blue", "yellow": "yellow", "red": "red"}
DURATION_UNITS = {
    "day": "days", "days": "days", "workday": "workdays", "workdays": "workdays",
    "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
}
