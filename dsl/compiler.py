"""The compiler: a checked rulebook to Python source, compiled once, then plain functions.

Owns code generation. User text never becomes code: names are resolved by the checker and
emitted as generated names (``x``, ``_v3``), fields only as the schema's own names, literals
through ``repr`` or as objects in the namespace (``_c7``), and the module runs with no
builtins. Missing is ``None``; an operand the checker knows is never missing gets no check,
so ``m.kind == tendering and not m.done and today > m.due`` is one expression with a single
``None`` test on ``m.due``. Collections compile to small module-level loop functions. Each
rule also gets one loop function (``CompiledRule.run``) with its ``where`` and lights inline
and the ``env`` members it reads hoisted out of the loop: the engine makes one call per rule,
not three or four per subject.
"""

from __future__ import annotations

import datetime as dt
import keyword
import re
from typing import Any

from dsl import schema as t
from dsl import syntax as s
from dsl.checker import Checked
from dsl.cost import MAX_COST, Cost, item_cost
from dsl.diagnostics import Reporter, RulebookError, Said
from dsl.printer import expr_text
from dsl.runtime import (
    NAMESPACE,
    CompiledRule,
    CompiledRulebook,
    CompiledScore,
    Light,
    Probe,
    Step,
    inlined_parts,
)
from dsl.values import Duration
from dsl.words import field_en, word_zh
from projects import catalogue
from projects.model import Level

_LITERALS = (s.Number, s.Percent, s.String, s.Bool, s.DateLit, s.DurationLit)
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")
#: A nullable right operand of ``and`` / ``or`` this short is written in both branches of the
#: left operand's test (only one runs); longer ones go through a temporary, so that nested
#: conditions cannot double the size of the code at each level.
_DUPLICABLE = 200



#: The fields that hold money (the catalogue's ``yuan`` fields): a message hole showing one
#: reads 9,800 元 / 3,000 万元 / 1.25 亿元 (``projects.money``), not raw yuan.
MONEY_FIELDS = frozenset(f.name for fields in catalogue.RECORDS.values() for f in fields if f.type == "yuan")
_YUAN_AFTER = re.compile(r"^\s*元")


def is_money(e: s.Expr | None) -> bool:
    """Whether ``e`` is an amount of money: a money field, a sum, min, max or default of
    one, a difference or total of two, or one negated."""
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Field):
        return field_en(e.name) in MONEY_FIELDS
    if isinstance(e, s.Call) and e.func == "default" and e.args:
        return is_money(e.args[0])
    if isinstance(e, s.Aggregate):
        return e.op in ("sum", "min", "max") and is_money(e.body)
    if isinstance(e, s.Binary):
        return e.op in ("+", "-") and is_money(e.left) and is_money(e.right)
    if isinstance(e, s.Unary):
        return e.op == "-" and is_money(e.operand)
    return False


class _Function:
    """Temporaries of one generated function, and the ``env`` members it reads.

    ``hoist`` is ``None`` for a function that reads ``env.today`` where it needs it; a rule's
    loop function passes a set, reads each member once into a local ``_e_NAME`` before its
    loop, and the expressions use the local.
    """

    def __init__(self, scope: tuple[str, ...], hoist: set[str] | None = None) -> None:
        self.count = 0
        self.scope = scope
        self.hoist = hoist
        # Loop-invariant values (``today + 5 workdays``) computed once before the loop:
        # code -> local name, in the order they must be computed.
        self.invariants: dict[str, str] | None = {} if hoist is not None else None

    def temp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def env(self, member: str) -> str:
        """The code that reads ``env.<member>`` (a hoisted local in a loop function)."""
        if self.hoist is None:
            return f"env.{member}"
        self.hoist.add(member)
        return f"_e_{member}"


class Compiler:
    def __init__(self, checked: Checked) -> None:
        self.c = checked
        self.ns: dict[str, object] = dict(NAMESPACE)
        self.defs: list[str] = []
        self.constants: dict[tuple[type, object], str] = {}
        self.helpers = 0
        self.const_functions: dict[str, str] = {}

    # --- names and constants -------------------------------------------------------------------

    def constant(self, value: object) -> str:
        key = (type(value), value)
        name = self.constants.get(key)
        if name is None:
            name = f"_c{len(self.constants) + 1}"
            self.constants[key] = name
            self.ns[name] = value
        return name

    def null(self, e: s.Expr) -> bool:
        return self.c.nullable.get(e, True)

    def typ(self, e: s.Expr) -> t.Type:
        return self.c.types[e]

    # --- expressions ---------------------------------------------------------------------------

    def guard(self, f: _Function, parts: list[tuple[str, bool]], body: Any,
              extra: str = "") -> str:
        """``None`` if a nullable operand is ``None``, else ``body(operand names)``."""
        names: list[str] = []
        tests: list[str] = []
        for code, nullable in parts:
            if nullable:
                name = f.temp()
                tests.append(f"({name} := {code}) is None")
                names.append(name)
            else:
                names.append(code)
        if extra:
            tests.append(extra.format(*names))
        result = body(*names)
        if not tests:
            return f"({result})"
        return f"(None if {' or '.join(tests)} else {result})"

    def expr(self, e: s.Expr, f: _Function) -> str:
        if f.invariants is not None and isinstance(e, s.Binary | s.Call) \
                and _invariant(self.c, e):
            code = self._expr(e, f)
            name = f.invariants.get(code)
            if name is None:
                name = f.invariants[code] = f"_k{len(f.invariants) + 1}"
            return name
        return self._expr(e, f)

    def _expr(self, e: s.Expr, f: _Function) -> str:
        if isinstance(e, s.Paren):
            return self.expr(e.inner, f)
        if isinstance(e, s.Name):
            res = self.c.names[e]
            if res.kind == "var":
                return res.safe
            if res.kind == "today":
                return f.env("today")
            if res.kind == "enum":
                return self.constant(res.value)
            assert res.const is not None
            if _literal(self.c, res.const.expr):
                return self.expr(res.const.expr, f)
            # compiled once into its own function (``Compiler.const``), never inlined: a
            # const built from consts costs its own size, not the sum of theirs
            code = f"{self.const_functions[res.const.name]}(env)"
            if f.invariants is None:
                return code
            name = f.invariants.get(code)
            if name is None:
                name = f.invariants[code] = f"_k{len(f.invariants) + 1}"
            return name
        if isinstance(e, s.Number):
            return repr(e.value)
        if isinstance(e, s.Percent):
            return repr(e.value)
        if isinstance(e, s.String):
            return repr(e.value)
        if isinstance(e, s.Bool):
            return repr(e.value)
        if isinstance(e, (s.DateLit, s.DurationLit)):
            return self.constant(self.c.values[e])
        if isinstance(e, s.Field):
            obj_type = self.typ(e.obj)
            attr = next(k for k in t.FIELDS[obj_type.name] if k == e.name)
            assert attr.isidentifier() and not keyword.iskeyword(attr)
            obj = self.expr(e.obj, f)
            return self.guard(f, [(obj, self.null(e.obj))], lambda o: f"{o}.{attr}")
        if isinstance(e, s.Unary):
            inner = self.expr(e.operand, f)
            if e.op == "not":
                return self.guard(f, [(inner, self.null(e.operand))], lambda o: f"not {o}")
            if self.typ(e.operand) == t.DURATION:
                return self.guard(f, [(inner, self.null(e.operand))], lambda o: f"_dneg({o})")
            return self.guard(f, [(inner, self.null(e.operand))], lambda o: f"-{o}")
        if isinstance(e, s.Binary):
            return self.binary(e, f)
        if isinstance(e, s.IsMissing):
            if not self.null(e.operand):
                return repr(e.negated)
            return f"({self.expr(e.operand, f)} is {'not ' if e.negated else ''}None)"
        if isinstance(e, s.InList):
            return self.in_list(e, f)
        if isinstance(e, s.Call):
            args = [(self.expr(a, f), self.null(a)) for a in e.args]
            if e.func == "default":
                (x, _xn), (v, _vn) = args
                return f"_dflt({x}, {v})"
            if e.func == "days":
                return self.guard(f, args, lambda a, b: f"({b} - {a}).days")
            method = {"workdays": "workdays", "upstream": "upstream", "downstream": "downstream",
                      "predecessors": "predecessors", "successors": "successors"}[e.func]
            call = f.env(method)
            return self.guard(f, args, lambda *xs: f"{call}({', '.join(xs)})")
        assert isinstance(e, s.Aggregate)
        return self.aggregate(e, f)

    def binary(self, e: s.Binary, f: _Function) -> str:
        lt, rt = self.typ(e.left), self.typ(e.right)
        ln, rn = self.null(e.left), self.null(e.right)
        left, right = self.expr(e.left, f), self.expr(e.right, f)
        op = e.op
        if op == "and":
            return self._and(f, left, ln, right, rn)
        if op == "or":
            return self._or(f, left, ln, right, rn)
        parts = [(left, ln), (right, rn)]
        if op in _COMPARE:
            if lt == rt == t.DURATION:
                return self.guard(f, parts, lambda a, b: f"_dcmp({a}, {b}, {op!r})")
            return self.guard(f, parts, lambda a, b: f"{a} {op} {b}")
        if t.DATE in (lt, rt) and t.DURATION in (lt, rt):
            if lt == t.DURATION:  # duration + date
                _e_left, e_right, lt, rt = e.right, e.left, rt, lt
                parts.reverse()
            else:
                _e_left, e_right = e.left, e.right
            sign = -1 if op == "-" else 1
            fixed = self.c.static_duration(e_right)
            if fixed is not None and fixed.unit == "workdays":
                add = f.env("add_workdays")
                return self.guard(f, parts[:1],
                                  lambda a: f"{add}({a}, {sign * fixed.amount})")
            if fixed is not None and fixed.unit == "months":
                return self.guard(f, parts[:1],
                                  lambda a: f"_amonths({a}, {sign * fixed.amount})")
            if fixed is not None:
                delta = self.constant(dt.timedelta(days=sign * (fixed.calendar_days or 0)))
                return self.guard(f, parts[:1], lambda a: f"{a} + {delta}")
            return self.guard(f, parts, lambda a, b: f"_dadd(env, {a}, {b}, {sign})")
        if lt == rt == t.DATE:
            return self.guard(f, parts, lambda a, b: f"_ddiff({a}, {b})")
        if lt == rt == t.DURATION:
            sign = -1 if op == "-" else 1
            return self.guard(f, parts, lambda a, b: f"_dsum({a}, {b}, {sign})")
        if t.DURATION in (lt, rt):
            if lt != t.DURATION:
                parts.reverse()
            return self.guard(f, parts, lambda a, b: f"_dmul({a}, {b})")
        if op == "/":
            literal = isinstance(e.right, s.Number | s.Percent) and e.right.value != 0
            if literal:
                return self.guard(f, parts, lambda a, b: f"{a} / {b}")
            if not rn:
                parts[1] = (right, True)  # a temporary, so the divisor is evaluated once
            return self.guard(f, parts, lambda a, b: f"{a} / {b}", extra="{1} == 0")
        return self.guard(f, parts, lambda a, b: f"{a} {op} {b}")

    def _and(self, f: _Function, a: str, an: bool, b: str, bn: bool) -> str:
        if not an and not bn:
            return f"({a} and {b})"
        if not an:
            return f"({b} if {a} else False)"
        ta = f.temp()
        if not bn:
            return f"(False if ({ta} := {a}) is False else ({b} and {ta}))"
        if len(b) <= _DUPLICABLE:  # b written twice, evaluated once: no temporary, no `and`
            return (f"(({b} if {ta} else False) if ({ta} := {a}) is not None "
                    f"else (False if {b} is False else None))")
        tb = f.temp()
        return (f"(False if ({ta} := {a}) is False else False if ({tb} := {b}) is False "
                f"else ({ta} and {tb}))")

    def _or(self, f: _Function, a: str, an: bool, b: str, bn: bool) -> str:
        if not an and not bn:
            return f"({a} or {b})"
        if not an:
            return f"(True if {a} else {b})"
        ta = f.temp()
        if not bn:
            return f"(True if ({ta} := {a}) is True else (True if {b} else {ta}))"
        if len(b) <= _DUPLICABLE:
            return (f"((True if {ta} else {b}) if ({ta} := {a}) is not None "
                    f"else (True if {b} is True else None))")
        tb = f.temp()
        return (f"(True if ({ta} := {a}) is True else True if ({tb} := {b}) is True "
                f"else (None if {ta} is None or {tb} is None else False))")

    def in_list(self, e: s.InList, f: _Function) -> str:
        operand = self.expr(e.operand, f)
        fixed: list[object] = []
        for item in e.items:
            inner = item.inner if isinstance(item, s.Paren) else item
            if isinstance(inner, s.Name) and self.c.names[inner].kind == "enum":
                fixed.append(self.c.names[inner].value)
            elif isinstance(inner, s.Number | s.Percent | s.String | s.Bool):
                fixed.append(inner.value)
            elif isinstance(inner, s.DateLit):
                fixed.append(self.c.values[inner])
            else:
                break
        if len(fixed) == len(e.items):
            pool = self.constant(frozenset(fixed))
            return self.guard(f, [(operand, self.null(e.operand))], lambda a: f"{a} in {pool}")
        items = ", ".join(self.expr(i, f) for i in e.items)
        return self.guard(f, [(operand, self.null(e.operand))], lambda a: f"{a} in ({items},)")

    def aggregate(self, e: s.Aggregate, f: _Function) -> str:
        self.helpers += 1
        name = f"_agg{self.helpers}"
        var = self.c.safe[e]
        inner = _Function((*f.scope, var))
        cond = self.expr(e.where, inner) if e.where is not None else "True"
        lines = [f"def {name}(env, {', '.join(f.scope)}, _coll):"]
        if e.op == "any":
            lines += [f"    for {var} in _coll:", f"        if {cond}:", "            return True",
                      "    return False"]
        elif e.op == "all":
            lines += [f"    for {var} in _coll:", f"        if not {cond}:",
                      "            return False", "    return True"]
        elif e.op == "count":
            lines += ["    n = 0", f"    for {var} in _coll:", f"        if {cond}:",
                      "            n += 1", "    return n"]
        else:
            assert e.body is not None
            body = self.expr(e.body, inner)
            if e.op == "sum":
                lines += ["    total = 0", f"    for {var} in _coll:", f"        if {cond}:",
                          f"            v = {body}", "            if v is not None:",
                          "                total += v", "    return total"]
            else:
                better = "<" if e.op == "min" else ">"
                lines += ["    best = None", f"    for {var} in _coll:", f"        if {cond}:",
                          f"            v = {body}",
                          f"            if v is not None and (best is None or v {better} best):",
                          "                best = v", "    return best"]
        self.defs.append("\n".join(lines))
        coll = self.expr(e.collection, f)
        args = ", ".join(f.scope)
        return self.guard(f, [(coll, self.null(e.collection))],
                          lambda c: f"{name}(env, {args}, {c})")

    # --- functions -----------------------------------------------------------------------------

    def const(self, const: s.Const) -> None:
        """A const that is not a literal becomes a function of ``env`` that computes its
        value once per evaluation (the last ``env`` and its value are kept)."""
        if _literal(self.c, const.expr):
            return
        name = f"_q{len(self.const_functions) + 1}"
        cache = f"{name}_last"
        self.ns[cache] = [(None, None)]
        body = self.expr(const.expr, _Function(()))
        self.const_functions[const.name] = name
        self.defs.append("\n".join([
            f"def {name}(env):",
            f"    last = {cache}[0]",
            "    if last[0] is env:",
            "        return last[1]",
            f"    value = {body}",
            f"    {cache}[0] = (env, value)",
            "    return value",
        ]))

    def function(self, name: str, e: s.Expr) -> str:
        f = _Function(("x",))
        self.defs.append(f"def {name}(env, x):\n    return {self.expr(e, f)}")
        return name

    def explain(self, name: str, condition: s.Expr) -> str:
        f = _Function(("x",))
        entries: list[str] = []
        seen: set[str] = set()
        for leaf in _leaves(self.c, condition):
            text = expr_text(leaf)
            if text not in seen:
                seen.add(text)
                entries.append(f"({text!r}, {self.expr(leaf, f)})")
        body = "(" + "".join(f"{entry}, " for entry in entries) + ")"
        self.defs.append(f"def {name}(env, x):\n    return {body}")
        return name

    def message(self, name: str, rule: s.Rule) -> str:
        f = _Function(("x",))
        pieces: list[str] = []
        if rule.message is None:
            pieces.append(repr(rule.title.value if rule.title else rule.name))
        else:
            after_money = False
            for part in rule.message.parts:
                if isinstance(part, str):
                    # "{m.paid} 元": the hole says its own unit (万元 / 亿元), so the 元 goes
                    pieces.append(repr(_YUAN_AFTER.sub("", part, count=1) if after_money else part))
                    after_money = False
                    continue
                typ = self.typ(part.expr)
                after_money = typ == t.NUMBER and is_money(part.expr)
                fmt = "_fmoney" if after_money else {
                    t.RATIO: "_fratio", t.NUMBER: "_fnum", t.DATE: "_fdate"}.get(typ, "_fval")
                code = self.expr(part.expr, f)
                pieces.append(code if typ == t.TEXT and not self.null(part.expr)
                              else f"{fmt}({code})")
        joined = pieces[0] if len(pieces) == 1 else f"''.join(({', '.join(pieces)},))"
        self.defs.append(f"def {name}(env, x):\n    return {joined}")
        return name

    def notify(self, name: str, rule: s.Rule) -> str:
        if rule.notify is None:
            self.defs.append(f"def {name}(env, x):\n    return None")
            return name
        f = _Function(("x",))
        targets = ", ".join(self.expr(target, f) for target in rule.notify.targets)
        self.defs.append(f"def {name}(env, x):\n    return _units(({targets},))")
        return name

    def run(self, name: str, rule: s.Rule) -> str:
        """The rule's whole loop as one function: ``where`` and the lights inline, highest
        level first, ``_lit(x, j)`` for the first light ``j`` that holds; a subject that
        raises goes to ``_fail(x, exc)`` and the loop goes on."""
        f = _Function(("x",), hoist=set())
        body: list[str] = []
        if rule.where is not None:
            body += [f"if not ({self.expr(rule.where, f)}):", "    continue"]
        ranks = [Level(light.level).rank for light in rule.lights]
        order = sorted(range(len(rule.lights)), key=lambda j: -ranks[j])  # stable: file order
        for k, j in enumerate(order):
            code = self.expr(rule.lights[j].condition, f)
            body += [f"{'el' if k else ''}if ({code}) is True:", f"    _lit(x, {j})"]
        if not order:
            body.append("pass")
        lines = [f"def {name}(env, _subjects, _lit, _fail):"]
        lines += [f"    _e_{member} = env.{member}" for member in sorted(f.hoist or ())]
        lines += [f"    {local} = {code}" for code, local in (f.invariants or {}).items()]
        lines += ["    for x in _subjects:", "        try:"]
        lines += [f"            {line}" for line in body]
        lines += ["        except _Exception as _exc:", "            _fail(x, _exc)"]
        self.defs.append("\n".join(lines))
        return name


def _leaves(c: Checked, e: s.Expr) -> list[s.Expr]:
    """The sub-expressions whose values decide a condition, for ``explain``."""
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Binary) and e.op in ("and", "or"):
        return _leaves(c, e.left) + _leaves(c, e.right)
    if isinstance(e, s.Unary) and e.op == "not":
        return _leaves(c, e.operand)
    if isinstance(e, s.Binary) and e.op in _COMPARE:
        return [side for side in (e.left, e.right) if not _literal(c, side)]
    if isinstance(e, s.InList | s.IsMissing):
        return [e.operand]
    return [e]


def _invariant(c: Checked, e: s.Expr) -> bool:
    """True when ``e`` reads no subject (only ``today``, consts and literals): the same value
    for every subject of a rule."""
    if isinstance(e, s.Paren):
        return _invariant(c, e.inner)
    if isinstance(e, s.Name):
        return c.names[e].kind != "var"  # a const reads no subject (the checker sees to it)
    if isinstance(e, _LITERALS):
        return True
    if isinstance(e, s.Unary):
        return _invariant(c, e.operand)
    if isinstance(e, s.Binary):
        return _invariant(c, e.left) and _invariant(c, e.right)
    if isinstance(e, s.Call):
        return all(_invariant(c, a) for a in e.args)
    if isinstance(e, s.IsMissing):
        return _invariant(c, e.operand)
    if isinstance(e, s.InList):
        return _invariant(c, e.operand) and all(_invariant(c, i) for i in e.items)
    return False  # fields, aggregates


#: The fields of a unit that sum over the whole portfolio (everything but its own attributes).
_UNIT_AGGREGATES = frozenset(t.FIELDS["unit"]) - {"id", "name", "parent", "level"}


#: The fields whose values come from the schedule (``projects.schedule``): a project's progress
#: weighs its milestones by their scheduled durations.
_SCHEDULE_FIELDS = frozenset({("milestone", "forecast"), ("milestone", "float"),
                              ("milestone", "critical"), ("project", "forecast"),
                              ("project", "progress"), ("project", "planned_progress")})


def _fields_read(c: Checked, item: s.Rule | s.Score) -> frozenset[tuple[str, str]]:
    """``(subject kind, field)`` of every field any part of ``item`` reads."""
    if isinstance(item, s.Score):
        todo: list[s.Expr] = [item.expr]
    else:
        todo = [light.condition for light in item.lights]
        if item.where is not None:
            todo.append(item.where)
        if item.notify is not None:
            todo.extend((*item.notify.targets, item.notify.within))
        if item.message is not None:
            todo.extend(part.expr for part in item.message.parts if isinstance(part, s.Hole))
    kinds = {t.UNIT: "unit", t.MILESTONE: "milestone", t.PROJECT: "project", t.PERSON: "person"}
    found: set[tuple[str, str]] = set()
    while todo:
        e = todo.pop()
        if isinstance(e, s.Field):
            kind = kinds.get(c.types[e.obj])
            if kind is not None:
                found.add((kind, e.name))
            todo.append(e.obj)
        elif isinstance(e, s.Paren):  # a const reads no subject: nothing to follow there
            todo.append(e.inner)
        elif isinstance(e, s.Unary | s.IsMissing):
            todo.append(e.operand)
        elif isinstance(e, s.Binary):
            todo.extend((e.left, e.right))
        elif isinstance(e, s.InList):
            todo.extend((e.operand, *e.items))
        elif isinstance(e, s.Call):
            todo.extend(e.args)
        elif isinstance(e, s.Aggregate):
            todo.extend(x for x in (e.collection, e.where, e.body) if x is not None)
    return frozenset(found)


#: The same for a person (责任人): their milestones and rates span every project they answer for.
_PERSON_AGGREGATES = frozenset(t.FIELDS["person"]) - {"id", "name", "unit", "post"}


def _reads_unit_aggregates(c: Checked, rule: s.Rule) -> bool:
    """Whether any part of ``rule`` reads a unit's or a person's aggregate (``CompiledRule``'s
    flag: a scoped evaluation's sub-portfolio would undercount either)."""
    return any((kind == "unit" and name in _UNIT_AGGREGATES)
               or (kind == "person" and name in _PERSON_AGGREGATES)
               for kind, name in _fields_read(c, rule))


def _reads_schedule(c: Checked, item: s.Rule | s.Score) -> bool:
    """Whether any part of ``item`` reads a field computed from the schedule."""
    return not _SCHEDULE_FIELDS.isdisjoint(_fields_read(c, item))


def _literal(c: Checked, e: s.Expr) -> bool:
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Name):
        return c.names[e].kind == "enum"
    return isinstance(e, _LITERALS)


#: Generated Python per item (a const, rule or score) and in all: the standard rulebook's
#: largest rule compiles to a few thousand characters. Past these the rulebook is refused.
MAX_ITEM_CODE = 100_000
MAX_CODE = 2_000_000
#: What a pathological item can raise while it is generated or compiled.
_TOO_COMPLEX = (RecursionError, MemoryError, OverflowError, ValueError, SyntaxError)


class _Refusal:
    """Collects the located diagnostics of the compiler's bounds."""

    def __init__(self, c: Checked) -> None:
        self.reporters = {f.name: Reporter(f.name, f.text) for f in c.files}

    def refuse(self, file: str, item: s.Item, message: Said, hint: Said) -> None:
        self.reporters[file].error(item.name_span, message, hint)

    def raise_any(self) -> None:
        diagnostics = [d for r in self.reporters.values() for d in r.diagnostics]
        if diagnostics:
            raise RulebookError(diagnostics)


def _what(item: s.Item) -> str:
    return f"{type(item).__name__.lower()} `{item.name}`"


_WHAT_ZH = {"rule": "规则", "const": "常量", "score": "评分"}


def _what_zh(item: s.Item) -> str:
    return f"{_WHAT_ZH[type(item).__name__.lower()]} `{item.name}`"


def _too_complex(item: s.Item, hint_zh: str, hint: str) -> tuple[Said, Said]:
    return (Said(f"{_what_zh(item)} 太复杂，无法编译", f"{_what(item)} is too complex to compile"),
            Said(hint_zh, hint))


def _sides(e: s.Expr) -> list[s.Expr]:
    """Every operand of every ``and`` / ``or`` in a condition (through ``not`` and
    parentheses, not into collections), outermost first."""
    out: list[s.Expr] = []
    todo = [e]
    while todo:
        node = todo.pop(0)
        while isinstance(node, s.Paren):
            node = node.inner
        if isinstance(node, s.Binary) and node.op in ("and", "or"):
            out += (node.left, node.right)
            todo += (node.left, node.right)
        elif isinstance(node, s.Unary) and node.op == "not":
            todo.append(node.operand)
    return out


def _steps(rule: s.Rule) -> list[tuple[str, int, s.Expr]]:
    """(clause, depth, expression) of every sub-expression worth showing in a trace:
    not literals, subject variables or parentheses, and not inside collections (whose
    variables exist only there) or field chains (``m.project`` is not worth a line)."""
    out: list[tuple[str, int, s.Expr]] = []

    def walk(part: str, e: s.Expr, depth: int) -> None:
        while isinstance(e, s.Paren):
            e = e.inner
        if isinstance(e, _LITERALS) or (isinstance(e, s.Name) and e.name != "today"
                                        and depth > 0):
            return
        out.append((part, depth, e))
        kids: tuple[s.Expr, ...] = ()
        if isinstance(e, s.Binary):
            kids = (e.left, e.right)
        elif isinstance(e, s.Unary | s.IsMissing):
            kids = (e.operand,)
        elif isinstance(e, s.InList):
            kids = (e.operand, *e.items)
        elif isinstance(e, s.Call):
            kids = e.args
        for kid in kids:
            walk(part, kid, depth + 1)

    if rule.where is not None:
        walk("where", rule.where, 0)
    for light in rule.lights:
        walk(f"light {light.level}", light.condition, 0)
    if rule.notify is not None:
        for target in rule.notify.targets:
            walk("notify", target, 0)
    if rule.message is not None:
        for part in rule.message.parts:
            if isinstance(part, s.Hole):
                walk("message", part.expr, 0)
    return out


def compile_checked(c: Checked, *, probes: bool = False, traces: bool = False,
                    max_cost: int | None = MAX_COST) -> CompiledRulebook:
    """Generate, compile and execute the module of a checked rulebook; raises
    ``RulebookError`` (located at the item) when an item's code passes the bounds.
    ``probes`` adds each rule's coverage probes (``CompiledRule.probes``)."""
    comp = Compiler(c)
    refusal = _Refusal(c)
    const_files = {item: f.name for f in c.files for item in f.items if isinstance(item, s.Const)}
    chunks: list[tuple[str, s.Item, int, int]] = []  # file, item, defs[a:b]
    for const in c.const_order:
        a = len(comp.defs)
        try:
            comp.const(const)
        except _TOO_COMPLEX:
            refusal.refuse(const_files[const], const,
                           *_too_complex(const, "请拆分为较小的常量", "split it into smaller consts"))
            continue
        chunks.append((const_files[const], const, a, len(comp.defs)))
    plans: list[tuple[str, s.Rule | s.Score, dict[str, Any]]] = []
    costs: dict[s.Rule | s.Score, Cost] = {}
    for f in c.files:
        for item in f.items:
            i = len(plans)
            a = len(comp.defs)
            if isinstance(item, s.Rule | s.Score):
                estimate = costs[item] = item_cost(c, item)
                if max_cost is not None and estimate.value > max_cost:
                    refusal.refuse(
                        f.name, item,
                        Said(f"{_what_zh(item)} 对每个{word_zh(item.subject)}约需 {estimate.value:,} 次运算"
                             f"（{estimate.reason_zh}），超过上限 {max_cost:,}",
                             f"{_what(item)} would cost about {estimate.value:,} "
                             f"operations per {item.subject} ({estimate.reason}), more than the "
                             f"bound of {max_cost:,}"),
                        Said("请把一个集合移出另一个集合，或用 `where` 缩小范围",
                             "take a collection out of another, or narrow it with `where`"))
                    continue
            try:
                if isinstance(item, s.Rule):
                    plan: dict[str, Any] = {
                        "where": comp.function(f"_r{i}_where", item.where)
                        if item.where is not None else "_always",
                        "lights": [(light, comp.function(f"_r{i}_l{j}", light.condition),
                                    comp.explain(f"_r{i}_e{j}", light.condition))
                                   for j, light in enumerate(item.lights)],
                        "notify": comp.notify(f"_r{i}_notify", item),
                        "message": comp.message(f"_r{i}_message", item),
                        "run": comp.run(f"_r{i}_run", item),
                        "probes": [
                            (j, k == 0, expr_text(e), comp.function(f"_r{i}_p{j}_{k}", e))
                            for j, light in enumerate(item.lights) if probes
                            for k, e in enumerate([light.condition, *_sides(light.condition)])
                        ],
                        "steps": [
                            (part, depth, expr_text(e), expr_text(e, lang="zh", scope={item.var: item.subject}),
                             str(c.types[e]), comp.function(f"_r{i}_t{k}", e))
                            for k, (part, depth, e) in enumerate(_steps(item) if traces else ())
                        ],
                    }
                    plans.append((f.name, item, plan))
                elif isinstance(item, s.Score):
                    plans.append((f.name, item,
                                  {"value": comp.function(f"_s{i}", item.expr)}))
                else:
                    continue
            except _TOO_COMPLEX:
                refusal.refuse(f.name, item, *_too_complex(
                    item, "请拆分为较小的规则或常量", "split it into smaller rules or consts"))
                continue
            chunks.append((f.name, item, a, len(comp.defs)))
    total = 0
    for file, item, a, b in chunks:
        size = sum(len(d) for d in comp.defs[a:b])
        total += size
        if size > MAX_ITEM_CODE:
            refusal.refuse(file, item,
                           Said(f"{_what_zh(item)} 编译后有 {size} 个字符的代码，超过允许的 {MAX_ITEM_CODE}",
                                f"{_what(item)} compiles to {size} characters of code, "
                                f"more than the {MAX_ITEM_CODE} allowed"),
                           Said("请拆分，或用 `const` 命名重复的部分",
                                "split it up, or name repeated parts with `const`"))
    if total > MAX_CODE and not any(r.diagnostics for r in refusal.reporters.values()):
        file, item, _, _ = chunks[-1]
        refusal.refuse(file, item,
                       Said(f"规则库编译后有 {total} 个字符的代码，超过允许的 {MAX_CODE}",
                            f"the rulebook compiles to {total} characters of code, "
                            f"more than the {MAX_CODE} allowed"),
                       Said("请拆分为较小的规则库", "split it into smaller rulebooks"))
    refusal.raise_any()
    source = "\n\n".join(comp.defs) + "\n"
    ns = comp.ns
    ns["__builtins__"] = {}
    try:
        code = compile(source, "<rulebook>", "exec")  # generated from checked names only
    except _TOO_COMPLEX:
        for file, item, a, b in chunks:
            try:
                compile("\n\n".join(comp.defs[a:b]) + "\n", "<item>", "exec")
            except _TOO_COMPLEX:
                refusal.refuse(file, item, *_too_complex(
                    item, "请拆分为较小的规则或常量", "split it into smaller rules or consts"))
                break
        else:  # pragma: no cover - every item compiles alone but not together
            file, item, _, _ = chunks[0]
            refusal.refuse(file, item, Said("规则库太复杂，无法编译", "the rulebook is too complex to compile"),
                           Said("请拆分为较小的规则库", "split it into smaller rulebooks"))
        refusal.raise_any()
    exec(code, ns)
    rules: list[CompiledRule] = []
    scores: list[CompiledScore] = []
    for file, item, plan in plans:
        title = item.title.value if item.title is not None else item.name
        if isinstance(item, s.Rule):
            lights = tuple(
                Light(Level(light.level), expr_text(light.condition), ns[test], ns[explain])  # type: ignore[arg-type]
                for light, test, explain in plan["lights"]
            )
            rule = CompiledRule(
                item.name, title, item.subject, file, item.span.line, ns[plan["where"]],  # type: ignore[arg-type]
                lights, ns[plan["notify"]], c.within.get(item), ns[plan["message"]],  # type: ignore[arg-type]
                ns[plan["run"]],  # type: ignore[arg-type]
                _reads_unit_aggregates(c, item),
                tuple(Probe(j, clause, text, ns[fn])  # type: ignore[arg-type]
                      for j, clause, text, fn in plan["probes"]),
                tuple(Step(part, depth, text, zh, typ, ns[fn])  # type: ignore[arg-type]
                      for part, depth, text, zh, typ, fn in plan["steps"]),
                costs[item].value, costs[item].reason, _reads_schedule(c, item),
                cost_reason_zh=costs[item].reason_zh,
            )
            ns[plan["run"]].inlines = inlined_parts(rule)  # type: ignore[attr-defined]
            rules.append(rule)
        else:
            scores.append(CompiledScore(item.name, title, file, item.span.line,
                                        ns[plan["value"]], costs[item].value,  # type: ignore[arg-type]
                                        _reads_schedule(c, item), item.subject))
    return CompiledRulebook(tuple(rules), tuple(scores), source)


__all__ = ["Compiler", "Duration", "compile_checked"]
