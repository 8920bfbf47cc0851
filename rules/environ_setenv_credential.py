"""SS201: credentials put in the environment with ``environ.setenv``."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import env_pairs
from ._envvars import credential


class EnvironSetenvCredential(api.StateRule):
    """Credential set as an environment variable with ``environ.setenv``.

    ``environ.setenv`` changes the environment of the Salt minion process (and,
    with ``update_minion``, of everything it starts): the credential lives in the
    host's process environment, where every child process and every crash dump
    can read it. A container gets its credentials injected at start from a
    secret store instead.

    Pillar::

        ehr:
          db:
            password: Zq8-wX2-pLm4

    Problematic::

        ehr-db-env:
          environ.setenv:
            - name: DB_PASSWORD
            - value: {{ pillar['ehr']['db']['password'] }}

    Correct::

        ehr-db-env:
          environ.setenv:
            - name: DB_HOST
            - value: db.ehr.internal
    """

    code = "SS201"
    name = "environ-setenv-credential"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment")
    hint = "inject the credential at container start from a secret store (e.g. a Kubernetes Secret)"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.fun != "environ.setenv":
            return
        value = state.args.get("value")
        pairs = env_pairs(value) if isinstance(value, dict) else [
            (state.name, "" if value is None else str(value))]
        for name, text in pairs:
            cred = credential(name, text, ctx)
            if cred:
                yield self.at_state(
                    state, f"{name} {cred.detail}, set in the minion's environment by environ.setenv",
                    arg="value", subject=name,
                )
