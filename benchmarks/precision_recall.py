#!/usr/bin/env python3
"""Precision and recall of the rules against fixtures/ehr-platform/expected.yaml.

Runs the whole pipeline (load_model, graphs, run_rules with the fixture's config if
it has one) and matches each unsuppressed finding to the labels:

- same ``category`` and ``file``;
- a label with ``state_id`` needs a finding on that state; with ``pillar_key``, a
  finding on that key; with ``role``, the role finding (subject ``role:<role>``);
  a label with none of them (a Jinja-level finding) needs a finding with no state;
- a label with ``line`` needs that line too.

Precision = findings that match some label / findings; recall = labels that some
finding matches / labels. Per category, then overall.

    python benchmarks/precision_recall.py [-v] [--fixture DIR]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from saltscan.engine.config import resolve_config  # noqa: E402
from saltscan.engine.runner import run_rules  # noqa: E402
from saltscan.findings import Category, Finding  # noqa: E402
from saltscan.pipeline import ScanOptions, load_model  # noqa: E402

DEFAULT_FIXTURE = ROOT / "fixtures" / "ehr-platform"


@dataclass(frozen=True)
class Score:
    labels: int
    findings: int
    matched_labels: int
    matched_findings: int

    @property
    def precision(self) -> float:
        return self.matched_findings / self.findings if self.findings else 1.0

    @property
    def recall(self) -> float:
        return self.matched_labels / self.labels if self.labels else 1.0


def matches(label: dict, f: Finding) -> bool:
    if f.category.value != label["category"] or f.location.file != label["file"]:
        return False
    if "line" in label and f.location.line != label["line"]:
        return False
    if "state_id" in label:
        return f.state is not None and f.state.id == label["state_id"]
    if "pillar_key" in label:
        return f.pillar_key == label["pillar_key"]
    if "role" in label:
        return dict(f.extra).get("subject") == f"role:{label['role']}"
    return f.state is None


def findings_for(fixture: Path) -> tuple[Finding, ...]:
    model = load_model(ScanOptions(path=fixture))
    return run_rules(model, None, resolve_config(fixture))


def score(labels: list[dict], findings: tuple[Finding, ...]):
    per_category = {}
    unmatched_labels, unmatched_findings = [], []
    for category in Category:
        cat_labels = [lb for lb in labels if lb["category"] == category.value]
        cat_findings = [f for f in findings if f.category is category]
        hit_labels = [lb for lb in cat_labels if any(matches(lb, f) for f in cat_findings)]
        hit_findings = [f for f in cat_findings if any(matches(lb, f) for lb in cat_labels)]
        unmatched_labels += [lb for lb in cat_labels if lb not in hit_labels]
        unmatched_findings += [f for f in cat_findings if f not in hit_findings]
        per_category[category.value] = Score(
            len(cat_labels), len(cat_findings), len(hit_labels), len(hit_findings))
    return per_category, unmatched_labels, unmatched_findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list the missed labels and the unmatched findings")
    args = parser.parse_args(argv)
    labels = yaml.safe_load((args.fixture / "expected.yaml").read_text(encoding="utf-8"))
    findings = tuple(f for f in findings_for(args.fixture) if not f.suppressed)
    per_category, missed, extra = score(labels, findings)

    print(f"{'category':<20} {'labels':>6} {'found':>6} {'precision':>9} {'recall':>7}")
    for name, s in per_category.items():
        if s.labels or s.findings:
            print(f"{name:<20} {s.labels:>6} {s.findings:>6} {s.precision:>9.3f} {s.recall:>7.3f}")
    total = Score(*(sum(getattr(s, k) for s in per_category.values())
                    for k in ("labels", "findings", "matched_labels", "matched_findings")))
    print(f"{'all':<20} {total.labels:>6} {total.findings:>6} {total.precision:>9.3f} {total.recall:>7.3f}")
    if args.verbose:
        print("\nmissed labels:")
        for lb in missed:
            where = lb.get("state_id") or lb.get("pillar_key") or lb.get("role") or "-"
            print(f"  {lb['category']:<18} {lb['file']}:{lb.get('line', '')} {where}  {lb['what']}")
        print("\nunmatched findings:")
        for f in extra:
            where = f.state.id if f.state else (f.pillar_key or "-")
            print(f"  {f.category.value:<18} {f.location.file}:{f.location.line} {f.rule} {where}  {f.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
