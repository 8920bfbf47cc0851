import re
from dataclasses import replace

from saltscan.findings import Category, Finding, Severity, StateRef
from saltscan.model import SourceLocation
from saltscan.report import BaselineResult, render_report
from saltscan.report.common import collapse_minions
from saltscan.report.text import _marker_span

EXPECTED = """\
pillar/ehr/init.sls
critical SS301 plaintext-pillar-secret [plaintext-secret]: ehr:db:password is stored in clear (****)
 --> pillar/ehr/init.sls:4:5
  |
4 |     password: ****
  |     ^^^^^^^^
  = pillar: ehr:db:password
  = minions: app01, app02, db01
  = help: encrypt it with gpg, not ****

critical SS301 plaintext-pillar-secret [plaintext-secret]: ehr:mail:smtp_password is stored in clear
 --> pillar/ehr/init.sls:8:5
  |
8 |     smtp_password: ****
  |     ^^^^^^^^^^^^^
  = pillar: ehr:mail:smtp_password
  = minions: app01

salt/ehr/broken.sls
high SS001 render-error [correctness]: YAML: mapping values are not allowed here
 --> salt/ehr/broken.sls:3:16
  |
3 |     - name: ehr: x
  |                ^

salt/ehr/worker.sls
high SS201 environ-setenv-credential [env-credential]: CELERY_BROKER_URL carries a credential from pillar ehr:redis:password
 --> salt/ehr/worker.sls:2:1
  |
2 | celery-env:
  | ^^^^^^^^^^
  = state: celery-env (environ.setenv) in ehr.worker
  = minions: worker01, worker02 (+5 more)
  = help: inject CELERY_BROKER_URL at run time from a secret store

low SS102 hardcoded-endpoint [hardcoded-endpoint]: redis01.corp.example is a literal host
 --> salt/ehr/worker.sls:5:39
  |
5 |     - value: redis://:{{ broker_pw }}@redis01.corp.example:6379/0
  |                                       ^^^^^^^^^^^^^^^^^^^^
  = state: celery-env (environ.setenv) in ehr.worker
  = minions: worker01, worker02, worker03

medium SS101 hardcoded-data-path [hardcoded-path]: /var/lib/ehr/uploads is host data the app writes
 --> salt/ehr/worker.sls:7:1
  |
7 | /var/lib/ehr/uploads:
  | ^^^^^^^^^^^^^^^^^^^^
  = state: /var/lib/ehr/uploads (file.directory) in ehr.worker
  = minions: app01, app02
  = help: mount a volume for uploads

input errors
error[yaml] salt/ehr/broken.sls:3:16: mapping values are not allowed here near '****' (sls ehr.broken)
error[top-file] salt/top.sls:4:1: top.sls: no minion matches 'legacy*'

Found 6 findings: 2 critical, 2 high, 1 medium, 1 low
By category: hardcoded-path 1, hardcoded-endpoint 1, env-credential 1, plaintext-secret 2, correctness 1
1 suppressed finding not shown.
2 input errors.
"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_text_report_exact(report_input):
    assert render_report("text", report_input) == EXPECTED


def test_suppressed_finding_is_only_counted(report_input):
    text = render_report("text", report_input)
    assert "SS202" not in text and "ehr-migrate" not in text
    assert "1 suppressed finding not shown." in text


def test_color_only_when_asked(report_input):
    plain = render_report("text", report_input, color=False)
    colored = render_report("text", report_input, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31mcritical\x1b[0m \x1b[1mSS301\x1b[0m plaintext-pillar-secret" in colored
    # Colour changes nothing but the escape codes.
    assert ANSI.sub("", colored) == plain


def test_without_source_root_no_snippet(report_input):
    text = render_report("text", replace(report_input, source_root=None))
    assert " --> salt/ehr/worker.sls:2:1\n  = state: celery-env" in text
    assert "celery-env:\n" not in text


def test_unreadable_or_short_file_shows_no_snippet(report_input, source_root):
    (source_root / "salt/ehr/worker.sls").unlink()
    text = render_report("text", report_input)
    assert " --> salt/ehr/worker.sls:7:1\n  = state: /var/lib/ehr/uploads" in text
    # db.sls has 3 lines; a finding on line 40 of it shows no source.
    beyond = Finding(
        rule="SS101", name="hardcoded-data-path", category=Category.HARDCODED_PATH,
        severity=Severity.MEDIUM, message="x", location=SourceLocation("salt/ehr/db.sls", 40),
    )
    text = render_report("text", replace(report_input, findings=(beyond,), errors=()))
    assert text.splitlines()[:3] == [
        "salt/ehr/db.sls",
        "medium SS101 hardcoded-data-path [hardcoded-path]: x",
        "  --> salt/ehr/db.sls:40:1",
    ]


def test_empty_report_with_baseline(report_input):
    data = replace(
        report_input, findings=(), errors=(),
        baseline=BaselineResult(baselined=3, disappeared=("a" * 32, "b" * 32)),
    )
    assert render_report("text", data) == (
        "No findings.\n"
        "3 findings accepted by the baseline; 2 baseline entries no longer found"
        " (fixed: refresh the baseline).\n"
    )


def _finding(line, column, state_id=None, subject=None):
    return Finding(
        rule="SS1", name="n", category=Category.STYLE, severity=Severity.INFO, message="m",
        location=SourceLocation("f.sls", 1, column),
        state=StateRef(state_id, "pkg.installed", "s") if state_id else None,
        extra=(("subject", subject),) if subject else (),
    )


def test_marker_span():
    line = "  - name: /srv/data/uploads, other"
    # Column on leading whitespace: the marker moves to the first token.
    assert _marker_span(line, _finding(line, 1)) == (2, 1)
    # A token: trailing punctuation is not underlined.
    assert _marker_span(line, _finding(line, 11)) == (10, len("/srv/data/uploads"))
    # The subject, when it is there, wins over the token.
    assert _marker_span(line, _finding(line, 11, subject="/srv/data")) == (10, 9)
    # A state ID with spaces is underlined whole.
    assert _marker_span("install ehr app:", _finding(line, 1, "install ehr app")) == (0, 15)
    # Past the end of the line: one caret after it.
    assert _marker_span("abc", _finding(line, 9)) == (3, 1)


def test_tab_indented_line_keeps_marker_aligned(report_input, source_root):
    (source_root / "salt/tabs.sls").write_text("x:\n\t- name: /srv/data\n")
    finding = Finding(
        rule="SS101", name="hardcoded-data-path", category=Category.HARDCODED_PATH,
        severity=Severity.MEDIUM, message="m", location=SourceLocation("salt/tabs.sls", 2, 10),
    )
    text = render_report("text", replace(report_input, findings=(finding,), errors=()))
    assert "2 | \t- name: /srv/data\n  | \t        ^^^^^^^^^\n" in text


def test_collapse_minions():
    assert collapse_minions(()) == ""
    assert collapse_minions(("b", "a")) == "a, b"
    assert collapse_minions(("c", "a", "b")) == "a, b, c"
    assert collapse_minions(tuple(f"app{n:02d}" for n in range(7, 0, -1))) == (
        "app01, app02 (+5 more)"
    )


def test_control_characters_cannot_drive_the_terminal(report_input, source_root):
    (source_root / "salt/evil.sls").write_text("x:\n  - name: \x1b]0;owned\x07 \x1b[2J\n")
    finding = Finding(
        rule="SS101", name="hardcoded-data-path", category=Category.HARDCODED_PATH,
        severity=Severity.MEDIUM, message="clear \x1b[2J screen\nand a new line",
        location=SourceLocation("salt/evil.sls", 2, 11), hint="bell\x07",
    )
    text = render_report("text", replace(report_input, findings=(finding,), errors=()))
    assert "\x1b" not in text and "\x07" not in text
    assert (
        "medium SS101 hardcoded-data-path [hardcoded-path]: "
        "clear \\x1b[2J screen\\x0aand a new line\n"
    ) in text
    assert "2 |   - name: \\x1b]0;owned\\x07 \\x1b[2J\n" in text
    assert "  = help: bell\\x07\n" in text
