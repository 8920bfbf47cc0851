"""SS204: credentials passed to commands through ``env:``."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import env_pairs
from ._envvars import credential


class CmdEnvCredential(api.StateRule):
    """Credential passed to a command through its ``env:`` argument.

    ``cmd.run`` (and ``cmd.wait``, ``cmd.script``, ...) with ``env:`` holding a
    credential: the command runs on the host with the secret in its environment,
    at deploy time. In a container world the command becomes a job or an entry
    point that gets the variable from the secret store.

    Pillar::

        ehr:
          db:
            password: Zq8-wX2-pLm4

    Problematic::

        ehr-migrate:
          cmd.run:
            - name: /opt/ehr/bin/migrate
            - env:
              - DB_PASSWORD: {{ pillar['ehr']['db']['password'] }}

    Correct::

        ehr-migrate:
          cmd.run:
            - name: /opt/ehr/bin/migrate
            - env:
              - DB_PASSWORD_FILE: /run/secrets/db_password
    """

    code = "SS204"
    name = "cmd-env-credential"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment")
    hint = "run it as a job that reads the credential from a secret store"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.module not in ("cmd", "cron"):
            return
        for name, value in env_pairs(state.args.get("env")):
            cred = credential(name, value, ctx)
            if cred:
                yield self.at_state(
                    state, f"{name} {cred.detail}, passed in the env of {state.fun} {state.id}",
                    arg="env", subject=name,
                )
