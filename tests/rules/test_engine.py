"""Engine semantics on small literal portfolios."""

from __future__ import annotations

import datetime as dt
import importlib.util
import warnings
from pathlib import Path
from typing import Any

from dsl import RulebookError, compile_rulebook
from projects.calendar import WorkCalendar, calendar_for
from projects.demo import demo_portfolio
from projects.model import CalendarYear, Dependency, Kind, Level, Milestone, Notice
from projects.replay import as_of
from projects.schedule import compute_schedule
from rules.engine import component, evaluate, rank_scores, reads_schedule, reads_unit_aggregates
from rules.standard import load_standard, standard_sources
from tests.rules.helpers import D, ms, portfolio, rulebook

OVERDUE = """
rule late "逾期":
    for milestone m where not m.done
    light yellow when today > m.due
    light red when today > m.due + 3 workdays
    notify m.unit, m.project.unit, m.unit within 2 workdays
    message "{m.name} 逾期 {m.overdue} 个工作日"
"""


def test_highest_level_wins() -> None:
    """When both the yellow and the red clause hold, one red finding is given."""
    ev = evaluate(rulebook(OVERDUE), portfolio(ms("a", due=D(2026, 3, 2))), D(2026, 3, 20))
    assert [(f.subject, f.level) for f in ev.findings] == [("milestone:P001/a", Level.RED)]
    assert ev.findings[0].message == "a 逾期 14 个工作日"


def test_green_subjects_and_missing_due_give_nothing() -> None:
    """A subject no clause holds for, or whose due date is missing, gives no finding."""
    p = portfolio(ms("a", due=D(2026, 4, 1)), ms("b"), ms("c", due=D(2026, 3, 1), finished=D(2026, 3, 1)))
    assert evaluate(rulebook(OVERDUE), p, D(2026, 3, 20)).findings == ()


def test_notify_deduplicated_and_respond_by_skips_holiday() -> None:
    """Notified units come once each in order; respond_by counts working days past a holiday."""
    cal = WorkCalendar("weekdays", [CalendarYear(2026, holidays=frozenset({D(2026, 3, 23)}))])
    ev = evaluate(rulebook(OVERDUE), portfolio(ms("a", due=D(2026, 3, 2))), D(2026, 3, 20),
                  calendar=cal)
    f = ev.findings[0]
    assert f.notify == ("transport",)
    assert f.respond_by == D(2026, 3, 25)  # Fri + 2 workdays, Monday a holiday: Wednesday
    assert (f.project, f.unit) == ("P001", "transport")


def test_explanation_lists_held_and_failed_clauses_with_values() -> None:
    """The explanation shows each clause, whether it held, and its values as ISO dates."""
    ev = evaluate(rulebook(OVERDUE), portfolio(ms("a", due=D(2026, 3, 16))), D(2026, 3, 18))
    f = ev.findings[0]
    assert f.level is Level.YELLOW
    assert f.explain[0] == ("黄 when today > m.due", "成立：today = 2026-03-18；m.due = 2026-03-16")
    assert f.explain[1] == ("红 when today > m.due + 3 workdays",
                            "不成立：today = 2026-03-18；m.due + 3 workdays = 2026-03-19")


def test_explanation_marks_missing_and_ratio() -> None:
    """A missing value prints as 缺失 and a ratio as a percent."""
    text = """
rule r: for milestone m
    light red when m.progress < 50%
    light yellow when m.updated is missing
"""
    ev = evaluate(rulebook(text), portfolio(ms("a", progress=0.25)), D(2026, 3, 18))
    assert dict(ev.findings[0].explain) == {
        "红 when m.progress < 50%": "成立：m.progress = 25%",
        "黄 when m.updated is missing": "成立：m.updated = 缺失",
    }


def test_rule_that_raises_is_reported_once_and_others_run() -> None:
    """A rule that fails at run time is reported once with its first subject; others still light."""
    rb = rulebook(OVERDUE + "\nrule boom: for milestone m light red when m.due < today\n")
    broken = rb.rules[1]

    def explode(env: object, x: object) -> bool:
        raise RuntimeError("kaput")

    object.__setattr__(broken, "where", explode)
    p = portfolio(ms("a", due=D(2026, 3, 2)), ms("b", due=D(2026, 3, 3)))
    ev = evaluate(rb, p, D(2026, 3, 20))
    assert [e.rule for e in ev.errors] == ["boom"]
    assert ev.errors[0].subject == "milestone:P001/a"
    assert "kaput" in str(ev.errors[0])
    assert {f.rule for f in ev.findings} == {"late"}


def test_findings_sorted_by_level_rule_subject() -> None:
    """Findings come red first, then by rule name, then by subject."""
    p = portfolio(ms("b", due=D(2026, 3, 17)), ms("a", due=D(2026, 3, 2)), ms("c", due=D(2026, 3, 16)))
    ev = evaluate(rulebook(OVERDUE), p, D(2026, 3, 18))
    assert [(f.subject, f.level.value) for f in ev.findings] == [
        ("milestone:P001/a", "red"), ("milestone:P001/b", "yellow"), ("milestone:P001/c", "yellow")]


def test_scoped_evaluation_runs_milestone_and_notice_rules_of_the_scope_only() -> None:
    """projects= gives the scope's milestone and notice findings, no unit findings or scores."""
    text = OVERDUE + """
rule unanswered: for notice n where not n.responded
    light red when today > n.due
rule busy: for unit u
    light red when count(m in u.milestones) > 0
score s for unit u: 1
"""
    about_p2 = Notice("N-1", "督办", "water", D(2026, 3, 2), D(2026, 3, 5), subject="milestone:P002/x")
    about_p1 = Notice("N-2", "督办", "water", D(2026, 3, 2), D(2026, 3, 5), subject="project:P001")
    p = portfolio(ms("a", due=D(2026, 3, 2)), ms("x", project="P002", due=D(2026, 3, 2)),
                  notices=(about_p2, about_p1))
    ev = evaluate(rulebook(text), p, D(2026, 3, 20), projects={"P002"})
    assert [f.subject for f in ev.findings] == ["milestone:P002/x", "notice:N-1"]
    assert ev.projects == frozenset({"P002"})
    assert ev.scores == {}
    assert set(ev.rates.projects) == {"P002"} and ev.rates.units == {}


def test_scope_component_follows_cross_project_links_both_ways() -> None:
    """The component of a project holds what it depends on and what depends on it, no more."""
    up = ms("a", project="P001", due=D(2026, 3, 2))
    down = Milestone("P002", "b", "b", Kind.PROGRESS, after=(Dependency("a", project="P001"),))
    alone = ms("c", project="P003", due=D(2026, 3, 2))
    p = portfolio(up, down, alone)
    assert component(p, ["P001"]) == frozenset({"P001", "P002"})
    assert component(p, ["P002", "nope"]) == frozenset({"P001", "P002"})
    assert component(p, ["P003"]) == frozenset({"P003"})


def test_rulebook_reading_unit_aggregates_is_detected() -> None:
    """A milestone rule reading its unit's rates or its parent's notices widens the scope."""
    assert not reads_unit_aggregates(rulebook(OVERDUE))
    assert not reads_unit_aggregates(load_standard())
    assert reads_unit_aggregates(rulebook(
        "rule r: for milestone m\n    light red when m.unit.on_time_rate < 50%"))
    assert reads_unit_aggregates(rulebook(
        "rule r: for milestone m\n    light red when count(n in m.unit.parent.notices) > 2"))
    assert not reads_unit_aggregates(rulebook(
        "rule r: for unit u\n    light red when u.on_time_rate < 50%"))


def _generated(projects: int) -> tuple[Any, dt.date]:
    """``benchmarks/generate.py``'s portfolio (its far years warn: Monday-Friday is used)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_portfolio(projects), module.TODAY


def _assert_scoped_equals_full(rb: Any, p: Any, day: dt.date, pids: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        full = evaluate(rb, p, day)
        scoped_runs = [(pid, evaluate(rb, p, day, projects=[pid])) for pid in pids]
    for pid, scoped in scoped_runs:
        want = tuple(f for f in full.findings if f.project == pid
                     and f.subject.partition(":")[0] in ("milestone", "project", "notice"))
        assert scoped.findings == want, pid
        assert scoped.rates.projects[pid] == full.rates.projects[pid]


def test_scoped_findings_equal_full_findings_on_the_demo_portfolio() -> None:
    """For every demo project, a scoped evaluation gives exactly its full-evaluation findings."""
    day = D(2026, 5, 6)
    p = demo_portfolio(day)
    _assert_scoped_equals_full(load_standard(), p, day, [x.id for x in p.projects])


def test_scoped_findings_equal_full_findings_on_a_generated_portfolio() -> None:
    """The same on a generated portfolio with cross-project links and notices."""
    p, day = _generated(400)
    linked = [x.id for x in p.projects if len(component(p, [x.id])) > 1]
    assert linked, "the generated portfolio should link some projects"
    pids = linked[:10] + [x.id for x in p.projects[::40]]
    _assert_scoped_equals_full(load_standard(), p, day, pids)


def test_scoped_findings_equal_full_with_unit_aggregates_and_downstream() -> None:
    """A rulebook reading unit rates and downstream milestones still matches a full run."""
    text = OVERDUE + """
rule weak_unit: for milestone m where not m.done
    light yellow when m.unit.on_time_rate < 90%
rule blocks: for milestone m where not m.done
    light yellow when any(d in downstream(m) where d.float < 0)
"""
    p, day = _generated(120)
    _assert_scoped_equals_full(rulebook(text), p, day, [x.id for x in p.projects[::7]])


def test_as_of_replay_lights_on_a_past_day_only() -> None:
    """A milestone finished late lit on a day before it finished, not on a day after."""
    p = portfolio(ms("a", due=D(2026, 3, 2), finished=D(2026, 3, 10)))
    assert [f.level for f in evaluate(rulebook(OVERDUE), p, D(2026, 3, 9)).findings] == [Level.RED]
    assert evaluate(rulebook(OVERDUE), p, D(2026, 3, 11)).findings == ()


def test_graph_functions_follow_dependencies() -> None:
    """upstream(m) sees transitive predecessors: a contract done before its tender lights."""
    text = """
rule order: for milestone m where m.kind == contract and m.done
    light red when any(p in upstream(m) where p.kind == tendering and not p.done)
"""
    p = portfolio(ms("t", Kind.TENDERING, due=D(2026, 3, 2)),
                  ms("x", after=["t"], due=D(2026, 3, 3)),
                  ms("c", Kind.CONTRACT, after=["x"], due=D(2026, 3, 9), finished=D(2026, 3, 5)))
    ev = evaluate(rulebook(text), p, D(2026, 3, 20))
    assert [f.subject for f in ev.findings] == ["milestone:P001/c"]


def test_scores_rank_highest_first_ties_share_missing_last() -> None:
    """Equal scores share a rank, the next rank skips, and missing values are unranked last."""
    rows = rank_scores([("a", 50.0), ("b", 80.0), ("c", None), ("d", 50.0), ("e", 10.0)])
    assert [(r.unit, r.rank) for r in rows] == [("b", 1), ("a", 2), ("d", 2), ("e", 4),
                                                 ("c", None)]


def test_scores_evaluated_for_every_unit() -> None:
    """A score is computed for every unit of the portfolio and ranked."""
    text = "score s for unit u: count(m in u.milestones) * 10"
    p = portfolio(ms("a", due=D(2026, 3, 2)), ms("b", unit="water"), ms("c", unit="water"))
    ev = evaluate(rulebook(text), p, D(2026, 3, 20))
    assert [(r.unit, r.value, r.rank) for r in ev.scores["s"]] == [
        ("water", 20.0, 1), ("transport", 10.0, 2), ("city", 0.0, 3)]


def test_rulebook_reading_the_schedule_is_detected() -> None:
    """A rule or score reading a forecast, a float, a critical flag or a project's progress
    (weighted by scheduled durations) needs the schedule; one reading none does not."""
    assert not reads_schedule(rulebook(OVERDUE))
    assert reads_schedule(load_standard())
    for text in ("rule r: for milestone m\n    light red when m.forecast > m.due",
                 "rule r: for milestone m\n    light red when m.float < 2",
                 "rule r: for milestone m\n    light red when m.critical and not m.done",
                 "rule r: for project p\n    light red when p.progress < 50%",
                 "rule r: for unit u\n    light red when any(p in u.projects where "
                 "p.forecast > p.due)",
                 "rule r: for milestone m\n    light red when m.late\n"
                 "    message \"{m.project.forecast}\"",
                 "score s for unit u:\n    count(m in u.milestones where m.float < 1)"):
        assert reads_schedule(rulebook(text)), text
    assert not reads_schedule(rulebook(
        "rule r: for project p\n    light red when p.due < today and not p.done"))


def test_an_evaluation_without_the_schedule_equals_one_with_it() -> None:
    """For a rulebook that reads nothing the schedule computes, skipping the schedule gives
    exactly the findings, rates and scores of the evaluation that computes it."""
    p, day = _generated(200)
    kept = {}
    for name, src in standard_sources().items():  # the standard files that read no schedule
        try:
            book = compile_rulebook({name: src})
        except RulebookError:
            continue  # a file needing another file's constants
        if not reads_schedule(book):
            kept[name] = src
    assert kept
    rb = compile_rulebook(kept)
    assert not reads_schedule(rb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cal = calendar_for(p)
        skipped = evaluate(rb, p, day, calendar=cal)
        full = evaluate(rb, p, day, calendar=cal,
                        schedule=compute_schedule(as_of(p, day), cal, day))
    assert skipped.findings and skipped.findings == full.findings
    assert skipped.rates == full.rates and skipped.scores == full.scores


def test_closures_over_views_are_the_adjacency_closures_in_order() -> None:
    """The engine's environment reads predecessors from the views' ``after`` and walks
    ``upstream`` / ``downstream`` over the views themselves (``over_views``): for every
    milestone of a generated portfolio (fan-out, fan-in and cross-project links), asked in a
    shuffled order, the same views in the same order as the environment that maps
    ``Adjacency``'s keys to views."""
    import random  # noqa: PLC0415

    from projects.graph import Adjacency  # noqa: PLC0415
    from rules.engine import NO_SCHEDULE, RuleEnv  # noqa: PLC0415
    from rules.views import build_views  # noqa: PLC0415

    p, day = _generated(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cal = calendar_for(p)
        views = build_views(p, NO_SCHEDULE, day, cal)
    walked = RuleEnv(day, cal, Adjacency(views.milestone_by_key, lambda m: m.model.after), views,
                     over_views=True)
    mapped = RuleEnv(day, cal, Adjacency.of(p), views)
    order = list(views.milestones)
    random.Random(5).shuffle(order)
    reached = 0
    for m in order:
        assert walked.predecessors(m) == mapped.predecessors(m), m
        assert walked.successors(m) == mapped.successors(m), m
        assert walked.upstream(m) == mapped.upstream(m), m
        assert walked.downstream(m) == mapped.downstream(m), m
        reached += len(walked.upstream(m))
    assert reached > len(order)  # the graph has depth: most milestones have upstream ones
    # written by hand, as no file may be: an entry repeated, one on the milestone itself and
    # one on a milestone that does not exist
    # (and single entries: on the milestone itself, on one that does not exist, on another)
    q = portfolio(ms("a"), ms("b", after=["a", "a", "b", "nowhere"]), ms("c", after=["b", "a"]),
                  ms("d", after=["d"]), ms("e", after=["nowhere"]), ms("f", after=["c"]),
                  ms("g", after=["f"]))
    views = build_views(q, NO_SCHEDULE, D(2026, 6, 1), cal)
    for first in ("predecessors", "upstream"):  # a closure before or after the steps it takes
        hows = ("upstream", "downstream", "predecessors", "successors") if first == "upstream" \
            else ("predecessors", "successors", "upstream", "downstream")
        walked = RuleEnv(D(2026, 6, 1), cal, Adjacency(views.milestone_by_key, lambda m: m.model.after),
                         views, over_views=True)
        mapped = RuleEnv(D(2026, 6, 1), cal, Adjacency.of(q), views)
        for m in reversed(views.milestones):
            for how in hows:
                assert getattr(walked, how)(m) == getattr(mapped, how)(m), (how, m)
    assert [v.id for v in walked.upstream(views.milestone_by_key[("P001", "g")])] == ["f", "c", "b", "a"]
    assert [v.id for v in walked.predecessors(views.milestone_by_key[("P001", "b")])] == ["a"]
