"""RuleRun's stages (per render, then merged) give run_rules' output; contexts' caches."""

from __future__ import annotations

from pathlib import Path

import pytest
from enginekit import EHR_SLS, ehr_render, ehr_state

from saltscan import api
from saltscan.engine.config import Config
from saltscan.engine.context import RuleContext, SourceReader
from saltscan.engine.memo import ScanMemo
from saltscan.engine.rule import SourceKind
from saltscan.engine.runner import RuleRun, run_rules, select_rules
from saltscan.model import Model, Requisite, RequisiteKind, SourceLocation, Tree

SLS = EHR_SLS + "    - require:\n      - file: ehr-logs\n"


@pytest.fixture
def model(tmp_path: Path) -> Model:
    (tmp_path / "salt").mkdir()
    (tmp_path / "salt/ehr.sls").write_text(SLS)
    req = Requisite(RequisiteKind.REQUIRE, "file", "ehr-logs", SourceLocation("salt/ehr.sls", 8))
    states = [ehr_state("ehr-logs", "/var/log/ehr", 1), ehr_state("ehr-data", "/srv/ehr", 4, [req])]
    renders = (ehr_render("app02", states), ehr_render("app01", states), ehr_render("db01", states[:1]))
    tree = Tree(root=tmp_path, state_roots={"base": (tmp_path / "salt",)}, pillar_roots={},
                minions=tuple(r.minion for r in renders), sls_files=())
    return Model(tree=tree, renders=renders)


def test_stages_give_run_rules_output_also_from_another_runs_renders(model):
    from saltscan.graph import build_minion_graph

    config = Config()
    graphs = {r.minion.id: build_minion_graph(r) for r in model.renders}
    expected = run_rules(model, graphs, config)
    assert {f.rule for f in expected} >= {"SS101"}
    assert not [f for f in expected if dict(f.extra).get("subject") == "rule-failure"]
    first = RuleRun(model, config, select_rules(config))
    cached = {r.minion.id: first.render_findings(r, graphs[r.minion.id]) for r in model.renders}
    # A later run (the hook, after one minion changed) reuses the others' findings.
    second = RuleRun(model, config, select_rules(config))
    by_render = [(r.minion.id, cached[r.minion.id] if r.minion.id != "db01"
                  else second.render_findings(r, graphs[r.minion.id])) for r in model.renders]
    assert second.finish(second.tree_findings(), by_render) == expected


class HalfDone(api.StateRule):
    """Yields, then crashes.

    Problematic::

        x:
          test.nop: []

    Correct::

        x:
          test.nop: []
    """

    code = "ZZZ903"
    name = "half-done"
    category = api.Category.STYLE
    severity = api.Severity.LOW

    def check(self, state, ctx):
        yield self.at_state(state, "first")
        raise ValueError("boom")


class Tagging(api.GraphRule):
    """Sets minions itself.

    Problematic::

        x:
          test.nop: []

    Correct::

        x:
          test.nop: []
    """

    code = "ZZZ904"
    name = "tagging"
    category = api.Category.STYLE
    severity = api.Severity.LOW
    needs_graph = False

    def check(self, graph, ctx):
        yield self.at(SourceLocation("salt/ehr.sls", 1), "tagged").with_minions(("elsewhere",))


def test_a_rule_failing_midway_reports_only_the_failure(model):
    found = run_rules(model, {}, Config(), rules=[HalfDone])
    assert {f.message.split(" (")[0] for f in found} == {"rule ZZZ903 failed here"}


def test_render_findings_hold_on_their_minion_only(model):
    (found,) = run_rules(model, {}, Config(), rules=[Tagging])
    assert found.minions == ("app01", "app02", "db01")


def test_state_of_node_matches_the_api(model):
    from saltscan.graph import build_minion_graph

    reader = SourceReader(model.tree.root)
    for r in model.renders:
        graph = build_minion_graph(r)
        ctx = RuleContext(model, r, Config().allowlist, reader, graph=graph)
        for node in [*graph.nodes, "no-such-node"]:
            assert ctx.state_of_node(graph, node) is api.state_of_node(graph, node, r)


def test_has_requisite_path_matches_the_graph_module(model):
    from saltscan.graph import build_minion_graph, has_requisite_path

    r = model.renders[0]
    graph = build_minion_graph(r)
    ctx = RuleContext(model, r, Config().allowlist, SourceReader(model.tree.root), graph=graph)
    nodes = [*graph.nodes, "no-such-node"]
    answers = [(a, b, has_requisite_path(graph, a, b)) for a in nodes for b in nodes]
    assert any(found for _, _, found in answers)
    assert [(a, b, ctx.has_requisite_path(graph, a, b)) for a in nodes for b in nodes] == answers


def test_reader_makes_one_source_file_per_path_and_kind(model):
    reader = SourceReader(model.tree.root)
    sls = reader.file("salt/ehr.sls")
    assert sls is reader.file("salt/ehr.sls") and sls.lines[0] == "ehr-logs:"
    assert reader.file("salt/ehr.sls", SourceKind.TEMPLATE).kind is SourceKind.TEMPLATE
    assert reader.file("salt/missing.sls") is None


def test_a_run_may_start_from_the_pure_results_of_the_last(model):
    from saltscan.graph import build_minion_graph

    config = Config()
    graphs = {r.minion.id: build_minion_graph(r) for r in model.renders}
    first = RuleRun(model, config, select_rules(config))
    expected = first.finish(first.tree_findings(), [
        (r.minion.id, first.render_findings(r, graphs[r.minion.id])) for r in model.renders])
    carried = first.memo.next_scan()
    assert len(carried) == len(first.memo) and not carried._scan
    second = RuleRun(model, config, select_rules(config), memo=carried)
    assert second.finish(second.tree_findings(), [
        (r.minion.id, second.render_findings(r)) for r in model.renders]) == expected
    assert "ehr" not in repr(second.memo)  # never the entries


def test_per_render_and_nested_memos():
    memo = ScanMemo()
    calls = []

    def inner(x):
        calls.append(x)
        return x.upper()

    def outer(m, x):
        return m(inner, x) + m(inner, x)

    assert memo.nested(outer, "a") == "AA" and memo.nested(outer, "a") == "AA"
    assert calls == ["a"]
