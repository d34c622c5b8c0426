"""Cost of a rule estimated from its shape, before it runs (issue 18, item 4), as CEL bounds
an expression's cost.

The unit is one operation per subject the rule runs over: every field read, operator and call
costs 1; a graph function costs the nominal size of what it walks; a collection (``any``,
``all``, ``count``, ``sum``, ``min``, ``max``) costs its size times its body. Sizes are nominal
(``NOMINAL``), not measured: the estimate ranks shapes (a collection inside a collection inside
a per-milestone rule) rather than predicting seconds. A const costs 1 (it is computed once).
``estimate`` also says which nesting made the cost, so a refusal can give the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsl import syntax as s
from dsl.checker import Checked
from dsl.printer import Scope, expr_text
from dsl.words import KEYWORDS_ZH

#: Nominal sizes: the collections of a subject, and what the graph functions walk.
NOMINAL = {"milestones": 100, "projects": 20, "notices": 50, "upstream": 50,
           "downstream": 50, "predecessors": 5, "successors": 5, "people": 10, "co_units": 3,
           "complaints": 100}
#: The default bound on one rule's (or score's) estimated cost per subject: three
#: collections nested inside each other pass, four do not.
MAX_COST = 2_000_000


@dataclass(frozen=True, slots=True)
class Nesting:
    """One collection walked: its function (``any``...), what it walks, in English and in
    Chinese, and the nominal size."""

    op: str
    text: str
    text_zh: str
    size: int

    @property
    def en(self) -> str:
        return f"{self.op} over {self.text} (~{self.size})"

    @property
    def zh(self) -> str:
        return f"{KEYWORDS_ZH.get(self.op, self.op)}遍历 {self.text_zh}（约 {self.size} 个）"


@dataclass(frozen=True, slots=True)
class Cost:
    value: int
    because: tuple[Nesting, ...] = ()  # the collections nested, outermost first

    def __add__(self, other: Cost) -> Cost:
        because = self.because if len(self.because) >= len(other.because) else other.because
        return Cost(self.value + other.value, because)

    @property
    def reason(self) -> str:
        if not self.because:
            return "no collections"
        return " inside ".join(n.en for n in reversed(self.because))

    @property
    def reason_zh(self) -> str:
        if not self.because:
            return "无集合遍历"
        return "，其中又".join(n.zh for n in self.because)


def _size(e: s.Expr) -> int:
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Field):
        return NOMINAL.get(e.name, 10)
    if isinstance(e, s.Call):
        return NOMINAL.get(e.func, 10)
    return 10


def cost(c: Checked, e: s.Expr | None, scope: Scope | None = None) -> Cost:
    """The estimated cost of evaluating ``e`` once (``scope``: the subject of each variable,
    for the Chinese text of what a collection walks)."""
    if e is None:
        return Cost(0)
    if isinstance(e, s.Paren):
        return cost(c, e.inner, scope)
    if isinstance(e, s.Field):
        return Cost(1) + cost(c, e.obj, scope)
    if isinstance(e, s.Unary | s.IsMissing):
        return Cost(1) + cost(c, e.operand, scope)
    if isinstance(e, s.Binary):
        return Cost(1) + cost(c, e.left, scope) + cost(c, e.right, scope)
    if isinstance(e, s.InList):
        total = Cost(1) + cost(c, e.operand, scope)
        for item in e.items:
            total = total + cost(c, item, scope)
        return total
    if isinstance(e, s.Call):
        total = Cost(NOMINAL.get(e.func, 1))
        for arg in e.args:
            total = total + cost(c, arg, scope)
        return total
    if isinstance(e, s.Aggregate):
        size = _size(e.collection)
        walked = c.types[e.collection].item if e.collection in c.types else None
        inner_scope = {**(scope or {}), e.var: walked} if walked else scope
        body = cost(c, e.where, inner_scope) + cost(c, e.body, inner_scope)
        per = Cost(1) + body
        walk = Nesting(e.op, expr_text(e.collection),
                       expr_text(e.collection, lang="zh", scope=scope), size)
        inner = (walk, *per.because)
        return cost(c, e.collection, scope) + Cost(size * per.value, inner)
    return Cost(1)


def item_cost(c: Checked, item: s.Rule | s.Score) -> Cost:
    """The estimated cost of a rule or score for one subject."""
    scope = {item.var: item.subject}
    if isinstance(item, s.Score):
        return cost(c, item.expr, scope)
    total = cost(c, item.where, scope)
    for light in item.lights:
        total = total + cost(c, light.condition, scope)
    if item.notify is not None:
        for target in item.notify.targets:
            total = total + cost(c, target, scope)
    if item.message is not None:
        for part in item.message.parts:
            if isinstance(part, s.Hole):
                total = total + cost(c, part.expr, scope)
    return total


@dataclass(frozen=True, slots=True)
class ItemCost:
    """A rule's or score's estimated cost per subject, where it is, and whether it passes
    the bound: what the rule editor shows beside each rule."""

    file: str
    line: int
    name: str
    kind: str  # "rule" | "score"
    subject: str
    cost: int
    reason: str
    reason_zh: str
    bound: int | None

    @property
    def over(self) -> bool:
        return self.bound is not None and self.cost > self.bound


def item_costs(c: Checked, bound: int | None = MAX_COST) -> tuple[ItemCost, ...]:
    """The estimated cost of every rule and score of a checked rulebook, in file order."""
    out: list[ItemCost] = []
    for f in c.files:
        for item in f.items:
            if isinstance(item, s.Rule | s.Score):
                estimate = item_cost(c, item)
                out.append(ItemCost(f.name, item.span.line, item.name,
                                    "rule" if isinstance(item, s.Rule) else "score",
                                    item.subject, estimate.value, estimate.reason,
                                    estimate.reason_zh, bound))
    return tuple(out)
