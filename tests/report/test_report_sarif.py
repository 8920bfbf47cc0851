import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from report_sample import FINDINGS

from saltscan import __version__
from saltscan.findings import Category, Finding, Severity
from saltscan.model import SourceLocation
from saltscan.report import render_report

# Beside the repository, as in CI: <somewhere>/main (this repo) and <somewhere>/shared.
SARIF_SCHEMA = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)


@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA}")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def sarif(data):
    return json.loads(render_report("sarif", data))


def test_sarif_validates_against_official_schema(report_input, sarif_validator):
    errors = sorted(sarif_validator.iter_errors(sarif(report_input)), key=str)
    assert errors == []
    empty = replace(report_input, findings=(), errors=(), rules=())
    assert sorted(sarif_validator.iter_errors(sarif(empty)), key=str) == []
    # The validator does reject what SARIF forbids.
    broken = sarif(report_input)
    broken["runs"][0]["results"][0]["level"] = "critical"
    assert not sarif_validator.is_valid(broken)


def test_sarif_driver_and_rules(report_input):
    doc = sarif(report_input)
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "saltscan", __version__, "https://github.com/saltscan/saltscan",
    )
    assert [r["id"] for r in driver["rules"]] == [
        "SS001", "SS101", "SS102", "SS201", "SS202", "SS301", "SS401",
    ]
    secret_rule = driver["rules"][5]
    assert secret_rule == {
        "id": "SS301",
        "name": "plaintext-pillar-secret",
        "shortDescription": {"text": "A secret stored in clear in pillar"},
        "fullDescription": {
            "text": "A secret stored in clear in pillar. Longer explanation of "
            "plaintext-pillar-secret."
        },
        "help": {
            "text": "A secret stored in clear in pillar. Longer explanation of "
            "plaintext-pillar-secret.\n\nDocumentation: "
            "https://github.com/saltscan/saltscan/blob/main/docs/rules/SS301.md",
            "markdown": "A secret stored in clear in pillar. Longer explanation of "
            "plaintext-pillar-secret.\n\n[SS301 plaintext-pillar-secret]"
            "(https://github.com/saltscan/saltscan/blob/main/docs/rules/SS301.md)",
        },
        "helpUri": "https://github.com/saltscan/saltscan/blob/main/docs/rules/SS301.md",
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "category": "plaintext-secret",
            "security-severity": "9.5",
            "tags": ["containerization", "plaintext-secret", "security"],
        },
    }
    ordering_rule = driver["rules"][6]
    assert ordering_rule["defaultConfiguration"] == {"level": "warning"}
    assert ordering_rule["properties"] == {
        "category": "ordering", "tags": ["containerization", "ordering"],
    }


def test_sarif_results(report_input):
    run = sarif(report_input)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("SS301", "error"), ("SS301", "error"), ("SS001", "error"), ("SS202", "error"),
        ("SS201", "error"), ("SS102", "note"), ("SS101", "warning"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    celery = results[4]
    assert celery == {
        "ruleId": "SS201",
        "ruleIndex": 3,
        "level": "error",
        "message": {
            "text": "CELERY_BROKER_URL carries a credential from pillar ehr:redis:password"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "salt/ehr/worker.sls", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 2, "startColumn": 1},
                }
            }
        ],
        "partialFingerprints": {"saltscan/v1": FINDINGS[0].fingerprint},
        "properties": {
            "category": "env-credential",
            "severity": "high",
            "minions": [f"worker{n:02d}" for n in range(1, 8)],
            "state": {"id": "celery-env", "function": "environ.setenv", "sls": "ehr.worker"},
            "hint": "inject CELERY_BROKER_URL at run time from a secret store",
        },
    }
    assert "suppressions" not in celery
    pillar = results[0]
    assert pillar["properties"]["pillar_key"] == "ehr:db:password"
    assert "state" not in pillar["properties"]
    assert pillar["message"]["text"] == "ehr:db:password is stored in clear (****)"
    suppressed = results[3]
    assert suppressed["suppressions"] == [
        {"kind": "inSource", "justification": "legacy job, password **** rotates"}
    ]


def test_sarif_input_errors_are_notifications(report_input):
    invocation = sarif(report_input)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"], n["message"]["text"]) for n in notes] == [
        ("yaml", "error", "mapping values are not allowed here near '****'"),
        ("top-file", "error", "top.sls: no minion matches 'legacy*'"),
    ]
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 16,
    }


def test_sarif_uri_encoding_and_unknown_rule(report_input, sarif_validator):
    odd = Finding(
        rule="SS999", name="not-in-rule-table", category=Category.STYLE,
        severity=Severity.INFO, message="m",
        location=SourceLocation("salt/my app/init.sls", 3, 2),
    )
    outside = replace(odd, location=SourceLocation("/srv/formulas/x.sls", 1))
    doc = sarif(replace(report_input, findings=(odd, outside), errors=()))
    sarif_validator.validate(doc)
    run = doc["runs"][0]
    assert [r["artifactLocation"] for r in (
        res["locations"][0]["physicalLocation"] for res in run["results"]
    )] == [
        {"uri": "file:///srv/formulas/x.sls"},
        {"uri": "salt/my%20app/init.sls", "uriBaseId": "%SRCROOT%"},
    ]
    # A rule a finding names but the rule table lacks gets a stand-in descriptor.
    stand_in = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert (stand_in["id"], stand_in["name"]) == ("SS999", "not-in-rule-table")
    assert stand_in["defaultConfiguration"] == {"level": "note"}
