"""Findings are frozen values whose explanation, computed on first read, is the eager one."""

from __future__ import annotations

import pickle

import pytest

from projects.calendar import WorkCalendar
from projects.graph import Adjacency
from projects.model import Level
from projects.schedule import compute_schedule
from rules.engine import RuleEnv, evaluate
from rules.explain import explain_rule
from rules.findings import Finding
from rules.views import build_views
from tests.rules.helpers import D, ms, portfolio, rulebook

RULE = """
rule late "逾期":
    for milestone m where not m.done
    light yellow when today > m.due
    light red when today > m.due + 3 workdays and m.progress < 50%
"""
TODAY = D(2026, 3, 20)


def test_lazy_explanation_is_the_eager_one() -> None:
    """Each finding's `explain` equals `explain_rule` over the same view and day."""
    book = rulebook(RULE)
    p = portfolio(ms("a", due=D(2026, 3, 2), progress=0.2), ms("b", due=D(2026, 3, 18)),
                  ms("c", due=D(2026, 3, 2)))
    ev = evaluate(book, p, TODAY)
    cal = WorkCalendar("weekdays")
    views = build_views(p, compute_schedule(p, cal, TODAY), TODAY, cal)
    env = RuleEnv(TODAY, cal, Adjacency.of(p), views)
    by_subject = {f"milestone:{m.key[0]}/{m.key[1]}": m for m in views.milestones}
    assert [f.subject for f in ev.findings] == ["milestone:P001/a", "milestone:P001/b",
                                                "milestone:P001/c"]
    for f in ev.findings:
        assert f.explain == explain_rule(book.rules[0].lights, env, by_subject[f.subject])
    assert ev.findings[2].explain[1] == (
        "红 when today > m.due + 3 workdays and m.progress < 50%",
        "缺失（不成立）：today = 2026-03-20；m.due + 3 workdays = 2026-03-05；m.progress = 缺失")


def test_finding_is_a_frozen_value() -> None:
    """Equal fields make equal, equally hashed findings, lazy or not; nothing can be set."""
    lines = (("红 when x", "成立"),)
    eager = Finding("r", "t", "project:P1", Level.RED, "m", ("u",), D(2026, 3, 23), lines, "P1",
                    "u")
    lazy = Finding("r", "t", "project:P1", Level.RED, "m", ("u",), D(2026, 3, 23),
                   lambda: lines, "P1", "u")
    assert lazy == eager and hash(lazy) == hash(eager)
    assert pickle.loads(pickle.dumps(lazy)) == eager
    assert lazy != Finding("r", "t", "project:P1", Level.YELLOW, "m", ("u",), D(2026, 3, 23),
                           lines, "P1", "u")
    with pytest.raises(AttributeError):
        eager.level = Level.GREEN  # type: ignore[misc]
    assert repr(eager).startswith("Finding(rule='r', title='t'")
