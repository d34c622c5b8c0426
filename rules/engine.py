"""The engine: compiled rulebook x portfolio x as-of day -> findings, rates and scores.

Owns ``evaluate`` and ``RuleEnv`` (the ``dsl.runtime.Env`` the compiled code runs against).
Pure: no clock, no I/O; ``as_of`` is passed in and the portfolio is first replayed to it
(facts after the day are not known). Invariants:

- For each rule and each subject of its kind that passes ``where``, the highest level whose
  ``light`` clause holds wins; missing (``None``) never holds.
- A rule that raises is caught per subject, reported once in ``Evaluation.errors`` with its
  first failing subject, and the other rules still run.
- Findings come out in a fixed order: level (red first), rule name, subject id.

Scoped evaluation (``projects=``, what the server runs after one report): the engine builds
a sub-portfolio of the requested projects' *component* in the cross-project dependency graph
(forecasts need everything upstream, latest finish and float need everything downstream,
planned durations need the predecessors' due; a weakly connected component is closed under
all three), with every unit, the notices whose subject lies in it and the complaints about
its projects, and schedules and builds views only for that. Milestone, project, notice and
complaint rules run over the requested projects' subjects and give exactly the findings a
full evaluation gives them. Unit rules
and scores do not run, and ``rates`` holds only the requested projects' rates: they are
portfolio-wide, left to the next full evaluation (``rules.incremental`` runs them over the
patched units). A rulebook whose milestone, project, notice or complaint rules read a unit's
or a person's aggregates (``m.unit.milestones``, its rates or cards, or those of
its ``parent``), which a sub-portfolio would undercount, is evaluated over the whole
portfolio instead (still only the requested subjects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from itertools import compress
from operator import is_not
from typing import Any

from dsl import CompiledRule, CompiledRulebook, CompiledScore
from dsl.runtime import run_rule
from dsl.values import Duration
from projects.calendar import calendar_for
from projects.graph import Adjacency
from projects.memory import collector_paused
from projects.model import Notice, Portfolio, Project
from projects.replay import known_on
from projects.subjects import subject_project
from rules.explain import explain_rule
from rules.findings import Evaluation, EvaluationRates, Finding, RuleFailure, ScoreRow
from rules.views import (
    ComplaintView,
    MilestoneView,
    NoticeView,
    PersonView,
    ProjectView,
    Rates,
    UnitView,
    Views,
    build_views,
    subjects_of,
    unlink,
)

#: The subjects a scoped evaluation runs rules over (unit rules need the whole portfolio).
SCOPED_KINDS = frozenset({"milestone", "project", "notice", "complaint"})


class RuleEnv:
    """The evaluation context: the day, the working-day calendar and the dependency graph.

    ``over_views``: ``adjacency`` knows exactly the milestones of ``views`` and reads their
    ``after`` (the engine's, made over ``views.milestone_by_key``), so a view's predecessors
    are read from its ``after`` straight into views, and ``upstream`` and ``downstream`` walk
    the views themselves: the same views in the same order (``after`` order; breadth first,
    nearest first) as ``adjacency``'s keys mapped to views, without the key tuples hashed at
    every step or a second closure kept per key."""

    __slots__ = ("_adjacency", "_cache", "_over_views", "_views", "add_workdays", "calendar",
                 "today", "workdays")

    def __init__(self, today: dt.date, calendar: Any, adjacency: Any, views: Views, *,
                 over_views: bool = False) -> None:
        self.today = today
        self.calendar = calendar
        # Bound methods as attributes: generated code calls them in its inner loops.
        self.add_workdays = calendar.add_workdays
        self.workdays = calendar.workdays
        self._adjacency = adjacency
        self._views = views
        self._over_views = over_views
        # One cache per relation, keyed by the view itself (views hash by identity).
        self._cache: dict[str, dict[MilestoneView, tuple[MilestoneView, ...]]] = {
            how: {} for how in ("upstream", "downstream", "predecessors", "successors")}

    def _related(self, how: str, m: MilestoneView) -> tuple[MilestoneView, ...]:
        cache = self._cache[how]
        found = cache.get(m)
        if found is None and self._over_views:
            if how in _CLOSURES:
                step = _CLOSURES[how]
                found = cache[m] = _closure(m, self._cache[step], self._predecessors_of
                                            if step == "predecessors" else partial(self._related, step))
            elif how == "predecessors":
                found = self._view_predecessors(m)
                if found is not None:
                    cache[m] = found
        if found is None:
            keys = getattr(self._adjacency, how)(m.key)
            # views are objects (always true): ``filter(None, ...)`` drops unknown keys only
            found = cache[m] = tuple(filter(None, map(self._views.milestone_by_key.get, keys)))
        return found

    def _predecessors_of(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        """``_related("predecessors", m)`` for one not yet known: a closure's step, straight
        to the views' ``after`` (``_view_predecessors``) and into the cache."""
        found = self._view_predecessors(m)
        if found is None:
            return self._related("predecessors", m)
        self._cache["predecessors"][m] = found
        return found

    def _view_predecessors(self, m: MilestoneView) -> tuple[MilestoneView, ...] | None:
        """``Adjacency.predecessors`` of ``m``'s key as views, from the ``after`` of the view
        held under that key (``None`` when none is: ``adjacency`` then says it is unknown):
        ``after_keys`` read straight into views (one view per key, so a view met twice is a
        key met twice, and the held view is the key itself)."""
        by_key = self._views.milestone_by_key
        key = m.key
        held = by_key.get(key)
        if held is None:
            return None
        after = held.model.after
        if not after:
            return ()
        pid, get = key[0], by_key.get
        if len(after) == 1:  # most milestones come after one other
            d = after[0]
            v = get((d.project or pid, d.on))
            return () if v is None or v is held else (v,)
        found: list[MilestoneView] = []
        for d in after:
            v = get((d.project or pid, d.on))
            if v is not None and v is not held and v not in found:
                found.append(v)
        return tuple(found)

    def upstream(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        found = self._cache["upstream"].get(m)
        return found if found is not None else self._related("upstream", m)

    def downstream(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        found = self._cache["downstream"].get(m)
        return found if found is not None else self._related("downstream", m)

    def predecessors(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        found = self._cache["predecessors"].get(m)
        return found if found is not None else self._related("predecessors", m)

    def successors(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        found = self._cache["successors"].get(m)
        return found if found is not None else self._related("successors", m)


#: The transitive relations and the direct one each closes over.
_CLOSURES = {"upstream": "predecessors", "downstream": "successors"}


def _closure(m: MilestoneView, known: dict[MilestoneView, tuple[MilestoneView, ...]],
             step: Callable[[MilestoneView], tuple[MilestoneView, ...]],
             ) -> tuple[MilestoneView, ...]:
    """Every view reached from ``m`` by ``step`` (whose answers so far are ``known``), breadth
    first: ``Adjacency``'s closure order. A view is taken when first queued (a first-in,
    first-out queue gives each view out at its first queuing either way), so the list out is
    the queue itself."""
    first = known.get(m)
    if first is None:
        first = step(m)
    if not first:
        return ()
    seen = {m}
    out: list[MilestoneView] = []
    add, append, get = seen.add, out.append, known.get
    for v in first:
        if v not in seen:
            add(v)
            append(v)
    k = 0
    while k < len(out):
        v = out[k]
        k += 1
        nxt = get(v)
        if nxt is None:
            nxt = step(v)
        for w in nxt:
            if w not in seen:
                add(w)
                append(w)
    return tuple(out)


def _view_after(m: MilestoneView) -> tuple[Any, ...]:
    """A milestone view's ``after`` entries (what ``Adjacency`` reads of each)."""
    return m.model.after


def subject_id(x: Any) -> str:
    """The stable id of a subject view."""
    if isinstance(x, MilestoneView):
        return f"milestone:{x.key[0]}/{x.key[1]}"
    if isinstance(x, ProjectView):
        return f"project:{x.id}"
    if isinstance(x, UnitView):
        return f"unit:{x.id}"
    if isinstance(x, PersonView):
        return f"person:{x.id}"
    if isinstance(x, ComplaintView):
        return f"complaint:{x.id}"
    return f"notice:{x.id}"


def _owner(x: Any) -> tuple[str | None, str | None]:
    """(project id, responsible unit id) of a subject."""
    if isinstance(x, MilestoneView):
        return x.project.id, x.unit.id
    if isinstance(x, ProjectView):
        return x.id, x.unit.id
    if isinstance(x, UnitView):
        return None, x.id
    if isinstance(x, PersonView):
        return None, x.unit.id
    if isinstance(x, ComplaintView):
        return (None if x.project is None else x.project.id), x.unit.id
    assert isinstance(x, NoticeView)
    return x.project, x.unit.id


SubjectFns = tuple[Callable[[Any], str], Callable[[Any], tuple[str | None, str | None]]]
#: Subject id and (project, unit) by the kind a rule runs over: no type tests per finding.
_BY_KIND: dict[str, SubjectFns] = {
    "milestone": (lambda m: f"milestone:{m.key[0]}/{m.key[1]}",
                  lambda m: (m.project.id, m.unit.id)),
    "project": (lambda p: f"project:{p.id}", lambda p: (p.id, p.unit.id)),
    "unit": (lambda u: f"unit:{u.id}", lambda u: (None, u.id)),
    "notice": (lambda n: f"notice:{n.id}", lambda n: (n.project, n.unit.id)),
    "person": (lambda x: f"person:{x.id}", lambda x: (None, x.unit.id)),
    "complaint": (lambda c: f"complaint:{c.id}",
                  lambda c: (None if c.project is None else c.project.id, c.unit.id)),
}


def respond_by(as_of: dt.date, within: Duration | None, calendar: Any) -> dt.date | None:
    """The response deadline of a finding lit on ``as_of``."""
    if within is None:
        return None
    if within.unit == "workdays":
        return calendar.add_workdays(as_of, within.amount)  # type: ignore[no-any-return]
    return as_of + dt.timedelta(days=within.calendar_days or 0)


def _explain_safely(lights: tuple[Any, ...], env: RuleEnv, x: Any) -> tuple[tuple[str, object], ...]:
    """The explanation of a lit subject; ``Finding.explain`` calls it when first read."""
    try:
        return explain_rule(lights, env, x)
    except Exception as exc:  # the finding stands; say why its explanation is missing
        return (("解释失败", f"{type(exc).__name__}: {exc}"),)


class _OverTime(Exception):
    """Raised between subjects when a rule has used up its time."""


#: How many subjects a timed rule runs between two looks at the clock.
_CLOCK_EVERY = 64


def _timed(subjects: Iterable[Any], limit: float, clock: Callable[[], float]) -> Iterator[Any]:
    """``subjects``, raising ``_OverTime`` (between subjects) once ``limit`` seconds of
    ``clock`` have passed since the first."""
    start = clock()
    for i, x in enumerate(subjects):
        if i % _CLOCK_EVERY == 0 and clock() - start > limit:
            raise _OverTime
        yield x


def _run_rule(rule: CompiledRule, subjects: Iterable[Any], env: RuleEnv,
              failures: list[RuleFailure], *, limit: float | None = None,
              clock: Callable[[], float] | None = None) -> list[Finding]:
    """The findings of one rule; with ``limit``, a rule still running after ``limit``
    seconds is stopped, reported in ``failures`` and gives no findings (a partial run would
    show a partial picture)."""
    if limit is None or clock is None:
        return _run_rule_untimed(rule, subjects, env, failures)
    items = subjects if isinstance(subjects, Sequence) else tuple(subjects)
    try:
        return _run_rule_untimed(rule, _timed(items, limit, clock), env, failures,
                                 retry=lambda: _timed(items, limit, clock))
    except _OverTime:
        failures.append(RuleFailure(rule.name, f"{rule.subject}s",
                                    f"stopped: still running after {limit:g} s; the other "
                                    "rules ran", rule.file, rule.line))
        return []


def _run_rule_untimed(rule: CompiledRule, subjects: Iterable[Any], env: RuleEnv,
                      failures: list[RuleFailure],
                      retry: Callable[[], Iterable[Any]] | None = None) -> list[Finding]:
    found: list[Finding] = []
    add = found.append
    name, title, lights, notify, message = (rule.name, rule.title, rule.lights, rule.notify,
                                            rule.message)
    levels = [light.level for light in lights]
    subject_of, owner_of = _BY_KIND.get(rule.subject, (subject_id, _owner))
    deadline: list[dt.date | None] = []  # computed when the rule first lights
    failed: list[RuleFailure] = []

    def lit(x: Any, j: int) -> None:
        notified = notify(env, x)
        if not deadline:
            deadline.append(respond_by(env.today, rule.within, env.calendar))
        project, unit = owner_of(x)
        if notified is None:
            ids: tuple[str, ...] = ()
        elif len(notified) == 1:
            ids = (notified[0].id,)
        else:
            ids = tuple([u.id for u in notified])
        add(Finding(
            name, title, subject_of(x), levels[j], message(env, x), ids,
            deadline[0] if notified is not None else None,
            partial(_explain_safely, lights, env, x), project, unit,
        ))

    def fail(x: Any, exc: Exception) -> None:
        # a broken rule must stop neither its other subjects nor the other rules
        if not failed:
            failed.append(RuleFailure(name, subject_id(x), f"{type(exc).__name__}: {exc}",
                                      rule.file, rule.line))

    try:
        run_rule(rule, env, subjects, lit, fail)
    except _OverTime:
        raise
    except Exception:  # the compiled loop's set-up raised: subject by subject, as the spec says
        found.clear()
        failed.clear()
        run_rule(replace(rule, run=None), env, retry() if retry else subjects, lit, fail)
    failures.extend(failed)
    return found


def _sort_key(f: Finding) -> tuple[int, str, str]:
    return (-f.level.rank, f.rule, f.subject)


def rank_scores(values: Collection[tuple[str, float | None]]) -> tuple[ScoreRow, ...]:
    """Highest first; equal values share a rank (1, 1, 3); missing values last, unranked."""
    known = sorted(((u, v) for u, v in values if v is not None), key=lambda p: (-p[1], p[0]))
    rows: list[ScoreRow] = []
    previous: float | None = None
    rank = 0
    for position, (unit, value) in enumerate(known, start=1):
        if previous is None or value != previous:
            rank = position
            previous = value
        rows.append(ScoreRow(unit, value, rank))
    missing = sorted(u for u, v in values if v is None)
    return tuple(rows) + tuple(ScoreRow(u, None, None) for u in missing)


def _run_score(score: CompiledScore, units: Iterable[UnitView | PersonView], env: RuleEnv,
               failures: list[RuleFailure]) -> tuple[ScoreRow, ...]:
    values: list[tuple[str, float | None]] = []
    failed = False
    for u in units:
        try:
            value = score.value(env, u)
        except Exception as exc:  # reported once; the unit gets no value
            if not failed:
                failures.append(RuleFailure(score.name, f"{score.subject}:{u.id}",
                                            f"{type(exc).__name__}: {exc}", score.file,
                                            score.line))
                failed = True
            value = None
        values.append((u.id, None if value is None else float(value)))
    return rank_scores(values)


def evaluate(rulebook: CompiledRulebook, portfolio: Portfolio, as_of: dt.date, *,
             calendar: Any = None, schedule: Any = None,
             projects: Collection[str] | None = None, rule_time_limit: float | None = None,
             clock: Callable[[], float] | None = None, explained: bool = False) -> Evaluation:
    """Run ``rulebook`` over ``portfolio`` as known on ``as_of``.

    ``calendar`` defaults to the portfolio's (``projects.calendar.calendar_for``), ``schedule``
    to ``compute_schedule`` of the replayed portfolio (of the scope's component when
    ``projects`` is given). ``projects`` makes it a scoped evaluation (module header):
    milestone, project and notice findings of those projects only, no unit findings or
    scores, and only those projects' rates.
    ``rule_time_limit`` (seconds of ``clock``, which the caller supplies, e.g.
    ``time.monotonic``: the core reads no clock of its own) stops a rule still running after
    it, between two subjects; the rule is reported in ``errors`` and gives no findings, and
    the other rules run.
    ``explained``: every finding's explanation is computed before the return (otherwise when
    first read), and the views the rules ran against are then let go (``unlink``): they are
    freed when the call returns instead of being left to the cyclic collector — for callers
    that read every explanation anyway, such as a report group comparing and storing its
    findings, many times a second.
    """
    kept: list[Any] | None = [] if explained else None
    with collector_paused():
        evaluation = _evaluate(rulebook, portfolio, as_of, calendar=calendar, schedule=schedule,
                               projects=projects, limit=rule_time_limit, clock=clock, keep=kept)
        if kept:
            for f in evaluation.findings:
                f.explain  # noqa: B018 (computed and kept by the finding)
            unlink(kept[0])
    return evaluation


def _evaluate(rulebook: CompiledRulebook, portfolio: Portfolio, as_of: dt.date, *,
              calendar: Any, schedule: Any, projects: Collection[str] | None,
              limit: float | None = None, clock: Callable[[], float] | None = None,
              keep: list[Any] | None = None, closed: bool = False) -> Evaluation:
    """``evaluate``'s work; ``keep`` (``rules.incremental``) receives the views, schedule and
    environment the rules ran against; ``closed``: ``projects`` is already a union of whole
    components (the caller followed the links itself)."""
    scope = frozenset(projects) if projects is not None else None
    if scope is not None and not reads_unit_aggregates(rulebook):
        portfolio = sub_portfolio(portfolio, scope if closed else component(portfolio, scope))
    # the portfolio known on the day, each due moved by the extensions approved by then
    known, dues = known_on(portfolio, as_of)
    if calendar is None:
        calendar = calendar_for(known)
    if schedule is None:
        if reads_schedule(rulebook):
            from projects.schedule import compute_schedule  # noqa: PLC0415 (only then)

            schedule = compute_schedule(known, calendar, as_of)
        else:
            schedule = NO_SCHEDULE
    views = build_views(known, schedule, as_of, calendar, dues)
    env = RuleEnv(as_of, calendar, Adjacency(views.milestone_by_key, _view_after), views,
                  over_views=True)
    if keep is not None:
        keep.extend((views, schedule, env))
    scoped: dict[str, Sequence[Any]] = {}
    if scope is not None:
        scoped["milestone"] = [m for m in views.milestones if m.key[0] in scope]
        scoped["project"] = [p for p in views.projects if p.id in scope]
        scoped["notice"] = [n for n in views.notices if n.project in scope]
        scoped["complaint"] = [c for c in views.complaints
                               if c.project is not None and c.project.id in scope]
    failures: list[RuleFailure] = []
    findings: list[Finding] = []
    for rule in rulebook.rules:
        if scope is not None and rule.subject not in SCOPED_KINDS:
            continue  # unit rules are portfolio-wide: the next full evaluation runs them
        subjects = scoped.get(rule.subject)
        if subjects is None:
            subjects = subjects_of(views, rule.subject)
        findings.extend(_run_rule(rule, subjects, env, failures, limit=limit, clock=clock))
    findings.sort(key=_sort_key)
    if scope is not None:
        rates = EvaluationRates(Rates(), {}, {p.id: p.rates for p in scoped["project"]})
        return Evaluation(as_of, tuple(findings), rates, {}, tuple(failures), scope)
    scores = {s.name: _run_score(s, views.people if s.subject == "person" else views.units, env,
                                 failures) for s in rulebook.scores}
    rates = EvaluationRates(
        views.rates(),
        {u.id: u.rates for u in views.units},
        {p.id: p.rates for p in views.projects},
    )
    return Evaluation(as_of, tuple(findings), rates, scores, tuple(failures), scope)


# -- the scope of a scoped evaluation ----------------------------------------------------------


#: ``id(project) -> (project, links)``: a report replaces one project and keeps the others'
#: objects, so the scan of every dependency happens once per project, not once per report.
_LINKS: dict[int, tuple[Project, frozenset[str]]] = {}


def _project_links(p: Project) -> frozenset[str]:
    """The other projects ``p``'s milestones come after."""
    held = _LINKS.get(id(p))
    if held is not None and held[0] is p:
        return held[1]
    pid = p.id
    links = frozenset({d.project for m in p.milestones for d in m.after
                       if d.project is not None and d.project != pid})
    if len(_LINKS) > 100_000:
        _LINKS.clear()
    _LINKS[id(p)] = (p, links)
    return links


def project_links(p: Project) -> frozenset[str]:
    """The other projects ``p``'s milestones come after (cached per project object)."""
    return _project_links(p)


class _Graph:
    """The project graph of one ``projects`` tuple: each project's position, the projects it
    comes after and those that come after it. Built once, then derived for the next tuple by
    looking only at the projects that are not the same objects (a report replaces one), so a
    scoped evaluation's cost is its component's, not the portfolio's. Values are never changed
    once built (evaluations run on work threads): a derived graph copies the maps it patches."""

    __slots__ = ("into", "out", "position", "projects")

    def __init__(self, projects: tuple[Project, ...], position: dict[str, int],
                 out: dict[str, frozenset[str]], into: dict[str, frozenset[str]]) -> None:
        self.projects, self.position, self.out, self.into = projects, position, out, into

    @classmethod
    def of(cls, projects: tuple[Project, ...]) -> _Graph:
        out = {p.id: _project_links(p) for p in projects}
        into: dict[str, set[str]] = {}
        for pid, links in out.items():
            for q in links:
                into.setdefault(q, set()).add(pid)
        return cls(projects, {p.id: i for i, p in enumerate(projects)}, out,
                   {q: frozenset(v) for q, v in into.items()})

    def derive(self, projects: tuple[Project, ...]) -> _Graph | None:
        """The graph of ``projects``, when it holds the same ids in the same order."""
        if len(projects) != len(self.projects):
            return None
        old = self.projects
        changed = list(compress(range(len(old)), map(is_not, old, projects)))  # (at C speed)
        if any(projects[i].id != old[i].id for i in changed):
            return None
        out, into = self.out, self.into
        patched = False
        for i in changed:
            p = projects[i]
            links = _project_links(p)
            was = out[p.id]
            if links == was:
                continue
            if not patched:
                out, into, patched = dict(out), dict(into), True
            out[p.id] = links
            for q in was - links:
                into[q] = into[q] - {p.id}
            for q in links - was:
                into[q] = into.get(q, frozenset()) | {p.id}
        return _Graph(projects, self.position, out, into)


#: The graph of the last ``projects`` tuple seen (one slot; replaced, never changed).
_GRAPHS: list[_Graph] = []


def _graph_of(portfolio: Portfolio) -> _Graph:
    projects = portfolio.projects
    held = _GRAPHS[0] if _GRAPHS else None
    if held is not None and held.projects is projects:
        return held
    found = (held.derive(projects) if held is not None else None) or _Graph.of(projects)
    _GRAPHS[:] = [found]
    return found


def component(portfolio: Portfolio, projects: Collection[str]) -> frozenset[str]:
    """``projects`` and every project linked to them by cross-project dependencies, in either
    direction, transitively: the weakly connected component(s) of the project graph (the
    project-level view of ``projects.graph.Adjacency``; networkx's ``node_connected_component``
    of the undirected project graph, ``tests/rules/test_incremental.py``). A schedule
    restricted to it equals the whole portfolio's schedule restricted to it. Unknown ids are
    left out. Its cost is the component's (``_Graph``)."""
    g = _graph_of(portfolio)
    known = g.position
    found = {pid for pid in projects if pid in known}
    todo = list(found)
    empty: frozenset[str] = frozenset()
    while todo:
        pid = todo.pop()
        for q in (*g.out.get(pid, empty), *g.into.get(pid, empty)):
            if q not in found and q in known:
                found.add(q)
                todo.append(q)
    return frozenset(found)


def sub_portfolio(portfolio: Portfolio, projects: frozenset[str]) -> Portfolio:
    """Those projects (file order), every unit, and the notices about subjects inside them
    and the complaints about them (a complaint of no project stays out: its findings are the
    whole evaluation's)."""
    g = _graph_of(portfolio)
    positions = sorted(g.position[pid] for pid in projects if pid in g.position)
    kept = tuple(portfolio.projects[i] for i in positions)
    by_project = _notices_by_project(portfolio.notices)
    at = sorted(i for pid in projects for i in by_project.get(pid, ()))
    notices = tuple(portfolio.notices[i] for i in at)
    complaints = tuple(c for c in portfolio.complaints if c.project in projects) \
        if portfolio.complaints else ()
    return replace(portfolio, projects=kept, notices=notices, complaints=complaints)


#: The last notices tuple seen and its project -> positions index (one slot; replaced, never
#: changed: evaluations run on work threads). A report group's notices tuple follows the one
#: before (a few notices replaced in place, new ones appended), so the next index is derived
#: from it, at the cost of the notices that changed (``_derived_notice_index``).
_NOTICE_INDEX: list[tuple[tuple[Notice, ...], dict[str | None, list[int]]]] = []


def _notices_by_project(notices: tuple[Notice, ...]) -> dict[str | None, list[int]]:
    held = _NOTICE_INDEX[0] if _NOTICE_INDEX else None
    if held is not None and held[0] is notices:
        return held[1]
    index = _derived_notice_index(*held, notices) if held is not None else None
    if index is None:
        index = {}
        for i, n in enumerate(notices):
            index.setdefault(subject_project(n.subject), []).append(i)
    _NOTICE_INDEX[:] = [(notices, index)]
    return index


def _derived_notice_index(old: tuple[Notice, ...], index: dict[str | None, list[int]],
                          notices: tuple[Notice, ...]) -> dict[str | None, list[int]] | None:
    """The index of ``notices`` from ``old``'s, when ``notices`` is ``old`` with some notices
    replaced in place and some appended (None otherwise: a shorter tuple, or most of it new).
    The positions whose object changed are found at C speed (``map(is_not, ...)``); only
    their subjects are parsed, and only the lists they move between are copied."""
    if len(notices) < len(old):
        return None
    changed = list(compress(range(len(old)), map(is_not, old, notices)))
    if len(changed) > len(old) // 4 + 64:
        return None  # (mostly new: a fresh scan costs no more)
    return _moved_index(old, index, notices, changed)


def _moved_index(old: tuple[Notice, ...], index: dict[str | None, list[int]], notices: tuple[Notice, ...],
                 changed: Iterable[int]) -> dict[str | None, list[int]]:
    """``index`` (of ``old``) made the index of ``notices``: ``old`` with the notices at the
    positions ``changed`` replaced and those past its end appended."""
    moves: dict[str | None, tuple[list[int], list[int]]] = {}  # project -> (positions out, in)
    for i in changed:
        was, now = subject_project(old[i].subject), subject_project(notices[i].subject)
        if was != now:
            moves.setdefault(was, ([], []))[0].append(i)
            moves.setdefault(now, ([], []))[1].append(i)
    for i in range(len(old), len(notices)):
        moves.setdefault(subject_project(notices[i].subject), ([], []))[1].append(i)
    if not moves:
        return index
    out = dict(index)
    for pid, (gone, came) in moves.items():
        held = out.get(pid, [])
        if gone:
            drop = set(gone)
            held = [i for i in held if i not in drop]
        out[pid] = sorted((*held, *came)) if came and held and came[0] < held[-1] else [*held, *came]
        if not out[pid]:
            del out[pid]
    return out


def notices_followed(old: tuple[Notice, ...], notices: tuple[Notice, ...], replaced: Iterable[int]) -> None:
    """Say that ``notices`` is ``old`` with the notices at the positions ``replaced`` changed
    and those past ``old``'s end appended (what a report group makes of its snapshot's
    notices, ``api.reports.merged_notices``): when ``old``'s index by project is the one held,
    ``notices``' is derived from it at the cost of those positions, instead of the next scoped
    evaluation comparing the two tuples position by position (tens of thousands of notices).
    Anything else leaves the held index as it was."""
    held = _NOTICE_INDEX[0] if _NOTICE_INDEX else None
    if held is None or held[0] is not old or len(notices) < len(old):
        return
    n = len(old)
    changed = sorted({i for i in replaced if i < n})  # (once each; an appended one is appended)
    _NOTICE_INDEX[:] = [(notices, _moved_index(old, held[1], notices, changed))]


def reads_schedule(rulebook: CompiledRulebook) -> bool:
    """Whether a rule or score reads a field the schedule computes (``CompiledRule``'s flag):
    when none does, the evaluation skips the schedule, and its findings, rates and scores are
    the same as with it (``tests/rules/test_engine.py`` checks it)."""
    return any(r.reads_schedule for r in rulebook.rules) or \
        any(s.reads_schedule for s in rulebook.scores)


class _NoSchedule:
    """The schedule of a rulebook that reads none of it: it knows no subject
    (``build_views`` reads ``knows_nothing`` and looks nothing up)."""

    knows_nothing = True

    def milestone(self, key: tuple[str, str]) -> Any:
        raise KeyError(key)

    def project(self, pid: str) -> Any:
        raise KeyError(pid)


NO_SCHEDULE = _NoSchedule()


def reads_unit_aggregates(rulebook: CompiledRulebook) -> bool:
    """Whether a milestone, project or notice rule reads a unit's aggregates (module header)."""
    return any(rule.reads_unit_aggregates for rule in rulebook.rules if rule.subject in SCOPED_KINDS)
