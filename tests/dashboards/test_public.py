"""The public page's rows (dashboards.public), pure: complaint reply and satisfaction rates by unit
at their edges, and the projects with their light and progress and nothing else."""

from __future__ import annotations

import datetime as dt

from dashboards.public import PublicProject, complaint_rates, public_projects
from projects.calendar import WorkCalendar
from projects.model import (
    Category,
    Complaint,
    Kind,
    Level,
    Milestone,
    Portfolio,
    Project,
    Rating,
    Unit,
)
from projects.schedule import compute_schedule
from rules.findings import Evaluation, EvaluationRates, Finding
from rules.views import Rates

DAY = dt.date(2026, 5, 20)
UNITS = {"transport": "市交通运输局", "water": "市水务局"}


def _c(cid: str, unit: str = "water", *, received: str = "2026-05-06", due: str = "2026-05-13",
       responded: str | None = None, rating: Rating | None = None, rated: str | None = None) -> Complaint:
    day = dt.date.fromisoformat
    return Complaint(cid, "标题", unit, day(received), day(due), responded=day(responded) if responded else None,
                     rating=rating, rated=day(rated) if rated else None)


def test_nothing_counted_is_no_rate_and_no_row() -> None:
    """No complaint: no row; one not yet due and unrated: counted as received, both rates missing."""
    assert complaint_rates([], UNITS, DAY) == []
    [row] = complaint_rates([_c("a", due="2026-05-29")], UNITS, DAY)
    assert (row.unit, row.name, row.tally.received, row.tally.due) == ("water", "市水务局", 1, 0)
    assert row.tally.response_rate is None and row.tally.satisfaction_rate is None


def test_answered_late_counts_against_the_reply_rate() -> None:
    """Answered on its due day counts, a day later does not, unanswered past due does not."""
    rows = complaint_rates([_c("a", responded="2026-05-13"), _c("b", responded="2026-05-14"), _c("c")], UNITS, DAY)
    t = rows[0].tally
    assert t.due == 3 and t.answered_in_time == 1 and t.response_rate == 1 / 3


def test_an_answer_or_rating_after_the_day_is_not_known_yet() -> None:
    """As of 05-12 an answer of 05-13 is not given and a rating of 05-21 not made: the first
    complaint not yet due, the second rated nothing; received after the day: not there at all."""
    early = dt.date(2026, 5, 12)
    complaints = [_c("a", responded="2026-05-13", rating=Rating.SATISFIED, rated="2026-05-21"),
                  _c("b", due="2026-05-11", responded="2026-05-11", rating=Rating.DISSATISFIED, rated="2026-05-21"),
                  _c("late", received="2026-05-13", due="2026-05-14")]
    [row] = complaint_rates(complaints, UNITS, early)
    t = row.tally
    assert (t.received, t.due, t.answered_in_time, t.rated) == (2, 1, 1, 0)
    assert t.satisfaction_rate is None
    [later] = complaint_rates(complaints, UNITS, dt.date(2026, 5, 21))
    t = later.tally
    assert (t.received, t.rated, t.satisfied) == (3, 2, 1) and t.satisfaction_rate == 0.5


def test_basically_satisfied_is_satisfied_and_units_keep_their_order() -> None:
    """基本满意 counts as satisfied; rows follow the units' order, one per unit with complaints."""
    rows = complaint_rates([_c("w", rating=Rating.BASICALLY_SATISFIED, responded="2026-05-07", rated="2026-05-08"),
                            _c("t", "transport", rating=Rating.DISSATISFIED, responded="2026-05-07",
                               rated="2026-05-08")], UNITS, DAY)
    assert [(r.unit, r.tally.satisfaction_rate) for r in rows] == [("transport", 0.0), ("water", 1.0)]


def test_projects_carry_their_light_and_weighted_progress_and_no_message() -> None:
    """Worst light first (blue is a reminder: green); progress duration-weighted; a row holds
    only ids, names, category, light and progress."""
    portfolio = Portfolio(units=(Unit("water", "市水务局"), Unit("transport", "市交通运输局")), projects=(
        Project("P1", "城北水厂扩建", Category.PROJECT, "water", None, (
            Milestone("P1", "a", "立项", Kind.APPROVAL, start=dt.date(2026, 5, 4), due=dt.date(2026, 5, 8),
                      finished=dt.date(2026, 5, 8)),
            Milestone("P1", "b", "施工", Kind.PROGRESS, start=dt.date(2026, 5, 11), due=dt.date(2026, 6, 5),
                      progress=0.5))),
        Project("P2", "公交站台改造", Category.TASK, "transport", None, (
            Milestone("P2", "a", "方案", Kind.APPROVAL, due=dt.date(2026, 6, 1)),))))
    calendar = WorkCalendar()
    finding = Finding("late", "逾期", "milestone:P2/a", Level.RED, "王某负责的节点逾期", (), None, (), "P2", "transport")
    reminder = Finding("due_soon", "提醒", "milestone:P1/b", Level.BLUE, "临近期限", (), None, (), "P1", "water")
    evaluation = Evaluation(DAY, (reminder, finding), EvaluationRates(Rates(), {}, {}), {})
    rows = public_projects(portfolio, evaluation, compute_schedule(portfolio, calendar, DAY), DAY, calendar)
    assert [(r.id, r.light, r.unit) for r in rows] == [("P2", Level.RED, "市交通运输局"), ("P1", Level.GREEN, "市水务局")]
    water = rows[1]
    assert water.progress is not None and 0.5 < water.progress < 1
    assert rows[0].progress == 0.0  # nothing reported: 0%, as p.progress reads it
    assert set(PublicProject.__dataclass_fields__) == {"id", "name", "unit", "category", "light", "progress"}
