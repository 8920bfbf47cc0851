"""SS301: secrets stored in clear in pillar."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._secretvalues import what_secret


class PillarPlaintextSecret(api.GraphRule):
    """Secret stored in clear in pillar.

    A pillar value is a secret, by its key name (``password``, ``token``,
    ``secret_key``...) or by its value (a private key, an AWS access key, a URL
    with a password), and it is written in clear: not encrypted with the gpg or
    NACL renderer, not an ``sdb://`` or vault reference, not a template
    expression. Anyone who can read the Salt repository can read it, and the
    migration needs it in a secret store. The finding points at the pillar line
    of the key and names the key path, never the value; a well-known default
    (Java's keystore password, RabbitMQ's guest) is named as such, since anyone
    can guess it.

    Problematic::

        ehr-placeholder:
          test.nop: []

    Problematic pillar::

        ehr:
          db:
            password: Zq8-wX2-pLm4

    Correct::

        ehr-placeholder:
          test.nop: []

    Correct pillar::

        ehr:
          db:
            password: sdb://vault/ehr/db/password
    """

    code = "SS301"
    name = "pillar-plaintext-secret"
    category = api.Category.PLAINTEXT_SECRET
    severity = api.Severity.HIGH
    tags = ("secrets", "pillar")
    hint = "encrypt it (gpg or NACL renderer) or move it to a secret store (sdb://, Vault)"
    needs_graph = False

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        for pv in ctx.render.pillar_values:
            reason = plaintext_reason(pv, ctx.memo)
            if reason:
                yield self.at_pillar(
                    pv, f"pillar key {pv.key_path} holds {what_secret(pv.value)} in clear ({reason})"
                )


def plaintext_reason(pv: api.PillarValue, memo: api.ScanMemo | None = None) -> str | None:
    """Why ``pv`` is a secret stored in clear, or None. ``memo`` (``ctx.memo``)
    judges a string once per scan: every minion has most of the same pillar."""
    value = pv.value
    if value is None or isinstance(value, (bool, dict, list)) or api.UNKNOWN_RE.search(str(value)):
        return None  # not a scalar, or a missing key / a value rendering could not know
    if pv.secret:
        storage, reason = pv.storage, pv.secret_reason
    else:
        # Only strings are memoised: 1 and 1.0 would be one key, and is_secret tells them apart.
        if memo is not None and type(value) is str:
            secret, storage, reason = memo[api.is_secret, pv.key_path, value]
        else:
            secret, storage, reason = api.is_secret(pv.key_path, value)
        if not secret:
            return None
    if storage is not api.SecretStorage.PLAINTEXT:
        return None
    return reason or "secret"
