"""Fixtures over ``report_sample``: the sample tree written to disk, the ReportInput."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_sample import ERRORS, FINDINGS, RULES, SECRET_VALUES, SOURCES, WORKERS

from saltscan.report import ReportInput


@pytest.fixture
def source_root(tmp_path: Path) -> Path:
    for rel, text in SOURCES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def report_input(source_root: Path) -> ReportInput:
    return ReportInput(
        # Reversed: reporters sort themselves, whatever order they get.
        findings=tuple(reversed(FINDINGS)),
        errors=tuple(reversed(ERRORS)),
        tree_root=".",
        state_roots=("salt",),
        pillar_roots=("pillar",),
        minions=("db01", "app02", "app01") + WORKERS,
        rules=RULES,
        source_root=source_root,
        secret_values=SECRET_VALUES,
    )
