"""Inline suppressions: ``saltscan: disable``, ``disable-file``, Jinja comments, noqa."""

from __future__ import annotations

from saltscan.engine.suppression import apply_suppressions, parse_suppressions
from saltscan.findings import Category, Finding, Severity
from saltscan.model import SourceLocation

TEXT = """\
# saltscan: disable-file=SS902 -- modes are checked by the packaging team
# saltscan: disable=SS101 -- legacy box, retired in Q3
ehr-logs:
  file.directory:
    - name: /var/log/ehr
celery-env:
  environ.setenv:
    - name: CELERY_BROKER_URL  # saltscan: disable=SS201,environ-get-secret -- rotated weekly
    - value: x
{# saltscan: disable=SS401 #}
db-check:
  cmd.run:
    - name: pg_isready -h db01   # noqa: 207
    - mode: 644 # noqa
"""


def finding(rule: str, line: int, name: str = "x") -> Finding:
    return Finding(rule, name, Category.STYLE, Severity.LOW, "m", SourceLocation("a.sls", line))


def test_parse_lines_and_scopes():
    table = parse_suppressions(TEXT)
    assert [s.codes for s in table.whole_file] == [frozenset({"SS902"})]
    lines = {n: [(sorted(s.codes), sorted(s.salt_lint), s.noqa, s.reason) for s in ss]
             for n, ss in table.by_line}
    assert lines == {
        3: [(["SS101"], [], False, "legacy box, retired in Q3")],  # the line below the comment
        8: [(["SS201", "environ-get-secret"], [], False, "rotated weekly")],
        11: [(["SS401"], [], False, "saltscan: disable at line 10")],
        13: [([], ["207"], True, "noqa: 207 at line 13")],
        14: [([], [], True, "noqa at line 14")],
    }


def test_apply_marks_and_keeps_findings():
    state_lines = {"SS101": [3]}  # a finding inside the state block, via its ID line
    out = apply_suppressions(
        [finding("SS101", 5), finding("SS201", 8, "environ-setenv-credential"),
         finding("SS205", 8), finding("SS401", 11), finding("SS902", 40),
         finding("SS902", 13), finding("SS101", 13), finding("SS303", 14)],
        read_text=lambda f: TEXT if f == "a.sls" else None,
        extra_lines=lambda f: state_lines.get(f.rule, []) if f.location.line == 5 else [],
        salt_lint_of=lambda code: ("207",) if code == "SS902" else (),
    )
    assert [(f.rule, f.location.line, f.suppressed, f.suppression_reason) for f in out] == [
        ("SS101", 5, True, "legacy box, retired in Q3"),
        ("SS201", 8, True, "rotated weekly"),
        ("SS205", 8, False, None),
        ("SS401", 11, True, "saltscan: disable at line 10"),
        ("SS902", 40, True, "modes are checked by the packaging team"),
        ("SS902", 13, True, "modes are checked by the packaging team"),
        ("SS101", 13, False, None),  # noqa: 207 is salt-lint's code: only its equivalents
        ("SS303", 14, True, "noqa at line 14"),  # bare noqa: everything on the line
    ]


def test_unreadable_file_suppresses_nothing():
    out = apply_suppressions([finding("SS101", 1)], read_text=lambda f: None,
                             extra_lines=lambda f: [], salt_lint_of=lambda c: ())
    assert not out[0].suppressed
