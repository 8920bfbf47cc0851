"""Reporters: text, JSON, SARIF, JUnit and CodeClimate, baselines, exit codes.

The CLI builds one ``ReportInput`` per scan and calls ``render_report``; every format
passes all its output through a redactor built from ``ReportInput.secret_values``.
Formats and fields are documented in docs/report.md.
"""

from __future__ import annotations

from typing import Iterable

from saltscan.findings import Finding, Severity
from saltscan.report.baseline import (
    Baseline,
    BaselineError,
    BaselineResult,
    apply_baseline,
    load_baseline,
    write_baseline,
)
from saltscan.report.codeclimate import render_codeclimate
from saltscan.report.inputs import ReportInput, RuleInfo
from saltscan.report.json_report import render_json
from saltscan.report.junit import render_junit
from saltscan.report.redact import ReportRedactor
from saltscan.report.sarif import render_sarif
from saltscan.report.text import render_text

__all__ = [
    "Baseline",
    "BaselineError",
    "BaselineResult",
    "DEFAULT_FAIL_ON",
    "FORMATS",
    "ReportInput",
    "RuleInfo",
    "apply_baseline",
    "exit_code",
    "load_baseline",
    "render_report",
    "write_baseline",
]

FORMATS = ("text", "json", "sarif", "junit", "codeclimate")

# Exit 1 on any unsuppressed finding except ``info`` ones, which are context (an
# untargeted file, an observation for the inventory), not something to fix.
DEFAULT_FAIL_ON = Severity.LOW

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2  # usage or input error: the CLI's, e.g. on BaselineError


def render_report(fmt: str, data: ReportInput, *, color: bool = False) -> str:
    """The report in ``fmt`` (one of ``FORMATS``); ``color`` only affects ``text``."""
    redactor = ReportRedactor(data.secret_values)
    if fmt == "text":
        return render_text(data, redactor, color=color)
    renderers = {
        "json": render_json,
        "sarif": render_sarif,
        "junit": render_junit,
        "codeclimate": render_codeclimate,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](data, redactor)


def exit_code(findings: Iterable[Finding], fail_on: Severity | None = None) -> int:
    """1 when an unsuppressed finding is at or above ``fail_on``, else 0.

    ``fail_on=None`` means ``DEFAULT_FAIL_ON``. Baselined findings are not in
    ``findings`` any more (``apply_baseline`` removed them), so they never fail.
    """
    threshold = DEFAULT_FAIL_ON if fail_on is None else fail_on
    failing = any(not f.suppressed and f.severity.at_least(threshold) for f in findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN
