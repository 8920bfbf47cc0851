"""SS504: ordering across hosts: mine, publish, orchestration."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

CROSS_HOST_PREFIXES = ("mine.", "publish.")
ORCHESTRATE_MODULES = frozenset({"salt"})


class CrossHostDependency(api.GraphRule):
    """Rendering or running depends on other hosts: mine, publish, orchestration.

    ``salt['mine.get']`` and ``publish.publish`` read data other minions
    published, so this minion's configuration depends on the others having run
    first; orchestration states (``salt.state``, ``salt.function``,
    ``salt.runner``) sequence several hosts. Containers start independently: the
    dependency becomes service discovery (DNS names), readiness checks, or a
    deployment order in the platform.

    Problematic::

        {% set db_hosts = salt['mine.get']('roles:db', 'network.ip_addrs', tgt_type='grain') %}
        ehr-db-hosts:
          file.managed:
            - name: /etc/ehr/db_hosts
            - contents: {{ db_hosts | tojson }}

    Correct::

        ehr-db-hosts:
          file.managed:
            - name: /etc/ehr/db_hosts
            - contents: db.ehr.svc
    """

    code = "SS504"
    name = "cross-host-dependency"
    category = api.Category.ORDERING
    severity = api.Severity.MEDIUM
    tags = ("ordering", "cross-host")
    hint = "use service discovery (DNS names) and readiness checks instead of other hosts' data"
    needs_graph = False

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        seen: set[tuple[api.SourceLocation, str]] = set()
        for call in ctx.render.salt_calls:
            if not call.function.startswith(CROSS_HOST_PREFIXES):
                continue
            key = (call.location, call.function)
            if key in seen:
                continue
            seen.add(key)
            yield self.at(
                call.location,
                f"{call.function} makes this minion's configuration depend on data from other minions",
                state=_template_state(call.location.file, ctx), subject=call.function,
            )
        for state in ctx.render.states:
            if state.module in ORCHESTRATE_MODULES:
                target = state.args.get("tgt")
                on = f" on {target}" if isinstance(target, str) else ""
                yield self.at_state(
                    state, f"{state.fun} {state.id} orchestrates other minions{on}",
                    subject=state.fun,
                )


def _template_state(file: str, ctx: api.RuleContext) -> api.State | None:
    """The state that renders template ``file`` (None for a call in an SLS)."""
    for template in ctx.render.templates:
        if template.location.file == file:
            return ctx.state_of(template)
    return None
