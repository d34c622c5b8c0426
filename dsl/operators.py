"""The typing table of the binary operators.

``binary_type(op, left, right)`` gives the result type, or an error as ``(message, hint)``,
each said in zh-CN and English.
number / number is a ratio; ratio ± ratio a ratio; number × ratio a number; date ± duration a
date; date − date a duration in days; like types compare (number with ratio too); kinds,
levels, categories and subjects compare only for equality.
"""

from __future__ import annotations

from dsl import schema as t
from dsl.diagnostics import Said
from dsl.words import type_zh

_ORDERED = frozenset({t.NUMBER, t.RATIO, t.DATE, t.DURATION, t.TEXT})
_EQUATABLE = frozenset({*_ORDERED, t.BOOL, *t.ENUMS, *t.SUBJECT_TYPES.values()})
_VERB = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
_VERB_ZH = {"+": "加", "-": "减", "*": "乘", "/": "除"}


def _a(typ: t.Type) -> str:
    word = str(typ)
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _arith(op: str, lt: t.Type, rt: t.Type) -> t.Type | None:
    num = t.NUMERIC
    if op in ("+", "-"):
        if lt == rt == t.NUMBER:
            return t.NUMBER
        if lt in num and rt in num:
            return t.RATIO
        if lt == t.DATE and rt == t.DURATION:
            return t.DATE
        if op == "+" and lt == t.DURATION and rt == t.DATE:
            return t.DATE
        if op == "-" and lt == rt == t.DATE:
            return t.DURATION
        if lt == rt == t.DURATION:
            return t.DURATION
        return None
    if op == "*":
        if lt in num and rt in num:
            return t.RATIO if lt == rt == t.RATIO else t.NUMBER
        if (lt == t.DURATION and rt == t.NUMBER) or (lt == t.NUMBER and rt == t.DURATION):
            return t.DURATION
        return None
    # division
    if lt in num and rt in num:
        return t.NUMBER if (lt, rt) == (t.NUMBER, t.RATIO) else t.RATIO
    return None


Refusal = tuple[Said, Said | None]  # the message and a hint


def binary_type(op: str, lt: t.Type, rt: t.Type) -> t.Type | Refusal:
    """The type of ``left op right``, or (message, hint) when it does not type-check."""
    if op in ("and", "or"):
        for side, side_zh, typ in (("left", "左", lt), ("right", "右", rt)):
            if typ != t.BOOL:
                return Said(f"`{op}` 两边都需要条件；{side_zh}边是{type_zh(typ)}",
                            f"`{op}` needs conditions on both sides; the {side} side is {_a(typ)}"), None
        return t.BOOL
    if op in ("==", "!=", "<", "<=", ">", ">="):
        comparable = lt == rt or (lt in t.NUMERIC and rt in t.NUMERIC)
        if comparable and lt.item is None and lt in (_ORDERED if op[0] in "<>" else _EQUATABLE):
            return t.BOOL
        hint = None
        if t.DURATION in (lt, rt) and t.NUMBER in (lt, rt):
            hint = Said("请把数字写成时长，例如 `10 days`",
                        "write the number as a duration, such as `10 days`")
        elif comparable:
            return Said(f"{type_zh(lt)}只能用 `==` 和 `!=` 比较",
                        f"{lt}s can only be compared with `==` and `!=`"), None
        return Said(f"不能比较{type_zh(lt)}与{type_zh(rt)}",
                    f"cannot compare {_a(lt)} with {_a(rt)}"), hint
    result = _arith(op, lt, rt)
    if result is not None:
        return result
    hint = None
    if lt == t.DATE and rt in t.NUMERIC and op in "+-":
        hint = Said("请加上一个时长，例如 `3 days` 或 `3 workdays`",
                    "add a duration, such as `3 days` or `3 workdays`")
    if op == "+" and lt == rt == t.DATE:
        hint = Said("两个日期相减可得相隔天数", "subtract dates to get the days between them")
    verb = _VERB_ZH[op]
    if op in ("+", "-"):
        word = "to" if op == "+" else "from"
        zh = (f"不能把{type_zh(rt)}{verb}到{type_zh(lt)}上" if op == "+"
              else f"不能从{type_zh(lt)}中{verb}去{type_zh(rt)}")
        return Said(zh, f"cannot {_VERB[op]} {_a(rt)} {word} {_a(lt)}"), hint
    return Said(f"不能用{type_zh(rt)}{verb}{type_zh(lt)}" if op == "/" else
                f"不能将{type_zh(lt)}{verb}以{type_zh(rt)}",
                f"cannot {_VERB[op]} {_a(lt)} by {_a(rt)}"), hint
