"""The dependency graph of milestones: networkx views, cycle finding, and fast adjacency.

Owns three things:

- ``project_graph`` / ``portfolio_graph``: ``networkx.DiGraph`` views for dashboards (the
  dependency arrows) and analysis. Edges point from predecessor to successor and carry ``lag``
  (working days). The portfolio graph's nodes are milestone keys ``(project_id, milestone_id)``
  and include cross-project edges; a dependency on a milestone that does not exist is left out.
- ``find_cycles`` / ``find_cycle`` / ``format_cycle``: plain-Python cycle finding used by the
  loader: one cycle per strongly connected component, started at its smallest node and closed
  (``tender -> contract -> tender``). Linear in the graph's size; acyclic graphs (the common
  case) are settled by a topological peel without building components at all.
- ``Adjacency``: the structure the rule engine queries tens of thousands of times — plain dicts
  of tuples, no networkx. Predecessors keep ``after`` order, successors file order; the
  transitive ``upstream`` / ``downstream`` are breadth-first (nearest first) and cached.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from projects.errors import UnknownIdError

if TYPE_CHECKING:
    import networkx as nx

    from projects.model import Portfolio, Project

Key = tuple[str, str]
N = TypeVar("N", bound=Hashable)


def project_graph(project: Project) -> nx.DiGraph[str]:
    """One project's milestones (node attribute ``milestone``) and its own dependencies."""
    import networkx as nx  # noqa: PLC0415 - networkx is slow to import; only views need it

    g: nx.DiGraph[str] = nx.DiGraph()
    for m in project.milestones:
        g.add_node(m.id, milestone=m)
    for m in project.milestones:
        for d in m.after:
            if (d.project is None or d.project == project.id) and d.on in g:
                g.add_edge(d.on, m.id, lag=d.lag, type=d.type)
    return g


def portfolio_graph(portfolio: Portfolio) -> nx.DiGraph[Key]:
    """Every milestone as ``(project_id, milestone_id)``, with cross-project edges."""
    import networkx as nx  # noqa: PLC0415

    g: nx.DiGraph[Key] = nx.DiGraph()
    for p in portfolio.projects:
        for m in p.milestones:
            g.add_node(m.key, milestone=m)
    for p in portfolio.projects:
        for m in p.milestones:
            for d in m.after:
                pred = (d.project or p.id, d.on)
                if pred in g:
                    g.add_edge(pred, m.key, lag=d.lag, type=d.type)
    return g


def find_cycles(successors: Mapping[N, Sequence[N]]) -> list[tuple[N, ...]]:
    """One closed cycle per strongly connected component that has one, in order of first node.

    ``successors`` maps every node to the nodes that follow it; targets that are not keys are
    ignored. Each cycle starts at the smallest node of its component and is a shortest cycle
    through it: ``("a", "b", "a")``. A self-loop is ``("a", "a")``.
    """
    rest = _peel(successors)
    if not rest:
        return []
    cycles = []
    for component in _components(successors, rest):
        start = min(component)  # type: ignore[type-var]
        if len(component) == 1 and start not in successors[start]:
            continue
        cycles.append(_shortest_cycle(successors, start, component))
    cycles.sort(key=lambda c: c[0])  # type: ignore[arg-type, return-value]
    return cycles


def find_cycle(successors: Mapping[N, Sequence[N]]) -> tuple[N, ...] | None:
    """The first cycle ``find_cycles`` reports, or ``None`` for an acyclic graph."""
    cycles = find_cycles(successors)
    return cycles[0] if cycles else None


def format_cycle(cycle: Sequence[Any]) -> str:
    """``a -> b -> a``; milestone keys print as ids within one project, else ``P001/a``."""
    if cycle and all(isinstance(k, tuple) for k in cycle):
        if len({k[0] for k in cycle}) == 1:
            return " -> ".join(k[1] for k in cycle)
        return " -> ".join(f"{k[0]}/{k[1]}" for k in cycle)
    return " -> ".join(map(str, cycle))


def _peel(successors: Mapping[N, Sequence[N]]) -> set[N]:
    """The nodes left after removing, repeatedly, every node without predecessors, then every
    node without successors: exactly the nodes on or between cycles (often none)."""
    indegree: dict[N, int] = dict.fromkeys(successors, 0)
    for targets in successors.values():
        for t in targets:
            if t in indegree:
                indegree[t] += 1
    ready = [n for n, k in indegree.items() if k == 0]
    while ready:
        n = ready.pop()
        del indegree[n]
        for t in successors[n]:
            if t in indegree:
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
    rest = set(indegree)
    if not rest:
        return rest
    outdegree = {n: sum(1 for t in successors[n] if t in rest) for n in rest}
    preds: dict[N, list[N]] = {n: [] for n in rest}
    for n in rest:
        for t in successors[n]:
            if t in rest:
                preds[t].append(n)
    ready = [n for n, k in outdegree.items() if k == 0]
    while ready:
        n = ready.pop()
        rest.discard(n)
        for p in preds[n]:
            if p in rest:
                outdegree[p] -= 1
                if outdegree[p] == 0:
                    ready.append(p)
    return rest


def _components(successors: Mapping[N, Sequence[N]], nodes: set[N]) -> list[list[N]]:
    """Strongly connected components of the subgraph on ``nodes`` (iterative Tarjan)."""
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    out: list[list[N]] = []
    for root in sorted(nodes):  # type: ignore[type-var]
        if root in index:
            continue
        work: list[tuple[N, Iterable[N]]] = [(root, iter(successors[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            for t in it:
                if t not in nodes:
                    continue
                if t not in index:
                    index[t] = low[t] = len(index)
                    stack.append(t)
                    on_stack.add(t)
                    work.append((t, iter(successors[t])))
                    break
                if t in on_stack:
                    low[node] = min(low[node], index[t])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        t = stack.pop()
                        on_stack.discard(t)
                        component.append(t)
                        if t == node:
                            break
                    out.append(component)
    return out


def _shortest_cycle(successors: Mapping[N, Sequence[N]], start: N, component: list[N]) -> tuple[N, ...]:
    inside = set(component)
    came: dict[N, N] = {}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        for t in successors[n]:
            if t == start:
                path = [n]
                while path[-1] != start:
                    path.append(came[path[-1]])
                return (*reversed(path), start)
            if t in inside and t not in came:
                came[t] = n
                queue.append(t)
    raise AssertionError("a strongly connected component always has a cycle")  # pragma: no cover


def after_keys(key: Key, after: Sequence[Any], known: Container[Key]) -> list[Key]:
    """The milestones the ``after`` entries (``Dependency``: ``on``, ``project``) of ``key``
    name, as keys among ``known``: in ``after`` order, each once, ``key`` itself left out."""
    found: list[Key] = []
    if after:
        pid = key[0]
        for d in after:
            k = (d.project or pid, d.on)
            if k in known and k not in found and k != key:
                found.append(k)
    return found


class Adjacency:
    """Predecessors, successors and their transitive closures over milestone keys.

    Made once per portfolio (``Adjacency.of``, or ``Adjacency(known, after)`` over milestones
    already indexed by key), and worked out on first need: a key's predecessors when it or a
    milestone downstream of it is first asked about, the successors of every key together
    when the first successor or downstream question comes (most rulebooks ask none, and those
    that ask about ``upstream`` ask about a few kinds of milestone: the whole graph built
    beforehand was most of a small check's graph work). Every query returns a tuple of keys
    in a deterministic order. Dependencies on milestones that do not exist are left out.
    """

    __slots__ = ("_after", "_down", "_known", "_pred", "_succ", "_up")

    def __init__(self, known: Mapping[Key, Any], after: Callable[[Any], Sequence[Any]]) -> None:
        """``known``: every milestone key, in file order, to a value ``after`` turns into
        that milestone's ``after`` entries (``Dependency``: ``on``, ``project``)."""
        self._known = known
        self._after = after
        self._pred: dict[Key, tuple[Key, ...]] = {}
        self._succ: dict[Key, tuple[Key, ...]] | None = None
        self._up: dict[Key, tuple[Key, ...]] = {}
        self._down: dict[Key, tuple[Key, ...]] = {}

    @classmethod
    def of(cls, portfolio: Portfolio) -> Adjacency:
        """The adjacency of ``portfolio``'s milestones (a repeated key: the last one)."""
        known = {(p.id, m.id): m for p in portfolio.projects for m in p.milestones}
        return cls(known, _milestone_after)

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __len__(self) -> int:
        return len(self._known)

    def __iter__(self) -> Iterator[Key]:
        """Every milestone key, in file order."""
        return iter(self._known)

    def predecessors(self, key: Key) -> tuple[Key, ...]:
        """The milestones ``key`` directly comes after, in ``after`` order."""
        found = self._pred.get(key)
        if found is None:
            found = self._pred[key] = self._find_predecessors(key)
        return found

    def _find_predecessors(self, key: Key) -> tuple[Key, ...]:
        known = self._known
        try:
            value = known[key]
        except KeyError:
            raise self._unknown(key) from None
        return tuple(after_keys(key, self._after(value), known))

    def _successors(self) -> dict[Key, tuple[Key, ...]]:
        """The successors of the keys that have some (most have none), built on first need."""
        succ = self._succ
        if succ is None:
            later: dict[Key, list[Key]] = {}
            predecessors = self.predecessors
            for key in self._known:
                for k in predecessors(key):
                    found = later.get(k)
                    if found is None:
                        later[k] = [key]
                    else:
                        found.append(key)
            succ = self._succ = {k: tuple(v) for k, v in later.items()}
        return succ

    def successors(self, key: Key) -> tuple[Key, ...]:
        """The milestones that directly come after ``key``, in file order."""
        found = self._successors().get(key)
        if found is not None:
            return found
        if key not in self._known:
            raise self._unknown(key)
        return ()

    def upstream(self, key: Key) -> tuple[Key, ...]:
        """Every milestone ``key`` depends on, transitively, nearest first."""
        found = self._up.get(key)
        if found is None:
            found = self._up[key] = self._closure(key, self.predecessors(key), self.predecessors)
        return found

    def downstream(self, key: Key) -> tuple[Key, ...]:
        """Every milestone that depends on ``key``, transitively, nearest first."""
        found = self._down.get(key)
        if found is None:
            succ = self._successors()
            first = succ.get(key)  # ``_succ`` leaves out the milestones without successors
            if first is None and key not in self._known:
                raise self._unknown(key)
            found = self._down[key] = self._closure(key, first, lambda k: succ.get(k, ()))
        return found

    @staticmethod
    def _closure(key: Key, first: tuple[Key, ...] | None,
                 step: Callable[[Key], tuple[Key, ...]]) -> tuple[Key, ...]:
        if not first:
            return ()
        seen = {key}
        out: list[Key] = []
        queue = deque(first)
        while queue:
            k = queue.popleft()
            if k in seen:
                continue
            seen.add(k)
            out.append(k)
            queue.extend(step(k))
        return tuple(out)

    def _unknown(self, key: Key) -> UnknownIdError:
        same = [f"{p}/{m}" for p, m in self._known if p == key[0]] if isinstance(key, tuple) else []
        name = "/".join(key) if isinstance(key, tuple) else str(key)
        return UnknownIdError("milestone", name, same)


def _milestone_after(m: Any) -> Sequence[Any]:
    return m.after  # type: ignore[no-any-return]
