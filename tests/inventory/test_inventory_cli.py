"""``saltscan inventory``: formats, role and minion selection, drafts, usage errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from invkit import FIXTURE

import saltscan.scan
from saltscan.cli.inventory import inventory_command


@pytest.fixture
def cached_scan(monkeypatch, scan):
    """The session's scan instead of a new one (the options are checked elsewhere)."""
    requests = []

    def fake(request, progress=False):
        requests.append(request)
        return scan

    monkeypatch.setattr(saltscan.scan, "run_scan", fake)
    return requests


def invoke(*args: str):
    return CliRunner().invoke(inventory_command, list(args), catch_exceptions=False)


def test_json_for_one_role(cached_scan):
    result = invoke(str(FIXTURE), "--format", "json", "--role", "web")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [r["name"] for r in data["roles"]] == ["web"]
    assert cached_scan[0].options.path == FIXTURE


def test_markdown_to_a_file_links_back_to_the_sources(cached_scan, tmp_path):
    out = tmp_path / "docs" / "inventory.md"
    fixture_link = FIXTURE.relative_to(FIXTURE.parents[1])  # fixtures/ehr-platform
    result = invoke(str(FIXTURE), "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    text = out.read_text()
    # tmp_path and the fixture share no parent below /, so the link climbs all the way up
    assert f"{fixture_link.as_posix()}/salt/ehr/app.sls#L43)" in text and "[salt/ehr/app.sls:43](" in text


def test_markdown_to_stdout_has_plain_locations(cached_scan):
    result = invoke(str(FIXTURE), "--role", "cache")
    assert result.exit_code == 0
    assert result.output.startswith("# Containerization inventory:")
    assert "## Role `cache`" in result.output and "## Role `web`" not in result.output
    assert "`salt/redis/init.sls:37`" in result.output and "](" not in result.output.split("## Role", 1)[1]


def test_emit_both_drafts(cached_scan, tmp_path):
    result = invoke(str(FIXTURE), "--role", "worker", "--emit", "dockerfile", "--emit", "kubernetes", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "dockerfile" / "worker" / "Dockerfile").exists()
    assert (tmp_path / "kubernetes" / "worker" / "deployment-worker-ehr-celery.yaml").exists()
    assert not (tmp_path / "kubernetes" / "app").exists()


def test_one_minion_is_its_own_group():
    result = invoke(str(FIXTURE), "--minion", "cache01", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [(r["name"], r["role_source"], r["minions"]) for r in data["roles"]] == [("cache01", "minion", ["cache01"])]


@pytest.mark.parametrize("args, message", [
    (["--role", "nope"], "no role 'nope' (roles found: app, billing, cache, db, media, monitoring, scheduler, "
                         "search, web, worker)"),
    (["--emit", "kubernetes"], "--emit needs -o/--output DIR"),
    (["--role", "web", "--minion", "web01"], "use --minion or --role, not both"),
])
def test_usage_errors_exit_2(cached_scan, args, message):
    result = CliRunner().invoke(inventory_command, [str(FIXTURE), *args])
    assert result.exit_code == 2
    assert message in result.output
