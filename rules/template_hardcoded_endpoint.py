"""SS402: endpoints of other systems hardcoded in managed file contents."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from . import _endpoints
from ._content import content_lines, is_literal


class TemplateHardcodedEndpoint(api.StateRule):
    """Endpoint of another system hardcoded in a managed file's contents.

    A configuration file the state writes (a template, a static file, inline
    ``contents``) names another system by a literal IP address, host name or URL
    written in the Salt tree. Addresses a template takes from pillar or grains
    are configuration already and are not reported; comment lines are ignored,
    and so are lines that name the site itself (``server_name``,
    ``ALLOWED_HOSTS``, a public base URL). The finding is at the line of the
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
        by_line: dict[api.SourceLocation, dict[str, str]] = {}
        for line in content_lines(state, ctx):
            if line.is_comment or _endpoints.names_self(line.text):
                continue
            for ep in _endpoints.endpoints_in(line.text):
                if "__unknown_" in ep.host or ctx.allowlist.allows_host(ep.host):
                    continue
                if ep.host in ctx.minion_names or not is_literal(ep.written, line, ctx):
                    continue
                by_line.setdefault(line.location, {}).setdefault(ep.label, ep.what)
        for location, found in by_line.items():
            what = ", ".join(f"{kind} {label}" for label, kind in found.items())
            yield self.at(
                location, f"hardcoded {what} in the contents of {state.name}",
                state=state, subject=" ".join(sorted(found)),
            )
