import importlib.util
import sys
import types
from dataclasses import replace

import pytest
from report_sample import DB_PASSWORD, FINDINGS, SECRET_VALUES, SMTP_PASSWORD

from saltscan.report import FORMATS, render_report
from saltscan.report.redact import MASK, ReportRedactor, _shared_redact, mask_secret_line


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("color", [False, True])
def test_no_secret_value_in_any_format(report_input, fmt, color):
    output = render_report(fmt, report_input, color=color)
    # The planted values are really in the input (messages, hints, reasons, errors,
    # source lines): the test would fail without the redactor.
    assert MASK in output
    for value in SECRET_VALUES + (SMTP_PASSWORD,):
        assert value not in output
        for piece in ("S3cr3t", "r3d1s", "<w0rd>", "Mail-Pa55"):
            assert piece not in output


def test_redaction_is_needed(report_input):
    """Without secret values, the planted ones do appear: the masking test can fail."""
    output = render_report("json", replace(report_input, secret_values=()))
    assert DB_PASSWORD in output


def test_redactor_values_and_escaped_forms():
    redact = ReportRedactor(SECRET_VALUES)
    assert redact(f"a {DB_PASSWORD} b") == f"a {MASK} b"
    assert redact('r3d1s-\\"Pa55\\"<w0rd>') == MASK  # as JSON writes it
    assert redact("r3d1s-&quot;Pa55&quot;&lt;w0rd&gt;") == MASK  # as XML writes it
    assert redact("nothing here") == "nothing here"
    assert ReportRedactor(())("S3cr3t-Db-Pa55") == "S3cr3t-Db-Pa55"


def test_redactor_masks_longest_value_whole():
    redact = ReportRedactor(("abcd", "abcdefgh"))
    assert redact("xx abcdefgh yy abcd") == f"xx {MASK} yy {MASK}"


def test_redactor_multiline_value_masked_line_by_line():
    key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n"
    redact = ReportRedactor((key,))
    assert redact("    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC") == f"    {MASK}"
    assert redact(key) == f"{MASK}"


def test_numeric_values_are_matched_as_written():
    assert ReportRedactor((918273, True, None))("pin 918273, flag True") == f"pin {MASK}, flag True"


def test_short_values_are_not_masked_everywhere():
    # "abc" would garble every word containing it; it is masked on its source line.
    redact = ReportRedactor(("abc",))
    assert redact("tabc abc") == "tabc abc"


def test_redactor_deep():
    redact = ReportRedactor((DB_PASSWORD,))
    assert redact.deep({DB_PASSWORD: [DB_PASSWORD, 3, None, {"k": f"x{DB_PASSWORD}"}]}) == {
        MASK: [MASK, 3, None, {"k": f"x{MASK}"}]
    }


@pytest.mark.parametrize(
    "line, masked",
    [
        ("    password: hunter2", f"    password: {MASK}"),
        ("  db_pass: 'x y z'  # comment", f"  db_pass: {MASK}"),
        ('  "token": "abc",', f'  "token": {MASK}'),
        ("  - api_key: abc", f"  - api_key: {MASK}"),
        ("  url: postgres://u:pw@db01/ehr", f"  url: {MASK}"),
        ("export PGPASSWORD=pw", f"export PGPASSWORD={MASK}"),
        ("DB_PASSWORD = pw", f"DB_PASSWORD = {MASK}"),
        ("    - PGPASSWORD=pw", f"    - PGPASSWORD={MASK}"),
        ("  tls_key: |", "  tls_key: |"),  # the value is on the next lines
        ("    MIIEvQIBADANBgkq", f"    {MASK}"),  # a line of a block scalar
        ("{% set pw = 'x' %}", MASK),
        ("", ""),
    ],
)
def test_mask_secret_line(line, masked):
    assert mask_secret_line(line) == masked


def test_secret_line_masked_whoever_shows_it(report_input, source_root):
    """A style finding on the line of a plaintext secret must not print the value,
    even when the value is unknown to the redactor."""
    smtp_secret = FINDINGS[5]
    style = replace(FINDINGS[1], location=smtp_secret.location, state=None)
    data = replace(report_input, findings=(style, replace(smtp_secret, suppressed=True)))
    text = render_report("text", data)
    assert f"8 |     smtp_password: {MASK}" in text
    assert SMTP_PASSWORD not in text


def _fake_secrets(monkeypatch, redactor_class):
    module = types.ModuleType("saltscan.secrets")
    module.Redactor = redactor_class
    monkeypatch.setitem(sys.modules, "saltscan.secrets", module)


def test_project_redactor_runs_first_when_present(monkeypatch):
    class PatternRedactor:  # stands in for saltscan.secrets.Redactor
        def __init__(self, values):
            self.values = values

        def redact(self, text):
            return text.replace("AKIAABCDEFGHIJKLMNOP", "<aws key>")

    _fake_secrets(monkeypatch, PatternRedactor)
    redact = ReportRedactor((DB_PASSWORD,))
    assert redact(f"AKIAABCDEFGHIJKLMNOP {DB_PASSWORD}") == f"<aws key> {MASK}"


def test_broken_project_redactor_falls_back_to_local(monkeypatch):
    class Exploding:
        def __init__(self, values):
            pass

        def redact(self, text):
            raise RuntimeError(f"cannot mask {text}")

    _fake_secrets(monkeypatch, Exploding)
    assert ReportRedactor((DB_PASSWORD,))(f"x {DB_PASSWORD}") == f"x {MASK}"

    class OtherSignature:
        def __init__(self):
            pass

    _fake_secrets(monkeypatch, OtherSignature)
    assert ReportRedactor((DB_PASSWORD,))(f"x {DB_PASSWORD}") == f"x {MASK}"


@pytest.mark.skipif(
    importlib.util.find_spec("saltscan.secrets") is None, reason="saltscan.secrets not written yet"
)
def test_project_redactor_interface_matches():
    """When saltscan.secrets exists, its Redactor(values).redact(text) is what we call:
    this fails (rather than silently falling back) if the interface differs."""
    assert _shared_redact((DB_PASSWORD,)) is not None


def _endpoint_on(file, line, column):
    from saltscan.findings import Category, Finding, Severity
    from saltscan.model import SourceLocation

    return Finding(
        rule="SS102", name="hardcoded-endpoint", category=Category.HARDCODED_ENDPOINT,
        severity=Severity.LOW, message="db01 is a literal host",
        location=SourceLocation(file, line, column),
    )


@pytest.mark.skipif(
    importlib.util.find_spec("saltscan.secrets") is None, reason="saltscan.secrets not written yet"
)
def test_literal_secret_on_a_shown_source_line_is_masked(report_input, source_root):
    """A password written in a state (no pillar value lists it) on the line another
    finding shows: masked by its shape."""
    (source_root / "salt/backup.sls").write_text(
        "backup:\n  cmd.run:\n    - name: mysqldump -pW1ldHunter2x -h db01 ehr\n"
    )
    data = replace(report_input, findings=(_endpoint_on("salt/backup.sls", 3, 41),), errors=())
    text = render_report("text", data)
    assert "W1ldHunter2x" not in text
    assert f"3 |     - name: mysqldump -p{MASK} -h db01 ehr\n" in text


def test_failing_shape_masker_does_not_stop_the_report(monkeypatch, report_input):
    module = types.ModuleType("saltscan.secrets")

    def mask_text(text):
        raise RuntimeError("boom")

    module.mask_text = mask_text
    monkeypatch.setitem(sys.modules, "saltscan.secrets", module)
    text = render_report("text", report_input)
    assert "2 | celery-env:\n" in text and DB_PASSWORD not in text
