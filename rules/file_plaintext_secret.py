"""SS303: secrets written in clear in managed file contents."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from ._content import content_lines, is_literal, per_lines
from ._secretvalues import literal_secret, secret_key, what_secret

PAIR_RE = re.compile(
    r"""^\s*(?:export\s+|set\s+|Environment=)?["']?(?P<key>[A-Za-z_][\w.-]*)["']?\s*"""
    r"""(?:=>|[=:]|\s)\s*(?P<q>["']?)(?P<value>[^"'\s,;#]+)(?P=q)\s*[,;]?\s*(?:#.*)?$"""
)
XML_RE = re.compile(r"<(?P<key>[\w.-]+)>(?P<value>[^<]+)</(?P=key)>")


class FilePlaintextSecret(api.StateRule):
    """Secret written in clear in a managed file's contents.

    A configuration file the state writes holds a secret literally: in the
    template or static file in the Salt tree (``password = s3cret``,
    ``requirepass s3cret``, ``SECRET_KEY = '...'``, a private key block), or in
    the SLS's inline ``contents``. Values the template takes from pillar are
    reported on the pillar key (SS301) instead. A value random enough to be key
    material is reported too; randomness is judged on the value (of a
    ``key = value`` pair, an XML element), never on a whole line. The finding
    is at the line of the original template or file, and names the key, never
    the value.

    Problematic::

        ehr-settings:
          file.managed:
            - name: /etc/ehr/settings.ini
            - contents: |
                [database]
                password = Zq8-wX2-pLm4

    Correct::

        ehr-settings:
          file.managed:
            - name: /etc/ehr/settings.ini
            - contents: |
                [database]
                password_file = /run/secrets/db_password
    """

    code = "SS303"
    name = "file-plaintext-secret"
    category = api.Category.PLAINTEXT_SECRET
    severity = api.Severity.HIGH
    tags = ("secrets", "templates")
    hint = "template the value from encrypted pillar or a secret store, or mount it as a secret"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        lines = content_lines(state, ctx)
        if not lines:
            return
        reported: set[tuple[api.SourceLocation, str]] = set()
        for location, key, value, reason in per_lines(ctx, _written_secrets, lines):
            if (location, key) in reported:
                continue
            if not literal_secret(value, ctx):  # not from this minion's pillar
                continue
            reported.add((location, key))
            what = what_secret(value)
            if key == reason:
                message = f"the contents of {state.name} hold a {reason} in clear"
            elif what != "a secret":
                message = f"{key} is {what} written in clear in the contents of {state.name} ({reason})"
            else:
                message = f"{key} is written in clear in the contents of {state.name} ({reason})"
            yield self.at(location, message, state=state, subject=key)


def _written_secrets(lines, ctx: api.RuleContext) -> tuple[tuple[api.SourceLocation, str, str, str], ...]:
    """``(location, key, value, reason)`` of the secrets the lines set, written as
    such in the original source (not comments), in order."""
    return tuple(
        (line.location, key, value, reason)
        for line in lines if not line.is_comment
        for key, value, reason in ctx.memo.nested(_secrets_on, line.text)
        if is_literal(value, line, ctx)
    )


RANDOM = "high-entropy string"


def _secrets_on(memo: api.ScanMemo, text: str) -> tuple[tuple[str, str, str], ...]:
    """``(key, value, reason)`` for the secrets a content line sets.

    A known credential format counts wherever it is on the line; randomness only in
    a value (of a ``key = value`` pair or an XML element) or a line that is one bare
    token: a whole XML line has no spaces and would read as one random token. Pure:
    memoised per scan (``memo.nested``), and so are the values it judges (the same
    value is on many lines)."""
    value_reason = memo[api.secret_value_reason, text]
    if value_reason and value_reason != RANDOM:
        return ((value_reason, text.strip(), value_reason),)
    found = []
    pairs = [m for m in (PAIR_RE.match(text), *XML_RE.finditer(text)) if m]
    for m in pairs:
        reason = memo[secret_key, m.group("key")] or _random(memo, m.group("value"))
        if reason:
            found.append((m.group("key"), m.group("value"), reason))
    token = text.strip()
    if not pairs and _random(memo, token):
        found.append((RANDOM, token, RANDOM))
    return tuple(found)


def _random(memo: api.ScanMemo, value: str) -> str | None:
    return RANDOM if memo[api.secret_value_reason, value.strip()] == RANDOM else None
