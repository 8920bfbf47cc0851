"""SS203: credentials in systemd ``Environment=`` lines."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._content import content_lines, per_lines, target_path
from ._envvars import credential, env_assignments, is_systemd_unit


class SystemdEnvironmentCredential(api.StateRule):
    """Credential in a systemd unit's ``Environment=`` line.

    A unit file (or drop-in) the state writes sets a credential with
    ``Environment=NAME=value``. Unit files are world-readable and ``systemctl
    show`` prints the environment: the credential is exposed on the host. In a
    container the process gets the variable from the platform's secret store.

    Pillar::

        ehr:
          api:
            token: 9f3c1d7e5b2a4c6d8e0f1a3b

    Problematic::

        /etc/systemd/system/ehr.service:
          file.managed:
            - contents: |
                [Service]
                Environment=API_TOKEN={{ pillar['ehr']['api']['token'] }}
                ExecStart=/opt/ehr/bin/ehr

    Correct::

        /etc/systemd/system/ehr.service:
          file.managed:
            - contents: |
                [Service]
                Environment=EHR_MODE=production
                ExecStart=/opt/ehr/bin/ehr
    """

    code = "SS203"
    name = "systemd-environment-credential"
    category = api.Category.ENV_CREDENTIAL
    severity = api.Severity.HIGH
    tags = ("secrets", "environment", "systemd")
    hint = "pass the credential from a secret store (Kubernetes Secret, Docker secret), not the unit"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if state.module != "file":
            return
        path = target_path(state)
        place = f"the systemd unit {path}" if is_systemd_unit(path) else path
        lines = content_lines(state, ctx)
        if not lines:
            return
        for location, form, name, value in per_lines(ctx, env_assignments, lines, False):
            if form != "Environment=":
                continue
            cred = credential(name, value, ctx)
            if cred:
                yield self.at(
                    location, f"{name} {cred.detail}, in an Environment= line of {place}",
                    state=state, subject=name,
                )
