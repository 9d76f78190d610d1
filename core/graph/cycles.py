"""Circular groups and evaluation order over the formula graph (integer nodes).

Nodes 0..n_real-1 are formula cells in parse order (sheet order, row, column = Excel's calculation
order); higher ids are the index's virtual range nodes, which carry reachability only and are never
reported.

Two methods, same results. 'networkx' builds the whole DiGraph and uses strongly_connected_components,
condensation and topological_sort. 'peeled' (the default) first peels off, in plain Python, every node
that cannot lie on a cycle (Kahn's algorithm: its removal order is the topological order of the
acyclic part; then, among the leftovers, nodes without successors); networkx finds the SCCs of what is
left (the cycles, usually a handful of cells), and the leftovers are ordered by Kahn's algorithm over
their condensation. Measured on 400k formula cells the full networkx graph alone took longer
than the stage's 20 s budget (see bench/bench_graph.py), hence the default.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class CycleAnalysis:
    """Circular groups (real members ascending, groups ordered by first member) and eval positions."""

    groups: list[list[int]]
    eval_order: list[int]        # per real node: position of its component in topological order


def analyse(n_real: int, n_total: int, src: list[int], dst: list[int],
            method: str = "peeled") -> CycleAnalysis:
    """Cycles (SCCs with more than one cell, or a cell reading itself) and the condensed order.

    Raises ValueError for an unknown method.
    """
    if method == "networkx":
        return _analyse_networkx(n_real, n_total, src, dst)
    if method != "peeled":
        raise ValueError(f"unknown method {method!r}")
    succ: list[list[int]] = [[] for _ in range(n_total)]
    pred: list[list[int]] = [[] for _ in range(n_total)]
    for u, v in zip(src, dst, strict=True):
        succ[u].append(v)
        pred[v].append(u)
    order, rest = _kahn(n_total, pred, succ)
    eval_order = [0] * n_real
    position = 0
    for v in order:               # acyclic part: Kahn's removal order is already topological
        if v < n_real:
            eval_order[v] = position
            position += 1
    del order
    components: list[set[int]] = []
    if rest:
        label = {v: v for v in rest}
        core = _kahn_subset(_kahn_subset(rest, succ, pred), pred, succ)  # cycles and what lies between
        sub = nx.DiGraph()
        sub.add_nodes_from(core)
        in_core = set(core)
        sub.add_edges_from((u, v) for u in core for v in succ[u] if v in in_core)
        for comp in nx.strongly_connected_components(sub):
            if len(comp) > 1 or any(sub.has_edge(v, v) for v in comp):
                components.append(comp)
                head = min(comp)
                for v in comp:
                    label[v] = head
        _condensed_order(rest, succ, label, eval_order, n_real, position)
    return CycleAnalysis(_groups(components, n_real), eval_order)


def _kahn(n: int, pred: list[list[int]], succ: list[list[int]]) -> tuple[list[int], list[int]]:
    """Kahn's algorithm on the whole graph: (removal order, nodes left over because of cycles)."""
    degree = [len(p) for p in pred]
    order = [v for v in range(n) if not degree[v]]
    i = 0
    while i < len(order):
        for w in succ[order[i]]:
            degree[w] -= 1
            if not degree[w]:
                order.append(w)
        i += 1
    rest = [v for v in range(n) if degree[v]] if len(order) < n else []
    return order, rest


def _kahn_subset(nodes: list[int], into: list[list[int]], out: list[list[int]]) -> list[int]:
    """Within *nodes*, drop repeatedly the ones with no edge from *into* left; return the rest.

    With into=pred this peels sources, with into=succ sinks: what survives both lies on a cycle or
    on a path between two cycles.
    """
    alive = set(nodes)
    degree = {v: sum(1 for u in into[v] if u in alive) for v in nodes}
    queue = deque(v for v in nodes if degree[v] == 0)
    while queue:
        v = queue.popleft()
        alive.discard(v)
        for w in out[v]:
            if w in alive:
                degree[w] -= 1
                if degree[w] == 0:
                    queue.append(w)
    return [v for v in nodes if v in alive]


def _condensed_order(rest: list[int], succ: list[list[int]], label: dict[int, int],
                     eval_order: list[int], n_real: int, position: int) -> None:
    """Kahn's algorithm over the components of *rest* (label = component head), numbering on."""
    indeg = dict.fromkeys(rest, 0)
    members: dict[int, list[int]] = {}
    for u in rest:
        lu = label[u]
        if lu != u:
            members.setdefault(lu, [lu]).append(u)
        for v in succ[u]:
            if label[v] != lu:
                indeg[label[v]] += 1
    queue = deque(v for v in rest if label[v] == v and indeg[v] == 0)
    while queue:
        head = queue.popleft()
        real = False
        for u in members.get(head, (head,)):
            if u < n_real:
                eval_order[u] = position
                real = True
            for v in succ[u]:
                lv = label[v]
                if lv != head:
                    indeg[lv] -= 1
                    if indeg[lv] == 0:
                        queue.append(lv)
        position += real


def _groups(components: list[set[int]], n_real: int) -> list[list[int]]:
    """Real members of each circular component; a lone real cell with virtual nodes reads itself."""
    groups = [sorted(v for v in comp if v < n_real) for comp in components]
    groups = [g for g in groups if g]
    groups.sort(key=lambda g: g[0])
    return groups


def _analyse_networkx(n_real: int, n_total: int, src: list[int], dst: list[int]) -> CycleAnalysis:
    """The straightforward version: the whole graph in networkx."""
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n_total))
    graph.add_edges_from(zip(src, dst, strict=True))
    components = list(nx.strongly_connected_components(graph))
    circular = [c for c in components
                if len(c) > 1 or any(graph.has_edge(v, v) for v in c)]
    condensed = nx.condensation(graph, scc=components)
    del graph
    eval_order = [0] * n_real
    position = 0
    for comp_id in nx.topological_sort(condensed):
        members = [v for v in condensed.nodes[comp_id]["members"] if v < n_real]
        for v in members:
            eval_order[v] = position
        position += bool(members)
    return CycleAnalysis(_groups(circular, n_real), eval_order)
