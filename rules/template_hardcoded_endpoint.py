"""SS402: endpoints of other systems hardcoded in managed file contents."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from . import _endpoints
from ._content import content_lines, is_literal, per_lines, writes_scratch_file

# Text that names a document, never a system anything connects to: systemd's
# ``Documentation=`` URLs, XML namespace names and schema locations (an attribute
# value that may go on over several lines), licence URLs.
DOCUMENTATION_LINE_RE = re.compile(r"^\s*Documentation\s*=")
NAMESPACE_ATTR_RE = re.compile(
    r"(?<![\w.:-])(?:xmlns(?::[\w.-]+)?|(?:[\w.-]+:)?(?:noNamespaceSchemaLocation|schemaLocation))"
    r"\s*=\s*(?P<q>[\"'])"
)
# In the path only: ``http://license.corp:27000`` is a licence server, a real endpoint.
LICENCE_URL_RE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s\"'<>]+/[^\s\"'<>]*licen[cs]e[^\s\"'<>]*")


class TemplateHardcodedEndpoint(api.StateRule):
    """Endpoint of another system hardcoded in a managed file's contents.

    A configuration file the state writes (a template, a static file, inline
    ``contents``) names another system by a literal IP address, host name or URL
    written in the Salt tree. Addresses a template takes from pillar or grains
    are configuration already and are not reported; comment lines (also inside
    XML ``<!-- -->`` blocks) are ignored, and so are lines that name the site
    itself (``server_name``, ``ALLOWED_HOSTS``, a public base URL) and URLs that
    name documents: systemd ``Documentation=``, XML ``xmlns`` and
    ``schemaLocation`` values, licence URLs. Files written under /tmp or
    /var/tmp are scratch, not configuration. The finding is at the line of the
    original template.

    Problematic::

        ehr-settings:
          file.managed:
            - name: /etc/ehr/settings.ini
            - contents: |
                [cache]
                url = redis://10.20.0.15:6379/0

    Correct::

        ehr-settings:
          file.managed:
            - name: /etc/ehr/settings.ini
            - contents: |
                [cache]
                url = ${REDIS_URL}
    """

    code = "SS402"
    name = "template-hardcoded-endpoint"
    category = api.Category.HARDCODED_ENDPOINT
    severity = api.Severity.MEDIUM
    tags = ("containerization", "configuration", "templates")
    hint = "template the address from configuration injected at run time (env var, ConfigMap)"

    def check(self, state: api.State, ctx: api.RuleContext) -> Iterator[api.Finding]:
        if writes_scratch_file(state, ctx):
            return
        lines = content_lines(state, ctx)
        if not lines:
            return
        by_line: dict[api.SourceLocation, dict[str, str]] = {}
        for location, host, label, what in per_lines(ctx, _literal_endpoints, lines):
            if host not in ctx.minion_names:  # the one test that depends on the minion
                by_line.setdefault(location, {}).setdefault(label, what)
        for location, found in by_line.items():
            what = ", ".join(f"{kind} {label}" for label, kind in found.items())
            yield self.at(
                location, f"hardcoded {what} in the contents of {state.name}",
                state=state, subject=" ".join(sorted(found)),
            )


def _literal_endpoints(lines, ctx: api.RuleContext) -> tuple[tuple[api.SourceLocation, str, str, str], ...]:
    """``(location, host, label, what)`` of the endpoints written literally in the
    lines (not in comments, document references or the site's own names; not
    allowed), in order."""
    found = []
    open_quote: str | None = None
    memo = ctx.memo  # the same lines recur in several files
    for line in lines:
        text, open_quote = memo[without_document_references, line.text, open_quote]
        if line.is_comment or memo[_endpoints.names_self, text]:
            continue
        for ep in memo[_endpoints.endpoints_of, text]:
            if "__unknown_" in ep.host or ctx.allowlist.allows_host(ep.host):
                continue
            if is_literal(ep.written, line, ctx):
                found.append((line.location, ep.host, ep.label, ep.what))
    return tuple(found)


def without_document_references(text: str, open_quote: str | None) -> tuple[str, str | None]:
    """``text`` without the document references it holds, and the quote of a
    namespace attribute value still open at its end (``open_quote`` is the one open
    at the end of the line before: an ``xsi:schemaLocation`` list spans lines)."""
    if open_quote:
        end = text.find(open_quote)
        if end < 0:
            return "", open_quote
        text = text[end + 1:]
    if DOCUMENTATION_LINE_RE.match(text):
        return "", None
    kept: list[str] = []
    while (m := NAMESPACE_ATTR_RE.search(text)) is not None:
        kept.append(text[:m.start()])
        end = text.find(m.group("q"), m.end())
        if end < 0:
            return LICENCE_URL_RE.sub("", "".join(kept)), m.group("q")
        text = text[end + 1:]
    kept.append(text)
    return LICENCE_URL_RE.sub("", "".join(kept)), None
