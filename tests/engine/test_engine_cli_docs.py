"""``saltscan rules`` / ``saltscan explain``, and the generated docs being up to date."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from saltscan.cli.rules import explain_command, rules_command
from saltscan.engine.docs import generated_files
from saltscan.engine.registry import builtin_rules

ROOT = Path(__file__).resolve().parents[2]


def test_rules_text_and_json():
    text = CliRunner().invoke(rules_command, [])
    assert text.exit_code == 0
    line = next(x for x in text.output.splitlines() if x.startswith("SS201 "))
    assert line.split()[:4] == ["SS201", "environ-setenv-credential", "env-credential", "high"]
    rows = json.loads(CliRunner().invoke(rules_command, ["--format", "json"]).output)
    assert [r["code"] for r in rows] == sorted(r.code for r in builtin_rules())
    assert rows[0]["help_uri"].endswith("/docs/rules/SS101.md")


def test_explain_by_code_and_name():
    out = CliRunner().invoke(explain_command, ["ss505"])
    assert out.exit_code == 0
    assert out.output.startswith("# SS505 requisite-cycle\n")
    assert "## Problematic" in out.output and "| Category | `ordering` |" in out.output
    assert CliRunner().invoke(explain_command, ["requisite-cycle"]).output == out.output
    missing = CliRunner().invoke(explain_command, ["SS999"])
    assert missing.exit_code == 2 and "no rule 'SS999'" in missing.output


def test_rules_dir_option(tmp_path):
    (tmp_path / "mine.py").write_text((ROOT / "tests/engine/test_engine_registry.py").read_text()
                                      .split("PLUGIN = '''")[1].split("'''")[0])
    out = CliRunner().invoke(rules_command, ["--rules-dir", str(tmp_path)])
    assert out.output.splitlines()[0].startswith("ACME101  no-tmp-cwd")


def test_committed_docs_are_generated_from_the_rules():
    files = generated_files(builtin_rules())
    stale = [rel for rel, text in files.items()
             if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != text]
    extra = sorted(p.name for p in (ROOT / "docs/rules").glob("SS*.md")
                   if f"docs/rules/{p.name}" not in files)
    assert (stale, extra) == ([], []), "run: python tools/gen_rule_docs.py"
