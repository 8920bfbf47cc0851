"""One self-contained HTML file: layout computed here, drawing and interaction inlined.

Nothing is fetched when the file is viewed: no CDN, no font, no image. The graph data
sits in a ``<script type="application/json">`` block with ``<``, ``>`` and ``&``
escaped, so no label can close the block.
"""

from __future__ import annotations

import html
import json
from typing import Any

import networkx as nx

from saltscan.graph.builder import canonical
from saltscan.graph.export.data import graph_attributes
from saltscan.graph.export.html_assets import CSS, JS
from saltscan.graph.export.style import EDGE_STYLES, NODE_STYLES, display_lines, source_of
from saltscan.graph.layout import layered_layout

_DASHES = {"dashed": "6,4", "dotted": "2,3", "solid": "", "bold": ""}
_HIDDEN_ATTRS = frozenset({"kind", "label", "file", "line"})


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def graph_payload(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """What the page's script reads: positioned nodes, edges by index, styles."""
    graph = canonical(graph)
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    lines = {node: display_lines(graph.nodes[node]) for node in nodes}
    boxes = layered_layout(graph, lines)
    payload_nodes = []
    for node in nodes:
        data = graph.nodes[node]
        box = boxes[node]
        payload_nodes.append({
            "id": node,
            "kind": data.get("kind", ""),
            "lines": lines[node],
            "src": source_of(data),
            "x": box.x, "y": box.y, "w": box.w, "h": box.h,
            "attrs": {k: _text(v) for k, v in sorted(data.items()) if k not in _HIDDEN_ATTRS},
        })
    edges = [
        {"s": index[u], "t": index[v], "kind": key, "src": source_of(data)}
        for u, v, key, data in graph.edges(keys=True, data=True)
    ]
    used_edge_kinds = sorted({e["kind"] for e in edges})
    return {
        "graph": graph_attributes(graph),
        "nodes": payload_nodes,
        "edges": edges,
        "kinds": sorted({n["kind"] for n in payload_nodes}),
        "nodeStyles": {k: {"fill": s.fill, "stroke": s.stroke} for k, s in sorted(NODE_STYLES.items())},
        "edgeStyles": {
            k: {"color": EDGE_STYLES[k].color, "dash": _DASHES.get(EDGE_STYLES[k].style, "")}
            for k in used_edge_kinds if k in EDGE_STYLES
        },
    }


def _script_json(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def to_html(graph: nx.MultiDiGraph, title: str = "saltscan graph") -> str:
    payload = graph_payload(graph)
    heading = html.escape(title)
    summary = html.escape(f"{len(payload['nodes'])} nodes, {len(payload['edges'])} edges")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{heading}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        '<div id="toolbar">'
        f"<h1>{heading}</h1><span>{summary}</span>"
        '<input id="search" type="search" placeholder="search id or label, Enter to jump">'
        '<button id="zoom-in" type="button">+</button><button id="zoom-out" type="button">&#8722;</button>'
        '<button id="fit" type="button">fit</button>'
        '<span id="kinds"></span></div>\n'
        '<svg id="canvas"><g id="viewport"></g></svg>\n'
        '<aside id="details"><p>Click a node to see its source and edges.</p></aside>\n'
        f'<script type="application/json" id="graph-data">{_script_json(payload)}</script>\n'
        f"<script>{JS}</script>\n"
        "</body>\n</html>\n"
    )
