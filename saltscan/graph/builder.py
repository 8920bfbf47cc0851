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
    """The attributes to store, sorted by key (as the graph holds them)."""
    return redactor.clean(attrs)


# The tags of ``GraphBuilder.replay`` operations.
NODE, EDGE, MERGE = "node", "edge", "merge"


class GraphBuilder:
    """Owned by one build call; ``finish`` hands out a canonical, sorted graph.

    Attribute dicts are kept sorted by key from the start (``_clean``), so that
    ``finish`` sorts only those of the nodes completed later (``_unsorted``)."""

    def __init__(self, redactor: GraphRedactor) -> None:
        self.redactor = redactor
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._unsorted: set[str] = set()  # nodes given keys after their first ones

    def clean_node(
        self,
        node: str,
        kind: NodeKind,
        label: str,
        location: SourceLocation | None = None,
        /,
        **attrs: Any,
    ) -> tuple[str, dict[str, Any]]:
        """The stored (redacted) id and attributes of a node, not added."""
        # ``_value_`` is the member's value: ``.value`` costs a descriptor call, and a
        # build reads it tens of thousands of times.
        data = {"kind": kind._value_, "label": label, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        return self.redactor.text(node), _clean(data, self.redactor)

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
        node, clean = self.clean_node(node, kind, label, location, **attrs)
        existing = self._nodes.get(node)
        if existing is not None:
            self._complete(node, existing, clean)
        else:
            self._nodes[node] = clean
        return node

    def _complete(self, node: str, existing: dict[str, Any], data: Mapping[str, Any]) -> None:
        """Add the keys of ``data`` that ``existing`` lacks (the first value wins)."""
        size = len(existing)
        for key, value in data.items():
            existing.setdefault(key, value)
        if size and len(existing) > size:
            self._unsorted.add(node)

    def clean_edge(
        self,
        source: str,
        target: str,
        kind: EdgeKind,
        location: SourceLocation | None = None,
        /,
        **attrs: Any,
    ) -> tuple[tuple[str, str, str], dict[str, Any]]:
        """The stored key (source, target, kind) and attributes of an edge, not added."""
        data: dict[str, Any] = {"kind": kind._value_, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        key = (self.redactor.text(source), self.redactor.text(target), kind._value_)
        return key, _clean(data, self.redactor)

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
        attrs["kind"] = kind._value_  # ``attrs`` is this call's own dict
        if location is not None:
            attrs["file"] = location.file
            attrs["line"] = location.line
        # Like networkx, an edge adds the nodes it joins (without attributes) if new.
        self._nodes.setdefault(source, {})
        self._nodes.setdefault(target, {})
        self._edges[key] = _clean(attrs, self.redactor)

    def replay(self, ops: Iterable[tuple]) -> None:
        """Apply ``ops`` made by ``clean_node`` (``NODE``), ``clean_edge`` (``EDGE``) and
        ``MERGE`` (node, key, cleaned values), exactly as ``node``, ``edge`` and
        ``merge_list`` would. ``ops`` is only read: the same ops may serve many builds."""
        nodes, edges = self._nodes, self._edges
        for op in ops:
            tag = op[0]
            if tag == NODE:
                existing = nodes.get(op[1])
                if existing is None:
                    nodes[op[1]] = dict(op[2])  # a copy: a node is completed later
                else:
                    self._complete(op[1], existing, op[2])
            elif tag == EDGE:
                key = op[1]
                if key not in edges:
                    nodes.setdefault(key[0], {})
                    nodes.setdefault(key[1], {})
                    edges[key] = op[2]  # never changed once stored: finish copies it
            else:
                self._merge(op[1], op[2], op[3])

    def _merge(self, node: str, key: str, values: Iterable) -> None:
        data = self._nodes[node]
        merged = sorted(set(data.get(key, ())) | set(values))
        if merged:
            self._set(node, data, key, merged)

    def _set(self, node: str, data: dict[str, Any], key: str, value: Any) -> None:
        if key not in data:
            self._unsorted.add(node)
        data[key] = value

    def merge_list(self, node: str, key: str, values: list) -> None:
        """Add ``values`` to the sorted list attribute ``key`` (set only when non-empty)."""
        self._merge(self.redactor.text(node), key, [self.redactor.value(v) for v in values])

    def set_attr(self, node: str, key: str, value: Any) -> None:
        node = self.redactor.text(node)
        self._set(node, self._nodes[node], key, self.redactor.value(value))

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
        """The graph; the builder's node attribute dicts go into it (call once)."""
        for node in self._unsorted:
            data = self._nodes[node]
            self._nodes[node] = dict(sorted(data.items()))
        edges = ((*key, data) for key, data in sorted(self._edges.items()))  # keys differ
        return sorted_graph(graph_attrs, self._nodes, edges, presorted=True)


def sorted_graph(graph_attrs: Mapping[str, Any], nodes: Mapping[str, Mapping[str, Any]],
                 edges: Iterable[tuple[str, str, str, Mapping[str, Any]]], *,
                 presorted: bool = False) -> nx.MultiDiGraph:
    """A graph with attributes, nodes (sorted here) and ``edges`` (already sorted by
    source, target, key; each (source, target, key) once) inserted in that order, each
    one's attributes sorted. ``presorted``: every attribute dict is sorted by key
    already, and the node ones are the caller's to give away (taken, not copied)."""
    out = nx.MultiDiGraph()
    out.graph.update(sorted(graph_attrs.items()))
    # The dicts ``add_node`` and ``add_edge`` fill, filled as they fill them (a
    # MultiDiGraph's documented dict-of-dicts), without their per-call checks and
    # cache clearing: a fresh graph has nothing to check or clear, and a build adds
    # hundreds of nodes and edges.
    node_attrs, succ, pred = out._node, out._succ, out._pred
    for node in sorted(nodes):
        data = nodes[node]
        succ[node] = {}
        pred[node] = {}
        # Keys differ: sorting the items never compares values.
        node_attrs[node] = data if presorted else dict(sorted(data.items()))
    for u, v, key, data in edges:
        if u not in succ or v not in succ:  # as ``add_edge``: an edge adds the nodes it joins
            for end in (u, v):
                if end not in succ:
                    succ[end] = {}
                    pred[end] = {}
                    node_attrs[end] = {}
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        keys[key] = dict(data) if presorted else dict(sorted(data.items()))
    return out


def canonical(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes, edges and attributes inserted in sorted order."""
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3])
    return sorted_graph(graph.graph, dict(graph.nodes(data=True)), edges)
