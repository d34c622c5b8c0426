"""The checker: names, fields and types of a parsed rulebook, every error at once.

Owns the meaning of names (variables, constants, ``today``, kind / level / category words),
the typing rules of the operators, and the facts the compiler needs: each expression's type,
whether it may be missing at run time, what each name resolves to, and literal values. A
name or expression that already has an error gets the type ``error``, which silences every
check that depends on it: one typo, one diagnostic.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dsl import schema as t
from dsl import syntax as s
from dsl.diagnostics import Reporter, Said, Span, did_you_mean
from dsl.operators import binary_type
from dsl.printer import expr_text
from dsl.values import Duration
from dsl.words import SUBJECTS_ZH, labels_of, type_zh, word_zh
from projects.model import COMPLAINT_KIND_WORDS, KIND_WORDS, RATING_WORDS, Category, Level

FUNCTIONS = {
    "days": ((t.DATE, t.DATE), t.NUMBER),
    "workdays": ((t.DATE, t.DATE), t.NUMBER),
    "upstream": ((t.MILESTONE,), t.collection("milestone")),
    "downstream": ((t.MILESTONE,), t.collection("milestone")),
    "predecessors": ((t.MILESTONE,), t.collection("milestone")),
    "successors": ((t.MILESTONE,), t.collection("milestone")),
}
AGGREGATES = ("any", "all", "count", "sum", "min", "max")
#: The longest chain of consts built on consts (``const c2 = c1 + 1`` is a chain of 2).
MAX_CONST_DEPTH = 64
#: A duration literal spans at most about a century, whatever its unit, so that every date
#: plus a literal duration stays a date (years 1-9999).
MAX_DURATION_DAYS = 36_600
#: Number literals stay below this (money in yuan included): always finite and exact enough.
MAX_NUMBER = 1e15
_UNIT_DAYS = {"days": 1, "weeks": 7, "workdays": 1.4, "months": 31}
_ENUM_WORDS: dict[t.Type, dict[str, object]] = {
    t.KIND: dict(KIND_WORDS),
    t.LEVEL: {k: Level(v) for k, v in t.LEVEL_WORDS.items()},
    t.CATEGORY: {k: Category(v) for k, v in t.CATEGORY_WORDS.items()},
    # issue 13: a complaint's kind and rating, each word in its own field's set
    t.COMPLAINT_KIND: dict(COMPLAINT_KIND_WORDS),
    t.RATING: dict(RATING_WORDS),
}


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a name means: a variable (by safe name), a const, ``today`` or an enum member."""

    kind: str  # "var" | "const" | "today" | "enum"
    safe: str = ""
    const: s.Const | None = None
    value: object = None


@dataclass
class Checked:
    """A rulebook that checked: its files and the facts the compiler reads."""

    files: tuple[s.SourceFile, ...]
    consts: dict[str, s.Const] = field(default_factory=dict)
    types: dict[object, t.Type] = field(default_factory=dict)
    nullable: dict[object, bool] = field(default_factory=dict)
    names: dict[s.Name, Resolved] = field(default_factory=dict)
    values: dict[object, object] = field(default_factory=dict)
    safe: dict[object, str] = field(default_factory=dict)  # Aggregate -> loop variable
    within: dict[s.Rule, Duration] = field(default_factory=dict)
    #: The consts that checked, each after the consts it uses (the compiler's order).
    const_order: list[s.Const] = field(default_factory=list)

    def static_duration(self, expr: s.Expr) -> Duration | None:
        """The duration an expression always has (a literal, maybe through consts), or None."""
        while True:
            if isinstance(expr, s.Paren):
                expr = expr.inner
            elif isinstance(expr, s.Name):
                res = self.names.get(expr)
                if res is None or res.const is None:
                    return None
                expr = res.const.expr
            elif isinstance(expr, s.DurationLit):
                value = self.values.get(expr)
                return value if isinstance(value, Duration) else None
            else:
                return None


Scope = dict[str, tuple[str, t.Type]]  # user name -> (safe name, subject type)


def _a(thing: str) -> str:
    return ("an " if thing[:1] in "aeiou" else "a ") + thing


class Checker:
    """Checks all files of a rulebook; diagnostics go to each file's reporter."""

    def __init__(self, files: Sequence[s.SourceFile], reporters: dict[str, Reporter]) -> None:
        self.files = tuple(files)
        self.reporters = reporters
        self.out = Checked(self.files)
        self.const_files: dict[str, str] = {}
        self.const_state: dict[str, str] = {}  # "checking" | "done"
        self.rule_vars: set[str] = set()
        self.counter = 0
        self.unknown: set[str] = set()  # unknown names already reported in this item
        self.reporter: Reporter = next(iter(reporters.values())) if reporters else Reporter("", "")

    def error(self, span: Span, message: Said, suggestion: Said | None = None) -> t.Type:
        self.reporter.error(span, message, suggestion)
        return t.ERROR

    # --- items ------------------------------------------------------------------------------

    def check(self) -> Checked:
        rules: dict[str, tuple[str, int]] = {}
        scores: dict[str, tuple[str, int]] = {}
        for f in self.files:
            self.reporter = self.reporters[f.name]
            for item in f.items:
                if isinstance(item, s.Const):
                    if item.name in self.out.consts:
                        first = self.const_files[item.name]
                        line = self.out.consts[item.name].span.line
                        self.error(item.name_span,
                                   Said(f"常量 `{item.name}` 重复定义", f"duplicate const `{item.name}`"),
                                   Said(f"它已在 {first}:{line} 定义",
                                        f"it is already defined at {first}:{line}"))
                    else:
                        self.out.consts[item.name] = item
                        self.const_files[item.name] = f.name
                elif isinstance(item, s.Rule):
                    self.rule_vars.add(item.var)
                    self._unique(rules, "rule", item, f.name)
                else:
                    self._unique(scores, "score", item, f.name)
        self.consts_in_order()
        for f in self.files:
            self.reporter = self.reporters[f.name]
            for item in f.items:
                self.unknown = set()
                if isinstance(item, s.Const):
                    pass  # checked above, in dependency order
                elif isinstance(item, s.Rule):
                    self.rule(item)
                else:
                    self.score(item)
        return self.out

    def _unique(self, seen: dict[str, tuple[str, int]], what: str, item: s.Rule | s.Score,
                file: str) -> None:
        if item.name in seen:
            where = seen[item.name]
            self.error(item.name_span,
                       Said(f"{_WHAT_ZH[what]}名 `{item.name}` 重复", f"duplicate {what} name `{item.name}`"),
                       Said(f"第一个在 {where[0]}:{where[1]}；请给这个另起一个名字",
                            f"the first is at {where[0]}:{where[1]}; give this one another name"))
        else:
            seen[item.name] = (file, item.span.line)

    def consts_in_order(self) -> None:
        """Check every const after the consts it uses, so that checking one never recurses
        into another: a chain of hundreds of consts costs no stack. A cycle is reported
        once, at its first const; a chain deeper than ``MAX_CONST_DEPTH`` at the first
        const past the bound. Both leave the type ``error``, which silences their users."""
        consts = self.out.consts
        uses = {name: [d for d in _names_in(c.expr) if d in consts and d != name]
                for name, c in consts.items()}
        selfish = {name for name, c in consts.items() if name in _names_in(c.expr)}
        depth: dict[str, int] = {}
        broken: set[str] = set()
        order: list[str] = []
        state: dict[str, str] = {}
        for root in consts:
            if root in state:
                continue
            state[root] = "open"
            stack: list[tuple[str, int]] = [(root, 0)]
            while stack:
                name, i = stack[-1]
                if i < len(uses[name]):
                    stack[-1] = (name, i + 1)
                    nxt = uses[name][i]
                    if nxt not in state:
                        state[nxt] = "open"
                        stack.append((nxt, 0))
                    elif state[nxt] == "open":
                        ring = [n for n, _ in stack][[n for n, _ in stack].index(nxt):]
                        if not broken & set(ring):
                            first = consts[ring[0]]
                            path = " -> ".join([*ring, ring[0]])
                            self._const_error(first, _selfish(first.name),
                                              None if len(ring) == 1 else
                                              Said(f"经由 {path}", f"through {path}"))
                        broken.update(ring)
                    continue
                stack.pop()
                state[name] = "done"
                depth[name] = 1 + max((depth.get(d, 0) for d in uses[name]), default=0)
                order.append(name)
        for name in selfish - broken:
            self._const_error(consts[name], _selfish(name), None)
            broken.add(name)
        for name in order:
            const = consts[name]
            if name in broken or any(d in broken for d in uses[name]):
                broken.add(name)
                self._silence(const)
            elif depth[name] > MAX_CONST_DEPTH:
                self._const_error(
                    const, Said(f"常量 `{name}` 建立在 {depth[name] - 1} 个其他常量的链条上；"
                                f"最多只能串联 {MAX_CONST_DEPTH - 1} 个",
                                f"const `{name}` is built on a chain of {depth[name] - 1} other "
                                f"consts; at most {MAX_CONST_DEPTH - 1} may be chained"),
                    Said("请直接写出数值，或缩短链条", "write the value directly, or shorten the chain"))
                broken.add(name)
                self._silence(const)
            else:
                self.unknown = set()
                self.const(const)
                self.out.const_order.append(const)

    def _const_error(self, const: s.Const, message: Said, hint: Said | None) -> None:
        saved = self.reporter
        self.reporter = self.reporters[self.const_files[const.name]]
        self.error(const.name_span, message, hint)
        self.reporter = saved

    def _silence(self, const: s.Const) -> None:
        self.const_state[const.name] = "done"
        self.out.types[const.expr] = t.ERROR
        self.out.nullable[const.expr] = False

    def const(self, item: s.Const) -> t.Type:
        state = self.const_state.get(item.name)
        if state == "done":
            return self.out.types[item.expr]
        if state == "checking":
            return self.error(item.name_span, _selfish(item.name))
        self.const_state[item.name] = "checking"
        saved = self.reporter
        self.reporter = self.reporters[self.const_files[item.name]]
        typ = self.expr(item.expr, {})
        self.reporter = saved
        self.const_state[item.name] = "done"
        return typ

    def subject(self, word: str, span: Span) -> t.Type:
        if word in t.SUBJECT_TYPES:
            return t.SUBJECT_TYPES[word]
        return self.error(span, Said(f"未知的对象 `{word}`", f"unknown subject `{word}`"),
                          did_you_mean(word, [*t.SUBJECTS, *(SUBJECTS_ZH[w] for w in t.SUBJECTS)])
                          or Said("规则的对象是 `milestone`、`project`、`unit`、`notice`、`person` 或 "
                                  "`complaint`",
                                  "a rule is for milestone, project, unit, notice, person or complaint"))

    def condition(self, expr: s.Expr, scope: Scope, what: str) -> None:
        typ = self.expr(expr, scope)
        if typ not in (t.BOOL, t.ERROR):
            self.error(expr.span, Said(f"`{what}` 需要一个条件；这是{type_zh(typ)}",
                                       f"`{what}` needs a condition; this is {_a(str(typ))}"))

    def rule(self, rule: s.Rule) -> None:
        subject = self.subject(rule.subject, rule.subject_span)
        scope: Scope = {rule.var: ("x", subject)}
        if rule.where is not None:
            self.condition(rule.where, scope, "where")
        for light in rule.lights:
            if light.level not in ("blue", "yellow", "red"):
                self.error(light.level_span,
                           Said(f"未知的灯色 `{light.level}`", f"unknown light `{light.level}`"),
                           did_you_mean(light.level,
                                        ("blue", "yellow", "red", "蓝灯", "黄灯", "红灯"))
                           or Said("灯色为 `blue`（提醒）、`yellow` 或 `red`",
                                   "a light is `blue` (a reminder), `yellow` or `red`"))
            self.condition(light.condition, scope, "when")
        if rule.notify is not None:
            for target in rule.notify.targets:
                typ = self.expr(target, scope)
                if typ in (t.UNIT, t.ERROR, t.collection("unit")):  # each unit of a collection
                    continue
                hint = None
                if typ.name in t.FIELDS and "unit" in t.FIELDS[typ.name]:
                    hint = Said(f"请通知它的单位：`{_text(target)}.unit`",
                                f"notify its unit: `{_text(target)}.unit`")
                self.error(target.span, Said(f"`notify` 需要一个单位或单位集合；这是{type_zh(typ)}",
                                             "`notify` needs a unit or a collection of units; "
                                             f"this is {_a(str(typ))}"), hint)
            typ = self.expr(rule.notify.within, scope)
            if typ not in (t.DURATION, t.ERROR):
                self.error(rule.notify.within.span,
                           Said(f"`within` 需要一个时长，例如 `3 workdays`；这是{type_zh(typ)}",
                                "`within` needs a duration such as `3 workdays`; "
                                f"this is {_a(str(typ))}"))
            elif typ == t.DURATION:
                fixed = self.out.static_duration(rule.notify.within)
                if fixed is None:
                    self.error(rule.notify.within.span,
                               Said("`within` 需要一个固定的时长", "`within` needs a fixed duration"),
                               Said("请写成 `3 workdays`，或用 `const` 命名",
                                    "write it as `3 workdays` or name it with `const`"))
                else:
                    self.out.within[rule] = fixed
        if rule.message is not None:
            for part in rule.message.parts:
                if isinstance(part, s.Hole):
                    typ = self.expr(part.expr, scope)
                    if typ.item is not None:
                        self.error(part.expr.span,
                                   Said("内容不能显示一个集合", "a message cannot show a collection"),
                                   Said("可用 `count(x in ...)` 显示数量",
                                        "show how many with `count(x in ...)`"))

    def score(self, score: s.Score) -> None:
        subject = self.subject(score.subject, score.subject_span)
        if subject != t.ERROR and subject.name not in t.SCORE_SUBJECTS:
            self.error(score.subject_span,
                       Said(f"评分只能为单位或责任人排名，不能为{word_zh(score.subject)}",
                            f"a score ranks units or people, not {score.subject}s"),
                       Said(f"请写 `for unit {score.var}` 或 `for person {score.var}`",
                            f"write `for unit {score.var}` or `for person {score.var}`"))
            subject = t.ERROR
        typ = self.expr(score.expr, {score.var: ("x", subject)})
        if typ not in (t.NUMBER, t.RATIO, t.ERROR):
            self.error(score.expr.span, Said(f"评分必须是数值；这是{type_zh(typ)}",
                                             f"a score must be a number; this is {_a(str(typ))}"))

    # --- expressions -------------------------------------------------------------------------

    def expr(self, e: s.Expr, scope: Scope, expect: t.Type | None = None) -> t.Type:
        typ, nullable = self._expr(e, scope, expect)
        self.out.types[e] = typ
        self.out.nullable[e] = nullable
        return typ

    def _null(self, *es: s.Expr) -> bool:
        return any(self.out.nullable.get(e, True) for e in es)

    def _expr(self, e: s.Expr, scope: Scope, expect: t.Type | None) -> tuple[t.Type, bool]:
        if isinstance(e, s.Name):
            return self.name(e, scope, expect)
        if isinstance(e, s.Field):
            return self.field(e, scope)
        if isinstance(e, s.Paren):
            typ = self.expr(e.inner, scope, expect)
            return typ, self._null(e.inner)
        if isinstance(e, s.Number | s.Percent):
            if not math.isfinite(e.value) or abs(e.value) >= MAX_NUMBER:
                suffix = "%" if isinstance(e, s.Percent) else ""
                return self.error(e.span, Said(f"数字 `{_short(e.text)}{suffix}` 太大",
                                               f"the number `{_short(e.text)}{suffix}` is too large"),
                                  Said("数字的整数部分最多 15 位",
                                       "a number has at most 15 digits before the decimal point")), False
            return (t.NUMBER if isinstance(e, s.Number) else t.RATIO), False
        if isinstance(e, s.String):
            return t.TEXT, False
        if isinstance(e, s.Bool):
            return t.BOOL, False
        if isinstance(e, s.DateLit):
            try:
                self.out.values[e] = dt.date.fromisoformat(e.text)
            except ValueError:
                return self.error(e.span, Said(f"`{e.text}` 不是日期", f"`{e.text}` is not a date"),
                                  Said("请写成 YYYY-MM-DD", "write YYYY-MM-DD")), False
            return t.DATE, False
        if isinstance(e, s.DurationLit):
            unit = t.DURATION_UNITS.get(e.unit)
            if unit is None:
                return self.error(e.unit_span, Said(f"未知的时长单位 `{e.unit}`",
                                                    f"unknown duration unit `{e.unit}`"),
                                  did_you_mean(e.unit, t.DURATION_UNITS)
                                  or Said("请写 `days`、`workdays`、`weeks` 或 `months`",
                                          "write `days`, `workdays`, `weeks` or `months`")), False
            if "." in e.amount_text:
                whole_days = f"{e.amount_text.split('.')[0]} {e.unit}"
                return self.error(e.span, Said("时长只能是整数天", "a duration counts whole days"),
                                  Said(f"请写 `{whole_days}`", f"write `{whole_days}`")), False
            whole = e.amount_text.lstrip("0") or "0"
            limit = int(MAX_DURATION_DAYS / _UNIT_DAYS[unit])
            if len(whole) > 6 or int(whole) > limit:
                return self.error(e.span, Said(f"`{_short(e.amount_text)} {e.unit}` 超出范围",
                                               f"`{_short(e.amount_text)} {e.unit}` is out of range"),
                                  Said(f"时长最多 {limit} `{unit}`",
                                       f"a duration is at most {limit} {unit}")), False
            self.out.values[e] = Duration(int(whole), unit)
            return t.DURATION, False
        if isinstance(e, s.Unary):
            return self.unary(e, scope)
        if isinstance(e, s.Binary):
            return self.binary(e, scope)
        if isinstance(e, s.IsMissing):
            self.expr(e.operand, scope)
            return t.BOOL, False
        if isinstance(e, s.InList):
            return self.in_list(e, scope)
        if isinstance(e, s.Call):
            return self.call(e, scope)
        return self.aggregate(e, scope)

    def name(self, e: s.Name, scope: Scope, expect: t.Type | None) -> tuple[t.Type, bool]:
        if e.name in scope:
            safe, typ = scope[e.name]
            self.out.names[e] = Resolved("var", safe)
            return typ, False
        if e.name in self.out.consts:
            const = self.out.consts[e.name]
            self.out.names[e] = Resolved("const", const=const)
            typ = self.const(const)
            return typ, self.out.nullable.get(const.expr, True)
        if e.name == "today":
            self.out.names[e] = Resolved("today")
            return t.DATE, False
        if expect in _ENUM_WORDS:
            words = _ENUM_WORDS[expect]
            if e.name in words:
                self.out.names[e] = Resolved("enum", value=words[e.name])
                return expect, False
            listed = ", ".join(f"`{w}`" for w in words)
            return self.error(e.span, Said(f"未知的{type_zh(expect)} `{e.name}`",
                                           f"unknown {expect} `{e.name}`"),
                              did_you_mean(e.name, words)
                              or Said(f"可选：{listed}", "one of " + listed)), False
        if not scope and e.name in self.rule_vars:
            return self.error(e.span, Said(f"常量不能使用对象变量 `{e.name}`",
                                           f"a const cannot use the subject variable `{e.name}`"),
                              Said("常量只能是固定的值，例如 `10 workdays`",
                                   "constants hold fixed values such as `10 workdays`")), False
        if e.name in FUNCTIONS or e.name in AGGREGATES:
            return self.error(e.span, Said(f"`{e.name}` 是函数", f"`{e.name}` is a function"),
                              Said(f"请调用它：`{e.name}(...)`", f"call it: `{e.name}(...)`")), False
        if e.name in self.unknown:
            return t.ERROR, False  # reported once per item
        self.unknown.add(e.name)
        names = [*scope, *self.out.consts, "today"]
        hint = did_you_mean(e.name, names)
        if hint is None and e.name in KIND_WORDS:
            hint = Said(f"节点类型词要与类型比较，例如 `m.kind == {e.name}`",
                        f"kind words are compared with a kind, as in `m.kind == {e.name}`")
        return self.error(e.span, Said(f"未知的名称 `{e.name}`", f"unknown name `{e.name}`"),
                          hint), False

    def field(self, e: s.Field, scope: Scope) -> tuple[t.Type, bool]:
        obj = self.expr(e.obj, scope)
        if obj == t.ERROR:
            return t.ERROR, False
        if obj.item is not None:
            return self.error(e.name_span,
                              Said(f"{type_zh(obj)}没有字段 `{e.name}`",
                                   f"a collection of {obj.item}s has no field `{e.name}`"),
                              Said(f"请用 any/all/count/sum 遍历它，例如 `count(x in {_text(e.obj)})`",
                                   "use any/all/count/sum over it, e.g. "
                                   f"`count(x in {_text(e.obj)})`")), False
        fields = t.FIELDS.get(obj.name)
        if fields is None:
            return self.error(e.name_span, Said(f"{type_zh(obj)}没有字段",
                                                f"{_a(str(obj))} has no fields")), False
        info = fields.get(e.name)
        if info is None:
            labels = labels_of(obj.name)
            return self.error(e.name_span, Said(f"{type_zh(obj)}没有字段 `{e.name}`",
                                                f"unknown field `{e.name}` of {obj}"),
                              did_you_mean(e.name, [*fields, *labels])), False
        return info.type, info.missing or self._null(e.obj)

    def unary(self, e: s.Unary, scope: Scope) -> tuple[t.Type, bool]:
        typ = self.expr(e.operand, scope)
        null = self._null(e.operand)
        if typ == t.ERROR:
            return t.ERROR, null
        if e.op == "not":
            if typ != t.BOOL:
                return self.error(e.span, Said(f"`not` 需要一个条件；这是{type_zh(typ)}",
                                               f"`not` needs a condition; this is {_a(str(typ))}")), null
            return t.BOOL, null
        if typ not in (t.NUMBER, t.RATIO, t.DURATION):
            return self.error(e.span, Said(f"不能对{type_zh(typ)}取负",
                                           f"cannot negate {_a(str(typ))}")), null
        return typ, null

    def binary(self, e: s.Binary, scope: Scope) -> tuple[t.Type, bool]:
        left, right = e.left, e.right
        compare = e.op in ("==", "!=", "<", "<=", ">", ">=")
        if compare and self._bare(right, scope) and not self._bare(left, scope):
            lt = self.expr(left, scope)
            rt = self.expr(right, scope, expect=lt)
        elif compare and self._bare(left, scope):
            rt = self.expr(right, scope)
            lt = self.expr(left, scope, expect=rt)
        else:
            lt = self.expr(left, scope)
            rt = self.expr(right, scope)
        null = self._null(left, right) or e.op == "/"
        if t.ERROR in (lt, rt):
            return t.ERROR, null
        result = binary_type(e.op, lt, rt)
        if isinstance(result, tuple):
            message, hint = result
            return self.error(e.span, message, hint), null
        if lt == t.DURATION and rt == t.DURATION and e.op in ("<", "<=", ">", ">=", "==", "!=", "+", "-"):
            null = True  # workdays and days do not compare: missing at run time
        return result, null

    def _bare(self, e: s.Expr, scope: Scope) -> bool:
        return (isinstance(e, s.Name) and e.name not in scope and e.name not in self.out.consts
                and e.name != "today")

    def in_list(self, e: s.InList, scope: Scope) -> tuple[t.Type, bool]:
        typ = self.expr(e.operand, scope)
        bad = typ == t.ERROR
        for item in e.items:
            it = self.expr(item, scope, expect=typ if typ in _ENUM_WORDS else None)
            if it == t.ERROR or bad:
                continue
            if isinstance(binary_type("==", typ, it), tuple):
                self.error(item.span, Said(f"不能在{type_zh(it)}中查找{type_zh(typ)}",
                                           f"cannot look for {_a(str(typ))} among {it!s}s"))
        return t.BOOL, self._null(e.operand, *e.items)

    def call(self, e: s.Call, scope: Scope) -> tuple[t.Type, bool]:
        if e.func == "default":
            return self.default(e, scope)
        sig = FUNCTIONS.get(e.func)
        arg_types = [self.expr(a, scope) for a in e.args]
        if sig is None:
            return self.error(e.func_span, Said(f"未知的函数 `{e.func}`",
                                                f"unknown function `{e.func}`"),
                              did_you_mean(e.func, [*FUNCTIONS, *AGGREGATES, "default"])), False
        params, result = sig
        if len(e.args) != len(params):
            wanted = ", ".join(str(p) for p in params)
            wanted_zh = "、".join(type_zh(p) for p in params)
            return self.error(e.span, Said(
                f"`{e.func}` 需要 {len(params)} 个参数（{wanted_zh}），而不是 {len(e.args)} 个",
                f"`{e.func}` takes {len(params)} argument"
                f"{'s' if len(params) != 1 else ''} ({wanted}), not {len(e.args)}")), False
        ok = True
        for arg, typ, want in zip(e.args, arg_types, params, strict=True):
            if typ not in (want, t.ERROR):
                ok = False
                self.error(arg.span, Said(f"`{e.func}` 这里需要{type_zh(want)}；这是{type_zh(typ)}",
                                          f"`{e.func}` needs {_a(str(want))} here; "
                                          f"this is {_a(str(typ))}"))
        return (result if ok and t.ERROR not in arg_types else t.ERROR), self._null(*e.args)

    def default(self, e: s.Call, scope: Scope) -> tuple[t.Type, bool]:
        """``default(X, V)``: X when it is not missing, else V, of X's type; missing only
        when V may be missing too."""
        arg_types = [self.expr(a, scope) for a in e.args]
        if len(e.args) != 2:
            return self.error(e.span, Said(f"`default` 需要 2 个参数（一个值，以及它为空时使用的值），"
                                           f"而不是 {len(e.args)} 个",
                                           "`default` takes 2 arguments (a value and the value to "
                                           f"use when it is missing), not {len(e.args)}"),
                              Said("例如 `default(u.on_time_rate, 100%)`",
                                   "for example `default(u.on_time_rate, 100%)`")), False
        v, (xt, vt) = e.args[1], arg_types
        if t.ERROR in arg_types:
            return t.ERROR, False
        if {xt, vt} == {t.NUMBER, t.RATIO}:
            return t.NUMBER if t.NUMBER in (xt, vt) else t.RATIO, self._null(v)
        if xt != vt:
            return self.error(v.span, Said(f"`default` 这里需要与第一个参数相同的{type_zh(xt)}；"
                                           f"这是{type_zh(vt)}",
                                           f"`default` needs {_a(str(xt))} here, like its first "
                                           f"argument; this is {_a(str(vt))}")), False
        return xt, self._null(v)

    def aggregate(self, e: s.Aggregate, scope: Scope) -> tuple[t.Type, bool]:
        coll = self.expr(e.collection, scope)
        null = self._null(e.collection)
        item: t.Type = t.ERROR
        if coll.item is not None:
            item = t.SUBJECT_TYPES[coll.item]
        elif coll != t.ERROR:
            self.error(e.collection.span,
                       Said(f"`{e.op}` 需要遍历一个集合；这是{type_zh(coll)}",
                            f"`{e.op}` goes over a collection; this is {_a(str(coll))}"),
                       Said("例如 `p.milestones` 或 `upstream(m)`",
                            "for example `p.milestones` or `upstream(m)`"))
        self.counter += 1
        safe = f"_v{self.counter}"
        self.out.safe[e] = safe
        inner = {**scope, e.var: (safe, item)}
        if e.where is not None:
            self.condition(e.where, inner, "where")
        if e.op in ("any", "all"):
            return t.BOOL, null
        if e.op == "count":
            return t.NUMBER, null
        assert e.body is not None
        body = self.expr(e.body, inner)
        allowed = (t.NUMBER, t.RATIO) if e.op == "sum" else (t.NUMBER, t.RATIO, t.DATE)
        if body == t.ERROR:
            return t.ERROR, True
        if body not in allowed:
            return self.error(e.body.span, Said(f"不能对{type_zh(body)}求 `{e.op}`",
                                                f"cannot take the {e.op} of {body!s}s")), True
        return body, null or e.op in ("min", "max")


_WHAT_ZH = {"rule": "规则", "score": "评分"}


def _selfish(name: str) -> Said:
    return Said(f"常量 `{name}` 由它自己定义", f"const `{name}` is defined by itself")


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:10]}...{text[-6:]} ({len(text)} characters)"


def _names_in(e: s.Expr) -> set[str]:
    """Every bare name an expression mentions (without recursion: depth costs no stack)."""
    found: set[str] = set()
    todo: list[object] = [e]
    while todo:
        node = todo.pop()
        if isinstance(node, s.Name):
            found.add(node.name)
        elif isinstance(node, s.Field):
            todo.append(node.obj)
        elif isinstance(node, s.Paren):
            todo.append(node.inner)
        elif isinstance(node, s.Unary | s.IsMissing):
            todo.append(node.operand)
        elif isinstance(node, s.Binary):
            todo += (node.left, node.right)
        elif isinstance(node, s.InList):
            todo += (node.operand, *node.items)
        elif isinstance(node, s.Call):
            todo += node.args
        elif isinstance(node, s.Aggregate):
            todo += [x for x in (node.collection, node.where, node.body) if x is not None]
    return found


def _text(e: s.Expr) -> str:
    return expr_text(e)


def check(files: Sequence[s.SourceFile], reporters: dict[str, Reporter]) -> Checked:
    """Check every file; the result is usable only when no reporter got a diagnostic."""
    return Checker(files, reporters).check()
