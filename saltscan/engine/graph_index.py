"""What the graph rules look up in one minion's graph, found in one pass over its edges.

Several graph rules walk the same graph: SS502 its inferred edges and requisite
paths, SS505 its ordering requisites. Each walk through networkx's edge views costs
about as much as the rule's own work, so ``GraphIndex.of(graph)`` reads the graph's
adjacency once (``RuleContext.graph_index`` keeps it for the render) and answers:

- ``inferred``: the inferred edges ``(u, v, data)``, in the graph's edge order;
- ``dependencies(node)``: ``saltscan.graph.requisites.requisite_dependencies``;
- ``may_have_cycle``: False when the ordering requisites are acyclic, i.e. when
  ``find_requisite_cycles`` would return ``[]`` (True: ask it).

The index is the graph's, read and never changed: a graph is not changed once built.
"""

from __future__ import annotations

from typing import Any

from saltscan.graph.kinds import ORDERING_REQUISITE_KINDS, EdgeKind

_PREREQ = EdgeKind.PREREQ.value


class GraphIndex:
    __slots__ = ("inferred", "_deps", "_sorted", "_ordering", "_cyclic")

    def __init__(self, inferred: list[tuple[str, str, dict]], deps: dict[str, set[str]],
                 ordering: dict[str, list[str]]) -> None:
        self.inferred = inferred
        self._deps = deps
        self._sorted: dict[str, tuple[str, ...]] = {}
        self._ordering = ordering
        self._cyclic: bool | None = None

    @classmethod
    def of(cls, graph: Any) -> "GraphIndex":
        inferred: list[tuple[str, str, dict]] = []
        deps: dict[str, set[str]] = {}  # node -> the nodes it runs after (one step)
        ordering: dict[str, list[str]] = {}  # node -> its ordering requisites' targets
        # A MultiDiGraph's documented dict-of-dicts (node -> neighbour -> key -> data),
        # read in the order ``graph.edges(data=True)`` yields it, without its views.
        for u, nbrs in graph._succ.items():
            for v, keyed in nbrs.items():
                for data in keyed.values():
                    kind = data.get("kind")
                    if kind in ORDERING_REQUISITE_KINDS:
                        deps.setdefault(u, set()).add(v)
                        ordering.setdefault(u, []).append(v)
                    elif kind == _PREREQ:  # A prereq B runs A before B: B depends on A
                        deps.setdefault(v, set()).add(u)
                    if data.get("inferred"):
                        inferred.append((u, v, data))
        return cls(inferred, deps, ordering)

    def dependencies(self, node: str) -> tuple[str, ...]:
        """``requisite_dependencies(graph, node)``, sorted, as a tuple."""
        found = self._sorted.get(node)
        if found is None:
            found = self._sorted[node] = tuple(sorted(self._deps.get(node, ())))
        return found

    @property
    def may_have_cycle(self) -> bool:
        """Whether the ordering requisites have a cycle (a self-loop counts)."""
        if self._cyclic is None:
            self._cyclic = _has_cycle(self._ordering)
        return self._cyclic


def _has_cycle(succ: dict[str, list[str]]) -> bool:
    """A directed cycle in ``succ`` (iterative depth-first search, three colours)."""
    done: set[str] = set()
    for root in succ:
        if root in done:
            continue
        on_path = {root}
        stack = [(root, iter(succ[root]))]
        while stack:
            node, rest = stack[-1]
            for nxt in rest:
                if nxt in on_path:
                    return True
                if nxt not in done:
                    on_path.add(nxt)
                    stack.append((nxt, iter(succ.get(nxt, ()))))
                    break
            else:
                stack.pop()
                on_path.discard(node)
                done.add(node)
    return False
