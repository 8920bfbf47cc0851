"""SS502: a state uses what another creates, with no requisite between them."""

from __future__ import annotations

from typing import Iterator

from saltscan import api


# Service functions that only touch the unit's links (enable, mask), never the
# service's configuration: a ``config`` edge to them asks for no order.
UNIT_LINK_FUNCTIONS = frozenset({"service.enabled", "service.disabled", "service.masked",
                                 "service.unmasked"})


class ImplicitOrdering(api.GraphRule):
    """State depends on another state with no requisite between them.

    The graph infers a dependency the SLS does not write down: a file under a
    directory another state creates, a command run as a user another state
    creates, a service whose package or configuration another state installs.
    With no requisite between them (of any kind, directly or through other
    states), Salt keeps the order only by declaration order, and not at all
    across SLS files included in another order. A Dockerfile needs the
    order spelled out; so does Salt, to be safe. A configuration file is not
    asked of ``service.enabled``, ``disabled``, ``masked`` or ``unmasked``,
    which never read it (their package is).

    Problematic::

        ehr-user:
          user.present:
            - name: ehr

        ehr-data:
          file.directory:
            - name: /opt/ehr/data
            - user: ehr

    Correct::

        ehr-user:
          user.present:
            - name: ehr

        ehr-data:
          file.directory:
            - name: /opt/ehr/data
            - user: ehr
            - require:
              - user: ehr-user
    """

    code = "SS502"
    name = "implicit-ordering"
    category = api.Category.ORDERING
    severity = api.Severity.MEDIUM
    tags = ("ordering", "graph")
    hint = "add a require on the state that creates what this one uses"

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        # Only inferred edges, sorted (filtering first keeps their sorted order: the
        # sort is stable, and most edges are requisites).
        if graph is ctx.graph:  # found in the render's one pass over its graph
            inferred = ctx.graph_index.inferred
        else:
            inferred = [e for e in graph.edges(data=True) if e[2].get("inferred")]
        for u, v, data in sorted(inferred, key=lambda e: (e[0], e[1], e[2].get("kind", ""))):
            user = ctx.state_of_node(graph, u)
            maker = ctx.state_of_node(graph, v)
            if user is None or maker is None or _linked(graph, u, v):
                continue
            if data.get("reason") == "config" and user.fun in UNIT_LINK_FUNCTIONS:
                continue  # it never reads the service's configuration
            if ctx.has_requisite_path(graph, u, v):
                continue
            via = _describe(graph, data.get("via", ""))
            reason = data.get("reason") or data.get("kind", "")
            when = ""
            if user.order is not None and maker.order is not None and user.order < maker.order:
                when = "; Salt runs it first, before that state"
            yield self.at_state(
                user,
                f"{user.fun} {user.id} needs {via} from {maker.fun} {maker.id} ({reason}) "
                f"but has no requisite on it{when}",
                subject=f"{maker.module}:{maker.id}",
            )


def _describe(graph, node: str) -> str:
    """``user ehr`` for the node ``user:ehr``."""
    if node in graph:
        attrs = graph.nodes[node]
        return f"{attrs.get('kind', '')} {attrs.get('label', node)}".strip()
    return node


REQUISITE_KINDS = frozenset(k.value for k in api.RequisiteKind)


def _linked(graph, a: str, b: str) -> bool:
    """A requisite of any kind written between the two states (``listen`` too)."""
    for u, v in ((a, b), (b, a)):
        for data in (graph.get_edge_data(u, v) or {}).values():
            if data.get("kind") in REQUISITE_KINDS:
                return True
    return False
