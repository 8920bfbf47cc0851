"""The text report, rustc/ruff style: grouped by file, source line, marker, hint.

```
salt/ehr/worker.sls
high SS201 environ-setenv-credential [env-credential]: CELERY_BROKER_URL carries ...
 --> salt/ehr/worker.sls:5:1
   |
 5 | celery-env:
   | ^^^^^^^^^^
   = state: celery-env (environ.setenv) in ehr.worker
   = minions: worker01
   = help: read the broker URL from a secret-backed environment variable
```
Suppressed findings are counted in the summary, never shown.
"""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

from saltscan.findings import Category, Finding, Severity
from saltscan.report.common import (
    active,
    collapse_minions,
    sorted_errors,
    sorted_findings,
    summarize,
)
from saltscan.report.inputs import ReportInput
from saltscan.report.redact import ReportRedactor, mask_secret_line, mask_shapes

_SEVERITY_STYLE = {
    Severity.CRITICAL: "1;31",  # bold red
    Severity.HIGH: "31",
    Severity.MEDIUM: "33",
    Severity.LOW: "34",
    Severity.INFO: "36",
}
_TOKEN = re.compile(r"\S+")
# Control characters from the scanned tree (an escape sequence in a state ID, a
# message or a source line) would drive the reader's terminal: they are shown as
# ``\x1b`` text instead. Tab is kept for the source line.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _Paint:
    """ANSI styling that is a no-op when colour is off."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


class _Sources:
    """Source lines read on demand from ``source_root``; unreadable files show none."""

    def __init__(self, root: Path | None):
        self.root = root
        self._lines: dict[str, tuple[str, ...]] = {}

    def line(self, file: str, number: int) -> str | None:
        if self.root is None:
            return None
        if file not in self._lines:
            try:
                text = (self.root / file).read_text(encoding="utf-8", errors="replace")
                self._lines[file] = tuple(text.splitlines())
            except OSError:
                self._lines[file] = ()
        lines = self._lines[file]
        return lines[number - 1].rstrip() if 0 < number <= len(lines) else None


def _marker_span(line: str, finding: Finding) -> tuple[int, int]:
    """Start index and width of the ``^^^`` marker at the finding's column (skipping
    whitespace): the state ID or the finding's subject when the line has it there,
    else the token; one caret past the end of the line if nothing is there."""
    start = min(max(finding.location.column - 1, 0), len(line))
    while start < len(line) and line[start].isspace():
        start += 1
    if start >= len(line):
        return len(line), 1
    state_id = finding.state.id if finding.state else ""
    for known in (state_id, dict(finding.extra).get("subject", "")):
        if known and line.startswith(known, start):
            return start, len(known)
    token = _TOKEN.match(line, start).group(0)
    return start, max(len(token.rstrip(":,;")), 1)


class _TextWriter:
    def __init__(self, data: ReportInput, redactor: ReportRedactor, color: bool):
        self.data = data
        self.redact = redactor
        self.paint = _Paint(color)
        self.sources = _Sources(data.source_root)
        # Every line a plaintext-secret finding points at (suppressed ones too) is
        # masked whichever finding shows it: its value may be too short, or unknown,
        # for the value redactor.
        self.secret_lines = {
            (f.location.file, f.location.line)
            for f in data.findings
            if f.category is Category.PLAINTEXT_SECRET
        }

    def clean(self, text: str) -> str:
        """Scanned-tree text as it may be printed: secrets masked, controls visible.
        (Masking first: a multi-line secret is matched before its newlines change.)"""
        return _visible(self.redact(text))

    def snippet(self, finding: Finding) -> list[str]:
        loc = finding.location
        line = self.sources.line(loc.file, loc.line)
        if line is None:
            return []
        if (loc.file, loc.line) in self.secret_lines:
            line = mask_secret_line(line)
        # Known values first: a shape mask over part of a value would hide it from
        # the value match and leave the rest of it visible.
        line = _visible(mask_shapes(self.redact(line)))
        start, width = _marker_span(line, finding)
        pad = "".join("\t" if c == "\t" else " " for c in line[:start])
        number = str(loc.line)
        gutter = " " * (len(number) + 1)
        bar = self.paint("|", "34")
        marker = self.paint("^" * width, _SEVERITY_STYLE[finding.severity])
        return [
            f"{gutter}{bar}",
            f"{self.paint(number, '34')} {bar} {line}",
            f"{gutter}{bar} {pad}{marker}",
        ]

    def finding(self, f: Finding) -> list[str]:
        p = self.paint
        v = self.clean
        head = (
            f"{p(f.severity.value, _SEVERITY_STYLE[f.severity])} {p(v(f.rule), '1')} "
            f"{v(f.name)} [{f.category.value}]: {v(f.message)}"
        )
        width = len(str(f.location.line))
        lines = [head, f"{' ' * width}{p('-->', '34')} {v(str(f.location))}"]
        lines += self.snippet(f)
        notes = []
        if f.state:
            notes.append(("state", f"{f.state.id} ({f.state.function}) in {f.state.sls}"))
        if f.pillar_key:
            notes.append(("pillar", f.pillar_key))
        if f.minions:
            notes.append(("minions", collapse_minions(f.minions)))
        if f.hint:
            notes.append(("help", f.hint))
        indent = " " * (width + 1)
        lines += [f"{indent}{p('=', '34')} {p(label, '1')}: {v(text)}" for label, text in notes]
        return lines

    def render(self) -> str:
        out: list[str] = []
        shown = active(sorted_findings(self.data.findings))
        for file, group in groupby(shown, key=lambda f: f.location.file):
            out.append(self.paint(self.clean(file), "1;4"))
            for f in group:
                out += self.finding(f)
                out.append("")
        errors = sorted_errors(self.data.errors)
        if errors:
            out.append(self.paint("input errors", "1;4"))
            for e in errors:
                where = f" (sls {e.sls})" if e.sls else ""
                out.append(
                    f"{self.paint('error', '1;31')}[{e.kind.value}] "
                    + self.clean(f"{e.location}: {e.message}{where}")
                )
            out.append("")
        out += self.summary(len(errors))
        return "\n".join(self.redact(line) for line in out) + "\n"

    def summary(self, error_count: int) -> list[str]:
        s = summarize(self.data.findings)
        lines = []
        if s.total:
            counts = ", ".join(
                f"{n} {self.paint(sev.value, _SEVERITY_STYLE[sev])}"
                for sev, n in s.by_severity
                if n
            )
            lines.append(f"Found {_plural(s.total, 'finding')}: {counts}")
            lines.append(
                "By category: " + ", ".join(f"{c.value} {n}" for c, n in s.by_category if n)
            )
        else:
            lines.append("No findings.")
        if s.suppressed:
            lines.append(f"{_plural(s.suppressed, 'suppressed finding')} not shown.")
        baseline = self.data.baseline
        if baseline is not None:
            line = f"{_plural(baseline.baselined, 'finding')} accepted by the baseline"
            if baseline.disappeared:
                gone = _plural(len(baseline.disappeared), "baseline entry", "baseline entries")
                line += f"; {gone} no longer found (fixed: refresh the baseline)"
            lines.append(line + ".")
        if error_count:
            lines.append(f"{_plural(error_count, 'input error')}.")
        return lines


def render_text(data: ReportInput, redactor: ReportRedactor, *, color: bool = False) -> str:
    return _TextWriter(data, redactor, color).render()
