"""The spec's first rulebook parses, checks, compiles and means what the spec says."""

from __future__ import annotations

import datetime as dt

import pytest

from dsl import Duration, compile_rulebook
from projects.model import Kind, Level
from tests.dsl.helpers import FIRST_RULEBOOK, TinyEnv, milestone, notice, project, unit

D = dt.date


@pytest.fixture(scope="module")
def book():
    return compile_rulebook({"standard/first.rules": FIRST_RULEBOOK})


def rule(book, name):
    return next(r for r in book.rules if r.name == name)


def test_every_item_compiles(book):
    """All five rules and the score of the spec's example compile, in file order."""
    assert [r.name for r in book.rules] == [
        "tender_overdue", "contract_before_tender", "bid_window_too_short",
        "funds_ahead_of_progress", "notice_unanswered",
    ]
    assert [s.name for s in book.scores] == ["efficiency"]
    r = rule(book, "tender_overdue")
    assert (r.title, r.subject, r.file, r.line) == ("招标节点逾期", "milestone", "standard/first.rules", 4)
    assert r.within == Duration(3, "workdays")
    assert [light.level for light in r.lights] == [Level.YELLOW, Level.RED]
    assert r.lights[1].text == "today > m.due + grace"


def test_tender_overdue_lights_yellow_then_red(book):
    """A tender due on Friday 2026-03-06 is yellow after it, red after 10 more workdays."""
    r = rule(book, "tender_overdue")
    m = milestone(due=D(2026, 3, 6), overdue=3)
    assert r.where(TinyEnv(D(2026, 3, 9)), m) is True
    yellow, red = r.lights
    assert yellow.test(TinyEnv(D(2026, 3, 6)), m) is False
    assert yellow.test(TinyEnv(D(2026, 3, 9)), m) is True
    assert red.test(TinyEnv(D(2026, 3, 20)), m) is False  # due + 10 workdays = 2026-03-20
    assert red.test(TinyEnv(D(2026, 3, 23)), m) is True
    assert red.explain(TinyEnv(D(2026, 3, 23)), m) == (
        ("today", D(2026, 3, 23)), ("m.due + grace", D(2026, 3, 20)),
    )
    assert r.notify(TinyEnv(D(2026, 3, 23)), m) == (m.unit,)
    assert r.message(TinyEnv(D(2026, 3, 23)), m) == "「城东快速路」招标节点已逾期 3 个工作日"


def test_missing_due_never_lights(book):
    """A tender with no due date is missing for both lights, so it never lights."""
    r = rule(book, "tender_overdue")
    m = milestone(due=None)
    assert [light.test(TinyEnv(D(2026, 3, 9)), m) for light in r.lights] == [None, None]


def test_where_excludes_other_kinds_and_done(book):
    """Only unfinished tendering milestones pass the `where` of tender_overdue."""
    r = rule(book, "tender_overdue")
    env = TinyEnv(D(2026, 3, 9))
    assert r.where(env, milestone(kind=Kind.CONTRACT)) is False
    assert r.where(env, milestone(done=True)) is False


def test_contract_before_tender_looks_upstream(book):
    """A signed contract whose upstream tender is not done lights red; both units notified."""
    r = rule(book, "contract_before_tender")
    p = project(unit=unit("owner", "建设单位"))
    tender = milestone(project=p, id="tender", done=False)
    contract = milestone(project=p, id="contract", kind=Kind.CONTRACT, done=True,
                         unit=unit("transport", "交通局"))
    env = TinyEnv(D(2026, 3, 9), upstream={"contract": (tender,)})
    assert r.where(env, contract) is True
    assert r.lights[0].test(env, contract) is True
    assert r.notify(env, contract) == (contract.unit, p.unit)
    assert r.lights[0].test(TinyEnv(D(2026, 3, 9)), contract) is False


def test_bid_window(book):
    """A tender open 18 days lights red and its message shows the day count."""
    r = rule(book, "bid_window_too_short")
    m = milestone(done=True, start=D(2026, 3, 1), finished=D(2026, 3, 19))
    env = TinyEnv(D(2026, 4, 1))
    assert r.where(env, m) is True
    assert r.where(env, milestone(done=True)) is False  # start is missing
    assert r.lights[0].test(env, m) is True
    assert r.message(env, m) == "「城东快速路」招标期仅 18 日"
    assert r.notify(env, m) is None
    assert r.within is None


def test_funds_ahead_of_progress(book):
    """Paid 60% of the budget at 45% progress is 15 points ahead: yellow, not red."""
    r = rule(book, "funds_ahead_of_progress")
    p = project(budget=1000.0, paid=600.0, progress=0.45)
    env = TinyEnv(D(2026, 3, 9))
    assert r.where(env, p) is True
    assert [light.test(env, p) for light in r.lights] == [True, False]
    assert r.message(env, p) == "「城东快速路」已拨付 60% ，进度仅 45%"
    assert r.where(env, project(budget=0.0)) is False
    assert r.where(env, project(budget=None)) is None


def test_notice_unanswered_notifies_parent(book):
    """An unanswered notice past its deadline notifies the unit's parent."""
    r = rule(book, "notice_unanswered")
    parent = unit("gov", "市政府")
    n = notice(unit=unit(parent=parent), due=D(2026, 3, 9))
    env = TinyEnv(D(2026, 3, 17))
    assert [light.test(env, n) for light in r.lights] == [True, True]
    assert r.notify(env, n) == (parent,)
    assert r.message(env, n) == "交通局 未在期限内回复督办通知《关于招标逾期的督办通知》"
    assert r.notify(env, notice()) == ()  # no parent: nobody to notify


def test_efficiency_score(book):
    """The score weighs the rates and subtracts red cards; a missing rate makes it missing."""
    score = book.scores[0]
    u = unit(on_time_rate=0.5, response_rate=1.0, completion_rate=0.8, red_cards=2)
    assert score.value(TinyEnv(D(2026, 3, 9)), u) == pytest.approx(30 + 30 + 8 - 4)
    assert score.value(TinyEnv(D(2026, 3, 9)), unit()) is None
