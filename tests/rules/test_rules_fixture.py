"""The rules on fixtures/ehr-platform through the real pipeline: precision and recall
against its labels, no secret value in any finding, the same output twice."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

from saltscan.secrets import is_secret

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "ehr-platform"


def _benchmark():
    spec = importlib.util.spec_from_file_location("precision_recall", ROOT / "benchmarks/precision_recall.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("precision_recall", module)  # dataclasses look it up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _benchmark()


@pytest.fixture(scope="module")
def findings(bench):
    return bench.findings_for(FIXTURE)


def test_precision_and_recall(bench, findings):
    labels = yaml.safe_load((FIXTURE / "expected.yaml").read_text())
    per_category, missed, _ = bench.score(labels, tuple(f for f in findings if not f.suppressed))
    matched = sum(s.matched_labels for s in per_category.values())
    found = sum(s.findings for s in per_category.values())
    right = sum(s.matched_findings for s in per_category.values())
    assert matched / len(labels) >= 0.95
    assert right / found >= 0.90
    for name, s in per_category.items():
        assert s.recall >= 0.95, (name, missed)


def test_no_secret_value_in_any_finding(findings):
    from saltscan.pipeline import ScanOptions, load_model

    model = load_model(ScanOptions(path=FIXTURE))
    secrets = {str(pv.value) for r in model.renders for pv in r.pillar_values
               if isinstance(pv.value, str) and len(pv.value) >= 6
               and (pv.secret or is_secret(pv.key_path, pv.value)[0])}
    assert len(secrets) > 10
    for f in findings:
        text = " ".join([f.message, f.hint or "", *(v for _, v in f.extra)])
        leaked = [s for s in secrets if s in text]
        assert not leaked, (f.rule, f.location)


def test_same_input_same_output(bench, findings):
    again = bench.findings_for(FIXTURE)
    assert [(f, f.fingerprint, f.extra) for f in again] == [(f, f.fingerprint, f.extra) for f in findings]
