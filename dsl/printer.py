"""Expressions back to canonical text: single spaces, minimal parentheses.

Used by the formatter (in either spelling) and by the compiler for the source text of ``explain`` entries, so a
formatted rulebook and an explanation show an expression the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from dsl import schema as t
from dsl import syntax as s
from dsl.words import IS_MISSING_ZH, IS_NOT_MISSING_ZH, UNITS_ZH, field, keyword, name_en, word
from projects.model import (
    COMPLAINT_KIND_CHINESE,
    COMPLAINT_KIND_WORDS,
    KIND_CHINESE,
    KIND_WORDS,
    RATING_CHINESE,
    RATING_WORDS,
    Category,
)

_UNITS = {"day": "days", "workday": "workdays", "week": "weeks", "month": "months"}

_PREC = {"or": 1, "and": 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
         "+": 5, "-": 5, "*": 6, "/": 6}


def _prec(e: s.Expr) -> int:
    if isinstance(e, s.Binary):
        return _PREC[e.op]
    if isinstance(e, s.Unary):
        return 3 if e.op == "not" else 7
    if isinstance(e, (s.InList, s.IsMissing)):
        return 4
    if isinstance(e, s.Paren):
        return _prec(e.inner)
    return 9


#: Variable -> the subject it ranges over (a rule's or score's variable, and those of the
#: collections around an expression); lets the Chinese spelling pick each subject's labels.
Scope = Mapping[str, str]
_GRAPH = frozenset({"upstream", "downstream", "predecessors", "successors"})


def _type(e: s.Expr, scope: Scope) -> t.Type | None:
    """The static type of a variable, a field chain or a graph call, as far as the
    subject's fields say (None: not known without the checker)."""
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Name):
        subject = scope.get(e.name)
        return t.SUBJECT_TYPES.get(subject) if subject else None
    if isinstance(e, s.Field):
        obj = _type(e.obj, scope)
        info = t.FIELDS.get(obj.name, {}).get(e.name) if obj is not None else None
        return info.type if info is not None else None
    if isinstance(e, s.Call) and e.func in _GRAPH:
        return t.collection("milestone")
    return None


#: The choice types whose words have two spellings: any spelling -> (English, Chinese) word.
_CHOICE_WORDS: dict[t.Type, dict[str, tuple[str, str]]] = {
    t.KIND: {w: (k.value, KIND_CHINESE[k]) for w, k in KIND_WORDS.items()},
    t.CATEGORY: {w: (c.value, zh) for w, c, zh in (
        ("project", Category.PROJECT, "重点项目"), ("重点项目", Category.PROJECT, "重点项目"),
        ("task", Category.TASK, "重点工作"), ("重点工作", Category.TASK, "重点工作"))},
    t.COMPLAINT_KIND: {w: (k.value, COMPLAINT_KIND_CHINESE[k]) for w, k in COMPLAINT_KIND_WORDS.items()},
    t.RATING: {w: (r.value, RATING_CHINESE[r]) for w, r in RATING_WORDS.items()},
}


def _choice_types(other: s.Expr, scope: Scope) -> tuple[t.Type, ...]:
    """The choice type(s) a bare word compared with ``other`` may belong to: ``other``'s type
    when the scope gives it, else every choice type of a field of that name (the word sets
    of the choice types are disjoint, so the word itself tells which)."""
    while isinstance(other, s.Paren):
        other = other.inner
    typ = _type(other, scope)
    if typ is not None:
        return (typ,) if typ in _CHOICE_WORDS else ()
    if isinstance(other, s.Field):
        return tuple({info.type for fields in t.FIELDS.values()
                      if (info := fields.get(other.name)) is not None and info.type in _CHOICE_WORDS})
    return ()


def _choice(e: s.Expr, types: tuple[t.Type, ...], lang: str, scope: Scope) -> str | None:
    """A bare choice word compared with a field of that type (``m.kind == contract``) in
    ``lang`` (合同 / contract); None when ``e`` is not one (a variable keeps its name)."""
    while isinstance(e, s.Paren):
        e = e.inner
    if not types or not isinstance(e, s.Name) or e.name in scope:
        return None
    for typ in types:
        pair = _CHOICE_WORDS[typ].get(e.name)
        if pair is not None:
            return pair[lang == "zh"]
    return None


def expr_text(e: s.Expr, context: int = 0, lang: str = "en", scope: Scope | None = None) -> str:
    """Canonical text of ``e``, parenthesised if it binds looser than ``context``, with
    keywords and words in ``lang`` ("en" | "zh"); ``scope`` names the subject of each
    variable, for the Chinese labels of fields."""
    while isinstance(e, s.Paren):
        e = e.inner
    text = _text(e, lang, scope or {})
    return f"({text})" if _prec(e) < context else text


def _text(e: s.Expr, lang: str, scope: Scope) -> str:
    def sub(x: s.Expr, context: int = 0, inner: Scope = scope) -> str:
        return expr_text(x, context, lang, inner)

    def kw(word: str) -> str:
        return keyword(word, lang)

    if isinstance(e, s.Binary):
        p = _PREC[e.op]
        op = kw(e.op)
        if e.op in ("==", "!="):  # a choice word takes the spelling of the file
            left = _choice(e.left, _choice_types(e.right, scope), lang, scope) or sub(e.left, 5)
            right = _choice(e.right, _choice_types(e.left, scope), lang, scope) or sub(e.right, 5)
            return f"{left} {op} {right}"
        if p == 4:  # comparisons do not chain
            return f"{sub(e.left, 5)} {op} {sub(e.right, 5)}"
        return f"{sub(e.left, p)} {op} {sub(e.right, p + 1)}"
    if isinstance(e, s.Unary):
        if e.op == "not":
            return f"{kw('not')} {sub(e.operand, 3)}"
        inner = sub(e.operand, 7)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"
    if isinstance(e, s.InList):
        types = _choice_types(e.operand, scope)
        items = ", ".join(_choice(i, types, lang, scope) or sub(i) for i in e.items)
        return f"{sub(e.operand, 5)} {kw('in')} [{items}]"
    if isinstance(e, s.IsMissing):
        if lang == "zh":
            return f"{sub(e.operand, 5)} {IS_NOT_MISSING_ZH if e.negated else IS_MISSING_ZH}"
        return f"{sub(e.operand, 5)} is {'not ' if e.negated else ''}missing"
    if isinstance(e, s.Field):
        obj = _type(e.obj, scope) if lang == "zh" else None
        return f"{sub(e.obj, 8)}.{field(e.name, lang, obj.name if obj else None)}"
    if isinstance(e, s.Name):
        return word(e.name, lang) if name_en(word(e.name, "zh")) == e.name else e.name
    if isinstance(e, s.Call):
        return f"{word(e.func, lang)}({', '.join(sub(a) for a in e.args)})"
    if isinstance(e, s.Aggregate):
        walked = _type(e.collection, scope)  # its items name their fields (zh) and choices
        body = {**scope, e.var: walked.item} if walked is not None and walked.item else scope
        where = f" {kw('where')} {sub(e.where, inner=body)}" if e.where is not None else ""
        head = f"{sub(e.body, inner=body)} {kw('for')} " if e.body is not None else ""
        return f"{kw(e.op)}({head}{e.var} {kw('in')} {sub(e.collection)}{where})"
    if isinstance(e, s.Number):
        return e.text
    if isinstance(e, s.Percent):
        return f"{e.text}%"
    if isinstance(e, s.DurationLit):
        if lang == "zh":
            unit = _UNITS.get(e.unit, e.unit)
            return f"{e.amount_text} {UNITS_ZH.get(unit, e.unit)}"
        return f"{e.amount_text} {e.unit}"
    if isinstance(e, s.DateLit):
        return e.text
    if isinstance(e, s.String):
        return e.raw
    if isinstance(e, s.Bool):
        return kw("true" if e.value else "false")
    raise AssertionError(type(e))  # pragma: no cover


def message_text(message: s.Message, lang: str = "en", scope: Scope | None = None) -> str:
    """A message in canonical form: holes re-printed, literal text as written."""
    out = ['"']
    for part in message.parts:
        if isinstance(part, s.Hole):
            out.append("{" + expr_text(part.expr, lang=lang, scope=scope) + "}")
        else:
            out.append(part.replace("\\", "\\\\").replace('"', '\\"')
                       .replace("{", "{{").replace("}", "}}"))
    out.append('"')
    return "".join(out)
