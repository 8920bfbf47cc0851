"""Views of a graph: a node's neighbourhood, some node kinds only, clusters."""

from __future__ import annotations

import difflib
import fnmatch
from collections import deque
from typing import Iterable

import networkx as nx

from saltscan.graph.builder import canonical
from saltscan.graph.kinds import NodeKind

CLUSTER_MODES = ("sls", "role")
_ATTACHED_EDGE_KINDS = frozenset({"manages", "sets_env", "connects_to"})


def _subgraph(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> nx.MultiDiGraph:
    return canonical(graph.subgraph(set(nodes)).copy())


def resolve_node(graph: nx.MultiDiGraph, text: str) -> str:
    """A node id from an id, or from a label/state ID naming exactly one node (or
    exactly one state among the nodes it names: ``nginx`` is the state, not the package).

    KeyError (message lists close ids) when nothing or several nodes match.
    """
    if text in graph:
        return text
    matches = sorted(
        n for n, d in graph.nodes(data=True) if text in (d.get("label"), d.get("state_id"))
    )
    states = [n for n in matches if graph.nodes[n].get("kind") == NodeKind.STATE.value]
    if len(matches) == 1 or len(states) == 1:
        return states[0] if states else matches[0]
    if matches:
        raise KeyError(f"{text!r} names several nodes: {', '.join(matches[:10])}")
    close = difflib.get_close_matches(text, sorted(graph.nodes), n=5, cutoff=0.5)
    hint = f"; close: {', '.join(close)}" if close else ""
    raise KeyError(f"no node {text!r} in the graph{hint}")


def focus(graph: nx.MultiDiGraph, node: str, depth: int = 2) -> nx.MultiDiGraph:
    """Nodes within ``depth`` edges of ``node`` (either direction), with their edges."""
    if node not in graph:
        raise KeyError(node)
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    seen = {node: 0}
    queue = deque([node])
    while queue:
        current = queue.popleft()
        if seen[current] == depth:
            continue
        for nxt in sorted(set(graph.successors(current)) | set(graph.predecessors(current))):
            if nxt not in seen:
                seen[nxt] = seen[current] + 1
                queue.append(nxt)
    out = _subgraph(graph, seen)
    out.graph["focus"] = node
    return out


def filter_kinds(graph: nx.MultiDiGraph, kinds: Iterable[str | NodeKind], keep: Iterable[str] = ()) -> nx.MultiDiGraph:
    """Only nodes of ``kinds`` (plus the ``keep`` nodes); ValueError on an unknown kind."""
    wanted = {NodeKind(k).value for k in kinds}
    keep = set(keep)
    return _subgraph(graph, (n for n, kind in graph.nodes(data="kind") if kind in wanted or n in keep))


def cluster_of(graph: nx.MultiDiGraph, node: str, by: str) -> str | None:
    """The cluster a node is drawn in, or None (drawn outside every cluster).

    ``sls``: a state's SLS; an SLS node its own; a resource, env var, endpoint or port
    the single SLS of the states that manage, set or connect to it (None when shared).
    Secrets and pillar keys stay outside: they are the inputs. ``role``: the node's
    single role (``roles`` attribute of a merged graph), else None.
    """
    data = graph.nodes[node]
    if by == "role":
        roles = data.get("roles") or []
        return roles[0] if len(roles) == 1 else None
    if by != "sls":
        return None
    kind = data.get("kind")
    if kind in (NodeKind.STATE.value, NodeKind.SLS.value):
        return data.get("sls")
    if kind in (NodeKind.SECRET.value, NodeKind.PILLAR_KEY.value):
        return None
    owners = {
        graph.nodes[u].get("sls")
        for u, _, k in graph.in_edges(node, data="kind")
        if k in _ATTACHED_EDGE_KINDS and graph.nodes[u].get("kind") == NodeKind.STATE.value
    }
    return owners.pop() if len(owners) == 1 else None


def clusters(graph: nx.MultiDiGraph, by: str | None) -> dict[str | None, list[str]]:
    """Cluster name -> sorted nodes; key None holds the nodes outside any cluster."""
    out: dict[str | None, list[str]] = {}
    for node in sorted(graph.nodes):
        name = cluster_of(graph, node, by) if by else None
        out.setdefault(name, []).append(node)
    return dict(sorted(out.items(), key=lambda item: (item[0] is not None, item[0] or "")))


def filter_sls(graph: nx.MultiDiGraph, patterns: Iterable[str]) -> nx.MultiDiGraph:
    """The states of SLS matching ``patterns`` (fnmatch), with everything linked to them.

    Kept: matching SLS nodes, their states, and every non-state node one edge away
    from a kept state (what it manages, env vars, endpoints, pillar keys, secrets).
    """
    patterns = tuple(patterns)

    def wanted_sls(name: str | None) -> bool:
        return name is not None and any(fnmatch.fnmatchcase(name, p) for p in patterns)

    keep = {
        n for n, d in graph.nodes(data=True)
        if d.get("kind") in (NodeKind.STATE.value, NodeKind.SLS.value) and wanted_sls(d.get("sls"))
    }
    states = [n for n in keep if graph.nodes[n].get("kind") == NodeKind.STATE.value]
    for node in states:
        for other in set(graph.successors(node)) | set(graph.predecessors(node)):
            if graph.nodes[other].get("kind") not in (NodeKind.STATE.value, NodeKind.SLS.value):
                keep.add(other)
    return _subgraph(graph, keep)
