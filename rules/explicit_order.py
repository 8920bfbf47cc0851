"""SS501: states ordered with ``order:``."""

from __future__ import annotations

from typing import Iterator

from saltscan import api


class ExplicitOrder(api.StateRule):
    """State ordered with ``order:`` instead of requisites.

    ``order: 1`` (or ``first``/``last``) makes the run order a global number
    spread over every SLS file: the dependency it stands for is not written
    down anywhere, so a Dockerfile or an entry point cannot reproduce it. Write
    the dependency as a requisite on the state that needs it.

    Problematic::

        ehr-user:
          user.present:
            - name: ehr
            - order: 1

    Correct::

        ehr-group:
          group.present:
            - name: ehr

        ehr-user:
          user.present:
            - name: ehr
            - require:
              - group: ehr-group
    """

    code = "SS501"
    name = "explicit-order"
    category = api.Category.ORDERING
    severity = api.Severity.LOW
    tags = ("ordering",)
    hint = "replace order: with a requisite naming what the state actually needs"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if "order" not in state.arg_locations:
            return
        yield self.at_state(
            state, f"{state.fun} {state.id} is ordered by an explicit order: instead of requisites",
            arg="order", subject="order",
        )
