"""SS902: unquoted file modes (salt-lint 207)."""

from __future__ import annotations

import re
from typing import Iterator

from saltscan import api

MODE_RE = re.compile(r"^\s*(?:-\s+)?(mode|file_mode|dir_mode)\s*:\s*(?P<mode>\d{3,4})\s*(?:#.*)?$")


class UnquotedFileMode(api.SourceRule):
    """File mode written without quotes.

    ``mode: 0644`` is read by YAML as a number (an octal one in YAML 1.1, a
    decimal one elsewhere): quote modes (``mode: "0644"``) so that every reader
    sees the same string. salt-lint reports it as rule 207 (``# noqa: 207``).

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

    def check(self, source: api.SourceFile, ctx: api.TreeContext) -> Iterator[api.Finding]:
        for number, line in enumerate(source.lines, start=1):
            m = MODE_RE.match(line)
            if m:
                yield self.at(
                    api.SourceLocation(source.path, number, m.start("mode") + 1),
                    f"{m.group(1)} {m.group('mode')} is not quoted", subject=f"line-{number}",
                )
