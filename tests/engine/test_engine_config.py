"""``.saltscan.yml``: discovery, validation errors, selectors, severities, options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from saltscan.engine.config import (
    Allowlist,
    Config,
    ConfigError,
    find_config,
    load_config,
    parse_config,
    resolve_config,
)
from saltscan.engine.config_schema import CONFIG_SCHEMA, structural_errors
from saltscan.engine.registry import load_registry
from saltscan.findings import Severity

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registry():
    return load_registry(entry_points=False)


def rule(registry, code):
    return registry.get(code)


def test_find_config_walks_up_to_the_git_root(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "salt" / "ehr").mkdir(parents=True)
    (tmp_path / ".saltscan.yml").write_text("disable: [style]\n")  # above the git root
    assert find_config(repo / "salt" / "ehr") is None
    (repo / ".saltscan.yml").write_text("disable: [style]\n")
    assert find_config(repo / "salt" / "ehr") == (repo / ".saltscan.yml").resolve()


def test_without_git_root_only_the_scanned_directory(tmp_path):
    (tmp_path / "tree").mkdir()
    (tmp_path / ".saltscan.yml").write_text("disable: [style]\n")
    assert find_config(tmp_path / "tree") is None
    assert find_config(tmp_path) == (tmp_path / ".saltscan.yml").resolve()


def test_explicit_file_overrides_the_search(tmp_path):
    (tmp_path / ".saltscan.yml").write_text("disable: [style]\n")
    other = tmp_path / "other.yml"
    other.write_text("disable: [SS101]\n")
    assert resolve_config(tmp_path, other).disable == ("SS101",)
    assert resolve_config(tmp_path).disable == ("style",)
    (tmp_path / "elsewhere").mkdir()
    assert resolve_config(tmp_path / "elsewhere") == Config()


@pytest.mark.parametrize("text, message", [
    ("rules:\n  SS101:\n    severity: fatal\n", "rules.SS101.severity: 'fatal' is not one of"),
    ("disable: SS101\n", "disable: 'SS101' is not of type 'array'"),
    ("allowlist:\n  hostz: [a]\n", "allowlist.hostz: unknown key"),
    ("enable: [1]\n", "enable[0]: 1 is not of type 'string'"),
    ("rules: [1, 2\n", "line 2: invalid YAML"),
])
def test_validation_errors_name_file_and_key(tmp_path, text, message):
    path = tmp_path / ".saltscan.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_structural_fallback_checks_the_same_schema():
    data = {"rules": {"SS101": {"severity": "fatal", "ignore": "x"}}, "bogus": 1}
    assert sorted(structural_errors(data, CONFIG_SCHEMA)) == [
        (("bogus",), "unknown key"),
        (("rules", "SS101", "ignore"), "expected array, got string"),
        (("rules", "SS101", "severity"), "'fatal' is not one of: critical, high, medium, low, info"),
    ]


def test_selectors_most_specific_wins(registry):
    config = parse_config({"disable": ["hardcoded-path", "SS902"], "enable": ["SS102", "style"]})
    assert not config.is_enabled(rule(registry, "SS101"))
    assert config.is_enabled(rule(registry, "SS102"))  # code beats category
    assert not config.is_enabled(rule(registry, "SS902"))  # code beats category
    assert config.is_enabled(rule(registry, "SS901"))
    assert parse_config({"disable": ["all"], "enable": ["secrets"]}).is_enabled(rule(registry, "SS301"))
    assert not parse_config({"disable": ["all"], "enable": ["secrets"]}).is_enabled(rule(registry, "SS101"))
    tie = parse_config({"enable": ["SS101"], "disable": ["host-path-argument"]})
    assert not tie.is_enabled(rule(registry, "SS101"))


def test_severity_overrides_and_options(registry):
    config = parse_config({"rules": {
        "hardcoded-path": {"severity": "low", "options": {"app_dirs": ["/srv/ehr"]}},
        "SS102": {"severity": "critical"},
    }})
    assert config.severity_for(rule(registry, "SS101")) is Severity.LOW
    assert config.severity_for(rule(registry, "SS102")) is Severity.CRITICAL
    assert config.severity_for(rule(registry, "SS201")) is Severity.HIGH
    assert config.options_for(rule(registry, "SS101")).app_dirs == ("/srv/ehr",)
    assert config.options_for(rule(registry, "SS201")) == rule(registry, "SS201").Options()
    config.check_against(registry.rules)


@pytest.mark.parametrize("data, message", [
    ({"disable": ["SS999"]}, "disable[0]: 'SS999' matches no rule"),
    ({"rules": {"SS101": {"options": {"nope": 1}}}}, "rules.SS101.options.nope: SS101 has no option 'nope'"),
    ({"rules": {"SS101": {"options": {"app_dirs": "/x"}}}}, "rules.SS101.options.app_dirs: expected a list"),
    ({"rules": {"style": {"options": {"app_dirs": []}}}}, "no rule matching 'style' has an option 'app_dirs'"),
])
def test_check_against_the_registry(registry, data, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config(data, Path("cfg.yml")).check_against(registry.rules)


def test_ignores_global_and_per_rule(registry):
    config = parse_config({"ignore": ["salt/vendor/*"], "rules": {"SS101": {"ignore": ["salt/legacy"]}}})
    assert config.ignores(rule(registry, "SS201"), "salt/vendor/a/b.sls")
    assert config.ignores(rule(registry, "SS101"), "salt/legacy/x.sls")
    assert not config.ignores(rule(registry, "SS102"), "salt/legacy/x.sls")
    assert not config.ignores(rule(registry, "SS101"), "salt/legacy2/x.sls")


def test_allowlist_matching():
    allow = Allowlist(paths=("/srv/shared", "/data/*/tmp"), hosts=("*.corp", "10.20.0.0/16", "db01"),
                      env_vars=("PG*",))
    assert allow.allows_path("/srv/shared/x") and not allow.allows_path("/srv/sharedx")
    assert allow.allows_path("/data/a/tmp")
    assert allow.allows_host("API.corp") and allow.allows_host("10.20.3.4") and allow.allows_host("db01")
    assert not allow.allows_host("10.21.0.1") and not allow.allows_host("db02")
    assert allow.allows_env_var("PGPASSWORD") and not allow.allows_env_var("DB_PASSWORD")


def test_committed_schema_is_the_generated_one():
    committed = json.loads((ROOT / "docs/schemas/config.schema.json").read_text())
    assert committed == CONFIG_SCHEMA
