"""SS206: templates reading a secret from the minion's environment."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

_NAME_RE = re.compile(r"^\s*(?:name\s*=\s*)?['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
ENV_READERS = frozenset({"environ.get", "environ.item", "environ.items", "environ.has_value"})


class EnvironGetSecret(api.GraphRule):
    """Secret read from the minion's environment with ``salt['environ.get']``.

    A template reads a credential from the environment of the Salt minion
    process (``salt['environ.get']('DB_PASSWORD')``): the secret lives in the
    host's environment, outside any secret store, and the rendered result
    depends on how the minion was started.

    Problematic::

        {% set db_password = salt['environ.get']('DB_PASSWORD') %}
        ehr-config:
          file.managed:
            - name: /etc/ehr/db.conf
            - contents: "password={{ db_password }}"

    Correct::

        {% set db_password = salt['pillar.get']('ehr:db:password') %}
        ehr-config:
          file.managed:
            - name: /etc/ehr/db.conf
            - contents: "password={{ db_password }}"
    """

    code = "SS206"
    name = "environ-get-secret"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment")
    hint = "take the secret from pillar backed by a secret store, or from a mounted secret"
    needs_graph = False

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        for call in ctx.render.salt_calls:
            if call.function not in ENV_READERS or not call.args:
                continue
            m = _NAME_RE.match(call.args[0])
            name = m.group(1) if m else ""
            if not name or ctx.allowlist.allows_env_var(name) or not api.secret_key_reason(name):
                continue
            yield self.at(
                call.location,
                f"{call.function} reads {name}, a credential, from the minion's environment",
                subject=name,
            )
