"""Run-time bound (issue 18, item 4): a rule still running after its time is stopped between
two subjects and reported, and the other rules finish. The clock is the caller's, so the test
drives a counting clock: no timed assertion."""

from __future__ import annotations

from rules.engine import evaluate
from tests.rules.helpers import D, ms, portfolio, rulebook

RULES = """
rule slow: for milestone m light red when m.due < today
rule quick: for project p light yellow when p.budget > 0
"""


class Ticks:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += 1.0
        return self.now


def test_a_rule_over_its_time_is_stopped_and_the_others_finish() -> None:
    """300 milestones: the clock is read every 64, so by the third look (subject 128) 2.5 s
    have passed; `slow` is stopped and reported with no findings, `quick` lights."""
    p = portfolio(*(ms(f"m{i:03}", due=D(2026, 3, 2)) for i in range(300)))
    clock = Ticks()
    ev = evaluate(rulebook(RULES), p, D(2026, 3, 20), rule_time_limit=2.5, clock=clock)
    assert [(e.rule, e.subject) for e in ev.errors] == [("slow", "milestones")]
    assert "stopped: still running after 2.5 s; the other rules ran" in str(ev.errors[0])
    assert ev.errors[0].line == 2
    assert [(f.rule, f.subject) for f in ev.findings] == [("quick", "project:P001")]
    untimed = evaluate(rulebook(RULES), p, D(2026, 3, 20))
    assert len([f for f in untimed.findings if f.rule == "slow"]) == 300
    assert not untimed.errors


def test_a_rule_within_its_time_is_untouched() -> None:
    """With time to spare every finding is there and nothing is reported."""
    p = portfolio(*(ms(f"m{i:03}", due=D(2026, 3, 2)) for i in range(300)))
    ev = evaluate(rulebook(RULES), p, D(2026, 3, 20), rule_time_limit=100.0, clock=Ticks())
    assert not ev.errors
    assert len([f for f in ev.findings if f.rule == "slow"]) == 300
