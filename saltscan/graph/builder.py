"""Adding nodes and edges with the graph's invariants kept in one place.

Invariants: every node has ``kind`` and ``label``; every edge has ``kind`` and is keyed
by it (one edge per (source, target, kind): the first one added wins, and builders add
in a deterministic order); every string stored passes the ``GraphRedactor``; attribute
values are str, int, float, bool or lists of str, never None.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.redact import GraphRedactor
from saltscan.model import SourceLocation


def _clean(attrs: dict[str, Any], redactor: GraphRedactor) -> dict[str, Any]:
    return {k: redactor.value(v) for k, v in attrs.items() if v is not None}


class GraphBuilder:
    """Owned by one build call; ``finish`` hands out a canonical, sorted graph."""

    def __init__(self, redactor: GraphRedactor) -> None:
        self.graph = nx.MultiDiGraph()
        self.redactor = redactor

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
        data = {"kind": kind.value, "label": label, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        clean = _clean(data, self.redactor)
        if node in self.graph:
            existing = self.graph.nodes[node]
            for key, value in clean.items():
                existing.setdefault(key, value)
        else:
            self.graph.add_node(node, **clean)
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
        if self.graph.has_edge(source, target, key=kind.value):
            return
        data: dict[str, Any] = {"kind": kind.value, **attrs}
        if location is not None:
            data["file"] = location.file
            data["line"] = location.line
        self.graph.add_edge(source, target, key=kind.value, **_clean(data, self.redactor))

    def merge_list(self, node: str, key: str, values: list) -> None:
        """Add ``values`` to the sorted list attribute ``key`` (set only when non-empty)."""
        data = self.graph.nodes[self.redactor.text(node)]
        merged = sorted(set(data.get(key, ())) | {self.redactor.value(v) for v in values})
        if merged:
            data[key] = merged

    def set_attr(self, node: str, key: str, value: Any) -> None:
        self.graph.nodes[self.redactor.text(node)][key] = self.redactor.value(value)

    def finish(self, **graph_attrs: Any) -> nx.MultiDiGraph:
        self.graph.graph.update(graph_attrs)
        return canonical(self.graph)


def canonical(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes, edges and attributes inserted in sorted order."""
    out = nx.MultiDiGraph()
    out.graph.update({k: graph.graph[k] for k in sorted(graph.graph)})
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        out.add_node(node, **{k: data[k] for k in sorted(data)})
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        out.add_edge(u, v, key=key, **{k: data[k] for k in sorted(data)})
    return out
