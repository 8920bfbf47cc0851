"""SS205: credentials set as environment variables on a command line."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import commands
from ._envvars import credential, inline_assignments


class CommandLineCredential(api.StateRule):
    """Credential set as an environment variable on a command line.

    ``PGPASSWORD=... psql``, ``export TOKEN=...; curl``, ``env API_KEY=... cmd``
    in a ``cmd.run`` name, ``unless``/``onlyif``, or a cron job's command line
    (``cron.present``, ``cron.env_present``): the credential is visible in the
    process list and in shell history, and in a crontab on the host.

    Pillar::

        ehr:
          db:
            password: Zq8-wX2-pLm4

    Problematic::

        ehr-db-backup:
          cron.present:
            - name: PGPASSWORD={{ pillar['ehr']['db']['password'] }} pg_dump ehr > /dev/null
            - user: ehr
            - hour: 2

    Correct::

        ehr-db-backup:
          cron.present:
            - name: pg_dump ehr > /dev/null
            - user: ehr
            - hour: 2
    """

    code = "SS205"
    name = "command-line-credential"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment")
    hint = "read the credential from a mounted secret file (e.g. ~/.pgpass), not the command line"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        pairs: list[tuple[str, str, str]] = []
        for arg, command in commands(state):
            pairs.extend((arg, name, value) for name, value in inline_assignments(command))
        if state.fun == "cron.env_present":
            value = state.args.get("value")
            pairs.append(("value", state.name, "" if value is None else str(value)))
        seen: set[str] = set()
        for arg, name, value in pairs:
            cred = credential(name, value, ctx)
            if cred and name not in seen:
                seen.add(name)
                where = "crontab" if state.module == "cron" else "command line"
                yield self.at_state(
                    state, f"{name} {cred.detail}, set on the {where} of {state.fun} {state.id}",
                    arg=arg, subject=name,
                )
