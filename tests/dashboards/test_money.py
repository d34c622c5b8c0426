"""Tests of the funds S-curves and the notice figures."""

from __future__ import annotations

import datetime as dt

from dashboards import money
from dashboards.money import age_bucket, funds_points, notice_counts
from projects.model import Category, Kind, Level, Milestone, Notice, Project
from tests.dashboards.plain import checked

# the builders return plain figures; each result is validated by plotly and read through it
funds_curve = checked(money.funds_curve)
notices_figure = checked(money.notices_figure)

AS_OF = dt.date(2026, 5, 6)

PROJECTS = (
    Project("P1", "a", Category.PROJECT, "t", milestones=(
        Milestone("P1", "m1", "一", Kind.FUNDS, due=dt.date(2026, 3, 1), amount=100.0, paid=80.0,
                  updated=dt.date(2026, 3, 5)),
        Milestone("P1", "m2", "二", Kind.FUNDS, due=dt.date(2026, 6, 1), amount=200.0, paid=20.0,
                  finished=dt.date(2026, 4, 1)),
    )),
    Project("P2", "b", Category.PROJECT, "w", milestones=(
        Milestone("P2", "m1", "一", Kind.FUNDS, due=dt.date(2026, 3, 1), amount=50.0, paid=5.0),
        Milestone("P2", "m2", "二", Kind.PROGRESS, due=dt.date(2026, 9, 1)),
    )),
)


def test_planned_money_accumulates_on_due_dates_and_paid_money_on_report_dates():
    """Planned sums by due date; paid counts on its report day, else its finish, else as-of."""
    pdays, planned, sdays, paid = funds_points(PROJECTS, AS_OF)
    assert pdays == ["2026-03-01", "2026-06-01"]
    assert planned == [150.0, 350.0]
    assert sdays == ["2026-03-05", "2026-04-01", "2026-05-06"]
    assert paid == [80.0, 100.0, 105.0]


def test_funds_curve_has_planned_and_paid_step_lines_and_today():
    """The S-curve figure has a planned and a paid step line, and a line at as-of."""
    fig = funds_curve(PROJECTS[:1], AS_OF, lang="en")
    assert [t.meta for t in fig.data] == ["planned", "paid"]
    assert list(fig.data[0].y) == [100.0, 300.0]
    assert list(fig.data[1].y) == [80.0, 100.0]
    assert fig.data[0].line.shape == "hv"
    assert fig.layout.shapes[0].x0 == "2026-05-06"
    assert fig.layout.title.text == "Funds: planned vs paid"


def n(code: str, unit: str, issued: dt.date, due: dt.date, responded: dt.date | None = None) -> Notice:
    return Notice(code, "逾期", unit, issued, due, "overdue", Level.RED, responded)


class Stored:
    """A notice as the notifier stores it (with a state), written out literally."""

    def __init__(self, unit: str, issued: dt.date, due: dt.date, state: str) -> None:
        self.unit, self.issued, self.due, self.state, self.responded = unit, issued, due, state, None


NOTICES = (
    n("N-1", "t", dt.date(2026, 5, 1), dt.date(2026, 5, 10)),                    # issued, age 5
    n("N-2", "t", dt.date(2026, 4, 1), dt.date(2026, 4, 10)),                    # overdue, age 35
    n("N-3", "t", dt.date(2026, 4, 1), dt.date(2026, 4, 10), dt.date(2026, 4, 9)),  # answered
    n("N-4", "w", dt.date(2026, 1, 1), dt.date(2026, 1, 10)),                    # overdue, age 125
    Stored("w", dt.date(2026, 4, 20), dt.date(2026, 4, 30), "escalated"),         # escalated, 16
)


def test_notices_are_counted_by_state_per_unit_and_open_ones_by_age():
    """Each notice is issued, answered, overdue or escalated; the unanswered ones fall in age buckets."""
    by_unit, by_age = notice_counts(NOTICES, AS_OF)
    assert by_unit["t"] == {"issued": 1, "answered": 1, "overdue": 1, "escalated": 0}
    assert by_unit["w"] == {"issued": 0, "answered": 0, "overdue": 1, "escalated": 1}
    assert by_age["0-7"]["issued"] == 1
    assert by_age["31-90"]["overdue"] == 1
    assert by_age[">90"]["overdue"] == 1
    assert by_age["8-30"]["escalated"] == 1
    assert sum(sum(v.values()) for v in by_age.values()) == 4


def test_age_buckets_have_inclusive_edges():
    """Ages 7, 8, 30, 31, 90 and 91 days fall on the right side of each edge."""
    assert [age_bucket(d) for d in (0, 7, 8, 30, 31, 90, 91)] == [
        "0-7", "0-7", "8-30", "8-30", "31-90", "31-90", ">90"]


def test_notices_figure_has_unit_and_age_panels_units_with_most_overdue_first():
    """The notice figure stacks states per unit (worst unit first) and open notices per age."""
    fig = notices_figure(NOTICES, AS_OF, unit_names={"t": "交通局", "w": "水务局"})
    overdue = next(t for t in fig.data if t.meta == "overdue")
    assert list(overdue.x) == ["水务局", "交通局"]
    assert list(overdue.y) == [1, 1]
    ages = next(t for t in fig.data if t.meta == "age:overdue")
    assert list(ages.x) == ["7天内", "8-30天", "31-90天", "90天以上"]
    assert list(ages.y) == [0, 0, 1, 1]
    assert not any(t.meta == "age:answered" for t in fig.data)
    colours = {t.meta: t.marker.color for t in fig.data if ":" not in t.meta}
    assert len(set(colours.values())) == 4  # four states, four colours
    assert overdue.customdata[0][0] == "/projects?unit=w"


def test_no_notices_say_so():
    """Without any notice the figure is a message, not two empty panels."""
    fig = notices_figure((), AS_OF)
    assert fig.layout.meta == {"no_data": True}
    assert fig.layout.annotations[0].text == "暂无督办通知"


def test_funds_in_wan_yuan_with_chinese_dates():
    """Money above 1 万 is drawn in 万元 (axis title), hover reads 3,000 万元, dates read 2026年9月."""
    big = (Project("P9", "大项目", Category.PROJECT, "t", milestones=(
        Milestone("P9", "m1", "一", Kind.FUNDS, due=dt.date(2026, 3, 1), amount=30_000_000.0,
                  paid=12_345_000.0, updated=dt.date(2026, 3, 5)),
        Milestone("P9", "m2", "二", Kind.FUNDS, due=dt.date(2026, 6, 1), amount=60_000_000.0),
    )),)
    fig = funds_curve(big, AS_OF)
    assert fig.layout.yaxis.title.text == "万元"
    assert list(fig.data[0].y) == [3000.0, 9000.0]
    assert list(fig.data[0].customdata) == ["3,000 万元", "9,000 万元"]
    assert list(fig.data[1].customdata) == ["1,234.5 万元"]
    assert "%Y年%-m月" in {s.value for s in fig.layout.xaxis.tickformatstops}
    assert "M" not in fig.layout.yaxis.tickformat


def test_funds_with_one_day_of_money_say_there_is_too_little_to_draw():
    """One payment (or none) is no curve: the figure says so and names what is known."""
    one = (Project("P8", "小项目", Category.PROJECT, "t", milestones=(
        Milestone("P8", "m1", "一", Kind.FUNDS, due=dt.date(2026, 3, 1), amount=30_000_000.0),)),)
    fig = funds_curve(one, AS_OF)
    assert fig.layout.meta == {"no_data": True}
    assert "资金数据不足" in fig.layout.annotations[0].text
    assert "计划投资 3,000 万元（2026-03-01）" in fig.layout.annotations[0].text
    none = funds_curve((Project("P7", "无", Category.PROJECT, "t"),), AS_OF)
    assert none.layout.meta == {"no_data": True}
