"""As-of replay: what was known on an earlier day."""

from __future__ import annotations

import datetime as dt

from projects.model import Category, Kind, Milestone, Notice, Portfolio, Project
from projects.replay import as_of

D = dt.date


def portfolio() -> Portfolio:
    ms = (
        Milestone("P1", "a", "a", Kind.APPROVAL, due=D(2026, 2, 1), finished=D(2026, 2, 1), updated=D(2026, 2, 1)),
        Milestone("P1", "b", "b", Kind.TENDERING, due=D(2026, 4, 1), finished=D(2026, 4, 10), progress=1.0,
                  updated=D(2026, 4, 10)),
        Milestone("P1", "c", "c", Kind.PROGRESS, due=D(2026, 9, 1), progress=0.3, updated=D(2026, 5, 20)),
    )
    other = Project("P2", "二", Category.TASK, "u", milestones=(Milestone("P2", "x", "x", Kind.FUNDS),))
    notices = (
        Notice("N1", "一", "u", D(2026, 3, 1), D(2026, 3, 6), responded=D(2026, 3, 5)),
        Notice("N2", "二", "u", D(2026, 4, 2), D(2026, 4, 9), responded=D(2026, 4, 12)),
        Notice("N3", "三", "u", D(2026, 5, 1), D(2026, 5, 8)),
    )
    return Portfolio(projects=(Project("P1", "一", Category.PROJECT, "u", milestones=ms), other), notices=notices)


def test_a_milestone_finished_later_is_not_finished_yet() -> None:
    """On 2026-04-05, b (finished 04-10) is open and its report of 04-10 not yet made."""
    p = as_of(portfolio(), D(2026, 4, 5))
    a, b, c = p.projects[0].milestones
    assert a.finished == D(2026, 2, 1)
    assert (b.finished, b.updated) == (None, None)
    assert c.updated is None


def test_notices_issued_later_do_not_exist_and_late_responses_have_not_come() -> None:
    """On 2026-04-05: N1 answered, N2 issued but unanswered, N3 not yet issued."""
    p = as_of(portfolio(), D(2026, 4, 5))
    assert [n.id for n in p.notices] == ["N1", "N2"]
    assert p.notices[0].responded == D(2026, 3, 5)
    assert p.notices[1].responded is None


def test_the_file_cannot_unreport_progress() -> None:
    """Progress stays as last reported: the file keeps no history (the server's does)."""
    p = as_of(portfolio(), D(2026, 4, 5))
    assert p.projects[0].milestones[1].progress == 1.0


def test_nothing_to_undo_returns_the_same_objects() -> None:
    """Replaying today returns the very same portfolio; untouched projects stay the same object."""
    original = portfolio()
    assert as_of(original, D(2026, 6, 1)) is original
    earlier = as_of(original, D(2026, 4, 5))
    assert earlier.projects[1] is original.projects[1]
    assert earlier.projects[0].milestones[0] is original.projects[0].milestones[0]
    assert earlier.notices[0] is original.notices[0]


def test_the_day_itself_counts_as_known() -> None:
    """A milestone finished on the replay day is finished on it."""
    p = as_of(portfolio(), D(2026, 4, 10))
    assert p.projects[0].milestones[1].finished == D(2026, 4, 10)
