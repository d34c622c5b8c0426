"""Three-valued logic, missing values, division by zero, collections and durations."""

from __future__ import annotations

import datetime as dt

import pytest

from dsl import Duration, compile_rulebook
from projects.model import Kind
from tests.dsl.helpers import TinyEnv, condition, milestone, notice, project, unit, value

D = dt.date
ENV = TinyEnv(D(2026, 3, 9))  # a Monday
# `m.due > 2026-01-01` is true, false or missing depending on the milestone's due date
TRUTH = {True: D(2026, 2, 1), False: D(2025, 12, 1), None: None}
A = "m.due > 2026-01-01"
B = "m.finished > 2026-01-01"


def both(a, b):
    return milestone(due=TRUTH[a], finished=TRUTH[b])


@pytest.mark.parametrize("a", [True, False, None])
@pytest.mark.parametrize("b", [True, False, None])
def test_and_or_truth_tables(a, b):
    """`and`/`or` follow Kleene logic: false and missing is false, true or missing true."""
    m = both(a, b)
    if a is False or b is False:
        expected_and = False
    elif a is None or b is None:
        expected_and = None
    else:
        expected_and = True
    if a is True or b is True:
        expected_or = True
    elif a is None or b is None:
        expected_or = None
    else:
        expected_or = False
    assert condition(f"{A} and {B}")(ENV, m) is expected_and
    assert condition(f"{A} or {B}")(ENV, m) is expected_or
    # the same with one side never missing (the compiler takes a faster path)
    assert condition(f"m.done and {B}")(ENV, milestone(done=a is True, finished=TRUTH[b])) is (
        False if a is not True else b
    )


@pytest.mark.parametrize(("a", "expected"), [(True, False), (False, True), (None, None)])
def test_not(a, expected):
    """`not missing` is missing."""
    assert condition(f"not {A}")(ENV, milestone(due=TRUTH[a])) is expected


def test_is_missing():
    """`is missing` / `is not missing` test absence explicitly and are never missing."""
    assert condition("m.due is missing")(ENV, milestone(due=None)) is True
    assert condition("m.due is not missing")(ENV, milestone(due=None)) is False
    assert condition("m.project.unit.parent is missing")(ENV, milestone()) is True
    assert condition("m.done is missing")(ENV, milestone()) is False


def test_missing_propagates_through_fields_and_arithmetic():
    """A missing parent makes its fields missing; arithmetic with missing is missing."""
    assert value("m.unit.parent.name")(ENV, milestone()) is None
    assert value("m.unit.parent.name")(ENV, milestone(unit=unit(parent=unit("gov", "市政府")))) == "市政府"
    assert value("m.paid + 1")(ENV, milestone(paid=None)) is None
    assert value("m.due + 3 days")(ENV, milestone(due=None)) is None


def test_division_by_zero_is_missing():
    """Dividing by zero gives missing, never a crash; number / number is a ratio."""
    ratio = value("m.paid / m.amount")
    assert ratio(ENV, milestone(paid=5.0, amount=0.0)) is None
    assert ratio(ENV, milestone(paid=5.0, amount=20.0)) == 0.25
    assert value("1 / 0")(ENV, milestone()) is None
    assert condition("m.paid / m.amount > 10%")(ENV, milestone(paid=5.0, amount=0.0)) is None


def test_durations_and_dates():
    """Workdays step over weekends; days count the calendar; date - date is days."""
    assert value("2026-03-06 + 1 workdays")(ENV, milestone()) == D(2026, 3, 9)
    assert value("2026-03-06 + 1 days")(ENV, milestone()) == D(2026, 3, 7)
    assert value("2026-03-06 + 2 weeks")(ENV, milestone()) == D(2026, 3, 20)
    assert value("2026-03-09 - 1 workday")(ENV, milestone()) == D(2026, 3, 6)
    assert value("today - 2026-03-01")(ENV, milestone()) == Duration(8, "days")
    assert value("days(2026-03-09, 2026-03-01)")(ENV, milestone()) == -8
    assert value("workdays(2026-03-06, 2026-03-09)")(ENV, milestone()) == 1
    assert condition("today - m.due > 1 weeks")(ENV, milestone(due=D(2026, 3, 1))) is True
    assert condition("today - m.due > 10 workdays")(ENV, milestone(due=D(2026, 3, 1))) is None


def test_consts_may_use_today_and_each_other():
    """A const is evaluated with the run's today; consts may build on consts."""
    book = compile_rulebook({"t.rules": (
        "const grace = 2 workdays\nconst cutoff = today - grace\n"
        "rule t: for milestone m light red when m.due < cutoff notify m.unit within grace"
    )})
    rule = book.rules[0]
    assert rule.within == Duration(2, "workdays")
    assert rule.lights[0].test(ENV, milestone(due=D(2026, 3, 4))) is True
    assert rule.lights[0].test(ENV, milestone(due=D(2026, 3, 5))) is False


def test_kind_words_in_either_language_and_lists():
    """Kind words resolve in English or Chinese, also inside `in [..]`."""
    assert condition("m.kind == 招标")(ENV, milestone(kind=Kind.TENDERING)) is True
    assert condition("招标 == m.kind")(ENV, milestone(kind=Kind.CONTRACT)) is False
    assert condition("m.kind in [contract, 招标]")(ENV, milestone(kind=Kind.TENDERING)) is True
    assert condition("m.kind in [contract, 竣工]")(ENV, milestone(kind=Kind.TENDERING)) is False
    assert condition("n.level == red", "notice", "n")(ENV, notice()) is None
    assert condition("p.category == 重点工作", "project", "p")(ENV, project()) is False


def test_collections_over_empty_and_full():
    """all of empty holds, sum of empty is 0, count 0, min/max missing; missing skipped."""
    empty = project(milestones=())
    ms = (milestone(id="a", paid=10.0, done=True, due=D(2026, 1, 5)),
          milestone(id="b", paid=None, done=False, due=D(2026, 2, 5)),
          milestone(id="c", paid=5.0, done=True, due=None))
    full = project(milestones=ms)
    cases = {
        "all(x in p.milestones where x.done)": (True, False),
        "any(x in p.milestones where x.done)": (False, True),
        "count(x in p.milestones where x.done)": (0, 2),
        "count(x in p.milestones)": (0, 3),
        "sum(x.paid for x in p.milestones)": (0, 15.0),
        "sum(x.paid for x in p.milestones where not x.done)": (0, 0),
        "min(x.due for x in p.milestones)": (None, D(2026, 1, 5)),
        "max(x.due for x in p.milestones where x.done)": (None, D(2026, 1, 5)),
        "any(x in p.milestones where x.due > 2026-01-31)": (False, True),
        "all(x in p.milestones where x.due > 2025-12-31)": (True, False),  # missing: not held
    }
    for expr, (on_empty, on_full) in cases.items():
        f = value(expr, "project", "p")
        assert (f(ENV, empty), f(ENV, full)) == (on_empty, on_full), expr


def test_nested_collections_see_outer_variables():
    """An inner collection's condition can use the rule's subject and the outer variable."""
    f = condition("any(x in p.milestones where count(y in p.milestones where y.paid > x.paid) == 1)",
                  "project", "p")
    ms = (milestone(id="a", paid=1.0), milestone(id="b", paid=2.0), milestone(id="c", paid=3.0))
    assert f(ENV, project(milestones=ms)) is True
    assert f(ENV, project(milestones=ms[:1])) is False


def test_message_holes_print_by_type():
    """Ratios as percents, numbers without .0, money in 元 with grouping, dates ISO, durations in
    Chinese (7 天), missing —."""
    rule = compile_rulebook({"t.rules": (
        'rule t: for milestone m light red when m.done message '
        '"{m.progress}|{m.paid}|{m.due}|{today - m.start}|{m.kind}|{m.done}|{m.unit}|{m.updated}|{1/3}|{{x}}"'
    )}).rules[0]
    m = milestone(progress=0.125, paid=1234.0, due=D(2026, 3, 1), start=D(2026, 3, 2),
                  done=True)
    assert rule.message(ENV, m) == "12.5%|1,234 元|2026-03-01|7 天|招标|是|交通局|—|33.3%|{x}"
    titled = compile_rulebook({"t.rules": 'rule t "标题": for milestone m light red when m.done'})
    assert titled.rules[0].message(ENV, m) == "标题"


def test_money_in_message_holes_reads_in_wan_and_yi_yuan():
    """A money field, a sum, a default or a difference of money reads 万元 / 亿元 with grouping;
    the 元 an author wrote after the hole is not doubled; a count or a ratio stays a number."""
    rule = compile_rulebook({"t.rules": (
        'rule t: for milestone m light red when m.done message '
        '"已拨付 {m.paid} 元；计划 {m.amount}；项目已拨付 {m.project.paid}元；差额 {m.amount - m.paid}；'
        '{default(m.amount, 0)}|{count(x in m.project.milestones)}|{m.paid / m.amount}|{m.progress * 100}"'
    )}).rules[0]
    m = milestone(paid=12_345_678.0, amount=150_000_000.0, progress=0.5, done=True)
    said = rule.message(ENV, m)
    assert said.startswith("已拨付 1,234.57 万元；计划 1.5 亿元；项目已拨付 ")
    assert "差额 1.38 亿元；1.5 亿元|" in said and said.endswith("|8.2%|50")
    assert "元元" not in said and "元 元" not in said
    zh = compile_rulebook({"t.rules": (
        '规则 t: 对 节点 m 亮 红灯 当 m.已完成 内容 "已拨付 {m.已拨付} 元"')}).rules[0]
    assert zh.message(ENV, milestone(paid=9_800.0, done=True)) == "已拨付 9,800 元"
    assert zh.message(ENV, milestone(paid=None, done=True)) == "已拨付 —"  # unknown: no unit


def test_notify_drops_missing_and_repeated_units():
    """notify lists each unit once and leaves out missing ones."""
    rule = compile_rulebook({"t.rules": (
        "rule t: for milestone m light red when m.done "
        "notify m.unit, m.project.unit, m.unit.parent within 1 days"
    )}).rules[0]
    m = milestone()
    assert rule.notify(ENV, m) == (m.unit,)
