"""How node and edge kinds look, shared by the DOT, Mermaid and HTML exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from saltscan.graph.kinds import INFERRED_EDGE_KINDS, REQUISITE_EDGE_KINDS, EdgeKind, NodeKind


@dataclass(frozen=True)
class NodeStyle:
    shape: str  # Graphviz shape
    fill: str
    stroke: str


@dataclass(frozen=True)
class EdgeStyle:
    color: str
    style: str  # solid | dashed | dotted | bold
    arrowhead: str = "normal"


NODE_STYLES: Mapping[str, NodeStyle] = {
    NodeKind.SLS.value: NodeStyle("folder", "#eeeeee", "#777777"),
    NodeKind.STATE.value: NodeStyle("box", "#dbe9f6", "#4a7fb5"),
    NodeKind.PACKAGE.value: NodeStyle("box3d", "#fde0c5", "#c7772b"),
    NodeKind.FILE.value: NodeStyle("note", "#fff4c2", "#b59a2a"),
    NodeKind.DIRECTORY.value: NodeStyle("tab", "#f3e3a0", "#a08620"),
    NodeKind.SERVICE.value: NodeStyle("hexagon", "#cdeccf", "#3d8b40"),
    NodeKind.USER.value: NodeStyle("ellipse", "#e6dcf3", "#7b5ea7"),
    NodeKind.GROUP.value: NodeStyle("ellipse", "#d9cbef", "#6a4c9c"),
    NodeKind.COMMAND.value: NodeStyle("cds", "#ffdcdc", "#b04a4a"),
    NodeKind.MOUNT.value: NodeStyle("cylinder", "#dddddd", "#666666"),
    NodeKind.CRON.value: NodeStyle("invhouse", "#eadcc8", "#8a6a3a"),
    NodeKind.SECRET.value: NodeStyle("octagon", "#ffb3b3", "#cc0000"),
    NodeKind.PILLAR_KEY.value: NodeStyle("parallelogram", "#e3f0ff", "#4a78b0"),
    NodeKind.ENV_VAR.value: NodeStyle("house", "#d6f5f3", "#2a8f88"),
    NodeKind.ENDPOINT.value: NodeStyle("doubleoctagon", "#fde2f0", "#b0407a"),
    NodeKind.PORT.value: NodeStyle("circle", "#f2f2f2", "#555555"),
}

_REQUISITE_COLORS = {
    "require": "#333333",
    "watch": "#1f77b4",
    "prereq": "#9467bd",
    "onchanges": "#2ca02c",
    "onfail": "#8c564b",
    "onfail_all": "#8c564b",
    "listen": "#17becf",
    "use": "#7f7f7f",
}

EDGE_STYLES: dict[str, EdgeStyle] = {}
for _kind in sorted(REQUISITE_EDGE_KINDS):
    _base = _kind.removesuffix("_any")
    EDGE_STYLES[_kind] = EdgeStyle(
        _REQUISITE_COLORS.get(_base, "#333333"),
        "dotted" if _base == "use" else "solid",
        "onormal" if _kind.endswith("_any") else "normal",
    )
EDGE_STYLES.update(
    {
        EdgeKind.INCLUDES.value: EdgeStyle("#999999", "bold", "empty"),
        EdgeKind.DECLARES.value: EdgeStyle("#bbbbbb", "solid", "none"),
        EdgeKind.MANAGES.value: EdgeStyle("#777777", "solid", "dot"),
        EdgeKind.USES_PILLAR.value: EdgeStyle("#4a78b0", "dotted"),
        EdgeKind.FLOWS_TO.value: EdgeStyle("#d62728", "bold"),
        EdgeKind.SETS_ENV.value: EdgeStyle("#2a8f88", "solid"),
        EdgeKind.CONNECTS_TO.value: EdgeStyle("#b0407a", "solid", "vee"),
    }
)
for _kind in sorted(INFERRED_EDGE_KINDS):
    EDGE_STYLES[_kind] = EdgeStyle("#ff7f0e", "dashed")

_FALLBACK_NODE = NodeStyle("box", "#ffffff", "#000000")
_FALLBACK_EDGE = EdgeStyle("#000000", "solid")


def node_style(kind: str) -> NodeStyle:
    return NODE_STYLES.get(kind, _FALLBACK_NODE)


def edge_style(kind: str) -> EdgeStyle:
    return EDGE_STYLES.get(kind, _FALLBACK_EDGE)


# A value rendering could not know stands as an unknown token in the model (see
# saltscan.model.Unknown); a picture shows it as "(unknown)".
_UNKNOWN_TOKEN = re.compile(r"__UNKNOWN_[0-9a-f]+__")


def truncate(text: str, limit: int = 48) -> str:
    text = _UNKNOWN_TOKEN.sub("(unknown)", text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def display_lines(data: Mapping[str, Any]) -> list[str]:
    """What a node shows: a state its function and ID (and name when it differs)."""
    kind = data.get("kind", "")
    label = str(data.get("label", ""))
    if kind == NodeKind.STATE.value:
        lines = [str(data.get("fun", "")), truncate(label)]
        name = str(data.get("name", label))
        if name != label:
            lines.append(truncate(name))
        return lines
    if kind == NodeKind.SECRET.value:
        return [truncate(label), str(data.get("storage", ""))]
    if kind == NodeKind.PORT.value:
        return [label]
    if kind == NodeKind.ENDPOINT.value and data.get("ports"):
        return [truncate(label + ":" + ",".join(str(p) for p in data["ports"]))]
    return [truncate(label)]


def source_of(data: Mapping[str, Any]) -> str:
    """``file:line`` of a node or edge, or ''."""
    if "file" not in data:
        return ""
    return f"{data['file']}:{data.get('line', 1)}"
