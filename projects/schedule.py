"""The schedule: planned durations, forecast finishes, total float and the critical path.

Owns ``cpm`` (the textbook critical-path method in integer time) and ``compute_schedule``
(the same forward and backward passes over a whole portfolio, in the working-day index space
of a ``WorkCalendar``). Conventions (portfolio-format.md, "Milestone schedule conventions"):

- Start: the milestone's ``start``, else the next working day after the latest ``due`` of its
  predecessors plus their lag; a milestone with neither start nor predecessors is a point
  event on its ``due`` (duration 0). Planned duration: working days from start to due, both
  included; 0 when either is missing or start is after due (the loader reports that).
- Forecast finish: a done milestone (``finished`` on or before ``today``) finishes on
  ``finished``. Otherwise the latest of its ``due``; each predecessor's forecast plus lag
  followed by the planned duration; and, once started (start on or before ``today``),
  ``today`` followed by ``ceil(duration x (1 - progress))`` working days. A started milestone
  with no progress reported is taken to be on plan: that term is ``today`` itself (it cannot
  finish in the past, but unreported progress is no evidence of a slip). A milestone with no
  term at all (no due, no dated predecessor, not started) has no forecast.
- Latest finish (backward pass): at most the project's due (the latest milestone ``due`` in the
  project, or its latest forecast when no milestone has a due), and for each successor ``s``
  at most ``latest(s) - duration(s) - lag``. Cross-project successors count too.
- Link types (``Dependency.type``): FS as above; SS (the milestone starts ``lag`` working
  days after its predecessor starts), FF (finishes ``lag`` after it finishes), SF (finishes
  ``lag`` after it starts). A lag may be negative (a lead). ``_typed_lags`` folds the other
  types into the finish-to-start passes; a milestone's default start follows FS and SS links.
- Float = latest finish - forecast finish, in working days, negative when behind. Critical:
  ``float <= max(0, least float in the project)`` — the chains with float <= 0 when the
  project is late or exactly on time, and the chain with the least float when every milestone
  is ahead (so a project always shows its critical path, even one that is ahead of its due).
  ``cpm`` has least float 0 by construction, so there critical means zero total float.

Everything is plain lists of ints over one topological order (Kahn) of the whole portfolio;
no networkx. A dependency on a milestone that does not exist is ignored (the loader reports
it); a cycle raises ``ProjectsError`` naming it. ``today`` is always passed in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from projects.errors import ProjectsError, UnknownIdError
from projects.memory import collector_paused

if TYPE_CHECKING:
    from projects.calendar import WorkCalendar
    from projects.model import Milestone, Portfolio

N = TypeVar("N", bound=Hashable)
Key = tuple[str, str]
Edges = list[list[tuple[int, int]]]  # per node: (other node, lag)


# -- the shared integer core ---------------------------------------------------------------


def topological_order(preds: Edges, succs: Edges, label: Callable[[int], str] = str,
                      ) -> list[int]:
    """Kahn's order of nodes ``0..n-1`` (ties in node order); raises on a cycle, naming it."""
    n = len(preds)
    indeg = [len(p) for p in preds]
    order = [i for i in range(n) if indeg[i] == 0]
    k = 0
    while k < len(order):
        for j, _ in succs[order[k]]:
            indeg[j] -= 1
            if indeg[j] == 0:
                order.append(j)
        k += 1
    if len(order) < n:
        raise ProjectsError("dependency cycle: " + " -> ".join(
            label(i) for i in _a_cycle(preds, indeg)))
    return order


def _a_cycle(preds: Edges, indeg: list[int]) -> list[int]:
    """One cycle among the nodes Kahn could not order (they all have a remaining predecessor)."""
    node = next(i for i, d in enumerate(indeg) if d > 0)
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(j for j, _ in preds[node] if indeg[j] > 0)
    cycle = path[seen[node]:]
    cycle.reverse()  # predecessor first
    return [*cycle, cycle[0]]


def forward_pass(order: Sequence[int], preds: Edges, dur: Sequence[int],
                 floor: Sequence[int | None], fixed: Sequence[int | None]) -> list[int | None]:
    """Earliest finishes: ``fixed`` where given, else the latest of ``floor`` and each
    predecessor's finish + lag + own duration; ``None`` when there is nothing to go on."""
    finish: list[int | None] = [None] * len(dur)
    for i in order:
        best = fixed[i]
        if best is None:
            best = floor[i]
            d = dur[i]
            for j, lag in preds[i]:
                f = finish[j]
                if f is not None:
                    f += lag + d
                    if best is None or f > best:
                        best = f
        finish[i] = best
    return finish


def backward_pass(order: Sequence[int], succs: Edges, dur: Sequence[int],
                  cap: Sequence[int | None]) -> list[int | None]:
    """Latest finishes: the least of ``cap`` and each successor's latest finish - its
    duration - lag; ``None`` when there is nothing to go on."""
    latest: list[int | None] = [None] * len(dur)
    for i in reversed(order):
        best = cap[i]
        for j, lag in succs[i]:
            f = latest[j]
            if f is not None:
                f -= dur[j] + lag
                if best is None or f < best:
                    best = f
        latest[i] = best
    return latest


def backward_pass_over_predecessors(order: Sequence[int], preds: Edges, dur: Sequence[int],
                                    cap: Sequence[int | None]) -> list[int | None]:
    """``backward_pass`` read from the other end of each link: every node, once its latest
    finish is known (its successors all come later in ``order``), bounds each predecessor's
    by it - its duration - lag. The same figures, without the successor lists."""
    latest: list[int | None] = list(cap)
    for i in reversed(order):
        f = latest[i]
        row = preds[i]
        if f is None or not row:
            continue
        f -= dur[i]
        for j, lag in row:
            g = f - lag
            b = latest[j]
            if b is None or g < b:
                latest[j] = g
    return latest


def successors_of(preds: Edges) -> Edges:
    """Each node's successors (other node, lag), in node order: the links of ``preds`` turned
    round."""
    succs: Edges = [[] for _ in preds]
    for i, row in enumerate(preds):
        for j, lag in row:
            succs[j].append((i, lag))
    return succs


# -- textbook CPM --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CPM(Generic[N]):
    """Critical-path method result in integer time; the project starts at 0."""

    early_start: dict[N, int]
    early_finish: dict[N, int]
    late_start: dict[N, int]
    late_finish: dict[N, int]
    total_float: dict[N, int]
    length: int
    critical: frozenset[N]


def cpm(durations: Mapping[N, int], edges: Iterable[tuple[N, N, int]]) -> CPM[N]:
    """Critical path of activities ``durations`` with finish-to-start ``edges`` (a, b, lag)."""
    nodes = list(durations)
    at = {v: i for i, v in enumerate(nodes)}
    preds: Edges = [[] for _ in nodes]
    succs: Edges = [[] for _ in nodes]
    for a, b, lag in edges:
        for v in (a, b):
            if v not in at:
                raise UnknownIdError("activity", v, (str(x) for x in nodes))
        preds[at[b]].append((at[a], lag))
        succs[at[a]].append((at[b], lag))
    dur = [int(durations[v]) for v in nodes]
    order = topological_order(preds, succs, lambda i: str(nodes[i]))
    ef = forward_pass(order, preds, dur, dur, [None] * len(nodes))
    length = max((f for f in ef if f is not None), default=0)
    lf = backward_pass(order, succs, dur, [length] * len(nodes))
    es_d, ef_d, ls_d, lf_d, tf_d = {}, {}, {}, {}, {}
    for i, v in enumerate(nodes):
        e, late = ef[i], lf[i]
        assert e is not None and late is not None  # every node has a floor and a cap
        es_d[v], ef_d[v] = e - dur[i], e
        ls_d[v], lf_d[v] = late - dur[i], late
        tf_d[v] = late - e
    critical = frozenset(v for v in nodes if tf_d[v] <= 0)
    return CPM(es_d, ef_d, ls_d, lf_d, tf_d, length, critical)


# -- the portfolio schedule ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneSchedule:
    """One milestone's planned start and duration, forecast, latest finish, float, criticality."""

    start: dt.date | None
    duration: int
    forecast: dt.date | None
    latest: dt.date | None
    float: int | None
    critical: bool


@dataclass(frozen=True, slots=True)
class ProjectSchedule:
    """A project's due (latest milestone due), forecast (latest forecast) and critical path."""

    due: dt.date | None
    forecast: dt.date | None
    critical_path: tuple[str, ...] = ()


class Schedule:
    """The schedule of a whole portfolio; look milestones up by key, projects by id."""

    def __init__(self, ids: dict[str, dict[str, int]], *, start: list[dt.date | None], dur: list[int],
                 forecast: list[dt.date | None], latest: list[dt.date | None],
                 floats: list[int | None], critical: list[bool],
                 projects: dict[str, ProjectSchedule] | Callable[[], dict[str, ProjectSchedule]],
                 project_forecasts: dict[str, dt.date | None] | None = None) -> None:
        """``projects``: or the function that makes them, called on the first ``project``
        (a critical path's order is Kahn's, which a check over a file in topological order
        never needs otherwise); ``project_forecasts``: each project's forecast, without its
        ``ProjectSchedule`` (``project_forecast``)."""
        self._ids = ids
        self._start, self._dur, self._forecast = start, dur, forecast
        self._latest, self._float, self._critical = latest, floats, critical
        self._projects: dict[str, ProjectSchedule] | None = None
        self._make_projects: Callable[[], dict[str, ProjectSchedule]] | None = None
        if callable(projects):
            self._make_projects = projects
        else:
            self._projects = projects
        self._project_forecasts = project_forecasts

    def milestone(self, key: Key) -> MilestoneSchedule:
        """The schedule of milestone ``(project_id, milestone_id)``; ``UnknownIdError`` if none."""
        try:
            pid, mid = key
            i = self._ids[pid][mid]
        except (KeyError, TypeError, ValueError):
            pid = key[0] if isinstance(key, tuple) and key else ""
            known = [f"{pid}/{m}" for m in self._ids.get(pid, {})]
            raise UnknownIdError("milestone", "/".join(map(str, key)), known) from None
        return MilestoneSchedule(self._start[i], self._dur[i], self._forecast[i],
                                 self._latest[i], self._float[i], self._critical[i])

    def columns(self) -> tuple[dict[str, dict[str, int]], list[dt.date | None], list[int | None],
                               list[bool], list[int]]:
        """The figures ``milestone`` gives, by node instead of one value per milestone:
        ``(ids, forecast, float, critical, duration)``, where ``ids[project][milestone]`` is
        the node, an index into the four lists (``build_views`` reads a province's million
        milestones this way, without a ``MilestoneSchedule`` each). Read only."""
        return self._ids, self._forecast, self._float, self._critical, self._dur

    def project(self, pid: str) -> ProjectSchedule:
        """The schedule of project ``pid``; ``UnknownIdError`` if there is none."""
        projects = self._projects
        if projects is None:
            assert self._make_projects is not None
            projects = self._projects = self._make_projects()
            self._make_projects = None
        ps = projects.get(pid)
        if ps is None:
            raise UnknownIdError("project", pid, projects)
        return ps

    def project_forecast(self, pid: str) -> dt.date | None:
        """``project(pid).forecast`` (``None`` too for a project the schedule does not know),
        without making the project's ``ProjectSchedule``."""
        if self._project_forecasts is not None:
            return self._project_forecasts.get(pid)
        try:
            return self.project(pid).forecast
        except UnknownIdError:
            return None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return key[1] in self._ids.get(key[0], {})

    def __len__(self) -> int:
        return sum(len(m) for m in self._ids.values())

    def __iter__(self) -> Iterator[Key]:
        return ((pid, mid) for pid, ms in self._ids.items() for mid in ms)


def _remaining(duration: int, progress: float) -> int:
    """Working days still to do: ``ceil(duration x (1 - progress))``, float noise removed."""
    p = min(max(progress, 0.0), 1.0)
    return math.ceil(round(duration * (1.0 - p), 9))


def _typed_lags(preds: Edges, kinds: Mapping[tuple[int, int], str],
                dur: Sequence[int]) -> None:
    """Fold SS, FF and SF links into the finish-to-start passes: with durations known before
    the passes, a link ``j -> i`` of lag ``g`` is a finish-to-start link of lag
    ``g - (d_i if it ends at i's finish) - (d_j if it starts at j's start)``. Forward:
    ``f_i >= f_j + g' + d_i``; backward: ``L_j <= L_i - d_i - g'``; both then say what the
    type says (SS: ``s_i >= s_j + g``; FF: ``f_i >= f_j + g``; SF: ``f_i >= s_j + g``)."""
    def effective(j: int, i: int, lag: int) -> int:
        kind = kinds.get((j, i))
        if kind is None:
            return lag
        return lag - (dur[i] if kind in {"FF", "SF"} else 0) - (dur[j] if kind in {"SS", "SF"} else 0)

    for i, row in enumerate(preds):
        if row:
            preds[i] = [(j, effective(j, i, lag)) for j, lag in row]


def _links(ms: Sequence[Milestone], spans: Sequence[tuple[str, int, int]],
           ids: Mapping[str, Mapping[str, int]]) -> tuple[Edges, dict[tuple[int, int], str], bool]:
    """Each node's predecessors (node, lag; one shared empty row for a milestone after none),
    the links that are not finish-to-start (``(pred, succ) -> type``), and whether every link
    comes from a node earlier in the file."""
    none: list[tuple[int, int]] = []
    preds: Edges = [none] * len(ms)
    kinds: dict[tuple[int, int], str] = {}  # (pred, succ) -> SS, FF or SF; FS is not stored
    nobody: dict[str, int] = {}
    forward = True
    for pid, lo, hi in spans:
        own = ids[pid]
        for i in range(lo, hi):
            after = ms[i].after
            if not after:
                continue
            row: list[tuple[int, int]] = []
            for dep in after:
                j = (own if dep.project is None else ids.get(dep.project, nobody)).get(dep.on)
                if j is not None:
                    row.append((j, dep.lag))
                    if j >= i:
                        forward = False
                    if dep.type != "FS":
                        kinds[j, i] = dep.type
            if row:
                preds[i] = row
    return preds, kinds, forward


def compute_schedule(portfolio: Portfolio, calendar: WorkCalendar, today: dt.date) -> Schedule:
    """Forecasts, latest finishes, floats and critical paths of every milestone (module header)."""
    with collector_paused():
        return _compute_schedule(portfolio, calendar, today)


def _compute_schedule(portfolio: Portfolio, calendar: WorkCalendar, today: dt.date) -> Schedule:
    ms: list[Milestone] = []
    spans: list[tuple[str, int, int]] = []  # a project's milestones are ms[lo:hi]
    ids: dict[str, dict[str, int]] = {}  # project id -> milestone id -> node
    for p in portfolio.projects:
        lo = len(ms)
        ms.extend(p.milestones)
        spans.append((p.id, lo, len(ms)))
        ids.setdefault(p.id, {}).update({m.id: lo + k for k, m in enumerate(p.milestones)})
    n = len(ms)
    preds, kinds, forward = _links(ms, spans, ids)
    label: Callable[[int], str] = lambda i: f"{ms[i].project}/{ms[i].id}"  # noqa: E731
    # in file order when every link points back (no cycle then); else Kahn's, which finds one
    order: Sequence[int] = range(n) if forward else topological_order(preds, successors_of(preds), label)

    t = calendar.index(today)
    due = [m.due for m in ms]
    due_i = calendar.indices(due)
    start = [m.start for m in ms]
    one_day = dt.timedelta(days=1)
    before = calendar.indices([None if s is None else s - one_day for s in start])
    dur = [0] * n
    default_start: list[int | None] = [None] * n
    for i in range(n):
        e, b = due_i[i], before[i]
        if b is not None:
            if e is not None and e > b:
                dur[i] = e - b
        elif preds[i]:
            last = None
            for j, lag in preds[i]:
                kind = kinds.get((j, i), "FS") if kinds else "FS"  # most portfolios link FS only
                if kind in {"FF", "SF"}:
                    continue  # a finish link says nothing of when the milestone starts
                ej = due_i[j] if kind == "FS" else before[j]
                if ej is not None and (last is None or ej + lag > last):
                    last = ej + lag
            if last is not None:
                default_start[i] = last + 1
                if e is not None and e > last:
                    dur[i] = e - last
        else:
            start[i] = due[i]  # a point event on its due
    start = [s if d is None else d for s, d in zip(start, calendar.dates_at(default_start), strict=True)]

    if kinds:
        _typed_lags(preds, kinds, dur)

    finished = [m.finished for m in ms]
    fixed = calendar.indices([f if f is not None and f <= today else None for f in finished])
    floor = list(due_i)
    today_term: set[int] = set()  # the started term is today itself (nothing left to do)
    for i in range(n):
        s = start[i]
        if s is not None and s <= today and fixed[i] is None:
            progress = ms[i].progress
            left = 0 if progress is None else _remaining(dur[i], progress)
            f0 = floor[i]
            if f0 is None or t + left >= f0:
                floor[i] = t + left
                if left == 0:
                    today_term.add(i)

    finish = forward_pass(order, preds, dur, floor, fixed)

    # forecast dates; a raw date (a due or today on a rest day) wins over the working day
    # that shares its index, so a forecast is never before the milestone's due
    forecast = calendar.dates_at(finish)
    for i in order:
        f = finish[i]
        if fixed[i] is not None:
            forecast[i] = finished[i]
            continue
        d = forecast[i]
        if f is None or d is None:
            continue
        raw = due[i]
        if raw is not None and raw > d and due_i[i] == f:
            d = raw
        if i in today_term and t == f and today > d:
            d = today
        if dur[i] == 0:
            for j, lag in preds[i]:
                pf = forecast[j]
                if lag == 0 and finish[j] == f and pf is not None and pf > d:
                    d = pf
        forecast[i] = d

    # the project's due (or latest forecast) caps every milestone of the project
    cap: list[int | None] = [None] * n
    for _, lo, hi in spans:
        known = [x for x in due_i[lo:hi] if x is not None]
        if not known:
            known = [x for x in finish[lo:hi] if x is not None]
        bound = max(known) if known else None
        cap[lo:hi] = [bound] * (hi - lo)
    late = backward_pass_over_predecessors(order, preds, dur, cap)
    floats: list[int | None] = [
        None if f is None or lf is None else lf - f for f, lf in zip(finish, late, strict=True)]

    critical = [False] * n
    for _, lo, hi in spans:
        known = [x for x in floats[lo:hi] if x is not None]
        if known:
            least = min(known)
            limit = least if least > 0 else 0
            for i in range(lo, hi):
                x = floats[i]
                if x is not None and x <= limit:
                    critical[i] = True
    latest = calendar.dates_at(late)

    project_forecasts = {
        pid: max((d for d in forecast[lo:hi] if d is not None), default=None) for pid, lo, hi in spans}

    kahn = None if forward else order  # the links are made again for it, not kept

    def projects() -> dict[str, ProjectSchedule]:
        """Each project's due, forecast and critical path (in Kahn's order): on first need."""
        ranked = kahn
        if ranked is None:
            links = _links(ms, spans, ids)[0]
            ranked = topological_order(links, successors_of(links), label)
        rank = [0] * n
        for r, i in enumerate(ranked):
            rank[i] = r
        made: dict[str, ProjectSchedule] = {}
        for pid, lo, hi in spans:
            path = sorted((i for i in range(lo, hi) if critical[i]), key=rank.__getitem__)
            made[pid] = ProjectSchedule(
                max((d for d in due[lo:hi] if d is not None), default=None),
                project_forecasts[pid], tuple(ms[i].id for i in path))
        return made

    return Schedule(ids, start=start, dur=dur, forecast=forecast, latest=latest, floats=floats,
                    critical=critical, projects=projects, project_forecasts=project_forecasts)
