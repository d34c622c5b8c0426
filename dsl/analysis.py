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
- ``same``: two rules over the same subject that always light the same subjects at the same
  level: for each level, the conditions that light it (``where`` and the light, read as
  constraints, with not-understood conjuncts compared by their text) are the same sets.
- ``missing``: a message hole or ``notify`` target that is missing whenever the rule lights:
  it reads a field (or a field of a field) that every lighting condition requires to be
  missing: ``X is missing``, or what a field implies (``not m.done`` is ``m.finished``
  missing; ``not n.responded`` is ``n.response_date`` missing).

Constraints also record which fields (or paths such as ``unit.parent``) must be missing or
present: a comparison or a boolean that holds reads its fields, so they are present.

Each warning carries a concrete example subject (field values; ``None`` for missing) showing
it, and its message in Chinese and in English.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dsl import schema as t
from dsl import syntax as s
from dsl.checker import Checked
from dsl.printer import expr_text
from dsl.runtime import MISSING_TEXT
from dsl.words import IS_MISSING_ZH, KEYWORDS_ZH, file_language, speak
from dsl.words import field as field_word
from projects.model import ComplaintKind, Kind, Rating

#: What each field can be, beyond its type: ratios in [0, 1]; counts never negative.
_RATIOS = frozenset({"progress", "on_time_rate", "completion_rate", "early_rate",
                     "response_rate"})
_COUNTS = frozenset({"red_cards", "yellow_cards", "overdue"})
#: Dates the engine gives only when on or before the evaluation date (a date field's range
#: is in days from ``today``).
_NOT_AFTER_TODAY = frozenset({"finished", "response_date"})
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}
_RANK = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


@dataclass(frozen=True, slots=True)
class AnalysisWarning:
    file: str
    line: int
    column: int
    kind: str  # "never" | "always" | "shadowed" | "same" | "missing"
    rule: str
    message: str  # English
    example: dict[str, object]
    message_zh: str = ""
    lang: str = "en"  # the spelling the file mostly uses: what ``render`` speaks by default
    subject: str = ""  # what the rule is for: names the example's fields in Chinese

    @property
    def example_text(self) -> dict[str, str]:
        """The example subject's field values as the author would write them."""
        return self.example_in(self.lang)

    def example_in(self, spelling: str) -> dict[str, str]:
        """The example's values written in ``spelling`` ("en" | "zh")."""
        return {_key(k, self.subject, spelling): _show(v, k.rsplit(".", 1)[-1] in _RATIOS, spelling)
                for k, v in self.example.items()}

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the author's), keywords in the author's spelling."""
        if (lang or self.lang) == "zh":
            return speak(self.message_zh, self.lang)
        return speak(self.message, self.lang)

    def render(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        shown = ", ".join(f"{k} = {v}" for k, v in self.example_text.items())
        if lang == "zh":
            tail = f"（例如 {shown}）" if shown else ""
            return f"警告：{self.file}:{self.line}:{self.column}: {self.text(lang)}{tail}"
        tail = f" (e.g. {shown})" if shown else ""
        return f"warning: {self.file}:{self.line}:{self.column}: {self.text(lang)}{tail}"


def _key(key: str, subject: str, spelling: str) -> str:
    """``m.unit.parent`` with each field in ``spelling`` (``m.责任单位.上级单位``)."""
    if spelling != "zh":
        return key
    var, *path = key.split(".")
    out = [var]
    for name in path:
        out.append(field_word(name, "zh", subject))
        info = t.FIELDS.get(subject, {}).get(name)
        subject = info.type.name if info is not None else ""
    return ".".join(out)


@dataclass(frozen=True, slots=True)
class FromToday:
    """An example date as days from the evaluation date: the analysis reads a date field
    compared with ``today`` as an offset, so any as-of day gives a concrete subject."""

    days: int

    def on(self, today: dt.date) -> dt.date:
        return today + dt.timedelta(days=self.days)

    def text(self, spelling: str = "en") -> str:
        today, unit = ("今天", "天") if spelling == "zh" else ("today", "days")
        if not self.days:
            return today
        return f"{today} {'+' if self.days > 0 else '-'} {abs(self.days)} {unit}"

    def __str__(self) -> str:
        return self.text()


def _show(v: object, ratio: bool = False, spelling: str = "en") -> str:
    zh = spelling == "zh"
    if v is None:
        return IS_MISSING_ZH if zh else "missing"
    if isinstance(v, FromToday):
        return v.text(spelling)
    if zh and isinstance(v, Kind | ComplaintKind | Rating):
        return v.chinese
    if zh and isinstance(v, bool):
        return KEYWORDS_ZH["true" if v else "false"]
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
    """A condition as constraints per field, the paths that must be missing (True) or
    present (False), and the text of every conjunct not understood."""

    ranges: dict[str, _Range] = field(default_factory=dict)
    opaque: bool = False
    absent: dict[str, bool] = field(default_factory=dict)
    conflict: bool = False  # a path required both missing and present
    texts: set[str] = field(default_factory=set)

    def copy(self) -> _Conj:
        return _Conj({k: _Range(r.lo, r.lo_open, r.hi, r.hi_open, r.values)
                      for k, r in self.ranges.items()}, self.opaque, dict(self.absent),
                     self.conflict, set(self.texts))

    def need(self, path: str, missing: bool) -> None:
        if self.absent.get(path, missing) != missing:
            self.conflict = True
        self.absent[path] = missing

    def empty(self) -> bool:
        return self.conflict or any(r.empty() for r in self.ranges.values())

    def missing(self, path: str) -> bool:
        """Whether the path, or a path it goes through, must be missing."""
        parts = path.split(".")
        return any(self.absent.get(".".join(parts[:i])) for i in range(1, len(parts) + 1))

    def key(self) -> tuple[object, ...]:
        """Equal keys: the same constraints, so the same subjects meet both."""
        ranges = tuple(sorted(
            (k, r.lo, r.lo_open, r.hi, r.hi_open,
             None if r.values is None else tuple(sorted(map(str, r.values))))
            for k, r in self.ranges.items()))
        return ranges, tuple(sorted(self.absent.items())), tuple(sorted(self.texts))


#: A boolean field that says whether another is missing: ``m.done`` is ``m.finished`` not
#: missing (the engine's views), ``n.responded`` is ``n.response_date`` not missing.
_PRESENT_WHEN = {("milestone", "done"): "finished", ("notice", "responded"): "response_date"}


def _domain(subject: str, name: str) -> _Range:
    info = t.FIELDS[subject][name]
    if info.type == t.BOOL:
        return _Range(values=frozenset({True, False}))
    if name in _RATIOS and info.type == t.RATIO:
        return _Range(0.0, False, 1.0, False)
    if name in _COUNTS:
        return _Range(0.0, False)
    if name in _NOT_AFTER_TODAY and info.type == t.DATE:
        return _Range(hi=0.0, hi_open=False)
    return _Range()


def _bare(e: s.Expr) -> s.Expr:
    while isinstance(e, s.Paren):
        e = e.inner
    return e


def _path(e: s.Expr, var: str) -> str | None:
    """``m.unit.parent`` -> ``unit.parent`` for the rule's variable ``m``."""
    e = _bare(e)
    names: list[str] = []
    while isinstance(e, s.Field):
        names.append(e.name)
        e = _bare(e.obj)
    if isinstance(e, s.Name) and e.name == var and names:
        return ".".join(reversed(names))
    return None


def _own_field(e: s.Expr, var: str) -> str | None:
    path = _path(e, var)
    return path if path is not None and "." not in path else None


def _strict_paths(e: s.Expr | None, var: str) -> list[str]:
    """The paths whose being missing makes ``e`` missing (three-valued logic: not through
    ``and`` / ``or``, ``is missing``, ``default`` or a collection)."""
    if e is None:
        return []
    e = _bare(e)
    path = _path(e, var)
    if path is not None:
        return [path]
    if isinstance(e, s.Field):
        return _strict_paths(e.obj, var)
    if isinstance(e, s.Unary):
        return _strict_paths(e.operand, var)
    if isinstance(e, s.Binary) and e.op not in ("and", "or"):
        return _strict_paths(e.left, var) + _strict_paths(e.right, var)
    if isinstance(e, s.InList):
        return _strict_paths(e.operand, var)
    if isinstance(e, s.Call) and e.func in ("days", "workdays"):
        return [p for arg in e.args for p in _strict_paths(arg, var)]
    return []


def _number(e: s.Expr) -> float | None:
    e = _bare(e)
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
            node = _bare(todo.pop())
            if isinstance(node, s.Binary) and node.op == "and":
                todo += (node.left, node.right)
                continue
            if not self.atom(node, out):
                out.opaque = True
                out.texts.add(expr_text(node))
                for path in _strict_paths(node, self.var):  # it holds: they are there
                    out.need(path, False)
        self._settle(out)
        return out

    def _settle(self, out: _Conj) -> None:
        """What a boolean field says of another's being missing, both ways."""
        for (subject, flag), other in _PRESENT_WHEN.items():
            if subject != self.subject:
                continue
            r = out.ranges.get(flag)
            if r is not None and r.values is not None and len(r.values) == 1:
                out.need(other, not next(iter(r.values)))
            elif other in out.absent:
                flag_range = self._range(out, flag)
                flag_range.values = (flag_range.values if flag_range.values is not None
                                     else frozenset({True, False})) & {not out.absent[other]}

    def _range(self, out: _Conj, name: str) -> _Range:
        if name not in out.ranges:
            out.ranges[name] = _domain(self.subject, name)
        return out.ranges[name]

    def atom(self, e: s.Expr, out: _Conj) -> bool:
        if isinstance(e, s.IsMissing):
            path = _path(e.operand, self.var)
            if path is None:
                return False
            out.need(path, not e.negated)  # a range needs its field: both would conflict
            return True
        negated = False
        if isinstance(e, s.Unary) and e.op == "not":
            negated, e = True, _bare(e.operand)
        name = _own_field(e, self.var)
        if name is not None and self.c.types.get(e) == t.BOOL:
            r = self._range(out, name)
            r.values = (r.values or frozenset()) & frozenset({not negated})
            out.need(name, False)
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
        bare = _bare(other)
        res = self.c.names.get(bare) if isinstance(bare, s.Name) else None
        if typ == t.DATE and res is not None and res.kind == "today":
            number = 0.0  # days from today
        if typ in (*t.NUMERIC, t.DATE) and number is not None:
            self._range(out, name).meet(op, number)
            out.need(name, False)
            return True
        if op == "==" and res is not None and res.kind == "enum":
            r = self._range(out, name)
            r.values = frozenset({res.value}) if r.values is None else r.values & {res.value}
            out.need(name, False)
            return True
        return False


def _example(subject: str, conj: _Conj) -> dict[str, object]:
    example: dict[str, object] = {}
    for name, r in sorted(conj.ranges.items()):
        value = r.pick()
        if t.FIELDS[subject][name].type == t.DATE and isinstance(value, float):
            value = FromToday(math.floor(value))
        example[name] = value
    for path, missing in sorted(conj.absent.items()):
        if missing:
            example[path] = None
    return example


def _always(reader: _Reader, conj: _Conj) -> bool:
    if conj.opaque or not (conj.ranges or conj.absent):
        return False
    for path, missing in conj.absent.items():
        info = t.FIELDS[reader.subject].get(path)
        if missing or info is None or info.missing:
            return False
    for name, r in conj.ranges.items():
        info = t.FIELDS[reader.subject][name]
        if info.missing or not _domain(reader.subject, name).within(r):
            return False
    return True


def analyse(c: Checked, sources: dict[str, str] | None = None) -> tuple[AnalysisWarning, ...]:
    """Every warning of a checked rulebook, in file order (``sources``: the texts, so each
    warning speaks the spelling its file mostly uses)."""
    langs = {name: file_language(text) for name, text in (sources or {}).items()}
    found: list[AnalysisWarning] = []
    lit: list[tuple[str, s.Rule, _Lit]] = []
    for f in c.files:
        for item in f.items:
            if isinstance(item, s.Rule) and item.subject in t.FIELDS:
                warnings, lights = _rule(c, f.name, item)
                found += warnings
                lit.append((f.name, item, lights))
    found += _same(lit)
    found.sort(key=lambda w: (w.file, w.line, w.column))
    return tuple(replace(w, lang=langs.get(w.file, "en")) for w in found)


#: A rule's lighting conditions, by level: each a light's constraints with ``where``'s,
#: those that can hold only.
_Lit = dict[str, list[_Conj]]


def _rule(c: Checked, file: str, rule: s.Rule) -> tuple[list[AnalysisWarning], _Lit]:
    reader = _Reader(c, rule.subject, rule.var)
    out: list[AnalysisWarning] = []

    def warn(span_of: s.Light | s.Expr, kind: str, en: str, zh: str,
             ex: dict[str, object]) -> None:
        span = span_of.level_span if isinstance(span_of, s.Light) else span_of.span
        example = {f"{rule.var}.{k}": v for k, v in ex.items()}
        out.append(AnalysisWarning(file, span.line, span.column, kind, rule.name, en,
                                   example, zh, subject=rule.subject))

    where = reader.conj(rule.where)
    if rule.where is not None:
        if where.empty():
            warn(rule.where, "never", f"`where` of rule `{rule.name}` can never hold: "
                 "no subject can meet it, so the rule never lights",
                 f"规则 `{rule.name}` 的 `where` 永远不成立：没有对象能满足它，规则永远不会亮灯", {})
            return out, {}
        if _always(reader, where):
            warn(rule.where, "always", f"`where` of rule `{rule.name}` always holds: "
                 "every subject meets it",
                 f"规则 `{rule.name}` 的 `where` 总是成立：每个对象都满足它", _example(reader.subject, where))
    conds: list[_Conj] = []
    for light in rule.lights:
        own = reader.conj(light.condition)
        both = reader.conj(light.condition, where.copy())
        conds.append(both)
        if both.empty():
            given = not own.empty()
            warn(light, "never", f"light `{light.level}` can never hold"
                 + (" given `where`" if given else ""),
                 f"`light {light.level}` 永远不成立" + ("（在 `where` 之下）" if given else ""), {})
        elif _always(reader, own):
            text = expr_text(light.condition)
            warn(light, "always", f"light `{light.level}` always holds: "
                 f"`{text}` is true of every subject",
                 f"`light {light.level}` 总是成立：每个对象都满足 `{text}`", _example(reader.subject, own))
    for i, light in enumerate(rule.lights):
        low = conds[i]
        if low.empty():
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
                     f"holds, `{higher.level}` holds too",
                     f"`light {light.level}` 永远不会显示：它成立时 `light {higher.level}` 也成立",
                     _example(reader.subject, low))
                break
    lights: _Lit = {}
    for light, cond in zip(rule.lights, conds, strict=True):
        if not cond.empty():
            lights.setdefault(light.level, []).append(cond)
    _missing(c, reader, rule, lights, warn)
    return out, lights


def _missing(c: Checked, reader: _Reader, rule: s.Rule, lights: _Lit,
             warn: Callable[..., None]) -> None:
    """Warn of holes and targets missing under every condition that lights the rule."""
    conds = [cond for level in lights.values() for cond in level]
    if not conds:
        return
    parts: list[tuple[str, s.Expr]] = []
    if rule.notify is not None:
        parts += [("target", target) for target in rule.notify.targets]
    if rule.message is not None:
        parts += [("hole", part.expr) for part in rule.message.parts if isinstance(part, s.Hole)]
    for what, e in parts:
        if not c.nullable.get(e, True):
            continue
        paths = _strict_paths(e, rule.var)
        always = [p for p in paths if all(cond.missing(p) for cond in conds)]
        if not always:
            continue
        text = expr_text(e)
        path = f"{rule.var}.{always[0]}"
        if what == "target":
            en = (f"`notify` target `{text}` is missing whenever rule `{rule.name}` lights "
                  f"(`{path}` is missing then): no unit is notified")
            zh = f"规则 `{rule.name}` 亮灯时 `notify` 对象 `{text}` 总是为空（`{path}` 为空），不会通知任何单位"
        else:
            en = (f"message hole `{{{text}}}` is missing whenever rule `{rule.name}` lights "
                  f"(`{path}` is missing then): it prints {MISSING_TEXT}")
            zh = f"规则 `{rule.name}` 亮灯时内容中的 `{{{text}}}` 总是为空（`{path}` 为空），显示为 {MISSING_TEXT}"
        level = max(lights, key=lambda lv: _RANK.get(lv, 0))
        warn(e, "missing", en, zh, _example(reader.subject, lights[level][0]))


def _same(lit: list[tuple[str, s.Rule, _Lit]]) -> list[AnalysisWarning]:
    """Pairs of rules over the same subject that light the same subjects at the same level."""
    out: list[AnalysisWarning] = []
    keys: dict[tuple[object, ...], tuple[str, s.Rule, _Lit]] = {}
    for file, rule, lights in lit:
        if not lights:
            continue
        texts = any(cond.texts for conds in lights.values() for cond in conds)
        key = (rule.subject, rule.var if texts else "", tuple(sorted(
            (level, tuple(sorted({cond.key() for cond in conds}, key=repr)))
            for level, conds in lights.items())))
        first = keys.get(key)
        if first is None:
            keys[key] = (file, rule, lights)
            continue
        other_file, other, _ = first
        level = max(lights, key=lambda lv: _RANK.get(lv, 0))
        example = {f"{rule.var}.{k}": v for k, v in _example(rule.subject, lights[level][0]).items()}
        place = f"{other_file}:{other.span.line}"
        out.append(AnalysisWarning(
            file, rule.name_span.line, rule.name_span.column, "same", rule.name,
            f"rule `{rule.name}` always lights the same subjects at the same level as rule "
            f"`{other.name}` ({place})", example,
            f"规则 `{rule.name}` 与规则 `{other.name}`（{place}）总是对同样的对象亮同样的灯",
            subject=rule.subject))
    return out
