"""SS302: secrets written in clear in a state's arguments."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from ._content import CONTENT_ARGS, commands, value_location, writes_scratch_file
from ._secretvalues import flag_values, literal_secret, what_secret

SKIPPED_ARGS = frozenset({"source", "source_hash", "template", "name"})


def _last_key(path: str) -> str:
    return re.split(r"[.\[]", path)[-1].rstrip("]") if path else ""


class StatePlaintextSecret(api.StateRule):
    """Secret written in clear in a state's arguments.

    A state argument holds a secret literally, in the SLS (or a map file it
    imports), instead of taking it from pillar backed by a secret store: a
    ``password:`` of ``postgres_user.present`` or ``mysql_user.present``, a key
    or token under a secret-sounding name, a ``--password=`` on a command line,
    or a value that is a secret by itself (a private key, an AWS access key).
    Values that come from pillar are reported on the pillar key (SS301), not here.

    Problematic::

        ehr-db-user:
          postgres_user.present:
            - name: ehr
            - password: Zq8-wX2-pLm4

    Correct::

        ehr-db-user:
          postgres_user.present:
            - name: ehr
            - password: {{ salt['pillar.get']('ehr:db:password') }}

    Correct pillar::

        ehr:
          db:
            password: sdb://vault/ehr/db/password
    """

    code = "SS302"
    name = "state-plaintext-secret"
    category = api.Category.PLAINTEXT_SECRET
    severity = api.Severity.HIGH
    tags = ("secrets",)
    hint = "move the secret to encrypted pillar or a secret store and reference it"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state):
            return  # a scratch file (a formula's _mapdata dump): its values are the map's
        reported: set[str] = set()
        for arg in sorted(state.args):
            if arg in SKIPPED_ARGS or arg in CONTENT_ARGS:
                continue
            for path, text in api.iter_strings(state.args[arg], arg):
                key = _last_key(path)
                if text == key:
                    continue  # a dict key, yielded as text
                reason = api.secret_key_reason(key) or _format_reason(text)
                if reason and path not in reported and literal_secret(text, ctx):
                    reported.add(path)
                    where = value_location(state, ctx, arg, key if key != arg else "")
                    yield self.at(
                        where, f"{state.fun} argument {path} holds {what_secret(text)} in clear ({reason})",
                        state=state, subject=path,
                    )
        for arg, command in commands(state):
            for flag, value in flag_values(command):
                subject = f"{arg}:{flag}"
                if subject not in reported and literal_secret(value, ctx):
                    reported.add(subject)
                    yield self.at_state(
                        state, f"the command of {state.fun} {state.id} passes a secret in clear "
                        f"(option -{'-' if len(flag) > 1 else ''}{flag})",
                        arg=arg, subject=subject,
                    )


def _format_reason(text: str) -> str | None:
    """A value that is a secret by a known format. Randomness alone is not enough
    here: package names, checksums and ids in state arguments look random too."""
    reason = api.secret_value_reason(text)
    return None if reason == "high-entropy string" else reason
