"""The engine: compiled rulebook x portfolio x as-of day -> findings, rates and scores.

Owns ``evaluate`` and ``RuleEnv`` (the ``dsl.runtime.Env`` the compiled code runs against).
Pure: no clock, no I/O; ``as_of`` is passed in and the portfolio is first replayed to it
(facts after the day are not known). Invariants:

- For each rule and each subject of its kind that passes ``where``, the highest level whose
  ``light`` clause holds wins; missing (``None``) never holds.
- A rule that raises is caught per subject, reported once in ``Evaluation.errors`` with its
  first failing subject, and the other rules still run.
- Findings come out in a fixed order: level (red first), rule name, subject id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from functools import cache
from typing import Any

from dsl import CompiledRule, CompiledRulebook, CompiledScore
from dsl.values import Duration
from projects.model import Level, Portfolio
from rules.explain import explain_rule
from rules.findings import Evaluation, EvaluationRates, Finding, RuleFailure, ScoreRow
from rules.views import (
    MilestoneView,
    NoticeView,
    ProjectView,
    UnitView,
    Views,
    build_views,
    subjects_of,
)


class RuleEnv:
    """The evaluation context: the day, the working-day calendar and the dependency graph."""

    __slots__ = ("_adjacency", "_cache", "_views", "add_workdays", "calendar", "today",
                 "workdays")

    def __init__(self, today: dt.date, calendar: Any, adjacency: Any, views: Views) -> None:
        self.today = today
        self.calendar = calendar
        # Bound methods as attributes: generated code calls them in its inner loops.
        self.add_workdays = calendar.add_workdays
        self.workdays = calendar.workdays
        self._adjacency = adjacency
        self._views = views
        self._cache: dict[tuple[str, tuple[str, str]], tuple[MilestoneView, ...]] = {}

    def _related(self, how: str, m: MilestoneView) -> tuple[MilestoneView, ...]:
        key = (how, m.key)
        found = self._cache.get(key)
        if found is None:
            by_key = self._views.milestone_by_key
            keys = getattr(self._adjacency, how)(m.key)
            found = tuple(by_key[k] for k in keys if k in by_key)
            self._cache[key] = found
        return found

    def upstream(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        return self._related("upstream", m)

    def downstream(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        return self._related("downstream", m)

    def predecessors(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        return self._related("predecessors", m)

    def successors(self, m: MilestoneView) -> tuple[MilestoneView, ...]:
        return self._related("successors", m)


def subject_id(x: Any) -> str:
    """The stable id of a subject view."""
    if isinstance(x, MilestoneView):
        return f"milestone:{x.key[0]}/{x.key[1]}"
    if isinstance(x, ProjectView):
        return f"project:{x.id}"
    if isinstance(x, UnitView):
        return f"unit:{x.id}"
    return f"notice:{x.id}"


def _owner(x: Any) -> tuple[str | None, str | None]:
    """(project id, responsible unit id) of a subject."""
    if isinstance(x, MilestoneView):
        return x.project.id, x.unit.id
    if isinstance(x, ProjectView):
        return x.id, x.unit.id
    if isinstance(x, UnitView):
        return None, x.id
    assert isinstance(x, NoticeView)
    return x.project, x.unit.id


def respond_by(as_of: dt.date, within: Duration | None, calendar: Any) -> dt.date | None:
    """The response deadline of a finding lit on ``as_of``."""
    if within is None:
        return None
    if within.unit == "workdays":
        return calendar.add_workdays(as_of, within.amount)  # type: ignore[no-any-return]
    return as_of + dt.timedelta(days=within.calendar_days or 0)


def _run_rule(rule: CompiledRule, subjects: Iterable[Any], env: RuleEnv,
              failures: list[RuleFailure]) -> list[Finding]:
    where = rule.where
    # Highest level first: the first clause that holds decides the level.
    ordered = sorted(rule.lights, key=lambda light: -light.level.rank)
    tests = [(light.level, light.test) for light in ordered]
    found: list[Finding] = []
    deadline: dt.date | None = None
    deadline_known = False
    failed = False
    for x in subjects:
        try:
            if not where(env, x):
                continue
            level: Level | None = None
            for candidate, test in tests:
                if test(env, x) is True:
                    level = candidate
                    break
            if level is None:
                continue
            notified = rule.notify(env, x)
            if not deadline_known:
                deadline = respond_by(env.today, rule.within, env.calendar)
                deadline_known = True
            project, unit = _owner(x)
            found.append(Finding(
                rule.name, rule.title, subject_id(x), level, rule.message(env, x),
                tuple(u.id for u in notified) if notified is not None else (),
                deadline if notified is not None else None,
                explain_rule(rule.lights, env, x), project, unit,
            ))
        except Exception as exc:  # a broken rule must stop neither its other subjects nor rules
            if not failed:
                failures.append(RuleFailure(rule.name, subject_id(x),
                                            f"{type(exc).__name__}: {exc}", rule.file, rule.line))
                failed = True
    return found


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


def _run_score(score: CompiledScore, units: Iterable[UnitView], env: RuleEnv,
               failures: list[RuleFailure]) -> tuple[ScoreRow, ...]:
    values: list[tuple[str, float | None]] = []
    failed = False
    for u in units:
        try:
            value = score.value(env, u)
        except Exception as exc:  # reported once; the unit gets no value
            if not failed:
                failures.append(RuleFailure(score.name, f"unit:{u.id}",
                                            f"{type(exc).__name__}: {exc}", score.file,
                                            score.line))
                failed = True
            value = None
        values.append((u.id, None if value is None else float(value)))
    return rank_scores(values)


def _import(module: str, name: str) -> Any:
    """``projects.<module>.<name>``, or its stand-in in ``rules.fallback`` until it lands."""
    import importlib  # noqa: PLC0415

    try:
        return getattr(importlib.import_module(f"projects.{module}"), name)
    except (ImportError, AttributeError):
        return getattr(importlib.import_module("rules.fallback"), name)


class _ProjectsApi:
    """The ``projects`` functions the engine calls (see docs/internals.md)."""

    def __init__(self) -> None:
        self.calendar_for: Any = _import("calendar", "calendar_for")
        self.Adjacency: Any = _import("graph", "Adjacency")
        self.as_of: Any = _import("replay", "as_of")
        self.compute_schedule: Any = _import("schedule", "compute_schedule")


@cache
def _projects_api() -> _ProjectsApi:
    return _ProjectsApi()


def evaluate(rulebook: CompiledRulebook, portfolio: Portfolio, as_of: dt.date, *,
             calendar: Any = None, schedule: Any = None,
             projects: Collection[str] | None = None) -> Evaluation:
    """Run ``rulebook`` over ``portfolio`` as known on ``as_of``.

    ``calendar`` defaults to the portfolio's (``projects.calendar.calendar_for``), ``schedule``
    to ``compute_schedule`` of the replayed portfolio. ``projects`` restricts milestone and
    project rules to those projects; unit and notice rules, scores and rates still cover all.
    """
    api = _projects_api()
    known = api.as_of(portfolio, as_of)
    if calendar is None:
        calendar = api.calendar_for(known)
    if schedule is None:
        schedule = api.compute_schedule(known, calendar, as_of)
    views = build_views(known, schedule, as_of, calendar)
    env = RuleEnv(as_of, calendar, api.Adjacency.of(known), views)
    scope = frozenset(projects) if projects is not None else None
    failures: list[RuleFailure] = []
    findings: list[Finding] = []
    for rule in rulebook.rules:
        subjects: Iterable[Any] = subjects_of(views, rule.subject)
        if scope is not None and rule.subject == "milestone":
            subjects = [m for m in subjects if m.key[0] in scope]
        elif scope is not None and rule.subject == "project":
            subjects = [p for p in subjects if p.id in scope]
        findings.extend(_run_rule(rule, subjects, env, failures))
    findings.sort(key=lambda f: f.sort_key)
    scores = {s.name: _run_score(s, views.units, env, failures) for s in rulebook.scores}
    rates = EvaluationRates(
        views.rates(),
        {u.id: u.rates for u in views.units},
        {p.id: p.rates for p in views.projects},
    )
    return Evaluation(as_of, tuple(findings), rates, scores, tuple(failures), scope)
