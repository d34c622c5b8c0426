"""Expressions back to canonical text: single spaces, minimal parentheses.

Used by the formatter (in either spelling) and by the compiler for the source text of ``explain`` entries, so a
formatted rulebook and an explanation show an expression the same way.
"""

from __future__ import annotations

from dsl import syntax as s
from dsl.words import IS_MISSING_ZH, IS_NOT_MISSING_ZH, UNITS_ZH, field, keyword, name_en, word

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


def expr_text(e: s.Expr, context: int = 0, lang: str = "en") -> str:
    """Canonical text of ``e``, parenthesised if it binds looser than ``context``, with
    keywords and words in ``lang`` ("en" | "zh")."""
    while isinstance(e, s.Paren):
        e = e.inner
    text = _text(e, lang)
    return f"({text})" if _prec(e) < context else text


def _text(e: s.Expr, lang: str) -> str:
    def sub(x: s.Expr, context: int = 0) -> str:
        return expr_text(x, context, lang)

    def kw(word: str) -> str:
        return keyword(word, lang)

    if isinstance(e, s.Binary):
        p = _PREC[e.op]
        op = kw(e.op)
        if p == 4:  # comparisons do not chain
            return f"{sub(e.left, 5)} {op} {sub(e.right, 5)}"
        return f"{sub(e.left, p)} {op} {sub(e.right, p + 1)}"
    if isinstance(e, s.Unary):
        if e.op == "not":
            return f"{kw('not')} {sub(e.operand, 3)}"
        inner = sub(e.operand, 7)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"
    if isinstance(e, s.InList):
        items = ", ".join(sub(i) for i in e.items)
        return f"{sub(e.operand, 5)} {kw('in')} [{items}]"
    if isinstance(e, s.IsMissing):
        if lang == "zh":
            return f"{sub(e.operand, 5)} {IS_NOT_MISSING_ZH if e.negated else IS_MISSING_ZH}"
        return f"{sub(e.operand, 5)} is {'not ' if e.negated else ''}missing"
    if isinstance(e, s.Field):
        return f"{sub(e.obj, 8)}.{field(e.name, lang)}"
    if isinstance(e, s.Name):
        return word(e.name, lang) if name_en(word(e.name, "zh")) == e.name else e.name
    if isinstance(e, s.Call):
        return f"{word(e.func, lang)}({', '.join(sub(a) for a in e.args)})"
    if isinstance(e, s.Aggregate):
        where = f" {kw('where')} {sub(e.where)}" if e.where is not None else ""
        head = f"{sub(e.body)} {kw('for')} " if e.body is not None else ""
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


def message_text(message: s.Message, lang: str = "en") -> str:
    """A message in canonical form: holes re-printed, literal text as written."""
    out = ['"']
    for part in message.parts:
        if isinstance(part, s.Hole):
            out.append("{" + expr_text(part.expr, lang=lang) + "}")
        else:
            out.append(part.replace("\\", "\\\\").replace('"', '\\"')
                       .replace("{", "{{").replace("}", "}}"))
    out.append('"')
    return "".join(out)
