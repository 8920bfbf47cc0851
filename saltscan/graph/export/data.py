"""Data exports: GraphML and JSON (networkx node-link data).

Both carry every node's and edge's attributes (``kind`` on all of them, source
``file``/``line`` where there is one); both are sorted, so the same graph gives the
same bytes.
"""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from saltscan.graph.builder import canonical
from saltscan.model import Requisite


def _missing_requisites(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    out = []
    for node, req in graph.graph.get("missing_requisites", ()):
        if isinstance(req, Requisite):
            out.append({
                "state": node, "kind": req.kind.value, "target_type": req.target_type,
                "target": req.target, "file": req.location.file, "line": req.location.line,
                "from_in": req.from_in,
            })
    return out


def graph_attributes(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph's own attributes as JSON data (requisites as dicts)."""
    attrs: dict[str, Any] = {}
    for key in sorted(graph.graph):
        if key == "missing_requisites":
            attrs[key] = _missing_requisites(graph)
        else:
            value = graph.graph[key]
            attrs[key] = list(value) if isinstance(value, tuple) else value
    return attrs


def to_json(graph: nx.MultiDiGraph) -> str:
    """networkx node-link data (``nodes``/``edges`` keys), sorted, two-space indented."""
    graph = canonical(graph)
    data = nx.node_link_data(graph, edges="edges")
    data["graph"] = graph_attributes(graph)
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"]))
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _scalar(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def to_graphml(graph: nx.MultiDiGraph) -> str:
    """GraphML; list attributes (``minions``, ``roles``) become JSON strings."""
    graph = canonical(graph)
    out = nx.MultiDiGraph()
    for key, value in graph_attributes(graph).items():
        out.graph[key] = _scalar(value)
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **{k: _scalar(val) for k, val in data.items() if val is not None})
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue().decode("utf-8")
