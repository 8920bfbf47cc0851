"""A small deterministic layered layout (left to right) for the HTML export.

Sugiyama in four steps, each deterministic: reverse the back edges a depth-first
search in sorted order finds; put each node one layer right of its furthest
predecessor; order each layer by the barycenter of its neighbours in a few down and
up sweeps (ties keep the previous order); then place layers left to right, each as
wide as its widest node.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

CHAR_WIDTH = 6.5
LINE_HEIGHT = 13.0
NODE_PADDING = 12.0
LAYER_GAP = 70.0
ROW_GAP = 14.0
SWEEPS = 4


@dataclass(frozen=True)
class Box:
    x: float  # left
    y: float  # top
    w: float
    h: float


def node_size(lines: list[str]) -> tuple[float, float]:
    width = max((len(line) for line in lines), default=1) * CHAR_WIDTH + 2 * NODE_PADDING
    return round(min(max(width, 40.0), 340.0), 1), round(len(lines) * LINE_HEIGHT + NODE_PADDING, 1)


def _acyclic_edges(nodes: list[str], succ: dict[str, list[str]]) -> list[tuple[str, str]]:
    state = dict.fromkeys(nodes, 0)  # 0 new, 1 on stack, 2 done
    edges: list[tuple[str, str]] = []
    for root in nodes:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state[child] == 1:
                if child != node:
                    edges.append((child, node))  # back edge: reversed
            else:
                edges.append((node, child))
                if state[child] == 0:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
    return sorted(set(edges))


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    dag = nx.DiGraph()
    dag.add_nodes_from(nodes)
    dag.add_edges_from(edges)
    layer: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag):
        layer[node] = max((layer[p] + 1 for p in dag.predecessors(node)), default=0)
    return layer


def _order(layers: list[list[str]], neighbours: dict[str, list[str]], layer_of: dict[str, int]) -> list[list[str]]:
    position = {n: i for row in layers for i, n in enumerate(row)}
    for sweep in range(SWEEPS):
        indexes = range(1, len(layers)) if sweep % 2 == 0 else range(len(layers) - 2, -1, -1)
        for li in indexes:
            side = li - 1 if sweep % 2 == 0 else li + 1

            def barycenter(node: str) -> tuple[float, int]:
                near = [position[m] for m in neighbours[node] if layer_of[m] == side]
                return (sum(near) / len(near) if near else float(position[node]), position[node])

            layers[li] = sorted(layers[li], key=barycenter)
            position.update({n: i for i, n in enumerate(layers[li])})
    return layers


def layered_layout(graph: nx.MultiDiGraph, labels: dict[str, list[str]]) -> dict[str, Box]:
    """Node -> box; ``labels`` gives each node's text lines (for its size)."""
    nodes = sorted(graph.nodes)
    succ = {n: sorted({v for v in graph.successors(n) if v != n}) for n in nodes}
    edges = _acyclic_edges(nodes, succ)
    layer_of = _layers(nodes, edges)
    neighbours = {n: sorted(set(graph.successors(n)) | set(graph.predecessors(n))) for n in nodes}
    count = max(layer_of.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for node in nodes:
        layers[layer_of[node]].append(node)
    kind = nx.get_node_attributes(graph, "kind")
    for row in layers:
        row.sort(key=lambda n: (kind.get(n, ""), n))
    layers = _order(layers, neighbours, layer_of)

    sizes = {n: node_size(labels.get(n, [n])) for n in nodes}
    heights = [sum(sizes[n][1] + ROW_GAP for n in row) for row in layers]
    tallest = max(heights, default=0.0)
    boxes: dict[str, Box] = {}
    x = 0.0
    for row, height in zip(layers, heights):
        width = max((sizes[n][0] for n in row), default=0.0)
        y = (tallest - height) / 2
        for node in row:
            w, h = sizes[node]
            boxes[node] = Box(round(x + (width - w) / 2, 1), round(y, 1), w, h)
            y += h + ROW_GAP
        x += width + LAYER_GAP
    return boxes
