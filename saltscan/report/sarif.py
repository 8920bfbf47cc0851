"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, any SARIF viewer)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from saltscan import __version__
from saltscan.findings import Category, Finding, Severity
from saltscan.model import RenderError
from saltscan.report.common import INFORMATION_URI, rules_table, sorted_errors, sorted_findings
from saltscan.report.inputs import ReportInput, RuleInfo
from saltscan.report.json_report import dump_json
from saltscan.report.redact import ReportRedactor

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "saltscan/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning ranks security results by this score (CVSS-like, 0.0-10.0);
# it reads it from rules tagged "security", which the two secret categories are.
_SECURITY_CATEGORIES = (Category.PLAINTEXT_SECRET, Category.ENV_CREDENTIAL)
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _rule_descriptor(rule: RuleInfo) -> dict[str, Any]:
    tags = sorted(set(rule.tags) | {rule.category.value})
    properties: dict[str, Any] = {"category": rule.category.value}
    if rule.category in _SECURITY_CATEGORIES:
        tags = sorted(set(tags) | {"security"})
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    properties["tags"] = tags
    description = rule.description or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description},
        "help": {
            "text": f"{description}\n\nDocumentation: {rule.help_uri}",
            "markdown": f"{description}\n\n[{rule.code} {rule.name}]({rule.help_uri})",
        },
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _artifact(file: str) -> dict[str, str]:
    """A relative path under ``%SRCROOT%``; a file outside the scanned root (the model
    keeps those absolute) as a ``file://`` URI. Both percent-encoded, as URIs are."""
    if file.startswith("/"):
        return {"uri": "file://" + quote(file, safe="/")}
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _location(file: str, line: int, column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(file),
            "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
        }
    }


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "category": f.category.value,
        "severity": f.severity.value,
        "minions": sorted(f.minions),
    }
    if f.state:
        properties["state"] = {"id": f.state.id, "function": f.state.function, "sls": f.state.sls}
    if f.pillar_key:
        properties["pillar_key"] = f.pillar_key
    if f.hint:
        properties["hint"] = f.hint
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [_location(f.location.file, f.location.line, f.location.column)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": properties,
    }
    if f.suppressed:
        result["suppressions"] = [
            {"kind": "inSource", "justification": f.suppression_reason or "suppressed"}
        ]
    return result


def _notification(e: RenderError) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": e.message},
        "descriptor": {"id": e.kind.value},
        "locations": [_location(e.location.file, e.location.line, e.location.column)],
    }
    if e.sls:
        notification["properties"] = {"sls": e.sls}
    return notification


def sarif_dict(data: ReportInput) -> dict[str, Any]:
    findings = sorted_findings(data.findings)
    rules = rules_table(data.rules, findings)
    index = {rule.code: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "saltscan",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _notification(e) for e in sorted_errors(data.errors)
                ],
            }
        ],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule]) for f in findings],
        "properties": {
            "tree": {
                "root": data.tree_root,
                "state_roots": list(data.state_roots),
                "pillar_roots": list(data.pillar_roots),
                "minions": sorted(data.minions),
            }
        },
    }
    if data.baseline is not None:
        run["properties"]["baseline"] = {
            "baselined": data.baseline.baselined,
            "disappeared": sorted(data.baseline.disappeared),
        }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(data: ReportInput, redactor: ReportRedactor) -> str:
    return dump_json(redactor.deep(sarif_dict(data)))
