"""Version 2 of the language: the blue light and ``N months`` with the singular spellings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dsl import compile_rulebook
from dsl.diagnostics import RulebookError
from projects.model import Level
from tests.dsl.helpers import TinyEnv, milestone

D = dt.date

NEAR = """
const month = 1 month
rule near "临近提醒":
    for milestone m where not m.done
    light blue when today <= m.due and m.due <= today + 3 workdays
    light yellow when today > m.due
    light red when today > m.due + month
    notify m.unit within 1 workday
    message "{m.name} 应于 {m.due} 前完成，宽限 {month}，{m.due + 2 months}"
"""


def _lit(source: str, today: dt.date, subjects: list[Any]) -> dict[str, Level]:
    rule = compile_rulebook({"t.rules": source}).rules[0]
    got: dict[str, Level] = {}
    rule.run(TinyEnv(today), subjects,
             lambda x, j: got.__setitem__(x.id, rule.lights[j].level),
             lambda x, e: pytest.fail(f"{x.id}: {e}"))
    return got


def test_blue_is_below_yellow_and_red() -> None:
    assert Level.GREEN.rank < Level.BLUE.rank < Level.YELLOW.rank < Level.RED.rank
    subjects = [
        milestone(id="soon", due=D(2026, 3, 11)),   # 2 workdays after Friday 03-06
        milestone(id="far", due=D(2026, 3, 20)),
        milestone(id="late", due=D(2026, 3, 5)),
        milestone(id="very", due=D(2026, 2, 5)),
        milestone(id="done", due=D(2026, 3, 9), done=True),
    ]
    got = _lit(NEAR, D(2026, 3, 6), subjects)
    assert got == {"soon": Level.BLUE, "late": Level.YELLOW, "very": Level.RED}


def test_months_clamp_at_month_end() -> None:
    source = """
rule r: for milestone m
    light red when m.due + 1 months == 2026-02-28
    light yellow when m.due - 1 month == 2026-02-28
"""
    got = _lit(source, D(2026, 3, 6), [
        milestone(id="jan31", due=D(2026, 1, 31)),
        milestone(id="jan28", due=D(2026, 1, 28)),
        milestone(id="mar31", due=D(2026, 3, 31)),
        milestone(id="mar28", due=D(2026, 3, 28)),
        milestone(id="feb", due=D(2026, 2, 1)),
    ])
    assert got == {"jan31": Level.RED, "jan28": Level.RED, "mar31": Level.YELLOW,
                   "mar28": Level.YELLOW}


def test_months_through_a_constant_and_today() -> None:
    source = """
const span = 2 months
rule r: for milestone m
    light yellow when today + span > m.due
"""
    got = _lit(source, D(2027, 12, 31), [
        milestone(id="a", due=D(2028, 2, 28)),   # 2027-12-31 + 2 months = 2028-02-29
        milestone(id="b", due=D(2028, 2, 29)),
    ])
    assert got == {"a": Level.YELLOW}


@pytest.mark.parametrize("spelling", ["1 day", "1 week", "1 workday", "1 month", "3 months"])
def test_singular_and_month_spellings_check(spelling: str) -> None:
    compile_rulebook({"t.rules": f"const d = {spelling}\nrule r: for milestone m\n"
                     f"    light yellow when today > m.due + d\n"})


def test_message_prints_months() -> None:
    rule = compile_rulebook({"t.rules": NEAR}).rules[0]
    assert rule.message is not None
    text = rule.message(TinyEnv(D(2026, 3, 6)), milestone(id="x", name="施工招标",
                                                          due=D(2026, 1, 31)))
    assert text == "施工招标 应于 2026-01-31 前完成，宽限 1 个月，2026-03-31"
    assert str(rule.within) == "1 workday"


def test_unknown_light_suggests_blue() -> None:
    with pytest.raises(RulebookError) as e:
        compile_rulebook({"t.rules": "rule r: for milestone m\n    light blu when m.done\n"})
    assert "`blue`" in str(e.value)


def test_unknown_unit_lists_months() -> None:
    with pytest.raises(RulebookError) as e:
        compile_rulebook({"t.rules": "rule r: for milestone m\n"
                                     "    light red when today > m.due + 2 years\n"})
    assert "months" in str(e.value)


def test_default_fills_a_missing_value_of_the_same_type() -> None:
    source = """
rule r: for milestone m
    light red when default(m.progress, 0%) < 10%
    light yellow when default(m.due, 2026-03-01) < today
"""
    got = _lit(source, D(2026, 3, 6), [
        milestone(id="none", progress=None, due=None),        # 0% < 10%: red
        milestone(id="some", progress=0.5, due=None),          # default date before today
        milestone(id="fine", progress=0.5, due=D(2026, 4, 1)),
        milestone(id="low", progress=0.05, due=D(2026, 4, 1)),
    ])
    assert got == {"none": Level.RED, "some": Level.YELLOW, "low": Level.RED}


def test_default_in_a_score_and_its_type_errors() -> None:
    compile_rulebook({"t.rules": "score s for unit u:\n"
                                 "    40 * default(u.on_time_rate, 100%) + default(u.red_cards, 0)\n"})
    for bad, says in (("default(m.progress, 2026-01-01)", "needs a ratio here"),
                      ("default(m.progress)", "takes 2 arguments"),
                      ("defualt(m.progress, 0%)", "did you mean")):
        with pytest.raises(RulebookError) as e:
            compile_rulebook({"t.rules": f"rule r: for milestone m\n    light red when {bad} < 1\n"})
        assert says in str(e.value), str(e.value)
