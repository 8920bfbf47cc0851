"""The JSON report: DESIGN.md section 6 (schema in docs/schemas/report.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from saltscan import __version__
from saltscan.findings import Finding
from saltscan.model import RenderError
from saltscan.report.common import sorted_errors, sorted_findings, summarize
from saltscan.report.inputs import ReportInput
from saltscan.report.redact import ReportRedactor

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": f.name,
        "category": f.category.value,
        "severity": f.severity.value,
        "message": f.message,
        "location": {
            "file": f.location.file,
            "line": f.location.line,
            "column": f.location.column,
        },
        "state": (
            {"id": f.state.id, "function": f.state.function, "sls": f.state.sls}
            if f.state
            else None
        ),
        "pillar_key": f.pillar_key,
        "minions": sorted(f.minions),
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "suppression_reason": f.suppression_reason if f.suppressed else None,
        "hint": f.hint,
    }


def error_dict(e: RenderError) -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "message": e.message,
        "file": e.location.file,
        "line": e.location.line,
        "sls": e.sls,
    }


def report_dict(data: ReportInput) -> dict[str, Any]:
    """The report as JSON-like data, not yet redacted."""
    summary = summarize(data.findings)
    baseline = None
    if data.baseline is not None:
        baseline = {
            "baselined": data.baseline.baselined,
            "disappeared": sorted(data.baseline.disappeared),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "saltscan", "version": __version__},
        "tree": {
            "root": data.tree_root,
            "state_roots": list(data.state_roots),
            "pillar_roots": list(data.pillar_roots),
            "minions": sorted(data.minions),
        },
        "findings": [finding_dict(f) for f in sorted_findings(data.findings)],
        "errors": [error_dict(e) for e in sorted_errors(data.errors)],
        "summary": {
            "by_category": {c.value: n for c, n in summary.by_category},
            "by_severity": {s.value: n for s, n in summary.by_severity},
            "total": summary.total,
            "suppressed": summary.suppressed,
        },
        "baseline": baseline,
    }


def dump_json(data: Any) -> str:
    """The one serialisation every JSON format uses: sorted keys, 2 spaces, newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_json(data: ReportInput, redactor: ReportRedactor) -> str:
    return dump_json(redactor.deep(report_dict(data)))
