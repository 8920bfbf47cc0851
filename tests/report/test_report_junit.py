import xml.etree.ElementTree as ET
from dataclasses import replace

from report_sample import FINDINGS

from saltscan.report import render_report


def junit(data):
    text = render_report("junit", data)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    return ET.fromstring(text.encode("utf-8"))


def cases(suite):
    return [(c.get("classname"), c.get("name")) for c in suite.findall("testcase")]


def test_junit_suites_per_category(report_input):
    root = junit(report_input)
    assert root.tag == "testsuites"
    assert dict(root.attrib) == {
        "name": "saltscan", "tests": "10", "failures": "6", "errors": "2", "skipped": "1",
    }
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [
        "hardcoded-path", "hardcoded-endpoint", "env-credential", "plaintext-secret",
        "ordering", "correctness", "input-errors",
    ]
    assert cases(suites["env-credential"]) == [
        ("SS201 environ-setenv-credential", "salt/ehr/worker.sls:2:1"),
        ("SS202 command-line-password", "salt/ehr/db.sls:3:13"),
    ]
    assert {k: suites["env-credential"].get(k) for k in ("tests", "failures", "skipped")} == {
        "tests": "2", "failures": "1", "skipped": "1",
    }
    # A rule that ran and found nothing is a passing testcase.
    ordering = suites["ordering"].findall("testcase")
    assert cases(suites["ordering"]) == [("SS401 explicit-order", "no findings")]
    assert list(ordering[0]) == []


def test_junit_failure_and_skipped(report_input):
    root = junit(report_input)
    celery = root.find("testsuite[@name='env-credential']/testcase[1]")
    assert (celery.get("file"), celery.get("line")) == ("salt/ehr/worker.sls", "2")
    failure = celery.find("failure")
    assert failure.get("type") == "high"
    assert failure.get("message") == (
        "CELERY_BROKER_URL carries a credential from pillar ehr:redis:password"
    )
    assert failure.text.splitlines() == [
        "SS201 environ-setenv-credential [env-credential], severity high",
        "at salt/ehr/worker.sls:2:1",
        "state: celery-env (environ.setenv) in ehr.worker",
        "minions: " + ", ".join(f"worker{n:02d}" for n in range(1, 8)),
        "help: inject CELERY_BROKER_URL at run time from a secret store",
        f"fingerprint: {FINDINGS[0].fingerprint}",
    ]
    migrate = root.find("testsuite[@name='env-credential']/testcase[2]")
    assert migrate.find("failure") is None
    assert migrate.find("skipped").get("message") == (
        "suppressed: legacy job, password **** rotates"
    )
    pillar = root.find("testsuite[@name='plaintext-secret']/testcase[1]/failure")
    assert pillar.get("message") == "ehr:db:password is stored in clear (****)"
    assert "pillar: ehr:db:password" in pillar.text.splitlines()


def test_junit_input_errors(report_input):
    suite = junit(report_input).find("testsuite[@name='input-errors']")
    assert cases(suite) == [
        ("input-error yaml", "salt/ehr/broken.sls:3:16"),
        ("input-error top-file", "salt/top.sls:4:1"),
    ]
    error = suite.find("testcase/error")
    assert (error.get("type"), error.get("message"), error.text) == (
        "yaml",
        "mapping values are not allowed here near '****'",
        "yaml at salt/ehr/broken.sls:3:16 (sls ehr.broken)",
    )


def test_junit_groups_findings_at_one_location(report_input):
    # Two findings of one rule on one line: one testcase, two failures.
    first = FINDINGS[1]
    second = replace(first, message="second subject", extra=(("subject", "/srv/other"),))
    root = junit(replace(report_input, findings=(first, second), errors=()))
    (case,) = root.findall("testsuite[@name='hardcoded-path']/testcase")
    assert [f.get("message") for f in case.findall("failure")] == [
        "/var/lib/ehr/uploads is host data the app writes", "second subject",
    ]
    assert root.get("failures") == "1" and root.get("tests") == "7"


def test_junit_survives_control_characters(report_input):
    finding = replace(FINDINGS[1], message="bad \x00 byte \x1b[31m in a message")
    root = junit(replace(report_input, findings=(finding,), errors=()))
    failure = root.find(".//failure")
    assert failure.get("message") == "bad \ufffd byte \ufffd[31m in a message"


def test_junit_without_rules_or_findings(report_input):
    root = junit(replace(report_input, findings=(), errors=(), rules=()))
    assert dict(root.attrib) == {
        "name": "saltscan", "tests": "0", "failures": "0", "errors": "0", "skipped": "0",
    }
    assert list(root) == []
