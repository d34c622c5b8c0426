"""The schedule: durations, forecasts, slips downstream, float and the critical path.

Hand-checked graphs use the Monday-Friday calendar in March 2026 (Mondays: 2, 9, 16, 23, 30).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.calendar import CalendarFallbackWarning, WorkCalendar, calendar_for
from projects.errors import ProjectsError
from projects.loader import parse_portfolio
from projects.model import Category, Dependency, Kind, Milestone, Portfolio, Project
from projects.schedule import compute_schedule, cpm

D = dt.date
WEEKDAYS = WorkCalendar("weekdays")
CN = WorkCalendar("cn")


def ms(mid: str, *, after: tuple[str, ...] | tuple[Dependency, ...] = (), project: str = "P",
       **fields: object) -> Milestone:
    deps = tuple(a if isinstance(a, Dependency) else Dependency(a) for a in after)
    return Milestone(project, mid, mid, Kind.PROGRESS, after=deps, **fields)  # type: ignore[arg-type]


def portfolio(*milestones: Milestone) -> Portfolio:
    pids = list(dict.fromkeys(m.project for m in milestones))
    return Portfolio(projects=tuple(
        Project(pid, pid, Category.PROJECT, "u",
                milestones=tuple(m for m in milestones if m.project == pid)) for pid in pids))


def test_a_slip_propagates_two_levels_down() -> None:
    """A late tender pushes its contract and the completion before their own dues pass."""
    pf = portfolio(
        ms("approval", due=D(2026, 2, 27), finished=D(2026, 2, 26)),
        ms("tender", after=("approval",), start=D(2026, 3, 2), due=D(2026, 3, 13),
           progress=0.5),
        ms("contract", after=("tender",), due=D(2026, 3, 20)),
        ms("completion", after=("contract",), due=D(2026, 3, 27)),
    )
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 16))
    tender, contract, completion = (s.milestone(("P", k)) for k in
                                    ("tender", "contract", "completion"))
    assert tender.duration == 10
    assert tender.forecast == D(2026, 3, 23)  # today + 10 x 50% = 5 workdays
    assert contract.start == D(2026, 3, 16)
    assert contract.duration == 5
    assert contract.forecast == D(2026, 3, 30)
    assert completion.forecast == D(2026, 4, 6)
    assert (tender.float, contract.float, completion.float) == (-6, -6, -6)
    assert completion.latest == D(2026, 3, 27)
    assert tender.critical and contract.critical and completion.critical
    assert s.project("P").forecast == D(2026, 4, 6)
    assert s.project("P").due == D(2026, 3, 27)


def test_the_file_order_and_kahns_order_give_the_same_schedule() -> None:
    """Links that all point back in the file (the passes then run in file order) and the same
    milestones listed so that one points forward (Kahn's order): the same figures for every
    milestone, and the critical path in Kahn's order either way (sources first: a, c, then b),
    not in the file's."""
    a, b, c = (ms("a", due=D(2026, 3, 6)), ms("b", after=("a",), due=D(2026, 3, 20)),
               ms("c", due=D(2026, 3, 20)))
    day = D(2026, 3, 2)
    back, forth = (compute_schedule(portfolio(*order), WEEKDAYS, day) for order in ((a, b, c), (b, a, c)))
    for k in "abc":
        assert back.milestone(("P", k)) == forth.milestone(("P", k)), k
    assert all(back.milestone(("P", k)).critical for k in "abc")
    assert back.project("P").critical_path == ("a", "c", "b")
    assert forth.project("P").critical_path == ("a", "c", "b")
    assert back.project_forecast("P") == back.project("P").forecast == D(2026, 3, 20)
    assert back.project_forecast("Q") is None


def test_a_branch_with_float() -> None:
    """The short branch has float; the long branch is the critical path."""
    pf = portfolio(
        ms("a", due=D(2026, 3, 6)),
        ms("b", after=("a",), due=D(2026, 3, 20)),
        ms("c", after=("a",), due=D(2026, 3, 11)),
        ms("d", after=("b", "c"), due=D(2026, 3, 27)),
    )
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    assert [s.milestone(("P", k)).duration for k in "abcd"] == [0, 10, 3, 5]
    assert [s.milestone(("P", k)).float for k in "abcd"] == [0, 0, 7, 0]
    assert s.milestone(("P", "c")).latest == D(2026, 3, 20)
    assert not s.milestone(("P", "c")).critical
    assert s.project("P").critical_path == ("a", "b", "d")


def test_progress_leaves_the_rest_to_do_rounded_up() -> None:
    """A started milestone finishes ``ceil(duration x (1 - progress))`` workdays after today."""
    pf = portfolio(ms("build", start=D(2026, 3, 2), due=D(2026, 3, 13), progress=0.3))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 9))
    assert s.milestone(("P", "build")).forecast == D(2026, 3, 18)  # 7 left, not 8
    pf = portfolio(ms("build", start=D(2026, 3, 2), due=D(2026, 3, 13), progress=0.25))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 9))
    assert s.milestone(("P", "build")).forecast == D(2026, 3, 19)  # 7.5 -> 8 left


def test_a_started_milestone_on_plan_keeps_its_due() -> None:
    """Enough progress, or none reported before the due, leaves the forecast on the due."""
    pf = portfolio(ms("x", start=D(2026, 3, 2), due=D(2026, 3, 13), progress=0.8),
                   ms("y", start=D(2026, 3, 2), due=D(2026, 3, 13)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 9))
    assert s.milestone(("P", "x")).forecast == D(2026, 3, 13)
    assert s.milestone(("P", "y")).forecast == D(2026, 3, 13)
    late = compute_schedule(pf, WEEKDAYS, D(2026, 3, 18))
    assert late.milestone(("P", "y")).forecast == D(2026, 3, 18)  # not done: not in the past


def test_a_done_milestone_forecasts_its_finish() -> None:
    """Done means finished on or before today; successors start from the real finish."""
    pf = portfolio(ms("a", start=D(2026, 3, 2), due=D(2026, 3, 13), finished=D(2026, 3, 18)),
                   ms("b", after=("a",), due=D(2026, 3, 20)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 19))
    assert s.milestone(("P", "a")).forecast == D(2026, 3, 18)
    assert s.milestone(("P", "b")).forecast == D(2026, 3, 25)  # 3/18 + 5 workdays
    before = compute_schedule(pf, WEEKDAYS, D(2026, 3, 17))  # finished is later than today
    assert before.milestone(("P", "a")).forecast == D(2026, 3, 17)


def test_missing_dates_give_missing_forecasts() -> None:
    """No due and no predecessors: no forecast, no float, not critical; successors still run."""
    pf = portfolio(ms("loose"), ms("lead", due=D(2026, 3, 6)),
                   ms("follow", after=("lead",)), ms("odd", after=("loose",)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    loose = s.milestone(("P", "loose"))
    assert (loose.forecast, loose.float, loose.critical, loose.duration) == (None, None, False, 0)
    assert s.milestone(("P", "follow")).forecast == D(2026, 3, 6)
    assert s.milestone(("P", "follow")).start == D(2026, 3, 9)
    assert s.milestone(("P", "odd")).forecast is None
    nodue = compute_schedule(portfolio(ms("a"), ms("b", after=("a",))), WEEKDAYS, D(2026, 3, 2))
    assert nodue.project("P").due is None
    assert nodue.milestone(("P", "b")).float is None


def test_a_project_without_dues_uses_its_latest_forecast() -> None:
    """When no milestone has a due, the latest forecast is what float is measured against."""
    pf = portfolio(ms("a", start=D(2026, 3, 2)), ms("b", start=D(2026, 3, 2)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 4))
    assert s.milestone(("P", "a")).forecast == D(2026, 3, 4)
    assert s.milestone(("P", "a")).float == 0
    assert s.project("P").due is None


def test_lags_count_workdays() -> None:
    """A lag delays the default start and the forecast by that many working days."""
    pf = portfolio(ms("a", due=D(2026, 3, 6)),
                   ms("b", after=(Dependency("a", lag=2),), due=D(2026, 3, 20)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    b = s.milestone(("P", "b"))
    assert (b.start, b.duration, b.forecast, b.float) == (D(2026, 3, 11), 8, D(2026, 3, 20), 0)
    late = compute_schedule(pf, WEEKDAYS, D(2026, 3, 10))  # a is 2 workdays late
    assert late.milestone(("P", "b")).forecast == D(2026, 3, 24)
    assert late.milestone(("P", "a")).float == -2


def test_a_cross_project_dependency_is_honoured() -> None:
    """A late milestone in one project delays its successor in another, and both show it."""
    pf = portfolio(
        ms("x", project="P1", due=D(2026, 3, 13)),
        ms("y", project="P2", after=(Dependency("x", project="P1"),), due=D(2026, 3, 20)),
    )
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 18))
    assert s.milestone(("P2", "y")).forecast == D(2026, 3, 25)
    assert s.milestone(("P2", "y")).float == -3
    assert s.milestone(("P1", "x")).float == -3
    assert s.project("P2").critical_path == ("y",)


def test_a_cross_project_order_that_is_not_file_order() -> None:
    """A successor listed before its predecessor's project is still scheduled after it."""
    pf = portfolio(
        ms("y", project="P2", after=(Dependency("x", project="P1"),), due=D(2026, 3, 20)),
        ms("x", project="P1", due=D(2026, 3, 13)),
    )
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 18))
    assert s.milestone(("P2", "y")).forecast == D(2026, 3, 25)


def test_a_project_ahead_shows_its_least_float_chain() -> None:
    """When every float is positive, the chain with the least float is critical."""
    pf = portfolio(
        ms("a", due=D(2026, 3, 6), finished=D(2026, 3, 3)),
        ms("b", after=("a",), due=D(2026, 3, 13), finished=D(2026, 3, 10)),
        ms("c", after=("a",), start=D(2026, 3, 9), due=D(2026, 3, 11), finished=D(2026, 3, 5)),
    )
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 12))
    assert [s.milestone(("P", k)).float for k in "abc"] == [3, 3, 6]
    assert s.project("P").critical_path == ("a", "b")


def test_a_statutory_holiday_stretches_the_forecast() -> None:
    """On the cn calendar a chain across National Day 2025 skips October 1-8."""
    pf = portfolio(ms("a", due=D(2025, 9, 30)),
                   ms("b", after=("a",), due=D(2025, 10, 10)))
    s = compute_schedule(pf, CN, D(2025, 9, 1))
    assert s.milestone(("P", "b")).start == D(2025, 10, 9)
    assert s.milestone(("P", "b")).duration == 2
    late = compute_schedule(pf, CN, D(2025, 10, 9))  # a is still open on 10-09
    assert late.milestone(("P", "b")).forecast == D(2025, 10, 11)  # the makeup Saturday


def test_a_due_on_a_rest_day_is_never_moved_earlier() -> None:
    """A point event due on a Saturday is forecast on that Saturday, not the Friday before."""
    pf = portfolio(ms("sat", due=D(2026, 3, 7)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    assert s.milestone(("P", "sat")).forecast == D(2026, 3, 7)
    assert s.milestone(("P", "sat")).float == 0


def test_start_after_due_is_a_zero_duration() -> None:
    """Bad data (start after due) gives duration 0, not a crash."""
    pf = portfolio(ms("x", start=D(2026, 3, 20), due=D(2026, 3, 2)))
    assert compute_schedule(pf, WEEKDAYS, D(2026, 3, 1)).milestone(("P", "x")).duration == 0


def test_unknown_references_are_ignored_and_unknown_keys_raise() -> None:
    """A dependency on a missing milestone is left to the loader; lookups of one raise."""
    s = compute_schedule(portfolio(ms("a", after=("ghost",), due=D(2026, 3, 6))), WEEKDAYS,
                         D(2026, 3, 2))
    assert s.milestone(("P", "a")).forecast == D(2026, 3, 6)
    with pytest.raises(KeyError, match='did you mean "P/a"'):
        s.milestone(("P", "b"))
    with pytest.raises(KeyError):
        s.project("Q")


def test_a_cycle_is_refused_with_its_path() -> None:
    """A cycle in hand-built data raises a ``ProjectsError`` naming the cycle."""
    pf = portfolio(ms("a", after=("b",), due=D(2026, 3, 6)), ms("b", after=("a",)))
    with pytest.raises(ProjectsError, match=r"dependency cycle: P/(a|b) -> P/(a|b) -> P/\1"):
        compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))


def test_cpm_textbook_example() -> None:
    """The classic four-activity network: length 8, critical a-c-d, b has 2 days of float."""
    r = cpm({"a": 3, "b": 2, "c": 4, "d": 1},
            [("a", "b", 0), ("a", "c", 0), ("b", "d", 0), ("c", "d", 0)])
    assert r.length == 8
    assert r.critical == frozenset({"a", "c", "d"})
    assert r.early_start == {"a": 0, "b": 3, "c": 3, "d": 7}
    assert r.late_start["b"] == 5
    assert r.total_float == {"a": 0, "b": 2, "c": 0, "d": 0}


def test_cpm_lag_and_errors() -> None:
    """A lag lengthens the path; unknown activities and cycles are refused."""
    assert cpm({"a": 2, "b": 3}, [("a", "b", 4)]).length == 9
    with pytest.raises(KeyError, match='no activity "c"'):
        cpm({"a": 2, "b": 3}, [("a", "c", 0)])
    with pytest.raises(ProjectsError, match="cycle"):
        cpm({"a": 2, "b": 3}, [("a", "b", 0), ("b", "a", 0)])


@st.composite
def random_portfolio(draw: st.DrawFn) -> Portfolio:
    n = draw(st.integers(1, 12))
    base = D(2026, 1, 5)
    out = []
    for i in range(n):
        preds = draw(st.sets(st.integers(0, i - 1), max_size=3)) if i else set()
        day = st.integers(0, 200).map(lambda k: base + dt.timedelta(days=k))
        due = draw(st.none() | day)
        start = draw(st.none() | day)
        finished = draw(st.none() | day)
        progress = draw(st.none() | st.floats(0, 1))
        lags = [draw(st.integers(0, 5)) for _ in preds]
        out.append(ms(f"m{i}", after=tuple(Dependency(f"m{p}", lag) for p, lag
                                           in zip(sorted(preds), lags, strict=True)),
                      due=due, start=start, finished=finished, progress=progress))
    return portfolio(*out)


@settings(max_examples=200, deadline=None)
@given(pf=random_portfolio(), offset=st.integers(0, 260), cn=st.booleans())
def test_random_graphs_keep_the_invariants(pf: Portfolio, offset: int, cn: bool) -> None:
    """Durations are never negative, open forecasts never before due, float iff forecast."""
    today = D(2026, 1, 5) + dt.timedelta(days=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarFallbackWarning)  # forecasts reach into 2027
        s = compute_schedule(pf, CN if cn else WEEKDAYS, today)
    for m in pf.milestones():
        r = s.milestone(m.key)
        assert r.duration >= 0
        done = m.finished is not None and m.finished <= today
        if done:
            assert r.forecast == m.finished
        elif r.forecast is not None:
            if m.due is not None:
                assert r.forecast >= m.due
            if r.start is not None and r.start <= today:
                assert r.forecast >= today
        assert (r.float is None) == (r.forecast is None)
        if r.critical:
            assert r.float is not None


def _bench_module(name: str) -> object:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_portfolio_agrees_with_the_networkx_baseline() -> None:
    """The benchmark's generated portfolio loads, and the schedule matches the networkx way."""
    import sys  # noqa: PLC0415

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        generate = _bench_module("generate")
        bench = _bench_module("bench_schedule")
    finally:
        sys.path.pop(0)
    today = D(2026, 11, 23)
    data = generate.generate(60, 20, seed=3, today=today)  # type: ignore[attr-defined]
    pf = parse_portfolio(data, today=today, source="generated")
    cal = calendar_for(pf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalendarFallbackWarning)
        s = compute_schedule(pf, cal, today)
        base = bench.networkx_schedule(pf, cal, today)  # type: ignore[attr-defined]
    assert len(s) == len(pf.milestones()) == 1200
    assert {k: (s.milestone(k).forecast, s.milestone(k).float) for k in s} == base
    assert any(s.milestone(k).float is not None and s.milestone(k).float < 0 for k in s)
    assert all(s.project(p.id).critical_path for p in pf.projects)


def test_start_to_start_links() -> None:
    """b (10 days) may start 2 workdays after a starts: a starting Wed 4 March, b starts
    Fri 6 and finishes Thu 19, two days after the project's due (Tue 17); a's latest finish
    follows from b's latest start (Mon 2) back through the link: Fri 6, so a is 2 behind."""
    pf = portfolio(ms("a", start=D(2026, 3, 4), due=D(2026, 3, 10)),
                   ms("b", after=(Dependency("a", 2, None, "SS"),), start=D(2026, 3, 4),
                      due=D(2026, 3, 17)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    a, b = s.milestone(("P", "a")), s.milestone(("P", "b"))
    assert b.forecast == D(2026, 3, 19)
    assert (a.float, b.float) == (-2, -2)
    assert a.latest == D(2026, 3, 6)
    assert s.project("P").critical_path == ("a", "b")


def test_finish_to_finish_links() -> None:
    """b finishes at least one workday after a finishes (Fri 13 March): Mon 16."""
    pf = portfolio(ms("a", start=D(2026, 3, 2), due=D(2026, 3, 13)),
                   ms("b", after=(Dependency("a", 1, None, "FF"),), start=D(2026, 3, 9),
                      due=D(2026, 3, 13)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 1))
    assert s.milestone(("P", "b")).forecast == D(2026, 3, 16)
    assert s.milestone(("P", "b")).float == -1
    assert s.milestone(("P", "a")).float == -1


def test_start_to_finish_links() -> None:
    """b finishes no earlier than 3 workdays after a starts (Mon 9 March): Wed 11."""
    pf = portfolio(ms("a", start=D(2026, 3, 9), due=D(2026, 3, 13)),
                   ms("b", after=(Dependency("a", 3, None, "SF"),), start=D(2026, 3, 2),
                      due=D(2026, 3, 6)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 1))
    assert s.milestone(("P", "b")).forecast == D(2026, 3, 11)
    assert s.milestone(("P", "a")).forecast == D(2026, 3, 13)


def test_a_negative_lag_is_a_lead() -> None:
    """FS with lag -2: b starts two workdays before a finishes (Thu 12 March), and a slip of
    a still reaches b."""
    pf = portfolio(ms("a", start=D(2026, 3, 2), due=D(2026, 3, 13)),
                   ms("b", after=(Dependency("a", -2),), due=D(2026, 3, 20)))
    s = compute_schedule(pf, WEEKDAYS, D(2026, 3, 2))
    b = s.milestone(("P", "b"))
    assert (b.start, b.duration, b.forecast, b.float) == (D(2026, 3, 12), 7, D(2026, 3, 20), 0)
    late = compute_schedule(pf, WEEKDAYS, D(2026, 3, 16))  # a not finished on Mon 16
    assert late.milestone(("P", "b")).forecast == D(2026, 3, 23)


def test_link_types_and_leads_read_from_a_file_and_written_back() -> None:
    text = """
units: [{id: u, name: U}]
projects:
  - id: P
    name: P
    category: project
    unit: u
    milestones:
      - {id: a, name: A, kind: approval, start: 2026-03-02, due: 2026-03-13}
      - {id: b, name: B, kind: tendering, due: 2026-03-20,
         after: [{id: a, type: SS, lag: -1 workdays}, {id: a, type: ff}]}
"""
    import yaml  # noqa: PLC0415

    from projects.loader import dump_portfolio  # noqa: PLC0415
    from projects.repository import deps_from_json, deps_to_json  # noqa: PLC0415

    pf = parse_portfolio(yaml.safe_load(text), today=D(2026, 3, 1))
    after = pf.projects[0].milestones[1].after
    assert after == (Dependency("a", -1, None, "SS"), Dependency("a", 0, None, "FF"))
    assert dump_portfolio(pf)["projects"][0]["milestones"][1]["after"] == [
        {"id": "a", "type": "SS", "lag": "-1 workdays"}, {"id": "a", "type": "FF"}]
    assert deps_from_json(deps_to_json(after)) == after
    assert deps_from_json('[{"on": "a", "lag": 2, "project": null}]') == (Dependency("a", 2),)
