"""SS902: unquoted file modes (salt-lint 207)."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

from ._errors import RenderedIds, rendered_state_index, state_at

MODE_RE = re.compile(r"^\s*(?:-\s+)?(mode|file_mode|dir_mode)\s*:\s*(?P<mode>\d{3,4})\s*(?:#.*)?$")


class UnquotedFileMode(api.SourceRule):
    """File mode written without quotes.

    ``mode: 0644`` is read by YAML as a number (an octal one in YAML 1.1, a
    decimal one elsewhere): quote modes (``mode: "0644"``) so that every reader
    sees the same string. salt-lint reports it as rule 207 (``# noqa: 207``).
    The finding names the state whose block holds the line: its ID as written,
    or the one state rendered from a Jinja ID (not when a loop renders several),
    and the function whose block holds it (an ID may have several; blank when
    no function line is above it).

    Problematic::

        /etc/ehr/app.ini:
          file.managed:
            - contents: "[app]"
            - mode: 0644

    Correct::

        /etc/ehr/app.ini:
          file.managed:
            - contents: "[app]"
            - mode: "0644"
    """

    code = "SS902"
    name = "unquoted-file-mode"
    category = api.Category.STYLE
    severity = api.Severity.LOW
    tags = ("style",)
    hint = 'quote the mode: mode: "0644"'
    salt_lint = ("207",)

    def __init__(self, options=None) -> None:
        super().__init__(options)
        # One index of rendered state IDs per scanned model (one rule instance per run).
        self._rendered: tuple[api.Model, RenderedIds] | None = None

    def check(self, source: api.SourceFile, ctx: api.TreeContext) -> Iterator[api.Finding]:
        sls = next((f.sls for f in ctx.model.tree.sls_files if f.path == source.path), None)
        for number, line in enumerate(source.lines, start=1):
            m = MODE_RE.match(line)
            if m:
                location = api.SourceLocation(source.path, number, m.start("mode") + 1)
                state = state_at(location, sls, ctx, self._rendered_ids(ctx.model)) if sls else None
                yield self.at(
                    location, f"{m.group(1)} {m.group('mode')} is not quoted",
                    state=state, subject=f"line-{number}",
                )

    def _rendered_ids(self, model: api.Model) -> RenderedIds:
        if self._rendered is None or self._rendered[0] is not model:
            self._rendered = (model, rendered_state_index(model))
        return self._rendered[1]
