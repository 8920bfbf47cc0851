"""What every reporter reads: the findings of one scan and the context around them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from saltscan.findings import Category, Finding, Severity
from saltscan.model import RenderError
from saltscan.report.baseline import BaselineResult


@dataclass(frozen=True)
class RuleInfo:
    """Metadata of one rule that ran, for SARIF's rule table and JUnit's passing cases."""

    code: str  # "SS201"
    name: str  # "environ-setenv-credential"
    category: Category
    severity: Severity  # the rule's default severity
    summary: str  # one line
    description: str  # a paragraph, markdown allowed
    help_uri: str  # https://github.com/saltscan/saltscan/blob/main/docs/rules/<code>.md
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportInput:
    """One scan, ready to report.

    ``findings`` holds suppressed findings too (``suppressed=True``); baselined findings
    are already removed (``apply_baseline``) and only counted in ``baseline``.
    ``secret_values`` are every secret value the scan knows: every reporter passes all
    its output through a redactor built from them before returning it.
    """

    findings: tuple[Finding, ...]
    errors: tuple[RenderError, ...]
    tree_root: str
    state_roots: tuple[str, ...]
    pillar_roots: tuple[str, ...]
    minions: tuple[str, ...]
    rules: tuple[RuleInfo, ...]
    baseline: BaselineResult | None = None
    source_root: Path | None = None
    secret_values: tuple[str, ...] = ()
