"""Inline suppressions, read from the original source file at a finding's location.

Forms understood (in any comment syntax: ``#``, ``{# #}``, ``;``, ``//``):

- ``# saltscan: disable=SS201,SS305 -- reason``: at the end of a line, that line;
  alone on a line, the next line that is not a comment (so above a state ID it
  covers the whole state: every finding on that state, whatever line it is on).
- ``# saltscan: disable-file=SS201 -- reason``: the whole file.
- Codes may be rule codes, rule names, categories, or ``all``.
- salt-lint's ``# noqa`` (bare) suppresses every rule on that line; ``# noqa: 207``
  names salt-lint rules, so it suppresses only the saltscan rules that declare that
  salt-lint equivalent (``Rule.salt_lint``); the salt-lint codes are kept in the
  suppression reason.

Suppressed findings stay in the output with ``suppressed=True`` and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Iterable

from saltscan.findings import Finding

DIRECTIVE_RE = re.compile(
    r"saltscan:\s*(?P<scope>disable-file|disable)\s*=\s*"
    r"(?P<codes>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)"
    r"(?:\s+--\s*(?P<reason>.*?))?\s*(?:#\}|-->|\*/)?\s*$"
)
NOQA_RE = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[0-9]+(?:\s*,\s*[0-9]+)*))?", re.I)
COMMENT_ONLY_RE = re.compile(r"^\s*(#|\{#|;|//|<!--|/\*)")


@dataclass(frozen=True)
class Suppression:
    codes: frozenset[str]  # saltscan codes or names; "all"
    salt_lint: frozenset[str]  # noqa codes; empty with a bare noqa
    noqa: bool
    reason: str
    line: int  # where it is written
    whole_file: bool = False

    def covers(self, rule: str, name: str, salt_lint: Iterable[str], category: str = "") -> bool:
        if self.noqa:
            return not self.salt_lint or bool(self.salt_lint & set(salt_lint))
        return bool(self.codes & {"all", rule, name, category})


@dataclass(frozen=True)
class FileSuppressions:
    """The suppressions of one file: by the line they cover, and file-wide."""

    by_line: tuple[tuple[int, tuple[Suppression, ...]], ...]
    whole_file: tuple[Suppression, ...]

    def __bool__(self) -> bool:
        """False when the file suppresses nothing (most files)."""
        return bool(self.by_line or self.whole_file)

    @cached_property  # asked once per finding in the file
    def _table(self) -> dict[int, tuple[Suppression, ...]]:
        return dict(self.by_line)

    def find(
        self, lines: Iterable[int], rule: str, name: str, salt_lint: Iterable[str],
        category: str = "",
    ) -> Suppression | None:
        salt_lint = tuple(salt_lint)
        for s in self.whole_file:
            if s.covers(rule, name, salt_lint, category):
                return s
        table = self._table
        for line in lines:
            for s in table.get(line, ()):
                if s.covers(rule, name, salt_lint, category):
                    return s
        return None


def parse_suppressions(text: str) -> FileSuppressions:
    lines = text.splitlines()
    by_line: dict[int, list[Suppression]] = {}
    whole: list[Suppression] = []
    pending: list[Suppression] = []  # comment-only lines waiting for their next line
    for number, line in enumerate(lines, start=1):
        found = _parse_line(line, number)
        comment_only = bool(COMMENT_ONLY_RE.match(line))
        if not line.strip():
            continue
        if comment_only:
            for s in found:
                (whole if s.whole_file else pending).append(s)
            continue
        for s in found:
            (whole if s.whole_file else by_line.setdefault(number, [])).append(s)
        if pending:
            by_line.setdefault(number, []).extend(pending)
            pending = []
    return FileSuppressions(
        by_line=tuple((n, tuple(ss)) for n, ss in sorted(by_line.items())),
        whole_file=tuple(whole),
    )


def _parse_line(line: str, number: int) -> list[Suppression]:
    found: list[Suppression] = []
    if "saltscan:" in line:
        m = DIRECTIVE_RE.search(line)
        if m:
            codes = frozenset(c.strip().upper() if _is_code(c.strip()) else c.strip()
                              for c in m.group("codes").split(","))
            whole = m.group("scope") == "disable-file"
            reason = (m.group("reason") or "").strip()
            directive = "disable-file" if whole else "disable"
            found.append(Suppression(
                codes=codes, salt_lint=frozenset(), noqa=False, line=number,
                reason=reason or f"saltscan: {directive} at line {number}",
                whole_file=whole,
            ))
    m = NOQA_RE.search(line)
    if m:
        codes = frozenset(c.strip() for c in (m.group("codes") or "").split(",") if c.strip())
        label = f"noqa: {', '.join(sorted(codes))}" if codes else "noqa"
        found.append(Suppression(
            codes=frozenset(), salt_lint=codes, noqa=True, line=number,
            reason=f"{label} at line {number}",
        ))
    return found


def _is_code(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]{2,6}\d{3}", text))


def apply_suppressions(
    findings: Iterable[Finding],
    read_text: Callable[[str], str | None],
    extra_lines: Callable[[Finding], Iterable[int]],
    salt_lint_of: Callable[[str], tuple[str, ...]],
    parse: Callable[[str], FileSuppressions] = parse_suppressions,
) -> tuple[Finding, ...]:
    """Mark findings an inline comment suppresses.

    ``extra_lines(f)`` gives lines besides ``f.location.line`` whose suppressions also
    cover ``f`` in its file (the state ID line of the state it is about); it is asked
    only about files that have suppressions. ``parse`` is ``parse_suppressions`` (or a
    memoised form of it: it is a pure function of the text).
    """
    parsed: dict[str, FileSuppressions | None] = {}
    out: list[Finding] = []
    for f in findings:
        file = f.location.file
        if file not in parsed:
            text = read_text(file)
            parsed[file] = parse(text) if text is not None else None
        table = parsed[file]
        hit = None
        if table:
            lines = [f.location.line, *extra_lines(f)]
            hit = table.find(lines, f.rule, f.name, salt_lint_of(f.rule), f.category.value)
        if hit is not None and not f.suppressed:
            f = replace(f, suppressed=True, suppression_reason=hit.reason)
        out.append(f)
    return tuple(out)
