"""SS805: requisites naming states that are not in the highstate."""

from __future__ import annotations

import fnmatch
import re
from typing import Iterator

from saltscan import api

from ._errors import RenderErrorRule

# The SLS a missing-include error names (``Specified SLS epel in saltenv base ...``,
# ``Unknown include: Specified SLS base: epel is not available ...``).
MISSING_SLS_RE = re.compile(r"Specified SLS (?:[\w-]+: )?'?(?P<sls>[^\s']+)'?")


class MissingRequisite(RenderErrorRule):
    """Requisite names a state that is not in the minion's highstate.

    ``require: [pkg: nginx]`` (or any requisite, or its ``_in`` form) names a
    state no SLS of this minion declares. Salt fails the state with "The
    following requisites were not found". A ``sls:`` requisite on an SLS whose
    include is missing is left to SS803, which reports the include.

    Problematic::

        ehr-app:
          service.running:
            - require:
              - pkg: ehr-app-package

    Correct::

        ehr-app-package:
          pkg.installed:
            - name: ehr-app

        ehr-app:
          service.running:
            - require:
              - pkg: ehr-app-package
    """

    code = "SS805"
    name = "missing-requisite"
    tags = ("salt", "graph")
    hint = "declare the required state for this minion, or fix the requisite's target"
    needs_graph = True
    kinds = frozenset({api.RenderErrorKind.MISSING_REQUISITE})

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        seen: set[api.SourceLocation] = set()
        missing_sls = _missing_includes(ctx.render)
        for node, req in graph.graph.get("missing_requisites", ()):
            state = ctx.state_of_node(graph, node)
            if state is None or req.location in seen:
                continue
            if req.target_type == "sls" and any(
                fnmatch.fnmatchcase(sls, req.target) for sls in missing_sls
            ):
                continue  # the include is missing: SS803 says so at the include line
            seen.add(req.location)
            yield self.at(
                req.location,
                f"{state.fun} {state.id} has a {req.kind.value} on {req.target_type}: "
                f"{req.target}, which is not in the highstate",
                state=state, subject=f"{req.target_type}:{req.target}",
            )
        for finding in super().check(graph, ctx):
            if finding.location not in seen:
                seen.add(finding.location)
                yield finding


def _missing_includes(render: api.MinionRender) -> frozenset[str]:
    """The SLS names this minion includes but no state root has (SS803's errors)."""
    names: set[str] = set()
    for error in render.errors:
        if error.kind is api.RenderErrorKind.MISSING_INCLUDE:
            if error.sls:
                names.add(error.sls)
            m = MISSING_SLS_RE.search(error.message)
            if m:
                names.add(m.group("sls"))
    return frozenset(names)
