import json
from dataclasses import replace

import pytest
from report_sample import FINDINGS

from saltscan.model import SourceLocation
from saltscan.report import (
    BaselineError,
    BaselineResult,
    apply_baseline,
    load_baseline,
    write_baseline,
)
from saltscan.report.baseline import BaselineEntry, baseline_text

CELERY, UPLOADS, ENDPOINT, MIGRATE, DB_SECRET, SMTP_SECRET, RENDER = FINDINGS


def test_write_baseline_file(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(reversed(FINDINGS), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 1 and document["tool"] == "saltscan"
    # Sorted by file, rule, state, pillar key; the suppressed SS202 is not baselined.
    entries = document["fingerprints"]
    assert [(e["file"], e["rule"], e["state"], e["pillar_key"]) for e in entries] == [
        ("pillar/ehr/init.sls", "SS301", None, "ehr:db:password"),
        ("pillar/ehr/init.sls", "SS301", None, "ehr:mail:smtp_password"),
        ("salt/ehr/broken.sls", "SS001", None, None),
        ("salt/ehr/worker.sls", "SS101", "/var/lib/ehr/uploads", None),
        ("salt/ehr/worker.sls", "SS102", "celery-env", None),
        ("salt/ehr/worker.sls", "SS201", "celery-env", None),
    ]
    assert document["fingerprints"][0]["fingerprint"] == DB_SECRET.fingerprint
    # No line numbers, messages or values: nothing that churns, nothing secret.
    assert set(entries[0]) == {"fingerprint", "rule", "file", "state", "pillar_key"}
    assert path.read_text(encoding="utf-8") == baseline_text(FINDINGS)


def test_round_trip_and_apply(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline((CELERY, UPLOADS, DB_SECRET), path)
    baseline = load_baseline(path)
    assert baseline.entries[0] == BaselineEntry(
        DB_SECRET.fingerprint, "SS301", "pillar/ehr/init.sls", None, "ehr:db:password",
    )
    # CELERY moved 10 lines down: still baselined. UPLOADS was fixed: disappeared.
    moved = replace(CELERY, location=SourceLocation("salt/ehr/worker.sls", 12))
    new, result = apply_baseline((moved, DB_SECRET, ENDPOINT, MIGRATE), baseline)
    assert new == (ENDPOINT, MIGRATE)
    assert result == BaselineResult(baselined=2, disappeared=(UPLOADS.fingerprint,))


def test_suppressed_finding_is_not_counted_as_baselined_nor_disappeared(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline((CELERY,), path)
    suppressed = replace(CELERY, suppressed=True, suppression_reason="accepted")
    new, result = apply_baseline((suppressed,), load_baseline(path))
    assert new == (suppressed,)
    assert result == BaselineResult(baselined=0, disappeared=())


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON (line 1, column 2)"),
        ("[]", "not a saltscan baseline (no 'fingerprints' list)"),
        ('{"version": 7, "fingerprints": []}', "baseline version 7 is not supported"),
        ('{"version": 1, "fingerprints": {}}', "'fingerprints' must be a list"),
        ('{"version": 1, "fingerprints": ["abc"]}', "fingerprints[0]: must be an object"),
        ('{"version": 1, "fingerprints": [{"fingerprint": "XYZ"}]}',
         "fingerprints[0]: 'fingerprint' must be 32 lowercase hex digits"),
        ('{"version": 1, "fingerprints": [{"fingerprint": "' + "a" * 32 + '", "rule": 5}]}',
         "fingerprints[0]: 'rule' must be a string or null"),
    ],
)
def test_invalid_baseline_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as excinfo:
        load_baseline(path)
    assert str(excinfo.value).startswith(f"{path}: ")
    assert message in str(excinfo.value)


def test_missing_or_unreadable_baseline(tmp_path):
    with pytest.raises(BaselineError, match="baseline file not found"):
        load_baseline(tmp_path / "absent.json")
    (tmp_path / "latin1.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(BaselineError, match="cannot read baseline"):
        load_baseline(tmp_path / "latin1.json")
    with pytest.raises(BaselineError, match="cannot read baseline"):
        load_baseline(tmp_path)  # a directory
    assert issubclass(BaselineError, ValueError)
