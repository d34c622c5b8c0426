"""Incremental evaluation: the next whole-portfolio evaluation from the one before and a change.

Owns ``Held`` (what a whole evaluation leaves for the next one: its views split by project and
the counts behind every rate), ``start`` and ``advance``. Pure: values in, values out.

``advance(held, portfolio)`` finds what changed by comparing the two portfolios project by
project and notice by notice (the same object is unchanged, which is what a report leaves for
every project it did not touch; otherwise compared by value), then:

1. the changed projects' dependency component (``rules.engine.component``, in the new portfolio
   and the old one) gets a scoped evaluation: its schedule, views, and milestone, project and
   notice findings, which replace the old ones of those projects;
2. its views replace theirs in the units' and people's collections (same unit and person view
   objects, so every unchanged view still points at them), and its counts replace theirs in
   the units', people's and portfolio's rates (integer counts: subtracted, added, exact);
3. the unit and person rules and the scores run again over the patched units and people;
   notice rules run again over the notices of no project when one of those changed.

The cost is the component's size plus what the unit rules and scores read, not the portfolio's
size. The result equals ``rules.engine.evaluate`` of the new portfolio: findings (with their
explanations), rates, scores and errors; ``tests/rules/test_incremental.py`` checks it over
random report sequences. It falls back to a whole evaluation (same result, whole cost) when
the units, people, calendar, time zone or list of projects changed, when a field of the
portfolio it does not follow changed (anything but projects, notices and extensions: records
added later, such as complaints, are safe by default), when a milestone, project or notice rule
reads a unit's or a person's aggregate (``rules.engine.reads_unit_aggregates``), or when a rule
failed (a failure names the first failing subject of a whole run).

A ``Held`` is consumed by ``advance`` (its unit and person views are patched in place and
belong to the new one): advancing the same one twice raises ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from itertools import chain
from typing import Any

from dsl import CompiledRulebook
from projects.calendar import calendar_for
from projects.memory import collector_paused
from projects.model import Notice, Portfolio
from projects.replay import as_of as replay_as_of
from projects.replay import known_on
from projects.schedule import compute_schedule
from projects.subjects import subject_project
from rules.engine import (
    SCOPED_KINDS,
    RuleEnv,
    _evaluate,
    _run_rule,
    _run_score,
    _sort_key,
    project_links,
    reads_unit_aggregates,
    sub_portfolio,
)
from rules.findings import Evaluation, EvaluationRates, Finding
from rules.views import (
    ComplaintView,
    MilestoneView,
    NoticeView,
    PersonView,
    ProjectView,
    Tally,
    UnitView,
    subjects_of,
)

#: The portfolio fields ``advance`` follows; a change to any other one means a whole evaluation.
_FOLLOWED = frozenset({"projects", "notices", "extensions"})


@dataclass(eq=False, slots=True)
class _Part:
    """One project's share of the views: its view, and what it adds to units and people."""

    view: ProjectView
    unit_milestones: dict[str, tuple[MilestoneView, ...]]
    person_milestones: dict[str, tuple[MilestoneView, ...]]
    unit_counts: dict[str, Tally]
    person_counts: dict[str, Tally]
    extensions: dict[str, int]
    counts: Tally  # its milestones' counts (the portfolio's share)


def _part(pv: ProjectView, today: dt.date) -> _Part:
    """What ``rules.views.build_views`` counted for ``pv``'s milestones, by unit and person."""
    units: dict[str, list[MilestoneView]] = {}
    people: dict[str, list[MilestoneView]] = {}
    unit_counts: dict[str, Tally] = {}
    person_counts: dict[str, Tally] = {}
    extensions: dict[str, int] = {}
    counts = Tally()
    for mv in pv.milestones:
        uid = mv.unit.id
        units.setdefault(uid, []).append(mv)
        person = mv.person
        if person is not None:
            people.setdefault(person.id, []).append(mv)
        if mv.extensions:
            extensions[uid] = extensions.get(uid, 0) + mv.extensions
        due = mv.due
        if due is not None and due <= today:
            counts.milestone(due, mv.finished)
            found = unit_counts.get(uid)
            if found is None:
                found = unit_counts[uid] = Tally()
            found.milestone(due, mv.finished)
            if person is not None:
                found = person_counts.get(person.id)
                if found is None:
                    found = person_counts[person.id] = Tally()
                found.milestone(due, mv.finished)
    return _Part(pv, {u: tuple(v) for u, v in units.items()},
                 {x: tuple(v) for x, v in people.items()}, unit_counts, person_counts,
                 extensions, counts)


def _add(into: Tally, other: Tally, sign: int) -> None:
    into.due += sign * other.due
    into.finished += sign * other.finished
    into.on_time += sign * other.on_time
    into.early += sign * other.early


class PatchedSchedule:
    """A whole schedule with the projects of later components' schedules laid over it."""

    __slots__ = ("_base", "_order", "_over")

    def __init__(self, base: Any, over: dict[str, Any], order: tuple[str, ...]) -> None:
        self._base, self._over, self._order = base, over, order

    def _of(self, pid: object) -> Any:
        found = self._over.get(pid) if isinstance(pid, str) else None
        return self._base if found is None else found

    def milestone(self, key: tuple[str, str]) -> Any:
        return self._of(key[0] if isinstance(key, tuple) and key else None).milestone(key)

    def project(self, pid: str) -> Any:
        return self._of(pid).project(pid)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return key in self._of(key[0])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        over = self._over
        by_project: dict[str, list[tuple[str, str]]] = {}
        for key in self._base:
            if key[0] not in over:
                by_project.setdefault(key[0], []).append(key)
        for pid, schedule in over.items():
            by_project[pid] = [key for key in schedule if key[0] == pid]
        return chain.from_iterable(by_project.get(pid, ()) for pid in self._order)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def layered(self, over: dict[str, Any]) -> PatchedSchedule:
        return PatchedSchedule(self._base, {**self._over, **over}, self._order)


class _LazyAdjacency:
    """``projects.graph.Adjacency`` of the portfolio, built when a unit rule first asks."""

    __slots__ = ("_built", "_portfolio")

    def __init__(self, portfolio: Portfolio) -> None:
        self._portfolio = portfolio
        self._built: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            from projects.graph import Adjacency  # noqa: PLC0415

            self._built = Adjacency.of(self._portfolio)
        return getattr(self._built, name)


@dataclass(eq=False)
class Held:
    """A whole evaluation and what the next one can reuse (module header)."""

    rulebook: CompiledRulebook
    as_of: dt.date
    calendar: Any
    portfolio: Portfolio
    evaluation: Evaluation
    schedule: Any
    views: Any  # rules.views.Views
    kinds: dict[str, str]  # rule name -> the kind of subject it runs over
    parts: dict[str, _Part] = field(default_factory=dict)  # filled on first advance
    unit_counts: dict[str, Tally] = field(default_factory=dict)
    person_counts: dict[str, Tally] = field(default_factory=dict)
    unit_extensions: dict[str, int] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    #: unit id -> {project id: its milestones for which that unit answers}, in file order
    unit_lists: dict[str, dict[str, tuple[MilestoneView, ...]]] = field(default_factory=dict)
    person_lists: dict[str, dict[str, tuple[MilestoneView, ...]]] = field(default_factory=dict)
    notice_views: dict[str, tuple[Notice, NoticeView]] = field(default_factory=dict)
    #: unit id -> {project id: view} of the projects it leads, in file order
    unit_projects: dict[str, dict[str, ProjectView]] = field(default_factory=dict)
    #: project id -> the projects it comes after / that come after it (cross-project links)
    links_out: dict[str, frozenset[str]] = field(default_factory=dict)
    links_in: dict[str, set[str]] = field(default_factory=dict)
    #: unit id -> its workload less its milestones due (its complaints received by today)
    complaint_load: dict[str, int] = field(default_factory=dict)
    #: project id -> its place in ``views.projects`` and where its milestones start in
    #: ``views.milestones`` (None when those are not laid out project by project)
    places: dict[str, tuple[int, int]] | None = None
    #: the notices' counts by unit and in all, of the notices ``notice_views`` holds, once a
    #: whole pass over the notices has checked them (None before)
    notice_counts: dict[str, Tally] | None = None
    all_notices: Tally = field(default_factory=Tally)
    spent: bool = False

    def _split(self) -> None:
        """Fill the per-project parts from the views (once, on the first advance)."""
        if self.parts or not self.views.projects:
            return
        today = self.as_of
        for pv in self.views.projects:
            part = self.parts[pv.id] = _part(pv, today)
            self._count(part, 1)
            for uid, mvs in part.unit_milestones.items():
                self.unit_lists.setdefault(uid, {})[pv.id] = mvs
            for xid, mvs in part.person_milestones.items():
                self.person_lists.setdefault(xid, {})[pv.id] = mvs
        self.notice_views = {nv.id: (nv.model, nv) for nv in self.views.notices}
        for pv in self.views.projects:
            self.unit_projects.setdefault(pv.unit.id, {})[pv.id] = pv
        for p in self.portfolio.projects:
            self._link(p.id, project_links(p))
        self.complaint_load = {u.id: u.workload - self.unit_counts.get(u.id, Tally()).due
                               for u in self.views.units}
        places: dict[str, tuple[int, int]] = {}
        at = 0
        for i, pv in enumerate(self.views.projects):
            places[pv.id] = (i, at)
            at += len(pv.milestones)
        self.places = places if at == len(self.views.milestones) and all(
            self.views.milestones[o:o + len(pv.milestones)] == pv.milestones
            for pv, (_, o) in zip(self.views.projects, places.values(), strict=True)) else None

    def _link(self, pid: str, out: frozenset[str]) -> None:
        """Set the projects ``pid`` comes after (replacing what it came after before)."""
        for q in self.links_out.get(pid, frozenset()) - out:
            self.links_in[q].discard(pid)
        for q in out:
            self.links_in.setdefault(q, set()).add(pid)
        self.links_out[pid] = out

    def component(self, pids: set[str], known: Any) -> frozenset[str]:
        """``rules.engine.component`` over the held links (the cost of the component only)."""
        found = {pid for pid in pids if pid in known}
        todo = list(found)
        while todo:
            pid = todo.pop()
            for q in (*self.links_out.get(pid, ()), *self.links_in.get(pid, ())):
                if q not in found and q in known:
                    found.add(q)
                    todo.append(q)
        return frozenset(found)

    def _count(self, part: _Part, sign: int) -> None:
        _add(self.total, part.counts, sign)
        for uid, t in part.unit_counts.items():
            _add(self.unit_counts.setdefault(uid, Tally()), t, sign)
        for xid, t in part.person_counts.items():
            _add(self.person_counts.setdefault(xid, Tally()), t, sign)
        for uid, n in part.extensions.items():
            self.unit_extensions[uid] = self.unit_extensions.get(uid, 0) + sign * n


def start(rulebook: CompiledRulebook, portfolio: Portfolio, as_of: dt.date, *,
          calendar: Any = None, schedule: Any = None) -> Held:
    """A whole evaluation (``rules.engine.evaluate``), held for ``advance``."""
    if calendar is None:
        calendar = calendar_for(portfolio)
    keep: list[Any] = []
    with collector_paused():
        evaluation = _evaluate(rulebook, portfolio, as_of, calendar=calendar, schedule=schedule,
                               projects=None, keep=keep)
    views, used, _ = keep
    kinds = {r.name: r.subject for r in rulebook.rules}
    return Held(rulebook, as_of, calendar, portfolio, evaluation, used, views, kinds)


def _changes(old: Portfolio, new: Portfolio) -> set[str] | None:
    """The projects whose evaluation may differ (before their component is added), or ``None``
    when only a whole evaluation will do (module header)."""
    for f in fields(Portfolio):
        if f.name not in _FOLLOWED:
            a, b = getattr(old, f.name), getattr(new, f.name)
            if a is not b and a != b:
                return None
    if len(old.projects) != len(new.projects):
        return None
    changed: set[str] = set()
    for a, b in zip(old.projects, new.projects, strict=True):
        if a.id != b.id:
            return None
        if a is not b and a != b:
            changed.add(a.id)
    known = new.project_by_id
    if old.notices is not new.notices:
        before = old.notice_by_id
        for n in new.notices:
            was = before.get(n.id)
            if was is not n and was != n:
                changed.add(subject_project(n.subject) or "")
                if was is not None:
                    changed.add(subject_project(was.subject) or "")
        for n in old.notices:
            if n.id not in new.notice_by_id:
                changed.add(subject_project(n.subject) or "")
    if old.extensions is not new.extensions and old.extensions != new.extensions:
        def by_project(extensions: Any) -> dict[str, list[Any]]:
            out: dict[str, list[Any]] = {}
            for e in extensions:
                out.setdefault(e.milestone.partition("/")[0], []).append(e)
            return out
        a_ext, b_ext = by_project(old.extensions), by_project(new.extensions)
        changed.update(pid for pid in a_ext.keys() | b_ext.keys() if a_ext.get(pid) != b_ext.get(pid))
    # "" (notices of no project) and unknown projects stay: they mark the loose notices
    return {pid if pid in known else "" for pid in changed}


def advance(held: Held, portfolio: Portfolio, *, with_schedule: bool = False) -> Held:
    """The evaluation of ``portfolio`` on the same day with the same rulebook, from ``held``
    (module header). ``with_schedule``: compute the component's schedule even when no rule
    reads it (the board draws it), so the held schedule stays whole."""
    if held.spent:
        raise ValueError("this evaluation was already advanced; advance the one it gave")
    rulebook, today = held.rulebook, held.as_of
    changed = _changes(held.portfolio, portfolio)
    if changed is None or held.evaluation.errors or reads_unit_aggregates(rulebook):
        held.spent = True
        return start(rulebook, portfolio, today, calendar=held.calendar,
                     schedule=_whole_schedule(portfolio, today, held.calendar)
                     if with_schedule else None)
    if not changed:
        held.spent = True
        return replace(held, portfolio=portfolio, spent=False)
    with collector_paused():
        return _advance(held, portfolio, changed, with_schedule)


def _whole_schedule(portfolio: Portfolio, today: dt.date, calendar: Any) -> Any:
    return compute_schedule(known_on(portfolio, today)[0], calendar, today)


def _advance(held: Held, new: Portfolio, changed: set[str], with_schedule: bool) -> Held:
    rulebook, today, calendar = held.rulebook, held.as_of, held.calendar
    held._split()
    loose = "" in changed
    changed.discard("")
    # the component in the old links and, once the changed projects' links are the new ones,
    # in the new links: what the change can reach either way
    known = new.project_by_id
    before = held.component(changed, known)
    for pid in changed:
        held._link(pid, project_links(known[pid]))
    affected = held.component(changed | before, known) if changed else frozenset()
    schedule = None
    if affected and with_schedule:
        schedule = _whole_schedule(sub_portfolio(new, affected), today, calendar)
    keep: list[Any] = []
    scoped = _evaluate(rulebook, new, today, calendar=calendar, schedule=schedule,
                       projects=affected, keep=keep, closed=True) if affected else None
    units, people = held.views.unit_by_id, {x.id: x for x in held.views.people}
    if scoped is not None:
        sub = keep[0]
        if scoped.errors or sub.unit_by_id.keys() != units.keys() or \
                {x.id for x in sub.people} != people.keys():
            held.spent = True
            return start(rulebook, new, today, calendar=calendar,
                         schedule=_whole_schedule(new, today, calendar) if with_schedule else None)
    # From here on the held views are patched: this Held is spent whatever happens.
    held.spent = True
    for f in held.evaluation.findings:  # explanations of what the patch re-runs, as they were
        if held.kinds.get(f.rule) not in SCOPED_KINDS:
            f.explain  # noqa: B018 (computed and kept now, before the views change)
    touched_units: set[str] = set()
    touched_people: set[str] = set()
    # the held lookups patched in place, not copied (O(milestones)): this Held is spent
    project_views = held.views.project_by_id
    milestone_by_key = held.views.milestone_by_key
    sub_notices: dict[str, NoticeView] = {}
    resized = False  # a component project's milestones no longer fill its old place
    if scoped is not None:
        sub_notices = {nv.id: nv for nv in sub.notices}
        for nv in sub.notices:
            nv.unit = units[nv.unit.id]
        for pv in sub.projects:
            _repoint_project(pv, units, people)
            old = held.parts[pv.id]
            resized = resized or len(old.view.milestones) != len(pv.milestones)
            held._count(old, -1)
            for mv in old.view.milestones:
                milestone_by_key.pop(mv.key, None)
            part = held.parts[pv.id] = _part(pv, today)
            held._count(part, 1)
            for mv in pv.milestones:
                milestone_by_key[mv.key] = mv
            project_views[pv.id] = pv
            if old.view.unit.id != pv.unit.id:  # led by another unit now: in file order there
                held.unit_projects.get(old.view.unit.id, {}).pop(pv.id, None)
                held.unit_projects[pv.unit.id] = {
                    p.id: held.parts[p.id].view for p in new.projects
                    if held.parts[p.id].view.unit.id == pv.unit.id}
            else:
                held.unit_projects.setdefault(pv.unit.id, {})[pv.id] = pv
            _relist(held.unit_lists, held.parts, pv.id, old.unit_milestones, part.unit_milestones,
                    touched_units, "unit_milestones")
            _relist(held.person_lists, held.parts, pv.id, old.person_milestones,
                    part.person_milestones, touched_people, "person_milestones")
            touched_units.update((old.view.unit.id, pv.unit.id))
            touched_units.update(old.extensions.keys() | part.extensions.keys())
    for uid in touched_units:
        u = units[uid]
        u.milestones = tuple(chain.from_iterable(held.unit_lists.get(uid, {}).values()))
        u.projects = tuple(held.unit_projects.get(uid, {}).values())
        u.extensions = held.unit_extensions.get(uid, 0)
        u.workload = held.unit_counts.get(uid, Tally()).due + held.complaint_load.get(uid, 0)
    complaints = held.views.complaints
    if scoped is not None and sub.complaints:  # the component's complaints: new views
        fresh_complaints = {cv.id: cv for cv in sub.complaints}
        for cv in sub.complaints:
            cv.unit = units[cv.unit.id]
        complaints = tuple(fresh_complaints.get(cv.id, cv) for cv in complaints)
        by_unit_complaints: dict[str, list[ComplaintView]] = {}
        for cv in complaints:
            by_unit_complaints.setdefault(cv.unit.id, []).append(cv)
        for uid, cvs in by_unit_complaints.items():
            units[uid].complaints = tuple(cvs)
    for xid in touched_people:
        people[xid].milestones = tuple(chain.from_iterable(held.person_lists.get(xid, {}).values()))
    if new.notices is held.portfolio.notices and held.notice_counts is not None and not loose and \
            sub_notices.keys() <= held.notice_views.keys():
        # the same notices (a report): their counts stand; the component's views replace
        # theirs where they are listed, in place
        same = held.notice_views
        regroup: set[str] = set()
        for nid, nv in sub_notices.items():
            same[nid] = (same[nid][0], nv)
            regroup.add(nv.unit.id)
        for uid in regroup:
            units[uid].notices = tuple(sub_notices.get(nv.id, nv) for nv in units[uid].notices)
        return _finish(held, new, scoped, keep, affected, loose, [], same,
                       held.notice_counts, held.all_notices, project_views, milestone_by_key,
                       complaints, resized, with_schedule)
    # notices: every view kept but the changed ones, regrouped by unit in file order
    known_notices = replay_as_of(Portfolio(notices=new.notices), today).notices
    notice_views: dict[str, tuple[Notice, NoticeView]] = {}
    loose_views: list[NoticeView] = []
    by_unit: dict[str, list[NoticeView]] = {uid: [] for uid in units}
    notice_counts: dict[str, Tally] = {uid: Tally() for uid in units}
    all_notices = Tally()
    projects = new.project_by_id
    for n in known_notices:
        nv = sub_notices.get(n.id)
        if nv is None:
            was = held.notice_views.get(n.id)
            if was is not None and (was[0] is n or was[0] == n):
                nv = was[1]
            else:
                unit = units.get(n.unit)
                if unit is None:  # a notice of a unit the portfolio does not hold
                    return start(rulebook, new, today, calendar=calendar,
                                 schedule=_whole_schedule(new, today, calendar)
                                 if with_schedule else None)
                nv = NoticeView(n, unit, today, calendar)
        notice_views[n.id] = (n, nv)
        if nv.project not in projects:
            loose_views.append(nv)
        by_unit[nv.unit.id].append(nv)
        notice_counts[nv.unit.id].notice(nv, today)
        all_notices.notice(nv, today)
    if len(notice_views) != len(known_notices):  # two notices with one id: no shortcut
        return start(rulebook, new, today, calendar=calendar,
                     schedule=_whole_schedule(new, today, calendar) if with_schedule else None)
    for uid, u in units.items():
        u.notices = tuple(by_unit[uid])
    return _finish(held, new, scoped, keep, affected, loose, loose_views, notice_views, notice_counts,
                   all_notices, project_views, milestone_by_key, complaints, resized, with_schedule)


def _finish(held: Held, new: Portfolio, scoped: Evaluation | None, keep: list[Any],  # noqa: PLR0917
            affected: frozenset[str], loose: bool, loose_views: list[NoticeView],
            notice_views: dict[str, tuple[Notice, NoticeView]], notice_counts: dict[str, Tally],
            all_notices: Tally, project_views: dict[str, ProjectView],
            milestone_by_key: dict[tuple[str, str], MilestoneView], complaints: Any, resized: bool,
            with_schedule: bool) -> Held:
    """The rates, the unit and person rules, the scores and the findings over the patched views."""
    rulebook, today, calendar = held.rulebook, held.as_of, held.calendar
    units, people = held.views.unit_by_id, {x.id: x for x in held.views.people}
    for uid, u in units.items():
        u._cards = None
        t = Tally()
        t.add_milestones(held.unit_counts.get(uid, Tally()))
        t.notices_due, t.answered = notice_counts[uid].notices_due, notice_counts[uid].answered
        u.rates = t.rates()
    for xid, x in people.items():
        x.rates = (held.person_counts.get(xid) or Tally()).rates()
    total = Tally()
    total.add_milestones(held.total)
    total.notices_due, total.answered = all_notices.notices_due, all_notices.answered
    places = held.places
    sub_projects = keep[0].projects if scoped is not None else ()
    if places is not None and not resized:  # each changed project's views into its place
        in_order, milestones = list(held.views.projects), list(held.views.milestones)
        for pv in sub_projects:
            i, o = places[pv.id]
            in_order[i] = pv
            milestones[o:o + len(pv.milestones)] = pv.milestones
        ordered, laid = tuple(in_order), tuple(milestones)
    else:
        ordered = tuple(held.parts[p.id].view for p in new.projects)
        laid = tuple(chain.from_iterable(pv.milestones for pv in ordered))
        held.places = None
    views = replace(held.views, milestones=laid,
                    projects=ordered, notices=tuple(nv for _, nv in notice_views.values()),
                    milestone_by_key=milestone_by_key, project_by_id=project_views,
                    portfolio_rates=total.rates(), complaints=complaints)
    env = RuleEnv(today, calendar, _LazyAdjacency(new), views)
    failures: list[Any] = []
    fresh: list[Finding] = list(scoped.findings) if scoped is not None else []
    for rule in rulebook.rules:
        if rule.subject not in SCOPED_KINDS:  # unit, person: over the patched views
            fresh.extend(_run_rule(rule, subjects_of(views, rule.subject), env, failures))
        elif rule.subject == "notice" and loose and loose_views:
            fresh.extend(_run_rule(rule, loose_views, env, failures))
    scores = {s.name: _run_score(s, views.people if s.subject == "person" else views.units, env,
                                 failures) for s in rulebook.scores}
    if failures:
        return start(rulebook, new, today, calendar=calendar,
                     schedule=_whole_schedule(new, today, calendar) if with_schedule else None)
    kinds = held.kinds
    projects = held.portfolio.project_by_id  # the same ids as the new portfolio's (_changes)
    findings = [f for f in held.evaluation.findings if _stays(f, kinds.get(f.rule), affected, loose, projects)]
    # the kept findings are in order already: the fresh ones go in where sorting would put them
    # (after the kept ones of an equal key, in their own order: as a stable sort of kept + fresh)
    for f in sorted(fresh, key=_sort_key):
        insort(findings, f, key=_sort_key)
    rates = EvaluationRates(total.rates(), {u.id: u.rates for u in views.units},
                            {**held.evaluation.rates.projects,
                             **{pid: project_views[pid].rates for pid in affected}})
    evaluation = Evaluation(today, tuple(findings), rates, scores, (), None)
    whole = held.schedule
    if scoped is not None and affected:
        over = dict.fromkeys(affected, keep[1])
        whole = whole.layered(over) if isinstance(whole, PatchedSchedule) else \
            PatchedSchedule(whole, over, tuple(p.id for p in new.projects))
    if held.places is None and held.views.projects:  # laid out again: where each one is now
        held.places, at = {}, 0
        for i, pv in enumerate(ordered):
            held.places[pv.id] = (i, at)
            at += len(pv.milestones)
    return replace(held, portfolio=new, evaluation=evaluation, schedule=whole, views=views,
                   notice_views=notice_views, notice_counts=notice_counts, all_notices=all_notices,
                   spent=False)


def _stays(f: Finding, kind: str | None, affected: frozenset[str], loose: bool,
           projects: dict[str, Any]) -> bool:
    """Whether an old finding is still the new evaluation's (module header)."""
    if kind not in SCOPED_KINDS:  # unit and person rules run again over every subject
        return False
    if f.project in affected:
        return False
    return not (kind == "notice" and loose and f.project not in projects)


def _repoint_project(pv: ProjectView, units: dict[str, UnitView],
                     people: dict[str, PersonView]) -> None:
    """Point a component's views at the held unit and person views (one object per unit)."""
    pv.unit = units[pv.unit.id]
    pv.co_units = tuple(units[u.id] for u in pv.co_units)
    if pv.person is not None:
        pv.person = people[pv.person.id]
    for mv in pv.milestones:
        mv.unit = units[mv.unit.id]
        mv.co_units = tuple(units[u.id] for u in mv.co_units)
        if mv.person is not None:
            mv.person = people[mv.person.id]


def _relist(lists: dict[str, dict[str, tuple[MilestoneView, ...]]], parts: dict[str, _Part],  # noqa: PLR0917
            pid: str, old: dict[str, tuple[MilestoneView, ...]],
            new: dict[str, tuple[MilestoneView, ...]], touched: set[str], attr: str) -> None:
    """Replace ``pid``'s milestones in each unit's (or person's) lists, keeping file order."""
    for key in old.keys() - new.keys():
        lists[key].pop(pid, None)
        touched.add(key)
    for key, mvs in new.items():
        own = lists.setdefault(key, {})
        touched.add(key)
        if pid in own:
            own[pid] = mvs
        else:  # a project new to this unit or person: rebuild its lists in file order
            lists[key] = {p: getattr(part, attr)[key] for p, part in parts.items()
                          if key in getattr(part, attr)}


__all__ = ["Held", "PatchedSchedule", "advance", "start"]
