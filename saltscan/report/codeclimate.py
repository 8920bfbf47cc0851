"""CodeClimate issues: GitLab's code quality report (``artifacts:reports:codequality``).

Suppressed findings are left out: the format has no notion of suppression, and GitLab
would show them as open issues.
"""

from __future__ import annotations

import hashlib
from typing import Any

from saltscan.findings import Category, Finding, Severity
from saltscan.report.common import active, collapse_minions, sorted_findings
from saltscan.report.inputs import ReportInput
from saltscan.report.json_report import dump_json
from saltscan.report.redact import ReportRedactor

SEVERITIES = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}
# CodeClimate's fixed category list: Bug Risk, Clarity, Compatibility, Complexity,
# Duplication, Performance, Security, Style. "Compatibility" is the closest to
# "does not fit a container".
CATEGORIES = {
    Category.HARDCODED_PATH: ("Compatibility",),
    Category.HARDCODED_ENDPOINT: ("Compatibility",),
    Category.ENV_CREDENTIAL: ("Security",),
    Category.PLAINTEXT_SECRET: ("Security",),
    Category.ORDERING: ("Bug Risk", "Compatibility"),
    Category.RUNTIME_COUPLING: ("Compatibility",),
    Category.HOST_LEVEL: ("Compatibility",),
    Category.CORRECTNESS: ("Bug Risk",),
    Category.STYLE: ("Style",),
}


def _body(f: Finding) -> str:
    lines = [f"**{f.rule} {f.name}** [{f.category.value}]"]
    if f.state:
        lines.append(f"State `{f.state.id}` ({f.state.function}) in `{f.state.sls}`.")
    if f.pillar_key:
        lines.append(f"Pillar key `{f.pillar_key}`.")
    if f.minions:
        lines.append(f"Minions: {collapse_minions(f.minions)}.")
    if f.hint:
        lines.append(f"Help: {f.hint}")
    return "\n\n".join(lines)


def _unique_fingerprints(findings: tuple[Finding, ...]) -> list[str]:
    """GitLab needs each issue's fingerprint unique; two findings can share one (same
    rule, file, anchor and subject on two lines), so the second and later get a
    fingerprint derived from the first and their rank, stable for the same input."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        fp = f.fingerprint
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        out.append(fp if n == 0 else hashlib.sha256(f"{fp}:{n}".encode()).hexdigest()[:32])
    return out


def codeclimate_issues(data: ReportInput) -> list[dict[str, Any]]:
    findings = active(sorted_findings(data.findings))
    return [
        {
            "type": "issue",
            "engine_name": "saltscan",
            "check_name": f.rule,
            "description": f"{f.rule} {f.name}: {f.message}",
            "content": {"body": _body(f)},
            "categories": list(CATEGORIES[f.category]),
            "severity": SEVERITIES[f.severity],
            "fingerprint": fingerprint,
            "location": {"path": f.location.file, "lines": {"begin": f.location.line}},
        }
        for f, fingerprint in zip(findings, _unique_fingerprints(findings))
    ]


def render_codeclimate(data: ReportInput, redactor: ReportRedactor) -> str:
    return dump_json(redactor.deep(codeclimate_issues(data)))
