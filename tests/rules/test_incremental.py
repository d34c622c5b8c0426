"""The incremental evaluation (``rules.incremental``) equals a whole evaluation, step by step.

Random sequences of changes (milestone reports, a new cross-project link, notices issued,
answered and dropped, a notice of no project, extension requests and decisions, a project's
own fields) are applied to a generated portfolio with the supervision loop; after each step
the advanced evaluation is compared with ``rules.engine.evaluate`` of the changed portfolio:
every finding with its explanation, every rate, every score row and the errors, and the
patched schedule with a whole one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import random
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dsl import compile_rulebook
from projects.calendar import calendar_for
from projects.extensions import Extension
from projects.model import Complaint, Dependency, Notice, Portfolio
from projects.replay import known_on
from projects.schedule import compute_schedule
from projects.subjects import subject_project
from rules.engine import component, evaluate, sub_portfolio
from rules.incremental import Held, advance, start
from rules.standard import standard_sources

EXTRA = """
rule unit_many_late "单位逾期节点多":
    for unit u
    light yellow when count(m in u.milestones where m.late) > 3
    notify u within 5 workdays
    message "{u.name} 有 {count(m in u.milestones where m.late)} 个逾期节点"

rule project_behind "项目进度落后":
    for project p where not p.done
    light yellow when p.progress < 40%
    message "{p.name} 进度 {p.progress}"

rule person_slow "责任人按时率低":
    for person x where x.on_time_rate is not missing
    light yellow when x.on_time_rate < 70%
    message "{x.name} 按时率 {x.on_time_rate}"

rule unit_extensions "单位延期多":
    for unit u
    light blue when u.extensions > 1 or u.red_cards > 0

rule complaint_late "投诉逾期未答复":
    for complaint c where not c.responded
    light yellow when c.overdue > 0
    light red when c.overdue > 0 and c.project is not missing and c.project.progress < 50%
    notify c.unit within 2 workdays
    message "{c.title} 逾期 {c.overdue} 个工作日"

rule unit_load "单位负担重":
    for unit u
    light blue when u.workload > 40 or count(c in u.complaints where not c.responded) > 2

score duty_done "责任人办结数" for person x:
    default(x.on_time_rate, 100%) * 10 + count(m in x.milestones where m.done)
"""


def _generate() -> Any:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("_bench_generate_inc", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generate()
TODAY = GEN.TODAY
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    _GENERATED = GEN.generate_portfolio(40, 14, supervision=True)
#: every other notice left unanswered past its due, so that notice rules light too; and
#: complaints (群众投诉) about projects and about no project, some answered
BASE = dataclasses.replace(_GENERATED, notices=tuple(
    dataclasses.replace(n, responded=None, due=TODAY - dt.timedelta(days=12)) if i % 2 else n
    for i, n in enumerate(_GENERATED.notices)), complaints=tuple(
    Complaint(f"C-2026-{i:04d}", f"投诉{i}", p.unit, TODAY - dt.timedelta(days=20 + i),
              TODAY - dt.timedelta(days=5 - i % 9), project=p.id if i % 3 else None,
              responded=TODAY - dt.timedelta(days=1) if i % 4 == 0 else None)
    for i, p in enumerate(_GENERATED.projects[::3])))
RULEBOOK = compile_rulebook({**standard_sources(), "extra.rules": EXTRA})
CALENDAR = calendar_for(BASE)


def _replace_project(p: Portfolio, pid: str, **changes: Any) -> Portfolio:
    return dataclasses.replace(p, projects=tuple(
        dataclasses.replace(x, **changes) if x.id == pid else x for x in p.projects))


def _report(p: Portfolio, rng: random.Random) -> Portfolio:
    """A milestone report: progress, a finish, a report date or a moved due."""
    project = rng.choice(p.projects)
    i = rng.randrange(len(project.milestones))
    m = project.milestones[i]
    what = rng.randrange(4)
    if what == 0:
        m = dataclasses.replace(m, progress=round(rng.random(), 2), updated=TODAY)
    elif what == 1:
        m = dataclasses.replace(m, finished=TODAY - dt.timedelta(days=rng.randrange(0, 40)),
                                progress=1.0, updated=TODAY)
    elif what == 2:
        m = dataclasses.replace(m, finished=None, updated=TODAY - dt.timedelta(days=rng.randrange(60)))
    elif m.due is not None:
        m = dataclasses.replace(m, due=m.due + dt.timedelta(days=rng.randrange(-30, 30)))
    milestones = (*project.milestones[:i], m, *project.milestones[i + 1:])
    return _replace_project(p, project.id, milestones=milestones)


def _link(p: Portfolio, rng: random.Random) -> Portfolio:
    """A milestone of one project comes to depend on a milestone of another."""
    a, b = sorted(rng.sample(list(p.projects), 2), key=lambda x: x.id, reverse=True)  # no cycle
    i = rng.randrange(1, len(a.milestones))
    m = a.milestones[i]
    on = rng.choice(b.milestones[: len(b.milestones) // 2])
    m = dataclasses.replace(m, after=(*m.after, Dependency(on.id, rng.randrange(0, 3), b.id)))
    return _replace_project(p, a.id, milestones=(*a.milestones[:i], m, *a.milestones[i + 1:]))


def _notices(p: Portfolio, rng: random.Random) -> Portfolio:
    """A notice issued (about a milestone, or about no project), answered or dropped."""
    notices = list(p.notices)
    what = rng.randrange(4)
    if what == 0 or not notices:
        project = rng.choice(p.projects)
        m = rng.choice(project.milestones)
        notices.append(Notice(f"N-T{len(notices)}-{rng.randrange(10**6)}", "督办", m.unit or project.unit,
                              TODAY - dt.timedelta(days=rng.randrange(30)),
                              TODAY - dt.timedelta(days=rng.randrange(-5, 20)), "works_overdue",
                              rng.choice(list(GEN_LEVELS)), None, f"milestone:{project.id}/{m.id}"))
    elif what == 1:
        unit = rng.choice(p.units)
        notices.append(Notice(f"N-U{len(notices)}-{rng.randrange(10**6)}", "单位督办", unit.id,
                              TODAY - dt.timedelta(days=rng.randrange(30)),
                              TODAY - dt.timedelta(days=rng.randrange(-5, 20)), "unit_on_time_rate_low",
                              None, None, f"unit:{unit.id}"))
    elif what == 2:
        k = rng.randrange(len(notices))
        notices[k] = dataclasses.replace(notices[k], responded=TODAY)
    else:
        notices.pop(rng.randrange(len(notices)))
    return dataclasses.replace(p, notices=tuple(notices))


GEN_LEVELS = ("red", "yellow")
for _seed in range(6):  # a few cross-project links from the start (components of 2-3 projects)
    BASE = _link(BASE, random.Random(_seed))


def _extension(p: Portfolio, rng: random.Random) -> Portfolio:
    """An extension requested, perhaps already approved or rejected."""
    project = rng.choice(p.projects)
    m = rng.choice([m for m in project.milestones if m.due is not None])
    assert m.due is not None
    requested = TODAY - dt.timedelta(days=rng.randrange(1, 20))
    decided = rng.choice([None, requested + dt.timedelta(days=1)])
    ext = Extension(f"{project.id}/{m.id}", requested, m.due + dt.timedelta(days=rng.randrange(5, 40)),
                    "原因", decided, None if decided is None else rng.choice(["approved", "rejected"]))
    return dataclasses.replace(p, extensions=(*p.extensions, ext))


def _own_fields(p: Portfolio, rng: random.Random) -> Portfolio:
    """A project's own fields: urgency, its person, its lead unit."""
    project = rng.choice(p.projects)
    person = rng.choice([*(x.id for x in p.people), None])
    unit = rng.choice(p.units).id
    return _replace_project(p, project.id, urgent=not project.urgent, person=person, unit=unit)


STEPS = (_report, _report, _report, _link, _notices, _notices, _extension, _own_fields)


def _whole(p: Portfolio) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return evaluate(RULEBOOK, p, TODAY, calendar=CALENDAR)


def _assert_same(held: Held, p: Portfolio, *, schedule: bool = False) -> None:
    want = _whole(p)
    got = held.evaluation
    assert [f.subject + " " + f.rule for f in got.findings] == \
        [f.subject + " " + f.rule for f in want.findings]
    assert got.findings == want.findings  # every field, the explanation included
    assert got.rates == want.rates
    assert got.scores == want.scores
    assert got.errors == want.errors == ()
    assert got.projects is None
    if schedule:
        whole = compute_schedule(known_on(p, TODAY)[0], CALENDAR, TODAY)
        assert sorted(held.schedule) == sorted(whole)
        for key in whole:
            assert held.schedule.milestone(key) == whole.milestone(key), key
        for x in p.projects:
            assert held.schedule.project(x.id) == whole.project(x.id), x.id


def _run(seed: int, steps: int, *, schedule: bool = False) -> None:
    rng = random.Random(seed)
    p = BASE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        held = start(RULEBOOK, p, TODAY, calendar=CALENDAR,
                     schedule=compute_schedule(known_on(p, TODAY)[0], CALENDAR, TODAY)
                     if schedule else None)
        for _ in range(steps):
            for _ in range(rng.randrange(1, 4)):  # a group of changes between two views
                p = rng.choice(STEPS)(p, rng)
            held = advance(held, p, with_schedule=schedule)
            _assert_same(held, p, schedule=schedule)


# The drawn value is a seed: shrinking it finds a smaller number, not a smaller case, and took
# ~4 minutes (Hypothesis shrinks for up to 300 s) on a failure. So no shrink phase: a failure
# is reported at once with its seed, and _run(seed, 5) stops at the first group of changes
# whose evaluation differs. Derandomized: CI runs the same 8 seeds every time.
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True, phases=[Phase.explicit, Phase.generate])
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_advanced_evaluation_equals_the_whole_one_over_random_changes(seed: int) -> None:
    """After every group of random changes, the advanced evaluation is the whole one."""
    _run(seed, 5)


def test_a_long_sequence_with_the_schedule_stays_equal() -> None:
    """Forty groups of changes in a row (seeded), the patched schedule checked too."""
    _run(20261202, 40, schedule=True)


def test_the_base_portfolio_exercises_what_the_patch_handles() -> None:
    """The generated portfolio has what the comparison must cover: cross-project links,
    notices (of projects), people, extensions, and findings of every kind of rule."""
    full = _whole(BASE)
    kinds = {f.subject.partition(":")[0] for f in full.findings}
    assert {"milestone", "project", "notice", "unit", "person", "complaint"} <= kinds
    assert any(f.rule == "complaint_late" and f.project for f in full.findings)
    assert BASE.people and BASE.extensions and BASE.notices
    assert any(d.project for m in BASE.milestones() for d in m.after)
    assert full.scores["duty_done"] and full.scores["duty"] and full.scores["efficiency"]


def test_a_report_patches_the_held_views_instead_of_evaluating_everything() -> None:
    """After a report the unit and person views are the same objects, patched (the shortcut
    was taken), and only the reported project's component got new project views."""
    held = start(RULEBOOK, BASE, TODAY, calendar=CALENDAR)
    units, projects = held.views.units, dict(held.views.project_by_id)
    changed = _report(BASE, random.Random(11))
    pid = next(a.id for a, b in zip(BASE.projects, changed.projects, strict=True) if a is not b)
    after = advance(held, changed)
    assert after.views.units == units and all(a is b for a, b in zip(after.views.units, units, strict=True))
    fresh = {x for x, pv in after.views.project_by_id.items() if pv is not projects[x]}
    assert pid in fresh
    assert fresh == set(component(changed, [pid]))
    _assert_same(after, changed)


def test_advancing_twice_from_one_evaluation_is_refused() -> None:
    """A held evaluation is consumed by advance: its views now belong to the next one."""
    held = start(RULEBOOK, BASE, TODAY, calendar=CALENDAR)
    changed = _report(BASE, random.Random(1))
    advance(held, changed)
    with pytest.raises(ValueError, match="already advanced"):
        advance(held, changed)


def test_a_change_it_does_not_follow_gives_a_whole_evaluation() -> None:
    """A renamed unit (not followed) and a rule reading a unit's aggregate from a milestone
    still give the whole evaluation's result."""
    held = start(RULEBOOK, BASE, TODAY, calendar=CALENDAR)
    renamed = dataclasses.replace(BASE, units=(dataclasses.replace(BASE.units[0], name="新名"),
                                               *BASE.units[1:]))
    held = advance(held, renamed)
    _assert_same(held, renamed)
    book = compile_rulebook({"a.rules": 'rule weak "弱":\n    for milestone m where not m.done\n'
                                        '    light yellow when m.unit.on_time_rate < 90%\n'})
    held = start(book, BASE, TODAY, calendar=CALENDAR)
    changed = _report(BASE, random.Random(3))
    assert advance(held, changed).evaluation == evaluate(book, changed, TODAY, calendar=CALENDAR)


def test_a_scoped_evaluation_gives_the_complaint_findings_of_its_projects() -> None:
    """A complaint belongs to its project (when it has one): the scoped evaluation a report
    runs gives exactly the whole evaluation's complaint findings of that project, so storing
    it (which replaces the project's findings) keeps them."""
    full = _whole(BASE)
    about = {f.project for f in full.findings if f.rule == "complaint_late" and f.project}
    assert about
    for pid in sorted(about)[:4]:
        scoped = evaluate(RULEBOOK, BASE, TODAY, calendar=CALENDAR, projects=[pid])
        assert [f for f in scoped.findings if f.rule == "complaint_late"] == \
            [f for f in full.findings if f.rule == "complaint_late" and f.project == pid]


def test_component_is_networkx_s_connected_component_as_reports_come() -> None:
    """The component a report re-evaluates is the connected component of the undirected
    project graph networkx finds, before and after links are added and reports replace
    projects (the held project graph is derived, not rebuilt)."""
    import networkx as nx  # noqa: PLC0415

    rng = random.Random(7)
    p = BASE
    for step in range(12):
        p = _link(p, rng) if step % 3 == 0 else _report(p, rng)
        graph = nx.Graph()
        graph.add_nodes_from(x.id for x in p.projects)
        graph.add_edges_from((x.id, d.project) for x in p.projects for m in x.milestones
                             for d in m.after if d.project and d.project != x.id)
        for x in p.projects[::5]:
            assert component(p, [x.id]) == frozenset(nx.node_connected_component(graph, x.id)), x.id


def test_the_notices_of_a_scope_follow_notices_replaced_appended_and_moved() -> None:
    """A scoped evaluation's notices are those whose subject lies in its projects, whatever
    the notices tuple went through between two evaluations: notices replaced in place (the
    same subject, another project's, no project's), appended, dropped (the engine's held index
    is derived from the last tuple's, not rebuilt, when the tuple only grew)."""
    rng = random.Random(16)
    p = BASE
    pids = [x.id for x in p.projects]
    subjects = [*(f"milestone:{x.id}/{m.id}" for x in p.projects for m in x.milestones[:3]),
                *(f"project:{x}" for x in pids), "unit:u1", "notice:N-0"]
    for step in range(40):
        notices = list(p.notices)
        for _ in range(rng.randrange(1, 4)):
            what = rng.randrange(5)
            if what <= 1 or not notices:
                notices.append(Notice(f"N-S{step}-{len(notices)}", "督办", p.units[0].id, TODAY, TODAY,
                                      "works_overdue", "red", None, rng.choice(subjects)))
            elif what == 2:
                k = rng.randrange(len(notices))
                notices[k] = dataclasses.replace(notices[k], responded=TODAY)
            elif what == 3:
                k = rng.randrange(len(notices))
                notices[k] = dataclasses.replace(notices[k], subject=rng.choice(subjects))
            elif step % 7 == 0:
                notices.pop(rng.randrange(len(notices)))
        p = dataclasses.replace(p, notices=tuple(notices))
        for scope in (frozenset(rng.sample(pids, 3)), frozenset(pids[:1])):
            want = tuple(n for n in p.notices if subject_project(n.subject) in scope)
            assert sub_portfolio(p, scope).notices == want, (step, sorted(scope))


@pytest.mark.parametrize("scoped", [False, True])
def test_explained_evaluation_gives_the_same_findings_and_leaves_no_cycles(scoped: bool) -> None:
    """``explained``: the same findings, explanations included; and the views are freed when
    the call returns, with nothing left for the cyclic collector (without it there is)."""
    import gc  # noqa: PLC0415

    scope = [p.id for p in BASE.projects[:5]] if scoped else None

    def garbage_after(explained: bool) -> tuple[tuple[Any, ...], int]:
        gc.collect()
        gc.disable()
        try:
            ev = evaluate(RULEBOOK, BASE, TODAY, calendar=CALENDAR, projects=scope, explained=explained)
            found = tuple((f.rule, f.subject, f.level, f.message, f.explain) for f in ev.findings)
            del ev
            return found, gc.collect()
        finally:
            gc.enable()

    lazily, left_lazily = garbage_after(False)
    at_once, left = garbage_after(True)
    assert lazily and at_once == lazily
    assert left_lazily > 100  # the views of one pass, linked both ways
    assert left == 0
