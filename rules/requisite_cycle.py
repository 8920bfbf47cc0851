"""SS505: requisite cycles."""

from __future__ import annotations

from typing import Iterator

from saltscan import api


class RequisiteCycle(api.GraphRule):
    """Requisites form a cycle: no order can satisfy them.

    State A requires (or watches, ...) B, which requires ... A. No build or
    start sequence can honour it, and Salt fails these states ("A recursive
    requisite was found"). Reported under ``ordering`` (DESIGN.md section 4
    lists cycles there), once per distinct cycle, at the state the cycle
    starts from (the one with the smallest graph node id), with the whole
    cycle in the message: the other states of the cycle are named there, and
    reporting every rotation of one cycle would repeat one fault many times.

    Problematic::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - contents: "[app]"
            - require:
              - service: ehr-app

        ehr-app:
          service.running:
            - require:
              - file: ehr-config

    Correct::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - contents: "[app]"

        ehr-app:
          service.running:
            - require:
              - file: ehr-config
    """

    code = "SS505"
    name = "requisite-cycle"
    category = api.Category.ORDERING
    severity = api.Severity.HIGH
    tags = ("ordering", "graph", "salt")
    hint = "remove the requisite that points back; a state cannot need what needs it"

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        reported: set[str] = set()
        # Each cycle starts at its smallest node: one rotation per cycle, so one finding.
        # Most graphs have none: a cheap test first (the render's index) spares the search.
        acyclic = graph is ctx.graph and not ctx.graph_index.may_have_cycle
        for cycle in () if acyclic else api.find_requisite_cycles(graph):
            states = [ctx.state_of_node(graph, node) for node in cycle]
            if any(st is None for st in states):
                continue
            path = " -> ".join(f"{st.module}:{st.id}" for st in [*states, states[0]])
            if path not in reported:
                reported.add(path)
                yield self.at_state(states[0], f"requisite cycle: {path}", subject=path)
        if not reported:
            for error in ctx.render.errors:
                if error.kind is api.RenderErrorKind.REQUISITE_CYCLE:
                    yield self.at_error(error, subject=error.kind.value)
