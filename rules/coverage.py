"""Coverage of rule tests (issue 18, item 3), as OPA reports it: per rule, which light
clauses and which sides of each ``and`` / ``or`` some case made true and some made false.

Pure: ``Coverage.add(rulebook, portfolio, as_of, rules)`` evaluates the probes of a rulebook
compiled with ``probes=True`` for every subject of the named rules that passes ``where``, on
the portfolio as known on ``as_of`` (the same views and env as ``rules.engine.evaluate``). An
outcome is *true* when the condition holds and *false* when it does not (false or missing: a
missing ``when`` does not hold). A probe that raised counts neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from dsl import CompiledRule, CompiledRulebook
from projects.calendar import calendar_for
from projects.graph import Adjacency
from projects.model import Portfolio
from projects.replay import known_on
from projects.schedule import compute_schedule
from rules.engine import RuleEnv
from rules.views import build_views, subjects_of


@dataclass
class RuleCoverage:
    """Outcomes seen per probe of one rule, in probe order."""

    rule: CompiledRule
    seen: list[set[bool]] = field(default_factory=list)

    def outcomes(self, clauses: bool) -> tuple[int, int]:
        """(outcomes seen, outcomes possible) of the light clauses or of the and/or sides."""
        picked = [s for p, s in zip(self.rule.probes, self.seen, strict=True)
                  if p.clause == clauses]
        return sum(len(s) for s in picked), 2 * len(picked)


def _percent(seen: int, possible: int) -> float:
    return 100.0 if possible == 0 else 100.0 * seen / possible


@dataclass
class Coverage:
    rules: dict[str, RuleCoverage] = field(default_factory=dict)

    def add(self, rulebook: CompiledRulebook, portfolio: Portfolio, as_of: dt.date,
            rules: Collection[str]) -> None:
        """Count the outcomes of the probes of ``rules`` over one case."""
        known, dues = known_on(portfolio, as_of)
        calendar = calendar_for(known)
        views = build_views(known, compute_schedule(known, calendar, as_of), as_of, calendar, dues)
        env = RuleEnv(as_of, calendar, Adjacency.of(known), views)
        for rule in rulebook.rules:
            cov = self.rules.setdefault(rule.name, RuleCoverage(rule, [set() for _ in rule.probes]))
            if rule.name not in rules:
                continue
            for x in subjects_of(views, rule.subject):
                try:
                    if rule.where(env, x) is not True:
                        continue
                except Exception:  # a broken where is the test run's finding, not coverage's
                    continue
                for probe, seen in zip(rule.probes, cov.seen, strict=True):
                    try:
                        seen.add(probe.test(env, x) is True)
                    except Exception:  # a broken where is the test run's finding, not coverage's
                        continue

    def percent(self, clauses: bool = True) -> float:
        """Coverage over every rule: of the light clauses, or of the and/or sides."""
        seen = possible = 0
        for cov in self.rules.values():
            a, b = cov.outcomes(clauses)
            seen += a
            possible += b
        return _percent(seen, possible)

    def render(self) -> str:
        """Per rule: clause and side coverage, and each outcome never seen."""
        lines: list[str] = []
        for name, cov in self.rules.items():
            a, b = cov.outcomes(True)
            c, d = cov.outcomes(False)
            lines.append(f"{name}: light clauses {a}/{b} ({_percent(a, b):.0f}%), "
                         f"and/or sides {c}/{d} ({_percent(c, d):.0f}%)")
            for probe, seen in zip(cov.rule.probes, cov.seen, strict=True):
                missing = [word for word, value in (("true", True), ("false", False))
                           if value not in seen]
                if missing:
                    level = cov.rule.lights[probe.light].level.value
                    what = "light" if probe.clause else "side"
                    lines.append(f"    {what} of `{level}`: `{probe.text}` never "
                                 f"{' nor '.join(missing)}")
        lines.append(f"coverage: light clauses {self.percent(True):.1f}%, "
                     f"and/or sides {self.percent(False):.1f}%")
        return "\n".join(lines) + "\n"
