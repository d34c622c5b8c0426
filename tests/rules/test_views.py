"""Subject views: fields and the four rates exactly as the spec defines them."""

from __future__ import annotations

from projects.calendar import WorkCalendar
from projects.model import Kind, Level, Notice
from projects.schedule import compute_schedule
from rules.engine import evaluate
from rules.views import build_views
from tests.rules.helpers import D, ms, portfolio, rulebook

TODAY = D(2026, 3, 20)  # a Friday


def _views(p):  # type: ignore[no-untyped-def]
    cal = WorkCalendar("weekdays")
    return build_views(p, compute_schedule(p, cal, TODAY), TODAY, cal)


def test_milestone_fields() -> None:
    """done, finished, overdue and late follow the as-of day; unit falls back to the project's."""
    p = portfolio(ms("a", due=D(2026, 3, 2), finished=D(2026, 3, 4)),
                  ms("b", due=D(2026, 3, 16)), ms("c", due=D(2026, 3, 16), finished=D(2026, 3, 27)),
                  ms("d", unit="water", due=D(2026, 4, 1)))
    v = _views(p)
    a, b, c, d = v.milestones
    assert (a.done, a.finished, a.overdue, a.late) == (True, D(2026, 3, 4), 2, True)
    assert (b.done, b.overdue, b.late) == (False, 4, True)
    assert (c.done, c.finished, c.overdue) == (False, None, 4)  # finishes after the as-of day
    assert (d.overdue, d.late, d.unit.id, a.unit.id) == (0, False, "water", "transport")
    assert v.unit_by_id["water"].milestones == (d,)
    assert v.unit_by_id["transport"].parent is v.unit_by_id["city"]


def test_project_fields() -> None:
    """Project paid sums, progress weights by duration, due is the latest due, done needs all."""
    p = portfolio(ms("a", start=D(2026, 3, 2), due=D(2026, 3, 6), finished=D(2026, 3, 6), paid=100.0),
                  ms("b", start=D(2026, 3, 9), due=D(2026, 3, 27), progress=0.5, paid=50.0))
    pv = _views(p).projects[0]
    assert pv.paid == 150.0
    assert pv.progress == (5 * 1.0 + 15 * 0.5) / 20
    assert (pv.due, pv.done) == (D(2026, 3, 27), False)


def test_rates_hand_computed() -> None:
    """Rates count only milestones due by today; early over finished; response over notices due."""
    p = portfolio(
        ms("on_time", due=D(2026, 3, 10), finished=D(2026, 3, 10)),
        ms("early", due=D(2026, 3, 10), finished=D(2026, 3, 5)),
        ms("late_done", due=D(2026, 3, 10), finished=D(2026, 3, 12)),
        ms("open", due=D(2026, 3, 10)),
        ms("future", due=D(2026, 4, 10), finished=D(2026, 3, 1)),
        notices=(Notice("N-1", "t", "transport", D(2026, 3, 1), D(2026, 3, 5), responded=D(2026, 3, 5)),
                 Notice("N-2", "t", "transport", D(2026, 3, 1), D(2026, 3, 5), responded=D(2026, 3, 6)),
                 Notice("N-3", "t", "transport", D(2026, 3, 1), D(2026, 3, 25))))
    ev = evaluate(rulebook("rule r: for unit u light red when false"), p, TODAY)
    r = ev.rates.units["transport"]
    assert (r.on_time_rate, r.completion_rate, r.early_rate, r.response_rate) == (0.5, 0.75, 1 / 3, 0.5)
    assert ev.rates.portfolio == r
    assert ev.rates.projects["P001"].response_rate is None  # the notices name no subject
    water = ev.rates.units["water"]
    assert (water.on_time_rate, water.early_rate, water.response_rate) == (None, None, None)


def test_notice_fields() -> None:
    """A notice responded after the as-of day is not responded yet, and is overdue in workdays."""
    n = Notice("N-1", "督办", "transport", D(2026, 3, 2), D(2026, 3, 13), responded=D(2026, 3, 25),
               subject="milestone:P001/a")
    v = _views(portfolio(ms("a", kind=Kind.TENDERING), notices=(n,)))
    nv = v.notices[0]
    assert (nv.responded, nv.response_date, nv.overdue, nv.project) == (False, None, 5, "P001")
    assert v.unit_by_id["transport"].notices == (nv,)


def test_blue_reminders_are_not_cards() -> None:
    """A unit's blue reminders (提醒函) count neither as yellow nor as red cards."""
    notices = tuple(
        Notice(f"N-{i}", "督办", "transport", D(2026, 3, 2), D(2026, 3, 13), level=level,
               subject="milestone:P001/a")
        for i, level in enumerate((Level.BLUE, Level.BLUE, Level.YELLOW, Level.RED, Level.RED)))
    u = _views(portfolio(ms("a", kind=Kind.TENDERING), notices=notices)).unit_by_id["transport"]
    assert (u.red_cards, u.yellow_cards, len(u.notices)) == (2, 1, 5)


def test_progress_weights_are_each_duration_at_least_one_whatever_its_type() -> None:
    """A project's progress weighs each milestone by ``max(int(duration), 1)``: the whole
    number taken as it is past 1 (``build_views``' short cut) and every other duration (0, 1,
    a fraction, a bool, from a schedule without columns) as that expression says, over random
    projects."""
    import random  # noqa: PLC0415

    rng = random.Random(16)
    durations = [0, 1, 2, 7, 30, 1.5, 0.4, 2.9, True, False, -3]
    cal = WorkCalendar("weekdays")
    for _ in range(60):
        drawn = {f"m{k}": rng.choice(durations) for k in range(rng.randint(1, 6))}
        progress = {mid: rng.choice([None, 0.0, 0.25, 0.5, 1.0]) for mid in drawn}
        p = portfolio(*(ms(mid, due=D(2026, 4, 1), progress=progress[mid]) for mid in drawn))

        pv = build_views(p, _Durations(drawn), TODAY, cal).projects[0]  # type: ignore[arg-type]
        weights = [max(int(drawn[mid]), 1) for mid in drawn]
        shares = [progress[mid] or 0.0 for mid in drawn]
        assert pv._weights == tuple(weights)
        assert all(type(w) is int for w in pv._weights)
        assert pv.progress == sum(w * s for w, s in zip(weights, shares, strict=True)) / sum(weights)


class _Durations:
    """A schedule giving a value per milestone (no ``columns``): the durations drawn."""

    def __init__(self, durations: dict[str, object]) -> None:
        self.durations = durations

    def milestone(self, key: tuple[str, str]) -> object:
        from projects.schedule import MilestoneSchedule  # noqa: PLC0415

        return MilestoneSchedule(None, self.durations[key[1]], None, None, None, False)  # type: ignore[arg-type]

    def project(self, pid: str) -> None:
        return None
