import json
from dataclasses import replace

from report_sample import FINDINGS

from saltscan.report import render_report


def issues(data):
    return json.loads(render_report("codeclimate", data))


def test_codeclimate_issues(report_input):
    result = issues(report_input)
    # The suppressed SS202 finding is left out: the format cannot mark it suppressed.
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"],
             i["severity"], i["categories"]) for i in result] == [
        ("SS301", "pillar/ehr/init.sls", 4, "blocker", ["Security"]),
        ("SS301", "pillar/ehr/init.sls", 8, "blocker", ["Security"]),
        ("SS001", "salt/ehr/broken.sls", 3, "critical", ["Bug Risk"]),
        ("SS201", "salt/ehr/worker.sls", 2, "critical", ["Security"]),
        ("SS102", "salt/ehr/worker.sls", 5, "minor", ["Compatibility"]),
        ("SS101", "salt/ehr/worker.sls", 7, "major", ["Compatibility"]),
    ]
    assert result[3] == {
        "type": "issue",
        "engine_name": "saltscan",
        "check_name": "SS201",
        "description": "SS201 environ-setenv-credential: CELERY_BROKER_URL carries a "
        "credential from pillar ehr:redis:password",
        "content": {
            "body": "**SS201 environ-setenv-credential** [env-credential]\n\n"
            "State `celery-env` (environ.setenv) in `ehr.worker`.\n\n"
            "Minions: worker01, worker02 (+5 more).\n\n"
            "Help: inject CELERY_BROKER_URL at run time from a secret store"
        },
        "categories": ["Security"],
        "severity": "critical",
        "fingerprint": FINDINGS[0].fingerprint,
        "location": {"path": "salt/ehr/worker.sls", "lines": {"begin": 2}},
    }
    assert result[0]["description"] == (
        "SS301 plaintext-pillar-secret: ehr:db:password is stored in clear (****)"
    )


def test_codeclimate_fingerprints_unique(report_input):
    # Same rule, file, state and subject on two lines: one Finding.fingerprint, but
    # GitLab needs distinct issue fingerprints.
    first = FINDINGS[1]
    second = replace(first, location=replace(first.location, line=9))
    assert first.fingerprint == second.fingerprint
    result = issues(replace(report_input, findings=(second, first)))
    fingerprints = [i["fingerprint"] for i in result]
    assert fingerprints[0] == first.fingerprint
    assert len(set(fingerprints)) == 2 and all(len(f) == 32 for f in fingerprints)
    assert issues(replace(report_input, findings=(first, second))) == result


def test_codeclimate_empty(report_input):
    assert render_report("codeclimate", replace(report_input, findings=())) == "[]\n"
