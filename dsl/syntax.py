"""The syntax tree of a rulebook: frozen nodes, each with the span it came from.

Nodes compare by identity (``eq=False``) so the checker can key facts on them. Source text
is kept where the formatter needs it verbatim (numbers, strings, messages).
"""

from __future__ import annotations

from dataclasses import dataclass

from dsl.diagnostics import Span


@dataclass(frozen=True, slots=True, eq=False)
class Name:
    span: Span
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    span: Span
    obj: Expr
    name: str
    name_span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Call:
    span: Span
    func: str
    func_span: Span
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Aggregate:
    """``any/all/count(x in C [where COND])`` and ``sum/min/max(EXPR for x in C [where COND])``."""

    span: Span
    op: str
    var: str
    var_span: Span
    collection: Expr
    where: Expr | None
    body: Expr | None  # the summed expression of sum/min/max


@dataclass(frozen=True, slots=True, eq=False)
class Number:
    span: Span
    text: str
    value: int | float


@dataclass(frozen=True, slots=True, eq=False)
class Percent:
    span: Span
    text: str  # without the %
    value: float


@dataclass(frozen=True, slots=True, eq=False)
class DurationLit:
    span: Span
    amount_text: str
    unit: str  # as written
    unit_span: Span


@dataclass(frozen=True, slots=True, eq=False)
class DateLit:
    span: Span
    text: str


@dataclass(frozen=True, slots=True, eq=False)
class String:
    span: Span
    raw: str  # with quotes, as written
    value: str


@dataclass(frozen=True, slots=True, eq=False)
class Bool:
    span: Span
    value: bool


@dataclass(frozen=True, slots=True, eq=False)
class Unary:
    span: Span
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Binary:
    """Arithmetic ``+ - * /``, comparisons ``== != < <= > >=`` and ``and``/``or``."""

    span: Span
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, eq=False)
class InList:
    span: Span
    operand: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, eq=False)
class IsMissing:
    span: Span
    operand: Expr
    negated: bool


@dataclass(frozen=True, slots=True, eq=False)
class Paren:
    span: Span
    inner: Expr


Expr = (
    Name | Field | Call | Aggregate | Number | Percent | DurationLit | DateLit | String | Bool
    | Unary | Binary | InList | IsMissing | Paren
)


@dataclass(frozen=True, slots=True, eq=False)
class Hole:
    span: Span
    expr: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Message:
    span: Span
    raw: str
    parts: tuple[str | Hole, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Light:
    span: Span
    level: str
    level_span: Span
    condition: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Notify:
    span: Span
    targets: tuple[Expr, ...]
    within: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    span: Span
    name: str
    name_span: Span
    title: String | None
    subject: str
    subject_span: Span
    var: str
    var_span: Span
    for_span: Span
    where: Expr | None
    lights: tuple[Light, ...]
    notify: Notify | None
    message: Message | None


@dataclass(frozen=True, slots=True, eq=False)
class Const:
    span: Span
    name: str
    name_span: Span
    expr: Expr


@dataclass(frozen=True, slots=True, eq=False)
class Score:
    span: Span
    name: str
    name_span: Span
    title: String | None
    subject: str
    subject_span: Span
    var: str
    var_span: Span
    expr: Expr


Item = Rule | Const | Score


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One parsed file: its items in order and its text."""

    name: str
    text: str
    items: tuple[Item, ...]
