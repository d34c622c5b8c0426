"""Static analysis with counterexamples (issue 18, item 2), by exact interval reasoning.

Warnings, never errors: a rulebook that checks still compiles. A condition is read as a
conjunction (``and``) of constraints on the subject's own fields: ``m.f OP number`` (either
side), ``m.f == WORD`` for kinds, levels and categories, and ``m.f`` / ``not m.f`` for
booleans; any other conjunct is *opaque*. Only what is exact is concluded:

- ``never``: the understood conjuncts of a light (with ``where``) cannot hold together, or
  cannot hold given what the field can be (a ratio is between 0 and 100%, a count is never
  negative). Opaque conjuncts only make a condition stronger, so this is sound.
- ``always``: a condition fully understood whose constraints every subject meets (fields
  never missing, whole domain): missing is handled by the three-valued logic, so a field that
  may be missing never makes a condition "always".
- ``shadowed``: a lower light that can never show because a higher light holds whenever it
  does: every constraint of the higher light is met by every subject meeting the lower one.

Each warning carries a concrete example subject (field values) showing it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dsl import schema as t
from dsl import syntax as s
from dsl.checker import Checked
from dsl.printer import expr_text

#: What each field can be, beyond its type: ratios in [0, 1]; counts never negative.
_RATIOS = frozenset({"progress", "on_time_rate", "completion_rate", "early_rate",
                     "response_rate"})
_COUNTS = frozenset({"red_cards", "yellow_cards", "overdue"})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}
_RANK = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


@dataclass(frozen=True, slots=True)
class AnalysisWarning:
    file: str
    line: int
    column: int
    kind: str  # "never" | "always" | "shadowed"
    rule: str
    message: str
    example: dict[str, object]

    @property
    def example_text(self) -> dict[str, str]:
        """The example subject's field values as the author would write them."""
        return {k: _show(v, k.rsplit(".", 1)[-1] in _RATIOS) for k, v in self.example.items()}

    def render(self) -> str:
        shown = ", ".join(f"{k} = {v}" for k, v in self.example_text.items())
        tail = f" (e.g. {shown})" if shown else ""
        return f"warning: {self.file}:{self.line}:{self.column}: {self.message}{tail}"


def _show(v: object, ratio: bool = False) -> str:
    if ratio and isinstance(v, float):
        return f"{v * 100:g}%"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:g}"
    if isinstance(v, float):
        return str(int(v))
    return str(v)


@dataclass
class _Range:
    """A real interval (bounds and strictness) or a set of allowed discrete values."""

    lo: float = -math.inf
    lo_open: bool = True
    hi: float = math.inf
    hi_open: bool = True
    values: frozenset[object] | None = None  # discrete: bools and enum members

    def meet(self, op: str, c: float) -> None:
        if op in (">", ">=") and (c > self.lo or (c == self.lo and op == ">")):
            self.lo, self.lo_open = c, op == ">"
        if op in ("<", "<=") and (c < self.hi or (c == self.hi and op == "<")):
            self.hi, self.hi_open = c, op == "<"
        if op == "==":
            self.meet(">=", c)
            self.meet("<=", c)

    def empty(self) -> bool:
        if self.values is not None:
            return not self.values
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def within(self, other: _Range) -> bool:
        """Every value of self is a value of other."""
        if self.values is not None or other.values is not None:
            return self.values is not None and other.values is not None and \
                self.values <= other.values
        lo_ok = self.lo > other.lo or (self.lo == other.lo and (self.lo_open or not other.lo_open))
        hi_ok = self.hi < other.hi or (self.hi == other.hi and (self.hi_open or not other.hi_open))
        return lo_ok and hi_ok

    def pick(self) -> object:
        if self.values is not None:
            return sorted(self.values, key=str)[0]
        lo, hi = self.lo, self.hi
        if math.isinf(lo) and math.isinf(hi):
            return 0.0
        if math.isinf(lo):
            return hi - 1 if self.hi_open else hi
        if math.isinf(hi):
            return lo + 1 if self.lo_open else lo
        return (lo + hi) / 2 if self.lo_open or self.hi_open else lo


@dataclass
class _Conj:
    """A condition as constraints per field, and whether anything was not understood."""

    ranges: dict[str, _Range] = field(default_factory=dict)
    opaque: bool = False

    def copy(self) -> _Conj:
        return _Conj({k: _Range(r.lo, r.lo_open, r.hi, r.hi_open, r.values)
                      for k, r in self.ranges.items()}, self.opaque)


def _domain(subject: str, name: str) -> _Range:
    info = t.FIELDS[subject][name]
    if info.type == t.BOOL:
        return _Range(values=frozenset({True, False}))
    if name in _RATIOS and info.type == t.RATIO:
        return _Range(0.0, False, 1.0, False)
    if name in _COUNTS:
        return _Range(0.0, False)
    return _Range()


def _own_field(e: s.Expr, var: str) -> str | None:
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Field) and isinstance(e.obj, s.Name) and e.obj.name == var:
        return e.name
    return None


def _number(e: s.Expr) -> float | None:
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Number | s.Percent):
        return float(e.value)
    if isinstance(e, s.Unary) and e.op == "-":
        inner = _number(e.operand)
        return None if inner is None else -inner
    return None


class _Reader:
    def __init__(self, c: Checked, subject: str, var: str) -> None:
        self.c, self.subject, self.var = c, subject, var

    def conj(self, e: s.Expr | None, into: _Conj | None = None) -> _Conj:
        out = into if into is not None else _Conj()
        todo = [e] if e is not None else []
        while todo:
            node = todo.pop()
            while isinstance(node, s.Paren):
                node = node.inner
            if isinstance(node, s.Binary) and node.op == "and":
                todo += (node.left, node.right)
            elif not self.atom(node, out):
                out.opaque = True
        return out

    def _range(self, out: _Conj, name: str) -> _Range:
        if name not in out.ranges:
            out.ranges[name] = _domain(self.subject, name)
        return out.ranges[name]

    def atom(self, e: s.Expr, out: _Conj) -> bool:
        negated = False
        if isinstance(e, s.Unary) and e.op == "not":
            negated, e = True, e.operand
            while isinstance(e, s.Paren):
                e = e.inner
        name = _own_field(e, self.var)
        if name is not None and self.c.types.get(e) == t.BOOL:
            r = self._range(out, name)
            r.values = (r.values or frozenset()) & frozenset({not negated})
            return True
        if negated or not isinstance(e, s.Binary) or e.op not in _FLIP:
            return False
        op, left, right = e.op, e.left, e.right
        name, other = _own_field(left, self.var), right
        if name is None:
            name, other, op = _own_field(right, self.var), left, _FLIP[op]
        if name is None:
            return False
        typ = t.FIELDS[self.subject][name].type
        number = _number(other)
        if typ in t.NUMERIC and number is not None:
            self._range(out, name).meet(op, number)
            return True
        res = self.c.names.get(other) if isinstance(other, s.Name) else None
        if op == "==" and res is not None and res.kind == "enum":
            r = self._range(out, name)
            r.values = frozenset({res.value}) if r.values is None else r.values & {res.value}
            return True
        return False


def _example(conj: _Conj) -> dict[str, object]:
    return {name: r.pick() for name, r in sorted(conj.ranges.items())}


def _always(reader: _Reader, conj: _Conj) -> bool:
    if conj.opaque or not conj.ranges:
        return False
    for name, r in conj.ranges.items():
        info = t.FIELDS[reader.subject][name]
        if info.missing or not _domain(reader.subject, name).within(r):
            return False
    return True


def analyse(c: Checked) -> tuple[AnalysisWarning, ...]:
    """Every warning of a checked rulebook, in file order."""
    found: list[AnalysisWarning] = []
    for f in c.files:
        for item in f.items:
            if isinstance(item, s.Rule) and item.subject in t.FIELDS:
                found += _rule(c, f.name, item)
    return tuple(found)


def _rule(c: Checked, file: str, rule: s.Rule) -> list[AnalysisWarning]:
    reader = _Reader(c, rule.subject, rule.var)
    out: list[AnalysisWarning] = []

    def warn(span_of: s.Light | s.Expr, kind: str, message: str, ex: dict[str, object]) -> None:
        span = span_of.level_span if isinstance(span_of, s.Light) else span_of.span
        example = {f"{rule.var}.{k}": v for k, v in ex.items()}
        out.append(AnalysisWarning(file, span.line, span.column, kind, rule.name, message,
                                   example))

    where = reader.conj(rule.where)
    if rule.where is not None:
        if any(r.empty() for r in where.ranges.values()):
            warn(rule.where, "never", f"`where` of rule `{rule.name}` can never hold: "
                 "no subject can meet it, so the rule never lights", {})
            return out
        if _always(reader, where):
            warn(rule.where, "always", f"`where` of rule `{rule.name}` always holds: "
                 "every subject meets it", _example(where))
    conds: list[_Conj] = []
    for light in rule.lights:
        own = reader.conj(light.condition)
        both = reader.conj(light.condition, where.copy())
        conds.append(both)
        if any(r.empty() for r in both.ranges.values()):
            warn(light, "never", f"light `{light.level}` can never hold"
                 + (" given `where`" if not any(r.empty() for r in own.ranges.values()) else ""),
                 {})
        elif _always(reader, own):
            warn(light, "always", f"light `{light.level}` always holds: "
                 f"`{expr_text(light.condition)}` is true of every subject", _example(own))
    for i, light in enumerate(rule.lights):
        low = conds[i]
        if any(r.empty() for r in low.ranges.values()):
            continue
        for j, higher in enumerate(rule.lights):
            if j == i or _RANK.get(higher.level, 0) <= _RANK.get(light.level, 0):
                continue
            high = reader.conj(higher.condition)
            if high.opaque or not high.ranges:
                continue
            if all(name in low.ranges and low.ranges[name].within(r)
                   for name, r in high.ranges.items()):
                warn(light, "shadowed", f"light `{light.level}` can never show: whenever it "
                     f"holds, `{higher.level}` holds too", _example(low))
                break
    return out


def analyse_all(checked: Checked, names: Sequence[str] = ()) -> tuple[AnalysisWarning, ...]:
    """``analyse`` restricted to the rules named (all when none are)."""
    found = analyse(checked)
    return tuple(w for w in found if not names or w.rule in names)
