"""run_rules: selection, dedupe across minions, severity, ignores, suppression, order."""

from __future__ import annotations

from pathlib import Path

import pytest

from saltscan import api
from saltscan.engine.config import Config, parse_config
from saltscan.engine.runner import run_rules
from saltscan.findings import Severity
from saltscan.model import Minion, MinionRender, Model, SourceLocation, State, Tree

SLS = """\
ehr-logs:
  file.directory:
    - name: /var/log/ehr
# saltscan: disable=SS101 -- retired host
old-logs:
  file.directory:
    - name: /var/log/old
"""


def state(sid: str, name: str, line: int) -> State:
    return State(id=sid, sls="ehr", module="file", function="directory", name=name, args={},
                 requisites=(), location=SourceLocation("salt/ehr.sls", line),
                 arg_locations={"name": SourceLocation("salt/ehr.sls", line + 2)})


def render(minion: str, states, errors=()) -> MinionRender:
    return MinionRender(
        minion=Minion(minion, {"id": minion, "role": "app"}, "grains/x.json"), top={}, high={},
        low=(), states=tuple(states), pillar={}, pillar_values=(), errors=tuple(errors),
        unknowns=(), salt_calls=(), templates=(), sls_files=("salt/ehr.sls",),
    )


@pytest.fixture
def model(tmp_path: Path) -> Model:
    (tmp_path / "salt").mkdir()
    (tmp_path / "salt/ehr.sls").write_text(SLS)
    states = [state("ehr-logs", "/var/log/ehr", 1), state("old-logs", "/var/log/old", 5)]
    renders = (render("app02", states), render("app01", states), render("db01", states[:1]))
    tree = Tree(root=tmp_path, state_roots={"base": (tmp_path / "salt",)}, pillar_roots={},
                minions=tuple(r.minion for r in renders), sls_files=())
    return Model(tree=tree, renders=renders)


def brief(findings):
    return [(f.rule, f.location.line, f.state.id if f.state else None, f.minions, f.suppressed,
             f.severity.value) for f in findings]


def test_dedupe_across_minions_suppression_and_order(model):
    found = run_rules(model, {}, Config(), rules=None)
    hp = [f for f in found if f.rule == "SS101"]
    assert brief(hp) == [
        ("SS101", 3, "ehr-logs", ("app01", "app02", "db01"), False, "medium"),
        ("SS101", 7, "old-logs", ("app01", "app02"), True, "medium"),
    ]
    assert hp[1].suppression_reason == "retired host"
    assert found == tuple(sorted(found, key=lambda f: (f.sort_key(), f.fingerprint, f.minions,
                                                       f.suppressed)))
    assert run_rules(model, {}, Config()) == found  # same input, same output


def test_config_selection_severity_and_ignores(model):
    config = parse_config({"disable": ["all"], "enable": ["hardcoded-path"],
                           "rules": {"SS101": {"severity": "low"}}})
    assert {f.rule for f in run_rules(model, {}, config)} == {"SS101"}
    assert {f.severity for f in run_rules(model, {}, config)} == {Severity.LOW}
    ignored = parse_config({"ignore": ["salt/ehr.sls"]})
    assert run_rules(model, {}, ignored) == ()


class Crashing(api.StateRule):
    """Crashes.

    Problematic::

        x:
          test.nop: []

    Correct::

        x:
          test.nop: []
    """

    code = "ZZZ901"
    name = "crashing"
    category = api.Category.STYLE
    severity = api.Severity.HIGH

    def check(self, state, ctx):
        raise ValueError("secret-value-must-not-leak")


def test_a_crashing_rule_becomes_an_info_finding(model):
    found = run_rules(model, {}, Config(), rules=[Crashing])
    assert [(f.rule, f.location.line, f.severity, f.message) for f in found] == [
        ("ZZZ901", 1, Severity.INFO,
         "rule ZZZ901 failed here (ValueError); its result is incomplete; please report this"),
        ("ZZZ901", 5, Severity.INFO,
         "rule ZZZ901 failed here (ValueError); its result is incomplete; please report this"),
    ]
    with pytest.raises(ValueError):
        run_rules(model, {}, Config(), rules=[Crashing], strict=True)


def test_tree_level_errors_and_role_findings_keep_their_minions(model, tmp_path):
    from dataclasses import replace

    from saltscan.model import RenderError, RenderErrorKind

    error = RenderError(RenderErrorKind.TOP_FILE, "top file is not a mapping",
                        SourceLocation("salt/top.sls", 2))
    services = [replace(state("a", "nginx", 1), module="service", function="running"),
                replace(state("b", "ehr-app", 5), module="service", function="running")]
    m = replace(model, errors=(error,), renders=(render("app01", services), render("app02", services[:1])))
    found = run_rules(m, {}, parse_config({"disable": ["all"], "enable": ["SS801", "SS602"]}))
    assert [(f.rule, f.location.file, f.location.line, f.minions, f.message) for f in found] == [
        ("SS602", "salt/ehr.sls", 1, ("app01", "app02"),
         "role app runs 2 long-running services (ehr-app, nginx): one long-running service per container"),
        ("SS801", "salt/top.sls", 2, (), "top file is not a mapping"),
    ]


class Leaky(api.StateRule):
    """Leaks.

    Problematic::

        x:
          test.nop: []

    Correct::

        x:
          test.nop: []
    """

    code = "ZZZ902"
    name = "leaky"
    category = api.Category.STYLE
    severity = api.Severity.LOW

    def check(self, state, ctx):
        yield self.at_state(state, "password is Zq8-wX2-pLm4!", subject="Zq8-wX2-pLm4")


def test_known_secret_values_never_reach_a_message(model):
    from dataclasses import replace

    from saltscan.model import PillarValue

    pv = PillarValue("ehr:db:password", "Zq8-wX2-pLm4", SourceLocation("pillar/ehr.sls", 3))
    m = replace(model, renders=tuple(replace(r, pillar_values=(pv,)) for r in model.renders))
    found = run_rules(m, {}, Config(), rules=[Leaky])
    assert {(f.message, dict(f.extra)["subject"]) for f in found} == {("password is ****!", "****")}
