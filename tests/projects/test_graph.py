"""The dependency graph: networkx views, cycle finding and printing, and fast adjacency."""

from __future__ import annotations

import importlib.util
import random
from collections import deque
from pathlib import Path

import networkx as nx
import pytest

from projects.errors import UnknownIdError
from projects.graph import (
    Adjacency,
    find_cycle,
    find_cycles,
    format_cycle,
    portfolio_graph,
    project_graph,
)
from projects.model import Category, Dependency, Kind, Milestone, Portfolio, Project


def ms(pid: str, mid: str, *after: Dependency) -> Milestone:
    return Milestone(pid, mid, mid, Kind.PROGRESS, after=after)


def diamond() -> Portfolio:
    """P1: a -> b, a -> c, b -> d, c -> d (d after b and c); P2: x after P1/d with a lag, y after x."""
    p1 = Project("P1", "一", Category.PROJECT, "u", milestones=(
        ms("P1", "a"), ms("P1", "b", Dependency("a")), ms("P1", "c", Dependency("a")),
        ms("P1", "d", Dependency("b"), Dependency("c"))))
    p2 = Project("P2", "二", Category.PROJECT, "u", milestones=(
        ms("P2", "x", Dependency("d", 3, "P1")), ms("P2", "y", Dependency("x"), Dependency("missing"))))
    return Portfolio(projects=(p1, p2))


def test_adjacency_on_a_diamond_gives_direct_neighbours_in_order() -> None:
    """Predecessors keep ``after`` order, successors file order."""
    adj = Adjacency.of(diamond())
    assert adj.predecessors(("P1", "d")) == (("P1", "b"), ("P1", "c"))
    assert adj.successors(("P1", "a")) == (("P1", "b"), ("P1", "c"))
    assert adj.predecessors(("P1", "a")) == ()


def test_upstream_and_downstream_are_transitive_nearest_first_without_repeats() -> None:
    """The diamond's top is upstream of everything once; the cross-project edge is followed."""
    adj = Adjacency.of(diamond())
    assert adj.upstream(("P2", "y")) == (("P2", "x"), ("P1", "d"), ("P1", "b"), ("P1", "c"), ("P1", "a"))
    assert adj.downstream(("P1", "a")) == (("P1", "b"), ("P1", "c"), ("P1", "d"), ("P2", "x"), ("P2", "y"))
    assert adj.downstream(("P2", "y")) == ()


def test_transitive_queries_are_cached() -> None:
    """The second query returns the very same tuple."""
    adj = Adjacency.of(diamond())
    assert adj.upstream(("P1", "d")) is adj.upstream(("P1", "d"))


def test_dependencies_on_missing_milestones_are_left_out() -> None:
    """y's dependency on a milestone that does not exist is no edge."""
    adj = Adjacency.of(diamond())
    assert adj.predecessors(("P2", "y")) == (("P2", "x"),)


def test_an_unknown_key_raises_with_a_suggestion() -> None:
    """Asking for a milestone that is not there names the nearest one of that project."""
    adj = Adjacency.of(diamond())
    with pytest.raises(UnknownIdError) as info:
        adj.upstream(("P2", "xx"))
    assert str(info.value) == 'no milestone "P2/xx"; did you mean "P2/x"?'


def test_adjacency_survives_a_hand_built_cycle() -> None:
    """A cycle (possible only in hand-built portfolios) does not loop forever."""
    p = Project("P", "p", Category.TASK, "u", milestones=(ms("P", "a", Dependency("b")), ms("P", "b", Dependency("a"))))
    adj = Adjacency.of(Portfolio(projects=(p,)))
    assert adj.upstream(("P", "a")) == (("P", "b"),)


def test_project_graph_has_milestones_and_lagged_edges() -> None:
    """Nodes carry the milestone; edges go from predecessor to successor with their lag."""
    p = diamond()
    g = project_graph(p.projects[0])
    assert sorted(g.edges) == [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert g.nodes["d"]["milestone"].id == "d"
    whole = portfolio_graph(p)
    assert whole.edges[("P1", "d"), ("P2", "x")]["lag"] == 3
    assert whole.number_of_edges() == 6


def test_cycles_start_at_the_smallest_node_and_are_closed() -> None:
    """One cycle per component, smallest node first, printed closed."""
    succ = {"tender": ["contract"], "contract": ["tender", "pay"], "pay": [], "z": ["y"], "y": ["z"], "s": ["s"]}
    assert find_cycles(succ) == [("contract", "tender", "contract"), ("s", "s"), ("y", "z", "y")]
    assert format_cycle(find_cycle(succ) or ()) == "contract -> tender -> contract"
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_cycle_printing_of_milestone_keys() -> None:
    """Keys of one project print as ids, across projects as P/id."""
    assert format_cycle([("P1", "a"), ("P1", "b"), ("P1", "a")]) == "a -> b -> a"
    assert format_cycle([("P1", "a"), ("P2", "b"), ("P1", "a")]) == "P1/a -> P2/b -> P1/a"


def test_cycle_finding_is_linear_on_a_long_chain() -> None:
    """A 50,000-node chain closed at the end is one cycle of all its nodes (no recursion limit)."""
    n = 50_000
    succ = {i: [i + 1] for i in range(n - 1)} | {n - 1: [0]}
    (cycle,) = find_cycles(succ)
    assert len(cycle) == n + 1 and cycle[0] == cycle[-1] == 0


def _generated(projects: int) -> Portfolio:
    """The benchmarks' generated portfolio (fan-out and fan-in graphs, cross-project links)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    portfolio: Portfolio = module.generate_portfolio(projects, 20)
    return portfolio


def _breadth_first(key: tuple[str, str], step: dict[tuple[str, str], list[tuple[str, str]]]) -> tuple[tuple[str, str], ...]:
    seen, out, queue = {key}, [], deque(step[key])
    while queue:
        k = queue.popleft()
        if k not in seen:
            seen.add(k)
            out.append(k)
            queue.extend(step[k])
    return tuple(out)


def test_adjacency_worked_out_on_demand_in_any_order_is_the_whole_graph_built_first() -> None:
    """Over a generated portfolio (6,000 milestones), asked in a shuffled order with the four
    questions interleaved (so each is answered from whatever the earlier ones worked out):
    the graph built whole beforehand, the plain way, gives the same tuples, and the closures
    hold what networkx's ancestors and descendants hold."""
    portfolio = _generated(300)
    keys = [(p.id, m.id) for p in portfolio.projects for m in p.milestones]
    pred: dict[tuple[str, str], list[tuple[str, str]]] = {k: [] for k in keys}
    succ: dict[tuple[str, str], list[tuple[str, str]]] = {k: [] for k in keys}
    for p in portfolio.projects:
        for m in p.milestones:
            for d in m.after:
                k = (d.project or p.id, d.on)
                if k in pred and k not in pred[(p.id, m.id)] and k != (p.id, m.id):
                    pred[(p.id, m.id)].append(k)
                    succ[k].append((p.id, m.id))
    assert sum(map(len, pred.values())) > 1000
    assert any(p != q for (p, _), ks in pred.items() for q, _ in ks)  # cross-project links
    graph = portfolio_graph(portfolio)
    adj = Adjacency.of(portfolio)
    order = keys * 2
    random.Random(16).shuffle(order)
    for i, key in enumerate(order):
        question = ("upstream", "downstream", "predecessors", "successors")[i % 4]
        got = getattr(adj, question)(key)
        if question == "predecessors":
            assert got == tuple(pred[key])
        elif question == "successors":
            assert got == tuple(succ[key])
        elif question == "upstream":
            assert got == _breadth_first(key, pred)
            assert set(got) == nx.ancestors(graph, key)
        else:
            assert got == _breadth_first(key, succ)
            assert set(got) == nx.descendants(graph, key)
    assert list(adj) == keys and len(adj) == len(keys) and keys[0] in adj
