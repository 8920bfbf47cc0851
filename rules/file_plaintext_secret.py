"""SS303: secrets written in clear in managed file contents."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from ._content import content_lines, is_literal
from ._secretvalues import literal_secret, secret_key

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
    reported on the pillar key (SS301) instead. The finding is at the line of the
    original template or file, and names the key, never the value.

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
        reported: set[tuple[api.SourceLocation, str]] = set()
        for line in content_lines(state, ctx):
            if line.is_comment:
                continue
            for key, value, reason in _secrets_on(line.text):
                if (line.location, key) in reported:
                    continue
                if not (literal_secret(value, ctx) and is_literal(value, line, ctx)):
                    continue
                reported.add((line.location, key))
                message = (
                    f"{key} is written in clear in the contents of {state.name} ({reason})"
                    if key != reason
                    else f"the contents of {state.name} hold a {reason} in clear"
                )
                yield self.at(line.location, message, state=state, subject=key)


def _secrets_on(text: str) -> Iterator[tuple[str, str, str]]:
    """``(key, value, reason)`` for the secrets a content line sets."""
    value_reason = api.secret_value_reason(text)
    if value_reason:
        yield value_reason, text.strip(), value_reason
        return
    for m in (PAIR_RE.match(text), *XML_RE.finditer(text)):
        reason = secret_key(m.group("key")) if m else None
        if reason:
            yield m.group("key"), m.group("value"), reason
