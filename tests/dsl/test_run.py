"""A rule's compiled loop (``CompiledRule.run``) decides exactly what ``where`` and ``lights`` do."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from dsl import compile_rulebook
from dsl.runtime import run_rule
from projects.model import Kind
from tests.dsl.helpers import TinyEnv, milestone

D = dt.date
RULE = """
const grace = 3 workdays
rule r: for milestone m where not m.done and m.kind in [tendering, progress]
    light yellow when today > m.due
    light red when today > m.due + grace or any(p in upstream(m) where not p.done)
    light yellow when m.due <= today + 2 workdays and m.progress < 50%
"""


def _by_parts(rule: Any, env: Any, subjects: list[Any]) -> list[tuple[str, int]]:
    """What the rule lights, decided subject by subject through ``where`` and ``lights``."""
    out = []
    order = sorted(range(len(rule.lights)), key=lambda j: -rule.lights[j].level.rank)
    for x in subjects:
        if rule.where(env, x) is True:
            for j in order:
                if rule.lights[j].test(env, x) is True:
                    out.append((x.id, j))
                    break
    return out


def _by_run(rule: Any, env: Any, subjects: list[Any]) -> tuple[list[tuple[str, int]], list[Any]]:
    lit: list[tuple[str, int]] = []
    failed: list[Any] = []
    rule.run(env, subjects, lambda x, j: lit.append((x.id, j)), lambda x, e: failed.append(x.id))
    return lit, failed


def _subjects() -> list[Any]:
    open_tender = milestone(id="open")
    return [
        milestone(id="a", due=D(2026, 3, 6)),  # 1 workday late: yellow
        milestone(id="b", due=D(2026, 3, 2)),  # 5 workdays late: red
        milestone(id="c", due=D(2026, 3, 10), progress=0.2),  # due soon, little progress
        milestone(id="d", due=D(2026, 3, 10), progress=None),  # progress missing: not lit
        milestone(id="e", due=None),  # due missing: no light holds
        milestone(id="f", due=D(2026, 3, 2), done=True),  # done: not a subject
        milestone(id="g", kind=Kind.CONTRACT, due=D(2026, 3, 2)),  # other kind
        milestone(id="h", due=D(2026, 3, 20)),  # on time, upstream open: red
        open_tender,
    ]


def test_run_lights_what_where_and_lights_light():
    """Over missing, done, late and upstream cases the loop lights the same subjects and levels."""
    rule = compile_rulebook({"t.rules": RULE}).rules[0]
    subjects = _subjects()
    env = TinyEnv(D(2026, 3, 9), upstream={"h": (subjects[-1],)})
    lit, failed = _by_run(rule, env, subjects)
    assert lit == _by_parts(rule, env, subjects)
    assert lit == [("a", 0), ("b", 1), ("c", 2), ("h", 1)]
    assert failed == []


def test_a_subject_that_raises_goes_to_fail_and_the_loop_goes_on():
    """A due of the wrong type raises on its subject only; the next subject still lights."""
    rule = compile_rulebook({"t.rules": RULE}).rules[0]
    subjects = [milestone(id="bad", due="2026-03-02"), milestone(id="b", due=D(2026, 3, 2))]
    lit, failed = _by_run(rule, TinyEnv(D(2026, 3, 9)), subjects)
    assert (lit, failed) == ([("b", 1)], ["bad"])


def test_invariants_are_computed_once_before_the_loop():
    """`today + 2 workdays` reads no subject: the loop function computes it before its loop."""
    python = compile_rulebook({"t.rules": RULE}).python
    loop = python.split("def _r0_run(env, _subjects, _lit, _fail):\n")[1].split("\n\n")[0]
    before, inside = loop.split("    for x in _subjects:")
    assert "_k1 = (_e_add_workdays(_e_today, 2))" in before
    assert "_k1" in inside and "_e_add_workdays(_e_today" not in inside
    assert "env." not in inside


def test_a_rule_with_replaced_parts_runs_its_new_parts():
    """`run_rule` does not use the compiled loop of a rule whose `where` was replaced."""
    rule = compile_rulebook({"t.rules": RULE}).rules[0]
    never = dataclasses.replace(rule, where=lambda env, x: False)
    lit: list[str] = []
    run_rule(never, TinyEnv(D(2026, 3, 9)), _subjects(), lambda x, j: lit.append(x.id),
             lambda x, e: None)
    assert lit == []
    run_rule(rule, TinyEnv(D(2026, 3, 9)), _subjects()[:2], lambda x, j: lit.append(x.id),
             lambda x, e: None)
    assert lit == ["a", "b"]


def test_and_or_of_two_maybe_missing_operands_keep_three_valued_logic():
    """`and` / `or` of two comparisons that may be missing follow Kleene's tables exactly."""
    progress = {None: None, True: 0.1, False: 0.9}  # m.progress < 50%
    paid = {None: None, True: 2000.0, False: 10.0}  # m.paid > 1000
    values = (None, True, False)
    expected = {
        "and": [None, None, False, None, True, False, False, False, False],
        "or": [None, True, None, True, True, True, None, True, False],
    }
    for op, table in expected.items():
        test = compile_rulebook({"t.rules": "rule c: for milestone m light red when "
                                 f"m.progress < 50% {op} m.paid > 1000"}).rules[0].lights[0].test
        got = [test(TinyEnv(D(2026, 3, 9)), milestone(progress=progress[a], paid=paid[b]))
               for a in values for b in values]
        assert got == table, op
