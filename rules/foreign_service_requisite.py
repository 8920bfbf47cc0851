"""SS603: a requisite on a service the minion does not run."""

from __future__ import annotations

import fnmatch
from typing import Iterator

from saltscan import api


class ForeignServiceRequisite(api.StateRule):
    """Requisite on a service this minion does not run (another host's service).

    A state requires or watches ``service: X`` and no state of this minion
    manages service ``X``: the dependency is on a service of another host (the
    database server, the broker). Salt fails the run on such a minion; in
    containers the dependency is a network connection to another container,
    which needs a readiness check or retry, not a requisite.

    Problematic::

        ehr-app:
          service.running:
            - require:
              - service: postgresql

    Correct::

        postgresql:
          service.running: []

        ehr-app:
          service.running:
            - require:
              - service: postgresql
    """

    code = "SS603"
    name = "foreign-service-requisite"
    category = api.Category.RUNTIME_COUPLING
    severity = api.Severity.HIGH
    tags = ("runtime", "cross-host")
    hint = "connect to the other service over the network with a readiness check and retries"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        for req in state.requisites:
            if req.target_type != "service" or req.from_in:
                continue
            if any(_matches(other, req.target) for other in ctx.render.states):
                continue
            yield self.at(
                req.location,
                f"{state.fun} {state.id} has a {req.kind.value} on service {req.target}, "
                "which this minion does not run",
                state=state, subject=req.target,
            )


def _matches(state: api.State, target: str) -> bool:
    return state.module == "service" and (
        fnmatch.fnmatchcase(state.id, target) or fnmatch.fnmatchcase(state.name, target)
    )
