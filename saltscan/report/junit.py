"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure).

One ``testsuite`` per category (fixed vocabulary order), so a CI page reads like the
category table of DESIGN.md. In it, one ``testcase`` per (rule, location):
``classname`` is ``<code> <rule name>`` and ``name`` is ``file:line:col``, with one
``failure`` per unsuppressed finding there, or ``skipped`` when every finding there is
suppressed. A rule that ran and found nothing is one passing testcase named
``no findings``, so the report also shows what was checked. Input errors (files that
could not be rendered) form a last suite, ``input-errors``, of ``error`` testcases.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from saltscan.findings import Finding
from saltscan.model import RenderError
from saltscan.report.common import (
    CATEGORY_ORDER,
    collapse_minions,
    rules_table,
    sorted_errors,
    sorted_findings,
)
from saltscan.report.inputs import ReportInput
from saltscan.report.redact import ReportRedactor

# Characters XML 1.0 cannot carry even escaped (a control byte in a message would
# otherwise make the whole report unparsable).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Builder:
    def __init__(self, redactor: ReportRedactor):
        self.redact = redactor

    def text(self, value: str) -> str:
        return _NOT_XML.sub("\ufffd", self.redact(value))

    def element(self, parent: ET.Element, tag: str, **attrs: str | int) -> ET.Element:
        return ET.SubElement(parent, tag, {k: self.text(str(v)) for k, v in attrs.items()})

    def failure(self, case: ET.Element, f: Finding) -> None:
        details = [
            f"{f.rule} {f.name} [{f.category.value}], severity {f.severity.value}",
            f"at {f.location}",
        ]
        if f.state:
            details.append(f"state: {f.state.id} ({f.state.function}) in {f.state.sls}")
        if f.pillar_key:
            details.append(f"pillar: {f.pillar_key}")
        if f.minions:
            details.append(f"minions: {collapse_minions(f.minions, shown=len(f.minions))}")
        if f.hint:
            details.append(f"help: {f.hint}")
        details.append(f"fingerprint: {f.fingerprint}")
        node = self.element(case, "failure", message=f.message, type=f.severity.value)
        node.text = self.text("\n".join(details))


def _suite_counts(suite: ET.Element) -> dict[str, str]:
    cases = suite.findall("testcase")
    return {
        "tests": str(len(cases)),
        "failures": str(sum(c.find("failure") is not None for c in cases)),
        "errors": str(sum(c.find("error") is not None for c in cases)),
        "skipped": str(sum(c.find("skipped") is not None for c in cases)),
    }


def _case_key(f: Finding) -> tuple:
    return (f.rule, f.location.file, f.location.line, f.location.column)


def junit_tree(data: ReportInput, redactor: ReportRedactor) -> ET.Element:
    b = _Builder(redactor)
    findings = sorted_findings(data.findings)
    rules = rules_table(data.rules, findings)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    root = ET.Element("testsuites", {"name": "saltscan"})
    for category in CATEGORY_ORDER:
        category_rules = [r for r in rules if r.category is category]
        if not category_rules:
            continue
        suite = b.element(root, "testsuite", name=category.value)
        for rule in category_rules:
            rule_findings = sorted(by_rule.get(rule.code, ()), key=_case_key)
            classname = f"{rule.code} {rule.name}"
            if not rule_findings:
                b.element(suite, "testcase", classname=classname, name="no findings")
                continue
            for (_, file, line, column), group in groupby(rule_findings, key=_case_key):
                group = list(group)
                case = b.element(
                    suite, "testcase", classname=classname, name=f"{file}:{line}:{column}",
                    file=file, line=line,
                )
                unsuppressed = [f for f in group if not f.suppressed]
                for f in unsuppressed:
                    b.failure(case, f)
                if not unsuppressed:
                    reasons = sorted({f.suppression_reason or "suppressed" for f in group})
                    b.element(case, "skipped", message="suppressed: " + "; ".join(reasons))
    errors = sorted_errors(data.errors)
    if errors:
        suite = b.element(root, "testsuite", name="input-errors")
        for e in errors:
            _error_case(b, suite, e)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        counts = _suite_counts(suite)
        for key, value in counts.items():
            suite.set(key, value)
            totals[key] += int(value)
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def _error_case(b: _Builder, suite: ET.Element, e: RenderError) -> None:
    case = b.element(
        suite, "testcase", classname=f"input-error {e.kind.value}", name=str(e.location),
        file=e.location.file, line=e.location.line,
    )
    node = b.element(case, "error", message=e.message, type=e.kind.value)
    node.text = b.text(f"{e.kind.value} at {e.location}" + (f" (sls {e.sls})" if e.sls else ""))


def render_junit(data: ReportInput, redactor: ReportRedactor) -> str:
    root = junit_tree(data, redactor)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
