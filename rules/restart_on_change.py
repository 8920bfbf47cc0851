"""SS601: services restarted or reloaded when something changes."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

TRIGGER_KINDS = frozenset({"watch", "listen", "onchanges"})
RESTART_RE = re.compile(
    r"\b(systemctl\s+(restart|reload|try-restart|reload-or-restart)|service\s+\S+\s+(restart|reload)|"
    r"kill\s+-(HUP|USR1|USR2)|pkill\s+-(HUP|USR1|USR2)|supervisorctl\s+restart|apachectl\s+graceful|"
    r"nginx\s+-s\s+reload)\b"
)


class RestartOnChange(api.StateRule):
    """Service restarted or reloaded at run time when a file or package changes.

    ``watch``, ``listen`` or ``onchanges`` (or their ``_in`` forms) on a
    running service, or a command that restarts one: Salt keeps a long-running
    process alive and restarts it in place when its configuration changes. In
    containers configuration is immutable: a change ships a new image or
    config map and the platform replaces the container (a rolling update).

    Problematic::

        nginx-config:
          file.managed:
            - name: /etc/nginx/nginx.conf
            - contents: "worker_processes auto;"

        nginx:
          service.running:
            - watch:
              - file: nginx-config

    Correct::

        nginx-config:
          file.managed:
            - name: /etc/nginx/nginx.conf
            - contents: "worker_processes auto;"

        nginx:
          service.running:
            - require:
              - file: nginx-config
    """

    code = "SS601"
    name = "restart-on-change"
    category = api.Category.RUNTIME_COUPLING
    severity = api.Severity.MEDIUM
    tags = ("runtime",)
    hint = "ship configuration changes as a new image or config map and roll the containers"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        triggers = sorted({
            (r.kind.base, f"{r.target_type} {r.target}")
            for r in state.requisites if r.kind.base in TRIGGER_KINDS
        })
        if not triggers:
            return
        kinds = "/".join(sorted({k for k, _ in triggers}))
        targets = ", ".join(t for _, t in triggers)
        if state.module == "service" and state.function in ("running", "mod_watch"):
            verb = "reloads" if state.args.get("reload") else "restarts"
            yield self.at_state(
                state, f"service {state.name} {verb} when {targets} change ({kinds})",
                subject=state.name,
            )
        elif state.module == "cmd":
            m = RESTART_RE.search(state.name)
            if m:
                yield self.at_state(
                    state,
                    f"{state.fun} {state.id} restarts or signals a process when {targets} "
                    f"change ({kinds})",
                    subject=state.id,
                )
