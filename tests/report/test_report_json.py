import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from report_sample import FINDINGS

from saltscan import __version__
from saltscan.report import BaselineResult, render_report

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "report.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_json_report_structure(report_input):
    report = json.loads(render_report("json", report_input))
    assert list(report) == [
        "baseline", "errors", "findings", "schema_version", "summary", "tool", "tree",
    ]
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "saltscan", "version": __version__}
    assert report["tree"] == {
        "root": ".",
        "state_roots": ["salt"],
        "pillar_roots": ["pillar"],
        "minions": ["app01", "app02", "db01"] + [f"worker{n:02d}" for n in range(1, 8)],
    }
    assert report["baseline"] is None
    findings = report["findings"]
    assert [(f["rule"], f["location"]["file"], f["location"]["line"]) for f in findings] == [
        ("SS301", "pillar/ehr/init.sls", 4),
        ("SS301", "pillar/ehr/init.sls", 8),
        ("SS001", "salt/ehr/broken.sls", 3),
        ("SS202", "salt/ehr/db.sls", 3),
        ("SS201", "salt/ehr/worker.sls", 2),
        ("SS102", "salt/ehr/worker.sls", 5),
        ("SS101", "salt/ehr/worker.sls", 7),
    ]
    by_rule = {f["rule"]: f for f in report["findings"]}
    # A pillar finding: state null, pillar_key set, secret masked in message and hint.
    assert report["findings"][0] == {
        "rule": "SS301",
        "name": "plaintext-pillar-secret",
        "category": "plaintext-secret",
        "severity": "critical",
        "message": "ehr:db:password is stored in clear (****)",
        "location": {"file": "pillar/ehr/init.sls", "line": 4, "column": 5},
        "state": None,
        "pillar_key": "ehr:db:password",
        "minions": ["app01", "app02", "db01"],
        "fingerprint": FINDINGS[4].fingerprint,
        "suppressed": False,
        "suppression_reason": None,
        "hint": "encrypt it with gpg, not ****",
    }
    # A suppressed state finding keeps its (masked) reason.
    assert by_rule["SS202"] == {
        "rule": "SS202",
        "name": "command-line-password",
        "category": "env-credential",
        "severity": "high",
        "message": "PGPASSWORD is set on the command line",
        "location": {"file": "salt/ehr/db.sls", "line": 3, "column": 13},
        "state": {"id": "ehr-migrate", "function": "cmd.run", "sls": "ehr.db"},
        "pillar_key": None,
        "minions": ["db01"],
        "fingerprint": FINDINGS[3].fingerprint,
        "suppressed": True,
        "suppression_reason": "legacy job, password **** rotates",
        "hint": None,
    }
    # A file-level finding: neither state nor pillar key.
    assert (by_rule["SS001"]["state"], by_rule["SS001"]["pillar_key"]) == (None, None)
    assert by_rule["SS001"]["minions"] == []
    assert report["errors"] == [
        {
            "kind": "yaml",
            "message": "mapping values are not allowed here near '****'",
            "file": "salt/ehr/broken.sls",
            "line": 3,
            "sls": "ehr.broken",
        },
        {
            "kind": "top-file",
            "message": "top.sls: no minion matches 'legacy*'",
            "file": "salt/top.sls",
            "line": 4,
            "sls": None,
        },
    ]
    assert report["summary"] == {
        "by_category": {
            "hardcoded-path": 1, "hardcoded-endpoint": 1, "env-credential": 1,
            "plaintext-secret": 2, "ordering": 0, "runtime-coupling": 0, "host-level": 0,
            "correctness": 1, "style": 0,
        },
        "by_severity": {"critical": 2, "high": 2, "medium": 1, "low": 1, "info": 0},
        "total": 6,
        "suppressed": 1,
    }


def test_json_serialisation_is_canonical(report_input):
    text = render_report("json", report_input)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    # Same findings in another order: same bytes.
    shuffled = replace(report_input, findings=FINDINGS[3:] + FINDINGS[:3])
    assert render_report("json", shuffled) == text


def test_json_report_with_baseline(report_input, validator):
    data = replace(report_input, baseline=BaselineResult(2, ("f" * 32, "0" * 32)))
    report = json.loads(render_report("json", data))
    assert report["baseline"] == {"baselined": 2, "disappeared": ["0" * 32, "f" * 32]}
    validator.validate(report)


def test_json_report_matches_schema(report_input, validator):
    validator.validate(json.loads(render_report("json", report_input)))
    empty = replace(report_input, findings=(), errors=(), minions=())
    validator.validate(json.loads(render_report("json", empty)))


def test_schema_rejects_what_the_contract_forbids(report_input, validator):
    report = json.loads(render_report("json", report_input))
    broken = json.loads(json.dumps(report))
    del broken["findings"][0]["fingerprint"]
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(report))
    broken["findings"][0]["category"] = "security"
    assert not validator.is_valid(broken)
    broken = json.loads(json.dumps(report))
    broken["findings"][0]["suppression_reason"] = "not suppressed but has a reason"
    assert not validator.is_valid(broken)


def _doc_json_blocks():
    text = (SCHEMA_PATH.parents[1] / "report.md").read_text(encoding="utf-8")
    return [json.loads(block.split("```", 1)[0]) for block in text.split("```json\n")[1:]]


def test_documented_examples_are_valid(validator):
    """docs/report.md's JSON report example passes the schema, and its baseline
    example loads: the documentation cannot drift from the contract unnoticed."""
    from saltscan.report.baseline import parse_baseline

    report_example, baseline_example = _doc_json_blocks()
    validator.validate(report_example)
    assert parse_baseline(json.dumps(baseline_example)).entries[0].state == "celery-env"
