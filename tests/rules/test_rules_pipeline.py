"""Suppression and dedupe on a small tree rendered through the real pipeline
(tests/rules/fixtures/suppress: two minions, Jinja comments, noqa, disable-file)."""

from __future__ import annotations

from pathlib import Path

from saltscan.engine.config import Config
from saltscan.engine.runner import run_rules
from saltscan.pipeline import ScanOptions, load_model

TREE = Path(__file__).parent / "fixtures" / "suppress"


def test_suppressions_in_a_rendered_tree():
    findings = run_rules(load_model(ScanOptions(path=TREE)), None, Config())
    got = [(f.rule, f.location.file, f.location.line, f.state.id if f.state else f.pillar_key,
            f.minions, f.suppressed, f.suppression_reason) for f in findings]
    both = ("app01", "app02")
    assert got == [
        ("SS301", "pillar/app.sls", 2, "app:token", both, False, None),
        ("SS101", "salt/app.sls", 6, "app-logs", both, True, "legacy path, removed in Q3"),
        ("SS902", "salt/app.sls", 7, "app-logs", both, True, "modes are reviewed by packaging"),
        ("SS101", "salt/app.sls", 11, "app-data", both, True, "on a volume already"),
        ("SS101", "salt/app.sls", 15, "app-cache", both, False, None),
        ("SS201", "salt/app.sls", 20, "api-env", both, True, "rotated hourly"),
        ("SS901", "salt/app.sls", 23, "reindex", both, True, "noqa: 213 at line 23"),
    ]
