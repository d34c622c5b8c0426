"""What compiled rules run against, and the small helpers generated code calls.

Owns the ``Env`` protocol (implemented by the engine), the compiled shapes ``CompiledRule``,
``Light``, ``CompiledScore``, ``CompiledRulebook``, and the run-time helpers for durations and
message text. Missing is ``None`` everywhere. Message holes print by static type: ratios as
percents (``35%``, ``12.5%``), numbers without a trailing ``.0``, dates as ISO dates,
durations with their unit (``10 workdays``), kinds by their Chinese word, booleans as
``是`` / ``否``, subjects by name (a notice by title), and missing as ``—``.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from dsl.values import Duration
from projects.cadence import add_months
from projects.model import ComplaintKind, Kind, Level, Rating
from projects.money import money_text

MISSING_TEXT = "—"


class Env(Protocol):
    """The evaluation context the engine passes to every compiled function."""

    @property
    def today(self) -> dt.date: ...

    def add_workdays(self, d: dt.date, n: int) -> dt.date: ...

    def workdays(self, a: dt.date, b: dt.date) -> int: ...

    def upstream(self, m: Any) -> tuple[Any, ...]: ...

    def downstream(self, m: Any) -> tuple[Any, ...]: ...

    def predecessors(self, m: Any) -> tuple[Any, ...]: ...

    def successors(self, m: Any) -> tuple[Any, ...]: ...


Test = Callable[[Env, Any], "bool | None"]
Explain = Callable[[Env, Any], tuple[tuple[str, object], ...]]
#: ``run(env, subjects, lit, fail)``: the whole rule over ``subjects``; calls ``lit(x, j)`` with
#: the index in ``lights`` of the highest light that holds, ``fail(x, exc)`` for a subject whose
#: evaluation raised (the loop goes on).
Run = Callable[[Env, Iterable[Any], Callable[[Any, int], None],
                Callable[[Any, Exception], None]], None]


@dataclass(frozen=True, slots=True)
class Light:
    """One ``light LEVEL when CONDITION`` clause; ``text`` is the condition's source."""

    level: Level
    text: str
    test: Test
    explain: Explain


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    title: str
    subject: str  # "milestone" | "project" | "unit" | "notice" | "person"
    file: str
    line: int
    where: Test
    lights: tuple[Light, ...]
    notify: Callable[[Env, Any], tuple[Any, ...] | None]
    within: Duration | None
    message: Callable[[Env, Any], str]
    run: Run | None = None  # the compiler always sets it; ``None`` for a hand-built rule
    #: Whether the rule reads a unit's aggregates (its milestones, projects, notices, rates,
    #: cards) through a subject's unit or its parent: then it needs the whole portfolio even
    #: when it runs over a few projects. Unknown (``True``) for a hand-built rule.
    reads_unit_aggregates: bool = True
    #: Coverage probes (``compile_rulebook(..., probes=True)`` only): each light clause and
    #: each side of every ``and`` / ``or`` in it, outside collections.
    probes: tuple[Probe, ...] = ()
    #: Every sub-expression, clause by clause (``compile_rulebook(..., traces=True)`` only).
    steps: tuple[Step, ...] = ()
    #: Estimated operations per subject, and which nesting made them (``dsl.cost``).
    cost: int = 0
    cost_reason: str = ""
    #: Whether the rule reads a field computed from the schedule (a milestone's forecast,
    #: float or critical, a project's forecast or progress): without one in the rulebook the
    #: engine skips the schedule. Unknown (``True``) for a hand-built rule.
    reads_schedule: bool = True
    #: ``cost_reason`` in Chinese (「任一遍历 该项目的节点（约 100 个）」, 「无集合遍历」).
    cost_reason_zh: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """One sub-expression of a rule for ``duban rules explain``: the clause it belongs to
    (``where``, ``light red``, ``notify``, ``message``), its depth in that clause, its text
    in English and in Chinese, its static type and the function computing its value."""

    part: str
    depth: int
    text: str
    text_zh: str
    type: str
    value: Callable[[Env, Any], object]


@dataclass(frozen=True, slots=True)
class Probe:
    """One condition whose outcomes coverage counts: ``light`` is the index of its light
    clause, ``clause`` whether it is the whole clause (else a side of an ``and`` / ``or``)."""

    light: int
    clause: bool
    text: str
    test: Test


def inlined_parts(rule: CompiledRule) -> tuple[object, ...]:
    """The functions a compiled ``run`` inlines; the compiler records them on it."""
    return (rule.where, *(light.test for light in rule.lights))


def run_rule(rule: CompiledRule, env: Env, subjects: Iterable[Any],
             lit: Callable[[Any, int], None], fail: Callable[[Any, Exception], None]) -> None:
    """``rule.run`` when it is the loop of this rule's own ``where`` and ``lights`` (not of a
    rule whose parts were since replaced), else the same loop over ``where`` and ``lights``."""
    run = rule.run
    if run is not None and getattr(run, "inlines", None) == inlined_parts(rule):
        run(env, subjects, lit, fail)
        return
    order = sorted(range(len(rule.lights)), key=lambda j: -rule.lights[j].level.rank)
    tests = [(j, rule.lights[j].test) for j in order]
    where = rule.where
    for x in subjects:
        try:
            if not where(env, x):
                continue
            for j, test in tests:
                if test(env, x) is True:
                    lit(x, j)
                    break
        except Exception as exc:  # reported by the caller; the other subjects still run
            fail(x, exc)


@dataclass(frozen=True, slots=True)
class CompiledScore:
    name: str
    title: str
    file: str
    line: int
    value: Callable[[Env, Any], float | None]
    cost: int = 0  # estimated operations per unit or person (``dsl.cost``)
    reads_schedule: bool = True  # as ``CompiledRule.reads_schedule``
    subject: str = "unit"  # what it ranks: "unit" | "person"


@dataclass(frozen=True, slots=True)
class CompiledRulebook:
    rules: tuple[CompiledRule, ...]
    scores: tuple[CompiledScore, ...]
    python: str = ""  # the generated source, for reading and debugging
    #: The static analysis warnings (``dsl.analysis.AnalysisWarning``), when compiled with
    #: ``analysis=True``: one parse and check for both.
    warnings: tuple[Any, ...] = ()


# --- helpers called by generated code -------------------------------------------------------

def add_duration(env: Env, d: dt.date, dur: Duration, sign: int) -> dt.date:
    if dur.unit == "workdays":
        return env.add_workdays(d, sign * dur.amount)
    if dur.unit == "months":
        return add_months(d, sign * dur.amount)
    days = dur.calendar_days or 0
    return d + dt.timedelta(days=sign * days)


def default(x: Any, v: Any) -> Any:
    """``default(X, V)`` of the language."""
    return v if x is None else x


def date_diff(a: dt.date, b: dt.date) -> Duration:
    return Duration((a - b).days, "days")


def _pair(a: Duration, b: Duration) -> tuple[int, int] | None:
    if a.unit == b.unit:
        return a.amount, b.amount
    x, y = a.calendar_days, b.calendar_days
    return None if x is None or y is None else (x, y)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


def duration_compare(a: Duration, b: Duration, op: str) -> bool | None:
    pair = _pair(a, b)
    return None if pair is None else _OPS[op](*pair)


def duration_add(a: Duration, b: Duration, sign: int) -> Duration | None:
    if a.unit == b.unit:
        return Duration(a.amount + sign * b.amount, a.unit)
    pair = _pair(a, b)
    return None if pair is None else Duration(pair[0] + sign * pair[1], "days")


def duration_times(d: Duration, n: float) -> Duration:
    return Duration(round(d.amount * n), d.unit)


def duration_neg(d: Duration) -> Duration:
    return Duration(-d.amount, d.unit)


def units(targets: Iterable[Any]) -> tuple[Any, ...]:
    """Notified units in order, without missing ones or repeats (compared by identity); a
    target that is a collection of units (``m.co_units``) gives each of its units."""
    if isinstance(targets, tuple) and len(targets) == 1:  # the usual ``notify m.unit``
        first = targets[0]
        if first is None:
            return ()
        if type(first) is not tuple:
            return targets
    seen: list[Any] = []
    for target in targets:
        for u in target if type(target) is tuple else (target,):
            if u is not None:
                for v in seen:
                    if u is v:
                        break
                else:
                    seen.append(u)
    return tuple(seen)


def always(env: Env, x: Any) -> bool:
    return True


def _trim(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_number(v: float | None) -> str:
    if v is None:
        return MISSING_TEXT
    return str(int(v)) if float(v).is_integer() else _trim(v, 2)


def fmt_ratio(v: float | None) -> str:
    return MISSING_TEXT if v is None else _trim(v * 100, 1) + "%"


def fmt_money(v: float | None) -> str:
    """An amount of money in a message: 9,800 元, 3,000 万元, 1.25 亿元 (``projects.money``)."""
    return MISSING_TEXT if v is None else money_text(v)


def fmt_date(v: dt.date | None) -> str:
    return MISSING_TEXT if v is None else v.isoformat()


def fmt_value(v: object) -> str:
    """Anything else: durations with their unit, kinds in Chinese, subjects by name."""
    if v is None:
        return MISSING_TEXT
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Kind | ComplaintKind | Rating):
        return v.chinese
    if isinstance(v, Duration):
        return v.chinese
    if isinstance(v, str):
        return v
    for attribute in ("name", "title"):
        text = getattr(v, attribute, None)
        if isinstance(text, str):
            return text
    return str(v)


NAMESPACE: dict[str, object] = {
    "_dflt": default, "_dadd": add_duration, "_amonths": add_months, "_ddiff": date_diff, "_dcmp": duration_compare,
    "_dsum": duration_add, "_dmul": duration_times, "_dneg": duration_neg,
    "_units": units, "_always": always, "_fnum": fmt_number, "_fratio": fmt_ratio,
    "_fdate": fmt_date, "_fmoney": fmt_money, "_fval": fmt_value, "_Exception": Exception,
}
