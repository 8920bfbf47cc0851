from dataclasses import replace

import pytest
from report_sample import FINDINGS

from saltscan.findings import Severity
from saltscan.report import DEFAULT_FAIL_ON, FORMATS, exit_code, render_report

CELERY = FINDINGS[0]  # high


def at(severity, suppressed=False):
    return replace(CELERY, severity=severity, suppressed=suppressed)


def test_exit_code_threshold():
    assert exit_code((), Severity.INFO) == 0
    assert exit_code((at(Severity.HIGH),), Severity.HIGH) == 1
    assert exit_code((at(Severity.MEDIUM),), Severity.HIGH) == 0
    assert exit_code((at(Severity.CRITICAL),), Severity.HIGH) == 1
    assert exit_code((at(Severity.INFO),), Severity.INFO) == 1


def test_suppressed_findings_never_fail():
    assert exit_code((at(Severity.CRITICAL, suppressed=True),), Severity.INFO) == 0


def test_default_fails_on_anything_but_info():
    assert DEFAULT_FAIL_ON is Severity.LOW
    assert exit_code((at(Severity.LOW),)) == 1
    assert exit_code((at(Severity.LOW),), None) == 1
    assert exit_code((at(Severity.INFO),)) == 0


def test_unknown_format_is_an_error(report_input):
    assert FORMATS == ("text", "json", "sarif", "junit", "codeclimate")
    with pytest.raises(ValueError, match="unknown report format 'html'"):
        render_report("html", report_input)
