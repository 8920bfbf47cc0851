"""Graphviz DOT (via the ``graphviz`` library) and rendering it with the ``dot`` binary.

DOT node names are ``n0``, ``n1``, ... in sorted node-id order (a Salt id holds
colons, which DOT would read as ports); the real id is the node's tooltip and ``id``.
"""

from __future__ import annotations

import html
import shutil
import subprocess

import graphviz
import networkx as nx

from saltscan.graph.export.style import display_lines, edge_style, node_style, source_of
from saltscan.graph.filters import clusters

RENDER_FORMATS = ("svg", "png", "pdf")
UNLINKED_ROW = 4  # nodes per row in the "not linked" box
_INSTALL_HINT = (
    "Graphviz's 'dot' program is not installed or not on PATH; install Graphviz "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
    "Fedora/RHEL: dnf install graphviz; Windows: choco install graphviz) "
    "or use --format dot|json|graphml|mermaid|html"
)


class GraphvizNotInstalled(RuntimeError):
    """The ``dot`` binary is missing."""

    def __init__(self) -> None:
        super().__init__(_INSTALL_HINT)


class GraphvizFailed(RuntimeError):
    """``dot`` ran and failed."""


def _escape(text: str) -> str:
    # Graphviz reads backslash escapes (\n, \l, \N) in labels: keep user text literal.
    return text.replace("\\", "\\\\")


def _label(lines: list[str]) -> graphviz.quoting.NoHtml:
    return graphviz.nohtml("\\n".join(_escape(line) for line in lines))


def _tooltip(node: str, data: dict) -> str:
    parts = [node]
    where = source_of(data)
    if where:
        parts.append(where)
    if data.get("minions"):
        parts.append("minions: " + ", ".join(data["minions"]))
    return _escape("\n".join(parts)).replace("\n", "&#10;")


def _legend(graph: nx.MultiDiGraph, edge_kinds: list[str]) -> str:
    """Two columns: node kinds (fill colour) and the drawn edge kinds (colour, style)."""
    node_kinds = sorted({k for _, k in graph.nodes(data="kind")})
    node_cells = [
        f'<TD BGCOLOR="{node_style(k).fill}" COLOR="{node_style(k).stroke}" BORDER="1" WIDTH="18"></TD>'
        f'<TD ALIGN="LEFT">{html.escape(k)}</TD>'
        for k in node_kinds
    ]
    edge_cells = [
        f'<TD><FONT COLOR="{edge_style(k).color}">{_edge_glyph(edge_style(k).style)}</FONT></TD>'
        f'<TD ALIGN="LEFT">{html.escape(k)}</TD>'
        for k in edge_kinds
    ]
    rows = ['<TR><TD COLSPAN="2"><B>nodes</B></TD><TD COLSPAN="2"><B>edges</B></TD></TR>']
    empty = "<TD></TD><TD></TD>"
    for i in range(max(len(node_cells), len(edge_cells))):
        left = node_cells[i] if i < len(node_cells) else empty
        right = edge_cells[i] if i < len(edge_cells) else empty
        rows.append(f"<TR>{left}{right}</TR>")
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">' + "".join(rows) + "</TABLE>>"


def _edge_glyph(style: str) -> str:
    return {"dashed": "- - &#8594;", "dotted": "&#183;&#183;&#183; &#8594;", "bold": "<B>&#8212;&#8594;</B>"}.get(
        style, "&#8212;&#8594;"
    )


def to_dot(graph: nx.MultiDiGraph, cluster: str | None = "sls", *, legend: bool = True, name: str = "saltscan") -> str:
    """DOT source: shape and colour by node kind, line style by edge kind, clusters, legend."""
    dot = graphviz.Digraph(
        name=name,
        graph_attr={"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11", "nodesep": "0.25",
                    "ranksep": "0.6", "newrank": "true", "compound": "true"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "style": "filled", "margin": "0.08,0.04"},
        edge_attr={"fontname": "Helvetica", "fontsize": "8", "arrowsize": "0.6"},
    )
    names = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}

    def add_node(target: graphviz.Digraph, node: str) -> None:
        data = graph.nodes[node]
        style = node_style(data.get("kind", ""))
        target.node(
            names[node], _label(display_lines(data)), shape=style.shape, fillcolor=style.fill,
            color=style.stroke, tooltip=_tooltip(node, data), id=_escape(node),
        )

    for index, (cluster_name, members) in enumerate(clusters(graph, cluster).items()):
        if cluster_name is None:
            unlinked = [n for n in members if graph.degree(n) == 0]
            for node in members:
                if node not in unlinked:
                    add_node(dot, node)
            if unlinked:
                _add_unlinked(dot, unlinked, names, add_node)
            continue
        with dot.subgraph(name=f"cluster_{index}") as sub:
            sub.attr(label=graphviz.nohtml(_escape(f"{cluster}: {cluster_name}")), style="rounded,filled",
                     fillcolor="#fafafa", color="#bbbbbb", fontcolor="#555555")
            for node in members:
                add_node(sub, node)
    drawn: set[str] = set()
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key == "declares" and cluster == "sls":
            continue  # the SLS box already says which states the SLS declares
        drawn.add(key)
        style = edge_style(key)
        dot.edge(names[u], names[v], color=style.color, style=style.style, arrowhead=style.arrowhead,
                 tooltip=_escape(f"{key} {source_of(data)}".strip()))
    if legend and graph.number_of_nodes():
        with dot.subgraph(name="cluster_legend") as sub:
            sub.attr(label="", style="rounded", color="#dddddd")
            sub.node("legend", _legend(graph, sorted(drawn)), shape="plaintext", style="", fontsize="9")
    return dot.source


def _add_unlinked(dot: graphviz.Digraph, nodes: list[str], names: dict[str, str], add_node) -> None:
    """Nodes with no edge (a secret nothing uses) in a compact grid, not one long column.

    Each row is a chain of invisible edges, which ``dot`` lays out left to right.
    """
    with dot.subgraph(name="cluster_unlinked") as sub:
        sub.attr(label="not linked", style="rounded,dashed", color="#cccccc", fontcolor="#888888")
        for node in nodes:
            add_node(sub, node)
        for start in range(0, len(nodes), UNLINKED_ROW):
            row = nodes[start:start + UNLINKED_ROW]
            for a, b in zip(row, row[1:]):
                sub.edge(names[a], names[b], style="invis")


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_with_dot(dot_source: str, fmt: str) -> bytes:
    """Run ``dot -T<fmt>``; GraphvizNotInstalled when the binary is missing."""
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"unsupported render format {fmt!r}; use one of {', '.join(RENDER_FORMATS)}")
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizNotInstalled()
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True,
                              check=False, timeout=600)
    except FileNotFoundError as exc:  # removed between which() and run()
        raise GraphvizNotInstalled() from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizFailed(f"dot -T{fmt} failed: {message[-1] if message else proc.returncode}")
    return proc.stdout
