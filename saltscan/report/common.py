"""Pieces every reporter shares: ordering, counting, the finding's plain fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from saltscan.findings import Category, Finding, Severity
from saltscan.model import RenderError
from saltscan.report.inputs import RuleInfo

SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)

# How many minion names the human formats show before "(+N more)".
MINIONS_SHOWN = 2


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The report order, whatever order the caller used (same input, same bytes)."""
    return tuple(sorted(findings, key=lambda f: (f.sort_key(), f.fingerprint, f.suppressed)))


def sorted_errors(errors: Iterable[RenderError]) -> tuple[RenderError, ...]:
    return tuple(
        sorted(
            errors,
            key=lambda e: (e.location.file, e.location.line, e.location.column,
                           e.kind.value, e.sls or "", e.message),
        )
    )


def active(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if not f.suppressed)


@dataclass(frozen=True)
class Summary:
    by_category: tuple[tuple[Category, int], ...]  # every category, in vocabulary order
    by_severity: tuple[tuple[Severity, int], ...]  # every severity, worst first
    total: int  # unsuppressed findings
    suppressed: int


def summarize(findings: Iterable[Finding]) -> Summary:
    """Counts of the unsuppressed findings; suppressed ones only as a number."""
    findings = tuple(findings)
    shown = active(findings)
    return Summary(
        by_category=tuple((c, sum(f.category is c for f in shown)) for c in CATEGORY_ORDER),
        by_severity=tuple((s, sum(f.severity is s for f in shown)) for s in SEVERITY_ORDER),
        total=len(shown),
        suppressed=len(findings) - len(shown),
    )


def collapse_minions(minions: tuple[str, ...], shown: int = MINIONS_SHOWN) -> str:
    """``app01, app02 (+5 more)``; every name when there are few enough to read."""
    names = sorted(minions)
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} (+{len(names) - shown} more)"


def rules_table(rules: Iterable[RuleInfo], findings: Iterable[Finding]) -> tuple[RuleInfo, ...]:
    """Every rule that ran, plus a stand-in for any rule a finding names that is not
    among them (so every result can point at a rule), sorted by code."""
    table = {r.code: r for r in rules}
    for f in findings:
        if f.rule not in table:
            table[f.rule] = RuleInfo(
                code=f.rule, name=f.name, category=f.category, severity=f.severity,
                summary=f.name, description=f.name, help_uri=rule_doc_uri(f.rule),
            )
    return tuple(table[code] for code in sorted(table))


DOCS_BASE = "https://github.com/saltscan/saltscan/blob/main/docs/rules/"
INFORMATION_URI = "https://github.com/saltscan/saltscan"


def rule_doc_uri(code: str) -> str:
    return f"{DOCS_BASE}{code}.md"
