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
from dsl.printer import expr_text

#: Nominal sizes: the collections of a subject, and what the graph functions walk.
NOMINAL = {"milestones": 100, "projects": 20, "notices": 50, "upstream": 50,
           "downstream": 50, "predecessors": 5, "successors": 5, "people": 10, "co_units": 3}
#: The default bound on one rule's (or score's) estimated cost per subject: three
#: collections nested inside each other pass, four do not.
MAX_COST = 2_000_000


@dataclass(frozen=True, slots=True)
class Cost:
    value: int
    because: tuple[str, ...] = ()  # the collections nested, outermost first

    def __add__(self, other: Cost) -> Cost:
        because = self.because if len(self.because) >= len(other.because) else other.because
        return Cost(self.value + other.value, because)

    @property
    def reason(self) -> str:
        if not self.because:
            return "no collections"
        return " inside ".join(reversed(self.because))


def _size(c: Checked, e: s.Expr) -> tuple[int, str]:
    while isinstance(e, s.Paren):
        e = e.inner
    if isinstance(e, s.Field):
        return NOMINAL.get(e.name, 10), expr_text(e)
    if isinstance(e, s.Call):
        return NOMINAL.get(e.func, 10), expr_text(e)
    return 10, expr_text(e)


def cost(c: Checked, e: s.Expr | None) -> Cost:
    """The estimated cost of evaluating ``e`` once."""
    if e is None:
        return Cost(0)
    if isinstance(e, s.Paren):
        return cost(c, e.inner)
    if isinstance(e, s.Field):
        return Cost(1) + cost(c, e.obj)
    if isinstance(e, s.Unary | s.IsMissing):
        return Cost(1) + cost(c, e.operand)
    if isinstance(e, s.Binary):
        return Cost(1) + cost(c, e.left) + cost(c, e.right)
    if isinstance(e, s.InList):
        total = Cost(1) + cost(c, e.operand)
        for item in e.items:
            total = total + cost(c, item)
        return total
    if isinstance(e, s.Call):
        total = Cost(NOMINAL.get(e.func, 1))
        for arg in e.args:
            total = total + cost(c, arg)
        return total
    if isinstance(e, s.Aggregate):
        size, text = _size(c, e.collection)
        body = cost(c, e.where) + cost(c, e.body)
        per = Cost(1) + body
        inner = (f"{e.op} over {text} (~{size})", *per.because)
        return cost(c, e.collection) + Cost(size * per.value, inner)
    return Cost(1)


def item_cost(c: Checked, item: s.Rule | s.Score) -> Cost:
    """The estimated cost of a rule or score for one subject."""
    if isinstance(item, s.Score):
        return cost(c, item.expr)
    total = cost(c, item.where)
    for light in item.lights:
        total = total + cost(c, light.condition)
    if item.notify is not None:
        for target in item.notify.targets:
            total = total + cost(c, target)
    if item.message is not None:
        for part in item.message.parts:
            if isinstance(part, s.Hole):
                total = total + cost(c, part.expr)
    return total
