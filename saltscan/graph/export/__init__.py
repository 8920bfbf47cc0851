"""Graph exports: DOT (and SVG/PNG through Graphviz), GraphML, JSON, Mermaid, HTML."""

from saltscan.graph.export.data import to_graphml, to_json
from saltscan.graph.export.dot import (
    GraphvizFailed,
    GraphvizNotInstalled,
    dot_available,
    render_with_dot,
    to_dot,
)
from saltscan.graph.export.html import to_html
from saltscan.graph.export.mermaid import to_mermaid

__all__ = [
    "GraphvizFailed",
    "GraphvizNotInstalled",
    "dot_available",
    "render_with_dot",
    "to_dot",
    "to_graphml",
    "to_html",
    "to_json",
    "to_mermaid",
]
