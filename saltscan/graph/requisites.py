"""Requisites resolved to the states they name, the way Salt 3007 resolves them.

Salt's ``salt.utils.requisite.DependencyGraph`` is the reference:

- ``<module>: <target>`` matches the chunks of that module whose ID *or* name matches;
- ``id: <target>`` (and the bare ``- target`` form) matches ID or name in any module;
- ``sls: <target>`` matches every chunk of that SLS, and every chunk of an SLS it
  included (``__sls_included_from__``);
- a target with ``*?[]`` is an fnmatch glob (case-sensitive, as on a Linux minion);
  a glob ``sls`` target is never an error, even when it matches nothing (Salt sets
  ``found`` before looking); an ``sls`` target naming an SLS that was rendered but
  holds no state is met (Salt issue #30971);
- ``listen`` and ``use`` are looked up by exact ID or name, as ``call_listen`` and
  ``find_name`` do.

Edge direction: ``A -> B`` of kind ``require`` means A requires B (see ``kinds``).
"""

from __future__ import annotations

import fnmatch
from collections import deque
from typing import Iterable, Mapping, NamedTuple, Sequence

import networkx as nx

from saltscan.graph.builder import GraphBuilder
from saltscan.graph.ids import StateIds
from saltscan.graph.kinds import EdgeKind, ORDERING_REQUISITE_KINDS
from saltscan.model import Requisite, RequisiteKind, State

_GLOB_CHARS = ("*", "?", "[", "]")
_EXACT_KINDS = (RequisiteKind.LISTEN, RequisiteKind.USE)
MAX_CYCLES = 1000  # elementary cycles can grow exponentially; rules need a few


class ChunkRef(NamedTuple):
    """What requisite matching needs to know about one state (a tuple: one per state
    of every build, made faster than a frozen dataclass)."""

    node: str
    module: str
    id: str
    name: str
    sls_keys: tuple[str, ...]  # its SLS, then the SLS files that included it


def included_from(low: Sequence[Mapping]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(module, ID, name) -> ``__sls_included_from__`` of the low chunk."""
    out: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for chunk in low:
        key = (str(chunk.get("state", "")), str(chunk.get("__id__", "")), str(chunk.get("name", "")))
        value = chunk.get("__sls_included_from__") or ()
        if key in out:
            continue  # the first chunk of a key wins
        if isinstance(value, str):
            value = (value,)
        out[key] = tuple(map(str, value)) if value else ()
    return out


def chunk_refs(states: Iterable[State], ids: StateIds,
               parents: Mapping[tuple[str, str, str], tuple[str, ...]]) -> list[ChunkRef]:
    """``parents``: ``included_from`` of the render's low chunks."""
    return [
        ChunkRef(
            node=ids.of(st),
            module=st.module,
            id=st.id,
            name=st.name,
            sls_keys=(st.sls, *parents.get((st.module, st.id, st.name), ())),
        )
        for st in states
    ]


def _is_glob(value: str) -> bool:
    return any(c in value for c in _GLOB_CHARS)


class ChunkIndex:
    """Exact lookups like Salt's ``nodes_lookup_map``; globs scan every chunk."""

    def __init__(self, chunks: Sequence[ChunkRef]) -> None:
        self.chunks = chunks
        self.by_key: dict[tuple[str, str], list[str]] = {}
        self.by_sls: dict[str, list[str]] = {}
        for c in chunks:
            for key in dict.fromkeys(((c.module, c.id), (c.module, c.name), ("id", c.id), ("id", c.name))):
                self.by_key.setdefault(key, []).append(c.node)
            for sls in dict.fromkeys(c.sls_keys):
                self.by_sls.setdefault(sls, []).append(c.node)

    def resolve(self, req: Requisite, processed_sls: frozenset[str]) -> tuple[list[str], bool]:
        """The nodes ``req`` names, and whether Salt would consider it found."""
        target = req.target
        glob = _is_glob(target) and req.kind not in _EXACT_KINDS
        if req.target_type == "sls":
            if _is_glob(target):
                return [n for sls, nodes in self.by_sls.items() if fnmatch.fnmatchcase(sls, target) for n in nodes], True
            nodes = self.by_sls.get(target, [])
            return list(nodes), bool(nodes) or target in processed_sls
        if not glob:
            nodes = self.by_key.get((req.target_type, target), [])
            return list(nodes), bool(nodes)
        any_module = req.target_type == "id"
        nodes = [
            c.node
            for c in self.chunks
            if (any_module or c.module == req.target_type)
            and (fnmatch.fnmatchcase(c.id, target) or fnmatch.fnmatchcase(c.name, target))
        ]
        return nodes, bool(nodes)


_EDGE_KINDS = {kind._value_: EdgeKind(kind.value) for kind in RequisiteKind}


def add_requisite_edges(
    builder: GraphBuilder,
    states: Sequence[State],
    ids: StateIds,
    parents: Mapping[tuple[str, str, str], tuple[str, ...]],
    processed_sls: frozenset[str],
    unique: Sequence[State] | None = None,
) -> list[tuple[str, Requisite]]:
    """Add one edge per (requiring state, required state, kind); return the misses.
    ``parents``: ``included_from`` of the render's low chunks. ``unique``: ``states``
    without the repeats of an earlier state (``saltscan.graph.pieces.same_data``), when
    the caller knows them: a repeat names the same chunks and adds no edge, but its
    misses are listed again."""
    unique = states if unique is None else unique
    index = ChunkIndex(chunk_refs(unique, ids, parents))
    adds = {id(st) for st in unique}
    # What a requisite resolves to depends on its kind, type and target only.
    resolved: dict[tuple[str, str, str], tuple[list[str], bool]] = {}
    missing: list[tuple[str, Requisite]] = []
    for st in states:
        source = ids.of(st)
        add = id(st) in adds
        for req in st.requisites:
            key = (req.kind._value_, req.target_type, req.target)
            found = resolved.get(key)
            if found is None:
                nodes, ok = index.resolve(req, processed_sls)
                found = resolved[key] = (sorted(set(nodes)), ok)
            targets, ok = found
            if not ok:
                missing.append((source, req))
            if not add:
                continue
            for target in targets:
                builder.edge(
                    source,
                    target,
                    _EDGE_KINDS[req.kind._value_],
                    req.location,
                    requisite_type=req.target_type,
                    requisite_target=req.target,
                    from_in=req.from_in,
                )
    return missing


def _ordering_graph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    ordering = nx.DiGraph()
    ordering.add_nodes_from(n for n, kind in graph.nodes(data="kind") if kind == "state")
    for u, v, kind in graph.edges(data="kind"):
        if kind in ORDERING_REQUISITE_KINDS:
            ordering.add_edge(u, v)
    return ordering


def find_requisite_cycles(graph: nx.MultiDiGraph) -> list[list[str]]:
    """One cycle per group of states that require each other, starting at its smallest node.

    A group is a strongly connected component of the ordering requisites (``listen``,
    ``use`` and ``prereq`` are left out: they do not make Salt run their target first).
    Enumerating every elementary cycle grows exponentially on formulas whose ``sls:``
    requisites tie a whole SLS together; one shortest cycle through the group's smallest
    state names the problem just as well. Sorted, so the result is deterministic.
    """
    ordering = _ordering_graph(graph)
    cycles = []
    for component in nx.strongly_connected_components(ordering):
        if len(component) == 1:
            node = next(iter(component))
            if ordering.has_edge(node, node):
                cycles.append([node])
            continue
        start = min(component)
        cycles.append(_shortest_cycle(ordering.subgraph(component), start))
    return sorted(cycles)[:MAX_CYCLES]


def _shortest_cycle(component: nx.DiGraph, start: str) -> list[str]:
    """The shortest path from ``start`` back to itself (BFS, neighbours in sorted order)."""
    parents: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(component.successors(node)):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return list(reversed(path))
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return [start]


def requisite_dependencies(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """States ``node`` runs after because of a requisite (one step)."""
    out = {v for _, v, kind in graph.out_edges(node, data="kind") if kind in ORDERING_REQUISITE_KINDS}
    # A prereq B runs A before B: B depends on A.
    out |= {u for u, _, kind in graph.in_edges(node, data="kind") if kind == EdgeKind.PREREQ.value}
    return sorted(out)


def has_requisite_path(graph: nx.MultiDiGraph, a: str, b: str, dependencies=None) -> bool:
    """True when requisites alone make Salt run ``b`` before ``a`` (transitively).
    ``dependencies(graph, node)`` defaults to ``requisite_dependencies`` (a caller may
    pass a cached one)."""
    if a not in graph or b not in graph or a == b:
        return False
    step = dependencies or requisite_dependencies
    seen = {a}
    queue = deque([a])
    while queue:
        for nxt in step(graph, queue.popleft()):
            if nxt == b:
                return True
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False
