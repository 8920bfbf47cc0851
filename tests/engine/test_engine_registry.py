"""The registry: built-ins, --rules-dir files, entry points, validation, RuleInfo."""

from __future__ import annotations

import importlib.metadata
import pytest

from saltscan import api
from saltscan.engine import registry as reg
from saltscan.engine.registry import RegistryError, load_registry, rule_info, validate_rule
from saltscan.engine.rule import CATEGORY_BY_HUNDRED

PLUGIN = '''
from saltscan import api


class NoTmpCwd(api.StateRule):
    """cmd.run in /tmp.

    Problematic::

        x:
          cmd.run:
            - cwd: /tmp

    Correct::

        x:
          cmd.run:
            - cwd: /opt/app
    """

    code = "ACME101"
    name = "no-tmp-cwd"
    category = api.Category.STYLE
    severity = api.Severity.LOW

    def check(self, state, ctx):
        if state.args.get("cwd") == "/tmp":
            yield self.at_state(state, "runs in /tmp", arg="cwd")
'''


def test_builtins_are_valid_and_sorted():
    registry = load_registry(entry_points=False)
    codes = [r.code for r in registry.rules]
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    for r in registry.rules:
        assert r.category is CATEGORY_BY_HUNDRED[int(r.code[2])]
    assert registry.get("SS201") is registry.get("environ-setenv-credential")
    assert registry.get("ss201") is registry.get("SS201")


def test_rule_info_for_the_reporters():
    info = rule_info(load_registry(entry_points=False).get("SS201"))
    assert (info.code, info.name, info.category, info.severity) == (
        "SS201", "environ-setenv-credential", api.Category.ENV_CREDENTIAL, api.Severity.HIGH)
    assert info.summary == "Credential set as an environment variable with ``environ.setenv``."
    assert "Problematic::" not in info.description and "environ.setenv" in info.description
    assert info.help_uri.endswith("/docs/rules/SS201.md")
    assert info.tags == ("secrets", "environment")


def test_rules_dir_loads_user_rules(tmp_path):
    (tmp_path / "acme.py").write_text(PLUGIN)
    (tmp_path / "_helpers.py").write_text("raise RuntimeError('not imported')\n")
    registry = load_registry([tmp_path], entry_points=False)
    rule = registry.get("ACME101")
    assert rule is not None and rule.name == "no-tmp-cwd"
    assert [r.code for r in registry.rules][0] == "ACME101"  # sorted by code


def test_rules_dir_errors_name_the_file(tmp_path):
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n")
    with pytest.raises(RegistryError, match=r"broken\.py: cannot import: ModuleNotFoundError"):
        load_registry([tmp_path], entry_points=False)


def test_plugins_cannot_take_ss_codes_or_duplicate(tmp_path):
    (tmp_path / "a.py").write_text(PLUGIN.replace('"ACME101"', '"SS101"'))
    with pytest.raises(RegistryError, match="plugins use their own prefix"):
        load_registry([tmp_path], entry_points=False)
    (tmp_path / "a.py").write_text(PLUGIN)
    (tmp_path / "b.py").write_text(PLUGIN.replace("no-tmp-cwd", "other-name"))
    with pytest.raises(RegistryError, match="rule code ACME101 is already used"):
        load_registry([tmp_path], entry_points=False)


def test_entry_points(monkeypatch, tmp_path):
    (tmp_path / "acme_rules.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = importlib.metadata.EntryPoint("acme", "acme_rules:NoTmpCwd", reg.ENTRY_POINT_GROUP)
    monkeypatch.setattr(reg.importlib.metadata, "entry_points",
                        lambda group: [ep] if group == reg.ENTRY_POINT_GROUP else [])
    assert load_registry().get("ACME101").name == "no-tmp-cwd"


@pytest.mark.parametrize("attrs, message", [
    ({"code": "SS199", "category": api.Category.STYLE}, "in the hardcoded-path hundreds"),
    ({"code": "SS1"}, "is not SS followed by 3 digits"),
    ({"name": "Bad_Name"}, "is not kebab-case"),
    ({"severity": "high"}, "severity must be a saltscan.api.Severity"),
    ({"__doc__": "No examples here."}, "needs a Problematic:: and a Correct:: example"),
    ({"hint": ""}, "has no hint"),
])
def test_validation(attrs, message):
    base = load_registry(entry_points=False).get("SS101")
    broken = type("Broken", (base,), dict(attrs))
    if "__doc__" not in attrs:
        broken.__doc__ = base.__doc__
    with pytest.raises(RegistryError, match=message):
        validate_rule(broken, builtin=True)


def test_options_must_be_frozen_dataclasses():
    import dataclasses

    @dataclasses.dataclass
    class Mutable:
        x: int = 1

    base = load_registry(entry_points=False).get("SS101")
    broken = type("Broken", (base,), {"Options": Mutable, "__doc__": base.__doc__})
    with pytest.raises(RegistryError, match="Options must be a frozen dataclass"):
        validate_rule(broken, builtin=True)
