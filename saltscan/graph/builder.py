"""Adding nodes and edges with the graph's invariants kept in one place.

Invariants: every node has ``kind`` and ``label``; every edge has ``kind`` and is keyed
by it (one edge per (source, target, kind): the first one added wins, and builders add
in a deterministic order); every string stored passes the ``GraphRedactor``; attribute
values are str, int, float, bool or lists of str, never None.

The builder keeps nodes and edges in plain dicts and makes the networkx graph once, in
``finish``: the graph handed out is canonical (sorted) anyway, so building a networkx
graph first only to copy it sorted would cost twice.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import networkx as nx

from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.redact import GraphRedactor
from saltscan.model import SourceLocation


def _clean(attrs: dict[str, Any], redactor: GraphRedactor) -> dict[str, Any]:
    text, value = redactor.text, redactor.value
    return {
        k: text(v) if type(v) is str else value(v)
        for k, v in attrs.items()
        if v is not None
    }


class GraphBuilder:
    """Owned by one build call; ``finish`` hands out a canonical, sorted graph."""

    def __init__(self, redactor: GraphRedactor) -> None:
        self.redactor = redactor
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def node(
        self,
        node: str,
        kind: NodeKind,
        label: str,
        location: SourceLocation | None = None,
        /,
        **attrs: Any,
    ) -> str:
        """Add (or complete) a node; returns its stored (redacted) id."""
        node = self.redactor.text(node)
        # ``_value_`` is the member's value: ``.value`` costs a descriptor call, and a
        # build reads it tens of thousands of times.
        data = {"kind": kind._value_, "label": label, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        clean = _clean(data, self.redactor)
        existing = self._nodes.get(node)
        if existing is not None:
            for key, value in clean.items():
                existing.setdefault(key, value)
        else:
            self._nodes[node] = clean
        return node

    def edge(
        self,
        source: str,
        target: str,
        kind: EdgeKind,
        location: SourceLocation | None = None,
        /,
        **attrs: Any,
    ) -> None:
        source = self.redactor.text(source)
        target = self.redactor.text(target)
        key = (source, target, kind._value_)
        if key in self._edges:
            return
        data: dict[str, Any] = {"kind": kind._value_, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        # Like networkx, an edge adds the nodes it joins (without attributes) if new.
        self._nodes.setdefault(source, {})
        self._nodes.setdefault(target, {})
        self._edges[key] = _clean(data, self.redactor)

    def merge_list(self, node: str, key: str, values: list) -> None:
        """Add ``values`` to the sorted list attribute ``key`` (set only when non-empty)."""
        data = self._nodes[self.redactor.text(node)]
        merged = sorted(set(data.get(key, ())) | {self.redactor.value(v) for v in values})
        if merged:
            data[key] = merged

    def set_attr(self, node: str, key: str, value: Any) -> None:
        self._nodes[self.redactor.text(node)][key] = self.redactor.value(value)

    def nodes_of_kind(self, kind: NodeKind) -> list[str]:
        """The (stored) ids of the nodes of ``kind``, sorted."""
        return sorted(n for n, data in self._nodes.items() if data.get("kind") == kind._value_)

    def sources_of(self) -> dict[str, set[str]]:
        """Target node -> the nodes with an edge to it (a snapshot)."""
        found: dict[str, set[str]] = {}
        for source, target, _ in self._edges:
            found.setdefault(target, set()).add(source)
        return found

    def kind_of(self, node: str) -> str | None:
        return self._nodes[node].get("kind")

    def finish(self, **graph_attrs: Any) -> nx.MultiDiGraph:
        edges = ((u, v, key, self._edges[(u, v, key)]) for u, v, key in sorted(self._edges))
        return sorted_graph(graph_attrs, self._nodes, edges)


def sorted_graph(graph_attrs: Mapping[str, Any], nodes: Mapping[str, Mapping[str, Any]],
                 edges: Iterable[tuple[str, str, str, Mapping[str, Any]]]) -> nx.MultiDiGraph:
    """A graph with attributes, nodes (sorted here) and ``edges`` (already sorted by
    source, target, key) inserted in that order, each one's attributes sorted."""
    out = nx.MultiDiGraph()
    out.graph.update({k: graph_attrs[k] for k in sorted(graph_attrs)})
    for node in sorted(nodes):
        data = nodes[node]
        out.add_node(node, **{k: data[k] for k in sorted(data)})
    for u, v, key, data in edges:
        out.add_edge(u, v, key=key, **{k: data[k] for k in sorted(data)})
    return out


def canonical(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes, edges and attributes inserted in sorted order."""
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3])
    return sorted_graph(graph.graph, dict(graph.nodes(data=True)), edges)
