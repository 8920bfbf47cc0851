"""SS804: ``salt://`` sources and templates that do not exist."""

from __future__ import annotations

from typing import Iterator

from saltscan import api

from ._errors import RenderErrorRule

# Functions whose ``source`` is a directory, not a file.
DIRECTORY_SOURCES = frozenset({"file.recurse"})


class MissingSource(RenderErrorRule):
    """``source: salt://...`` names a file that no state root has.

    ``file.managed`` (or ``file.recurse``, ``archive.extracted``, ``cmd.script``...)
    would fail when applied, with "Source file salt://... not found". An
    ``absent`` function (``ssh_auth.absent``) does not fail: it finds nothing to
    remove and reports success, so the key stays; the finding says so. Every
    ``salt://`` source of the render is checked against the state roots (the
    first one of a list of sources that exists wins, as in Salt).

    Problematic::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - source: salt://ehr/files/missing.ini

    Correct::

        ehr-config:
          file.managed:
            - name: /etc/ehr/app.ini
            - source: salt://ehr/files/app.ini

    File salt/ehr/files/app.ini::

        [app]
        name = ehr
    """

    code = "SS804"
    name = "missing-source"
    tags = ("salt",)
    hint = "add the file under the state root or fix the salt:// path"
    kinds = frozenset({api.RenderErrorKind.MISSING_SOURCE, api.RenderErrorKind.MISSING_TEMPLATE})

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        seen: set[api.SourceLocation] = set()
        for state in ctx.render.states:
            sources = state.args.get("source")
            sources = sources if isinstance(sources, list) else [sources]
            urls = [s for s in sources if isinstance(s, str) and s.startswith("salt://")]
            if not urls or len(urls) != len([s for s in sources if s is not None]):
                continue  # no salt:// source, or a fallback Salt cannot check here
            directory = state.fun in DIRECTORY_SOURCES
            if any(ctx.resolve_salt_url(u, state.saltenv, directory=directory) for u in urls):
                continue
            if any(api.UNKNOWN_RE.search(u) for u in urls):
                continue
            where = state.location_of("source")
            seen.add(where)
            message = f"source {', '.join(urls)} of {state.fun} {state.id} is not in the state roots"
            if state.function == "absent":
                # ssh_auth.absent reads no key from a missing source and reports success
                message += ": Salt does not fail, it silently removes nothing"
            yield self.at(where, message, state=state, subject=" ".join(urls))
        for finding in super().check(graph, ctx):
            if finding.location not in seen:
                yield finding
