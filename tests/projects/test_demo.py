"""The demo portfolio: valid for any today, deterministic, and holding the mix it promises."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.demo import demo_data, demo_portfolio
from projects.graph import Adjacency
from projects.model import Category, Kind, Portfolio

TODAYS = [dt.date(2026, 6, 15), dt.date(2026, 6, 13), dt.date(2027, 1, 1), dt.date(2025, 2, 28), dt.date(2030, 12, 31)]


def weekdays(a: dt.date, b: dt.date) -> int:
    """Monday-Friday days d with a < d <= b."""
    return sum(1 for k in range(1, (b - a).days + 1) if (a + dt.timedelta(days=k)).weekday() < 5)


@pytest.mark.parametrize("today", TODAYS)
def test_the_demo_loads_for_any_today(today: dt.date) -> None:
    """The demo passes every check on weekdays, weekends and across year ends."""
    p = demo_portfolio(today)
    assert len(p.units) >= 6
    assert 12 <= len(p.projects) <= 20
    assert all(m.finished is None or m.finished <= today for m in p.milestones())


def test_the_demo_is_deterministic() -> None:
    """The same today gives the same portfolio."""
    assert demo_portfolio(dt.date(2026, 6, 15)) == demo_portfolio(dt.date(2026, 6, 15))
    assert demo_data(dt.date(2026, 6, 15)) == demo_data(dt.date(2026, 6, 15))


@pytest.fixture(scope="module")
def demo() -> Portfolio:
    return demo_portfolio(dt.date(2026, 6, 15))


def test_units_form_a_government_tree_with_chinese_names_and_apprise_contacts(demo: Portfolio) -> None:
    """市人民政府 is the root; a district has a sub-department; every unit has a mailto contact
    on the reserved .example domain (RFC 2606: it never reaches a real mail server)."""
    by_id = demo.unit_by_id
    assert by_id["city"].name == "市人民政府" and by_id["city"].parent is None
    assert by_id["haidong-housing"].parent == "haidong"
    assert {"市发展和改革委员会", "市交通运输局", "市住房和城乡建设局", "市水务局", "市教育局"} <= {u.name for u in demo.units}
    assert all(u.contacts and u.contacts[0].startswith("mailto://") and u.contacts[0].endswith("@duban.example")
               for u in demo.units)


def test_projects_and_tasks_both_appear(demo: Portfolio) -> None:
    """There are key projects and key tasks."""
    categories = [p.category for p in demo.projects]
    assert categories.count(Category.PROJECT) >= 10
    assert categories.count(Category.TASK) >= 2


def test_dates_spread_over_the_past_months_and_the_coming_ones(demo: Portfolio) -> None:
    """Dues reach back about six months and forward several."""
    today = dt.date(2026, 6, 15)
    dues = [m.due for m in demo.milestones() if m.due]
    assert min(dues) <= today - dt.timedelta(days=150)
    assert max(dues) >= today + dt.timedelta(days=120)


def test_the_mix_of_on_time_early_and_late(demo: Portfolio) -> None:
    """Some done early, some done late, some open a few working days late and some badly late."""
    today = dt.date(2026, 6, 15)
    ms = demo.milestones()
    assert any(m.finished and m.due and m.finished < m.due for m in ms)
    assert any(m.finished and m.due and m.finished > m.due for m in ms)
    open_late = [weekdays(m.due, today) for m in ms if m.finished is None and m.due and m.due < today]
    assert any(1 <= n <= 5 for n in open_late)
    assert any(n > 20 for n in open_late)
    assert any(m.finished is None and m.due and m.due > today for m in ms)


def test_the_deliberate_irregularities(demo: Portfolio) -> None:
    """A contract signed before its tender finished, money ahead of progress, a stale report,
    a tender window under 20 days."""
    today = dt.date(2026, 6, 15)
    adj = Adjacency.of(demo)
    by_key = {m.key: m for m in demo.milestones()}
    assert any(m.kind is Kind.CONTRACT and m.finished
               and any(by_key[k].kind is Kind.TENDERING and by_key[k].finished is None for k in adj.upstream(m.key))
               for m in by_key.values())
    assert any(p.budget and sum(m.paid or 0 for m in p.milestones) / p.budget >= 0.4
               and any(m.kind is Kind.PROGRESS and (m.progress or 0) < 0.2 for m in p.milestones)
               for p in demo.projects)
    assert any(m.finished is None and m.updated and weekdays(m.updated, today) > 20 for m in by_key.values())
    assert any(m.kind is Kind.TENDERING and m.start and m.finished and (m.finished - m.start).days < 20
               for m in by_key.values())


def test_graphs_fan_out_fan_in_and_cross_projects(demo: Portfolio) -> None:
    """Some milestone has several successors, some several predecessors, some another project's."""
    adj = Adjacency.of(demo)
    assert any(len(adj.successors(k)) >= 3 for k in adj)
    assert any(len(adj.predecessors(k)) >= 3 for k in adj)
    assert any(d.project for m in demo.milestones() for d in m.after)


def test_notices_one_unanswered_past_due_and_one_answered_late(demo: Portfolio) -> None:
    """The notice list shows an open overdue notice and a late answer."""
    today = dt.date(2026, 6, 15)
    assert any(n.responded is None and n.due < today for n in demo.notices)
    assert any(n.responded and n.responded > n.due for n in demo.notices)
    assert any(n.responded and n.responded <= n.due for n in demo.notices)


def test_complaints_answered_in_time_late_not_at_all_and_rated_either_way(demo: Portfolio) -> None:
    """The demo's complaints show every case the complaint rules look for (issue 13)."""
    today = dt.date(2026, 6, 15)
    cs = demo.complaints
    assert len(cs) >= 5 and {c.kind.value for c in cs} == {"complaint", "consultation", "suggestion"}
    assert any(c.responded is None and c.due < today for c in cs)
    assert any(c.responded is None and c.due == today for c in cs)
    assert any(c.responded is not None and c.responded > c.due for c in cs)
    assert {c.rating.value for c in cs if c.rating} >= {"satisfied", "dissatisfied"}


@pytest.mark.filterwarnings("ignore::projects.calendar.CalendarFallbackWarning")  # forecasts reach 2027
def test_the_demo_names_responsible_people_and_the_standard_rulebook_ranks_them(demo: Portfolio) -> None:
    """Each person works in the lead unit of the projects they answer for (the file check
    refuses otherwise), and 责任人履职 ranks those whose milestones have come due: the demo's
    person ranking is not the empty card."""
    from rules.engine import evaluate  # noqa: PLC0415
    from rules.standard import load_standard  # noqa: PLC0415

    people = {x.id: x for x in demo.people}
    assert len(people) >= 5 and all(x.name.endswith("某") for x in people.values())
    named = [p for p in demo.projects if p.person is not None]
    assert len(named) >= 10
    assert all(people[p.person].unit == p.unit for p in named if p.person is not None)
    duty = evaluate(load_standard(), demo, dt.date(2026, 6, 15)).scores["duty"]
    ranked = [row for row in duty if row.rank is not None]
    assert len(ranked) >= 4 and {row.unit for row in duty} <= set(people)
