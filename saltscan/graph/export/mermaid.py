"""Mermaid ``flowchart LR``: a shape and a class per node kind, a line style per edge kind.

Node names are ``n0``, ``n1``, ... in sorted id order; labels are quoted and escaped
with Mermaid's ``#code;`` entities, so no label text can end a quote or open markup.
"""

from __future__ import annotations

import networkx as nx

from saltscan.graph.export.style import EDGE_STYLES, NODE_STYLES, display_lines, edge_style
from saltscan.graph.filters import clusters
from saltscan.graph.kinds import NodeKind

# Opening and closing brackets of the shape per node kind.
_SHAPES = {
    NodeKind.SLS.value: ("[[", "]]"),
    NodeKind.STATE.value: ("(", ")"),
    NodeKind.PACKAGE.value: ("[/", "/]"),
    NodeKind.FILE.value: ("[", "]"),
    NodeKind.DIRECTORY.value: ("[\\", "\\]"),
    NodeKind.SERVICE.value: ("{{", "}}"),
    NodeKind.USER.value: ("([", "])"),
    NodeKind.GROUP.value: ("([", "])"),
    NodeKind.COMMAND.value: (">", "]"),
    NodeKind.MOUNT.value: ("[(", ")]"),
    NodeKind.CRON.value: ("[/", "\\]"),
    NodeKind.SECRET.value: ("{", "}"),
    NodeKind.PILLAR_KEY.value: ("[\\", "/]"),
    NodeKind.ENV_VAR.value: ("[\\", "/]"),
    NodeKind.ENDPOINT.value: ("((", "))"),
    NodeKind.PORT.value: ("((", "))"),
}
_ARROWS = {"solid": "-->", "dashed": "-.->", "dotted": "-.->", "bold": "==>"}
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;", "&": "#amp;",
             "|": "#124;", "\n": " ", "\r": " "}


def escape_label(text: str) -> str:
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


def _class(kind: str) -> str:
    return "k_" + kind


def to_mermaid(graph: nx.MultiDiGraph, cluster: str | None = "sls") -> str:
    names = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]

    def node_line(node: str, indent: str) -> str:
        data = graph.nodes[node]
        opening, closing = _SHAPES.get(data.get("kind", ""), ("[", "]"))
        label = "<br/>".join(escape_label(part) for part in display_lines(data))
        return f'{indent}{names[node]}{opening}"{label}"{closing}'

    for index, (cluster_name, members) in enumerate(clusters(graph, cluster).items()):
        if cluster_name is None:
            lines.extend(node_line(node, "  ") for node in members)
            continue
        lines.append(f'  subgraph c{index}["{escape_label(f"{cluster}: {cluster_name}")}"]')
        lines.extend(node_line(node, "    ") for node in members)
        lines.append("  end")

    by_kind: dict[str, list[int]] = {}
    for index, (u, v, key) in enumerate(graph.edges(keys=True)):
        arrow = _ARROWS.get(edge_style(key).style, "-->")
        lines.append(f"  {names[u]} {arrow}|{key}| {names[v]}")
        by_kind.setdefault(key, []).append(index)

    for kind in sorted(NODE_STYLES):
        style = NODE_STYLES[kind]
        lines.append(f"  classDef {_class(kind)} fill:{style.fill},stroke:{style.stroke},color:#222")
    members_by_kind: dict[str, list[str]] = {}
    for node in sorted(graph.nodes):
        members_by_kind.setdefault(graph.nodes[node].get("kind", ""), []).append(names[node])
    for kind, members in sorted(members_by_kind.items()):
        if kind in NODE_STYLES:
            lines.append(f"  class {','.join(members)} {_class(kind)}")
    for kind, indexes in sorted(by_kind.items()):
        style = EDGE_STYLES.get(kind)
        if style:
            width = "2px" if style.style == "bold" else "1px"
            lines.append(f"  linkStyle {','.join(map(str, indexes))} stroke:{style.color},stroke-width:{width}")
    return "\n".join(lines) + "\n"
