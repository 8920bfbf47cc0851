"""Every rule's docstring examples, rendered through the real pipeline: the
problematic one triggers the rule, the correct one does not."""

from __future__ import annotations

import pytest

from saltscan.engine.examples import parse_examples, run_example, write_example
from saltscan.engine.registry import builtin_rules

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{example.kind}")
    for rule in builtin_rules()
    for example in parse_examples(rule)
]


def test_every_rule_has_both_examples():
    for rule in builtin_rules():
        assert [e.kind for e in parse_examples(rule)] == ["problematic", "correct"], rule.code


@pytest.mark.parametrize("rule, example", CASES)
def test_example(rule, example, tmp_path):
    findings = [f for f in run_example(rule, example, tmp_path) if not f.suppressed]
    if example.kind == "problematic":
        assert findings, f"{rule.code}: the problematic example does not trigger it"
        assert {f.category for f in findings} == {rule.category}
    else:
        assert findings == [], f"{rule.code}: the correct example triggers it: {findings}"


def test_write_example_lays_out_a_tree(tmp_path):
    rule = next(r for r in builtin_rules() if r.code == "SS804")
    problematic, correct = parse_examples(rule)
    write_example(correct, tmp_path)
    assert (tmp_path / "salt/top.sls").read_text() == "base:\n  '*':\n    - example\n"
    assert (tmp_path / "salt/example.sls").read_text() == correct.sls
    assert (tmp_path / "salt/ehr/files/app.ini").read_text() == "[app]\nname = ehr\n"
    assert not (tmp_path / "pillar").exists()
