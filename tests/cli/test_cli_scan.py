"""The command line end to end on the demo tree: exit codes, formats, schema, masking."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from saltscan.cli import main

REPO = Path(__file__).resolve().parents[2]
EHR = REPO / "fixtures" / "ehr-platform"
SCHEMA = REPO / "docs" / "schemas" / "report.schema.json"


@pytest.fixture(scope="module")
def json_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("scan") / "r.json"
    result = CliRunner().invoke(main, ["scan", str(EHR), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1, result.output
    return json.loads(out.read_text())


def test_json_report_is_schema_valid(json_report):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json_report, json.loads(SCHEMA.read_text()))
    assert json_report["schema_version"] == 1
    assert json_report["tree"]["state_roots"] == ["salt"]
    assert json_report["tree"]["pillar_roots"] == ["pillar"]
    assert "app01" in json_report["tree"]["minions"]


def test_json_report_points_at_original_source(json_report):
    by_key = {(f["rule"], f["location"]["file"], f["pillar_key"]): f for f in json_report["findings"]}
    pw = by_key[("SS301", "pillar/ehr/db.sls", "ehr:db:password")]
    assert pw["location"]["line"] == 8
    assert pw["state"] is None
    assert pw["category"] == "plaintext-secret"
    assert "(untargeted)" not in pw["minions"]
    cycle = sorted((f["location"]["file"], f["location"]["line"]) for f in json_report["findings"] if f["name"] == "requisite-cycle")
    assert cycle == [("salt/billing/spool.sls", 1)]


def test_no_secret_value_in_any_output(json_report, tmp_path):
    from saltscan.pipeline import ScanOptions, load_model
    from saltscan.scan import secret_values

    values = [v for v in secret_values(load_model(ScanOptions(EHR))) if len(v) >= 6]
    assert len(values) > 10
    runner = CliRunner()
    outputs = []
    for fmt in ("text", "json", "sarif", "junit", "codeclimate"):
        res = runner.invoke(main, ["scan", str(EHR), "--format", fmt, "--color", "never"])
        outputs.append(res.output)
    res = runner.invoke(main, ["render", str(EHR), "--minion", "app01"])
    outputs.append(res.output)
    res = runner.invoke(main, ["render", str(EHR), "--minion", "db01", "--pillar", "--format", "yaml"])
    outputs.append(res.output)
    blob = "\n".join(outputs)
    leaked = [v[:4] + "..." for v in values if v in blob]
    assert leaked == []


def test_exit_codes_follow_fail_on(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(EHR), "--fail-on", "critical", "--format", "json"]).exit_code == 0
    assert runner.invoke(main, ["scan", str(EHR), "--fail-on", "high", "--format", "json"]).exit_code == 1
    assert runner.invoke(main, ["scan", str(tmp_path / "missing")]).exit_code == 2


def test_verbose_says_what_was_found():
    res = CliRunner().invoke(main, ["scan", str(EHR), "-v", "--format", "json", "-o", "/dev/null"])
    assert "read master config master" in res.output
    assert "state roots [base]: salt" in res.output
    assert "14 grains profiles in grains/" in res.output


def test_render_prints_salt_structures():
    res = CliRunner().invoke(main, ["render", str(EHR), "--minion", "app01", "--low", "--sls", "ehr.web"])
    assert res.exit_code == 0, res.output
    low = json.loads(res.stdout if hasattr(res, "stdout") else res.output)
    ids = {(c["__id__"], c["state"], c["fun"]) for c in low}
    assert ("nginx-service", "service", "running") in ids
    assert all(c["__sls__"] in ("ehr.web",) or c["__sls__"].startswith("ehr") or c["__sls__"].startswith("common") for c in low)


def test_parallel_jobs_give_the_same_report(monkeypatch):
    import saltscan.render.tree as tree_module

    pools = []
    real = tree_module._render_parallel

    def spy(tree, options, limits, progress=None):
        pools.append(options.jobs)
        return real(tree, options, limits, progress)

    monkeypatch.setattr(tree_module, "_render_parallel", spy)
    runner = CliRunner()
    one = runner.invoke(main, ["scan", str(EHR), "--format", "json"]).output
    assert pools == []
    two = runner.invoke(main, ["scan", str(EHR), "--format", "json", "--jobs", "2"]).output
    assert pools == [2]  # --jobs reached the renderer, which used worker processes
    assert one == two
    assert json.loads(one)["findings"]


def test_host_facts_answer_host_queries_and_bad_files_exit_2(tmp_path):
    tree = tmp_path / "t"
    (tree / "salt").mkdir(parents=True)
    (tree / "salt" / "top.sls").write_text("base:\n  '*':\n    - a\n")
    (tree / "salt" / "a.sls").write_text(
        "{% if salt['cmd.has_exec']('git') %}\ngit-ok:\n  test.nop: []\n{% else %}\nno-git:\n  test.nop: []\n{% endif %}\n"
    )
    facts = tmp_path / "facts.yaml"
    facts.write_text("executables: [git]\n")
    runner = CliRunner()
    assert '"no-git"' in runner.invoke(main, ["render", str(tree)]).output
    assert '"git-ok"' in runner.invoke(main, ["render", str(tree), "--host-facts", str(facts)]).output
    facts.write_text("executables: git\n")
    res = runner.invoke(main, ["scan", str(tree), "--host-facts", str(facts)])
    assert res.exit_code == 2
    assert "'executables' must be a list of strings" in res.output
