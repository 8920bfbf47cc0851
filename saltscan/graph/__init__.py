"""The Salt graph: states, what they manage, requisites, pillar, secrets (DESIGN.md s.5).

Public entry points; see ``docs/graph.md`` for the node and edge model.
"""

from saltscan.graph.build import build_minion_graph
from saltscan.graph.filters import cluster_of, clusters, filter_kinds, filter_sls, focus, resolve_node
from saltscan.graph.fleet import (
    build_fleet_graph,
    build_role_graph,
    merge_graphs,
    minion_graph,
    role_of,
    roles_in,
)
from saltscan.graph.ids import state_node_id, state_node_of
from saltscan.graph.kinds import (
    INFERRED_EDGE_KINDS,
    ORDERING_REQUISITE_KINDS,
    REQUISITE_EDGE_KINDS,
    RESOURCE_KINDS,
    EdgeKind,
    NodeKind,
)
from saltscan.graph.memo import GraphMemo
from saltscan.graph.requisites import find_requisite_cycles, has_requisite_path

__all__ = [
    "EdgeKind",
    "GraphMemo",
    "INFERRED_EDGE_KINDS",
    "NodeKind",
    "ORDERING_REQUISITE_KINDS",
    "REQUISITE_EDGE_KINDS",
    "RESOURCE_KINDS",
    "build_fleet_graph",
    "build_minion_graph",
    "build_role_graph",
    "cluster_of",
    "clusters",
    "filter_kinds",
    "filter_sls",
    "find_requisite_cycles",
    "focus",
    "has_requisite_path",
    "merge_graphs",
    "minion_graph",
    "resolve_node",
    "role_of",
    "roles_in",
    "state_node_id",
    "state_node_of",
]
