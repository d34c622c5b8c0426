"""Expressions back to canonical text: single spaces, minimal parentheses.

Used by the formatter and by the compiler for the source text of ``explain`` entries, so a
formatted rulebook and an explanation show an expression the same way.
"""

from __future__ import annotations

from dsl import syntax as s

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


def expr_text(e: s.Expr, context: int = 0) -> str:
    """Canonical text of ``e``, parenthesised if it binds looser than ``context``."""
    while isinstance(e, s.Paren):
        e = e.inner
    text = _text(e)
    return f"({text})" if _prec(e) < context else text


def _text(e: s.Expr) -> str:
    if isinstance(e, s.Binary):
        p = _PREC[e.op]
        if p == 4:  # comparisons do not chain
            return f"{expr_text(e.left, 5)} {e.op} {expr_text(e.right, 5)}"
        return f"{expr_text(e.left, p)} {e.op} {expr_text(e.right, p + 1)}"
    if isinstance(e, s.Unary):
        if e.op == "not":
            return f"not {expr_text(e.operand, 3)}"
        inner = expr_text(e.operand, 7)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"
    if isinstance(e, s.InList):
        items = ", ".join(expr_text(i) for i in e.items)
        return f"{expr_text(e.operand, 5)} in [{items}]"
    if isinstance(e, s.IsMissing):
        return f"{expr_text(e.operand, 5)} is {'not ' if e.negated else ''}missing"
    if isinstance(e, s.Field):
        return f"{expr_text(e.obj, 8)}.{e.name}"
    if isinstance(e, s.Name):
        return e.name
    if isinstance(e, s.Call):
        return f"{e.func}({', '.join(expr_text(a) for a in e.args)})"
    if isinstance(e, s.Aggregate):
        where = f" where {expr_text(e.where)}" if e.where is not None else ""
        head = f"{expr_text(e.body)} for " if e.body is not None else ""
        return f"{e.op}({head}{e.var} in {expr_text(e.collection)}{where})"
    if isinstance(e, s.Number):
        return e.text
    if isinstance(e, s.Percent):
        return f"{e.text}%"
    if isinstance(e, s.DurationLit):
        return f"{e.amount_text} {e.unit}"
    if isinstance(e, s.DateLit):
        return e.text
    if isinstance(e, s.String):
        return e.raw
    if isinstance(e, s.Bool):
        return "true" if e.value else "false"
    raise AssertionError(type(e))  # pragma: no cover


def message_text(message: s.Message) -> str:
    """A message in canonical form: holes re-printed, literal text as written."""
    out = ['"']
    for part in message.parts:
        if isinstance(part, s.Hole):
            out.append("{" + expr_text(part.expr) + "}")
        else:
            out.append(part.replace("\\", "\\\\").replace('"', '\\"')
                       .replace("{", "{{").replace("}", "}}"))
    out.append('"')
    return "".join(out)
