"""The counts behind the rates, kept by ``Tally``: one way of counting for every subject."""

from __future__ import annotations

import datetime as dt

from rules.views import Rates, Tally

D = dt.date


def test_a_tally_counts_late_on_time_early_and_open_milestones() -> None:
    """Four due milestones: open, late, on the day, early; the rates follow from the counts."""
    t = Tally()
    t.milestone(D(2026, 5, 1), None)
    t.milestone(D(2026, 5, 1), D(2026, 5, 4))
    t.milestone(D(2026, 5, 1), D(2026, 5, 1))
    t.milestone(D(2026, 5, 1), D(2026, 4, 20))
    assert (t.due, t.finished, t.on_time, t.early) == (4, 3, 2, 1)
    assert t.rates() == Rates(on_time_rate=0.5, completion_rate=0.75, early_rate=1 / 3,
                              response_rate=None)


def test_a_portfolio_tally_adds_milestone_counts_but_keeps_its_own_notices() -> None:
    """``add_milestones`` adds the four milestone counts and leaves the notice counts alone."""
    project, total = Tally(), Tally()
    project.milestone(D(2026, 5, 1), D(2026, 4, 30))
    project.notices_due, project.answered = 3, 3
    total.add_milestones(project)
    total.add_milestones(project)
    assert (total.due, total.finished, total.on_time, total.early) == (2, 2, 2, 2)
    assert (total.notices_due, total.answered) == (0, 0)
    assert Tally().rates() == Rates()
