"""SS202: credentials written to environment files and shell ``export`` lines."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import content_lines, per_lines, target_path
from ._envvars import credential, env_assignments, env_file_place, is_env_file


class EnvFileCredential(api.StateRule):
    """Credential written to an environment file or an ``export`` line.

    The state writes ``NAME=value`` into ``/etc/environment``, ``/etc/default/*``,
    ``/etc/sysconfig/*``, ``/etc/profile.d/*``, a shell profile or a ``.env``
    file, or an ``export NAME=value`` line into any file, and the variable
    carries a credential: by its name (``DB_PASSWORD``), because its value comes
    from a secret pillar key, or because the value holds one (a URL with a
    password). Environment files are host files every process can read; in a
    container the variable comes from the platform's secret store.
    systemd ``Environment=`` lines are SS203's.

    Pillar::

        ehr:
          db:
            password: Zq8-wX2-pLm4

    Problematic::

        /etc/default/ehr:
          file.managed:
            - contents: |
                DB_HOST=db.ehr.internal
                DB_PASSWORD={{ pillar['ehr']['db']['password'] }}

    Correct::

        /etc/default/ehr:
          file.managed:
            - contents: |
                DB_HOST=db.ehr.internal
                DB_PASSWORD_FILE=/run/secrets/db_password
    """

    code = "SS202"
    name = "env-file-credential"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment")
    hint = "inject the variable from a secret store at container start, or mount the secret as a file"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.module != "file":
            return
        path = target_path(state)
        env_file = is_env_file(path)
        lines = content_lines(state, ctx)
        if not lines:
            return
        for location, form, name, value in per_lines(ctx, env_assignments, lines, env_file):
            if form == "Environment=":
                continue  # SS203
            cred = credential(name, value, ctx)
            if not cred:
                continue
            where = env_file_place(path) if env_file else f"an export line of {path}"
            yield self.at(
                location, f"{name} {cred.detail}, written to {where}",
                state=state, subject=name,
            )
