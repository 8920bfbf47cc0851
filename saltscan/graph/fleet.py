"""Roles and the fleet: per-minion graphs merged into one.

A merged graph has the same node ids and edge keys as its minion graphs. Every node
and edge gets ``minions`` (sorted list of the minion ids it appears on) and
``roles`` (sorted list of their roles). List attributes (``ports``, ``schemes``) are
united, the flags ``secret`` and ``defined`` hold if they hold on any minion, and the
other attributes come from the first minion (in sorted order) that has the node or edge.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import networkx as nx

from saltscan.graph.build import build_minion_graph
from saltscan.graph.memo import GraphMemo
from saltscan.graph.builder import canonical
from saltscan.model import Minion, Model, MinionRender

DEFAULT_ROLE_GRAINS = ("roles", "role")
# Node flags that hold for the merged node when they hold on any minion.
_ANY_FLAGS = frozenset({"secret", "defined"})


def role_of(minion: Minion, role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS) -> tuple[str, ...]:
    """The minion's roles from its grains (a string or a list under any of ``role_grains``)."""
    roles: set[str] = set()
    for grain in role_grains:
        value = minion.grains.get(grain)
        if isinstance(value, str) and value:
            roles.add(value)
        elif isinstance(value, (list, tuple)):
            roles.update(str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool))
    return tuple(sorted(roles))


def roles_in(model: Model, role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS) -> dict[str, tuple[str, ...]]:
    """Role -> sorted minion ids having it (targeted renders only)."""
    out: dict[str, set[str]] = {}
    for render in model.renders:
        if render.untargeted:
            continue
        for role in role_of(render.minion, role_grains):
            out.setdefault(role, set()).add(render.minion.id)
    return {role: tuple(sorted(ids)) for role, ids in sorted(out.items())}


def _merge_list(data: dict[str, Any], key: str, values: Iterable[str]) -> None:
    data[key] = sorted(set(data.get(key, ())) | set(values))


def merge_graphs(graphs: Sequence[tuple[MinionRender, nx.MultiDiGraph]],
                 role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS, **graph_attrs: Any) -> nx.MultiDiGraph:
    merged = nx.MultiDiGraph()
    missing: set = set()
    minions: set[str] = set()
    for render, graph in sorted(graphs, key=lambda pair: pair[0].minion.id):
        minion = render.minion.id
        roles = role_of(render.minion, role_grains)
        minions.add(minion)
        missing.update(graph.graph.get("missing_requisites", ()))
        for node, data in graph.nodes(data=True):
            if node not in merged:
                merged.add_node(node, **data)
            target = merged.nodes[node]
            for key, value in data.items():
                if isinstance(value, list):
                    _merge_list(target, key, value)
                elif key in _ANY_FLAGS and value:
                    target[key] = True
            _merge_list(target, "minions", [minion])
            _merge_list(target, "roles", roles)
        for u, v, key, data in graph.edges(keys=True, data=True):
            if not merged.has_edge(u, v, key):
                merged.add_edge(u, v, key=key, **data)
            target = merged.edges[u, v, key]
            _merge_list(target, "minions", [minion])
            _merge_list(target, "roles", roles)
    merged.graph.update(graph_attrs)
    merged.graph["minions"] = sorted(minions)
    merged.graph["missing_requisites"] = sorted(
        missing, key=lambda m: (m[0], m[1].location, m[1].kind.value, m[1].target_type, m[1].target)
    )
    return canonical(merged)


def build_role_graph(model: Model, role: str, *, secret_keys: Iterable[str] | None = None,
                     role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS) -> nx.MultiDiGraph:
    """Every minion with ``role`` merged; ValueError when no minion has it."""
    renders = [r for r in model.renders if not r.untargeted and role in role_of(r.minion, role_grains)]
    if not renders:
        known = ", ".join(roles_in(model, role_grains)) or "none"
        raise ValueError(f"no minion has role {role!r} (roles found: {known})")
    keys = tuple(secret_keys or ())
    memo = GraphMemo()
    graphs = [(r, build_minion_graph(r, secret_keys=keys, memo=memo)) for r in renders]
    return merge_graphs(graphs, role_grains, role=role)


def build_fleet_graph(model: Model, *, secret_keys: Iterable[str] | None = None,
                      role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS) -> nx.MultiDiGraph:
    """Every render of the model (untargeted ones included) merged."""
    keys = tuple(secret_keys or ())
    memo = GraphMemo()  # the minions share templates and secrets: their scans are shared
    graphs = [(r, build_minion_graph(r, secret_keys=keys, memo=memo)) for r in model.renders]
    return merge_graphs(graphs, role_grains)


def minion_graph(model: Model, minion_id: str, *, secret_keys: Iterable[str] | None = None,
                 role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS) -> nx.MultiDiGraph:
    """One minion's graph with ``minions``/``roles`` set like a merged graph; KeyError if unknown."""
    renders = model.renders_for(minion_id)
    if not renders:
        raise KeyError(minion_id)
    memo = GraphMemo()
    return merge_graphs([(r, build_minion_graph(r, secret_keys=secret_keys, memo=memo)) for r in renders], role_grains,
                        minion=minion_id)
