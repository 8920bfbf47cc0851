"""A process's last ``finish`` is reused only when its inputs are the same; the
cheaper finish steps (registry lookups, suppression tables, merged copies)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from enginekit import EHR_SLS as SLS, ehr_render, ehr_state

from saltscan.engine.config import Config, RuleSettings
from saltscan.engine.registry import Registry, load_registry
from saltscan.engine.runner import RuleRun, select_rules
from saltscan.engine.suppression import apply_suppressions, parse_suppressions
from saltscan.findings import Category, Finding, Severity
from saltscan.model import Model, SourceLocation, Tree


@pytest.fixture
def model(tmp_path: Path) -> Model:
    (tmp_path / "salt").mkdir()
    (tmp_path / "salt/ehr.sls").write_text(SLS)
    states = [ehr_state("ehr-logs", "/var/log/ehr", 1), ehr_state("ehr-data", "/srv/ehr", 4)]
    renders = (ehr_render("app01", states), ehr_render("db01", states[:1]))
    tree = Tree(root=tmp_path, state_roots={"base": (tmp_path / "salt",)}, pillar_roots={},
                minions=tuple(r.minion for r in renders), sls_files=())
    return Model(tree=tree, renders=renders)


def _scan(model: Model, memo=None):
    config = Config()
    run = RuleRun(model, config, select_rules(config), memo=memo)
    by_render = [(r.minion.id, run.render_findings(r)) for r in model.renders]
    return run, run.tree_findings(), by_render


def _codes(findings) -> list[tuple]:
    return [(f.rule, f.location.file, f.location.line, f.minions, f.suppressed) for f in findings]


EXPECTED = [  # sorted: /var/log/ehr (a log path) on both minions, /srv/ehr (data) on app01
    ("SS101", "salt/ehr.sls", 3, ("app01", "db01"), False),
    ("SS101", "salt/ehr.sls", 6, ("app01",), False),
]


def test_the_last_finish_is_reused_for_the_same_inputs(model):
    first, tree_found, by_render = _scan(model)
    expected = first.finish(tree_found, by_render)
    second, tree_again, _ = _scan(model, first.memo.next_scan())
    memo = second.memo.carried.finish
    assert memo.reused == 0
    # The same finding objects (kept ones) and equal tree findings: the same result object.
    assert second.finish(tree_again, by_render) is expected
    assert memo.reused == 1


def test_no_reuse_when_a_file_a_finding_is_in_changes(model):
    first, tree_found, by_render = _scan(model)
    before = first.finish(tree_found, by_render)
    assert not any(f.suppressed for f in before)
    path = model.tree.root / "salt/ehr.sls"
    path.write_text(SLS.replace("ehr-data:", "ehr-data:  # noqa"))
    second, tree_again, _ = _scan(model, first.memo.next_scan())
    after = second.finish(tree_again, by_render)
    assert second.memo.carried.finish.reused == 0
    assert _codes(before) == EXPECTED
    assert _codes(after) == [EXPECTED[0], EXPECTED[1][:4] + (True,)]
    assert after[1].suppression_reason == "noqa at line 4"


def test_no_reuse_when_a_finding_differs_only_in_extra_or_holds_elsewhere(model):
    first, tree_found, by_render = _scan(model)
    first.finish(tree_found, by_render)
    (minion, found), *rest = by_render
    other = [replace(found[0], extra=(("subject", "other"),)), *found[1:]]
    second, tree_again, _ = _scan(model, first.memo.next_scan())
    changed = second.finish(tree_again, [(minion, other), *rest])
    assert second.memo.carried.finish.reused == 0
    assert any(dict(f.extra).get("subject") == "other" for f in changed)
    third, tree_third, _ = _scan(model, second.memo.next_scan())
    moved = third.finish(tree_third, [("web01", found), *rest])
    assert third.memo.carried.finish.reused == 0
    assert ("web01",) in [f.minions[:1] for f in moved]


def test_no_reuse_for_other_renders(model):
    first, tree_found, by_render = _scan(model)
    expected = first.finish(tree_found, by_render)
    equal = Model(model.tree, tuple(replace(r) for r in model.renders))
    second, tree_again, _ = _scan(equal, first.memo.next_scan())
    again = second.finish(tree_again, by_render)
    assert second.memo.carried.finish.reused == 0
    assert again == expected and again is not expected
    assert _codes(again) == EXPECTED


def test_with_minions_returns_the_finding_itself_when_nothing_changes():
    f = Finding("SS101", "host-path-argument", Category.HARDCODED_PATH, Severity.MEDIUM, "m",
                SourceLocation("a.sls", 1), minions=("a", "b"))
    assert f.with_minions(("b", "a", "b")) is f
    moved = f.with_minions(("c",))
    assert moved.minions == ("c",) and moved.fingerprint == f.fingerprint


def test_suppressions_parse_through_the_given_function_and_skip_files_without_any():
    f = Finding("SS101", "host-path-argument", Category.HARDCODED_PATH, Severity.MEDIUM, "m",
                SourceLocation("a.sls", 2))
    g = replace(f, location=SourceLocation("b.sls", 1))
    texts = {"a.sls": "x:\n  y  # noqa\n", "b.sls": "plain\n"}
    parsed, asked = [], []

    def parse(text):
        parsed.append(text)
        return parse_suppressions(text)

    out = apply_suppressions([f, g], texts.get, lambda x: asked.append(x.location.file) or (),
                             lambda code: (), parse=parse)
    assert [x.suppressed for x in out] == [True, False]
    assert out[0].suppression_reason == "noqa at line 2"
    assert parsed == [texts["a.sls"], texts["b.sls"]] and asked == ["a.sls"]
    assert not parse_suppressions("plain\n") and parse_suppressions("# noqa\nx\n")


def test_registry_lookups_answer_like_a_scan_in_order():
    registry = load_registry(entry_points=False)
    first = registry.rules[0]
    assert registry.get(first.code.lower()) is first and registry.get(first.name) is first
    assert registry.get("SS999") is None and registry.get("no-such-rule") is None
    assert registry.infos() is registry.infos()
    assert [i.code for i in registry.infos()] == [r.code for r in registry.rules]

    class A:
        code, name = "XX101", "xx102"

    class B:
        code, name = "XX102", "b"

    # "xx102" is A's name and, upper-cased, B's code: the first rule in order wins.
    assert Registry((A, B)).get("xx102") is A and Registry((B, A)).get("xx102") is B


def test_no_reuse_for_another_config(model):
    first, tree_found, by_render = _scan(model)
    first.finish(tree_found, by_render)
    config = Config(rules=(("SS101", RuleSettings(severity=Severity.HIGH)),))
    second = RuleRun(model, config, select_rules(config), memo=first.memo.next_scan())
    again = second.finish(tree_found, by_render)
    assert second.memo.carried.finish.reused == 0
    assert [(f.rule, f.location.line, f.severity) for f in again] == [
        ("SS101", 3, Severity.HIGH), ("SS101", 6, Severity.HIGH)]
    third = RuleRun(model, config, select_rules(config), memo=second.memo.next_scan())
    assert third.finish(tree_found, by_render) is again


def test_the_replaced_entry_lives_until_its_owner_forgets_it(model):
    """The entry ``put`` replaces may hold the last references to an earlier model's
    renders: freeing them waits for ``forget_replaced`` (the daemon calls it after
    its reply), not for the next ``put``."""
    import gc
    import weakref

    start = replace(model, renders=(replace(model.renders[0]), *model.renders[1:]))  # the test's own
    first, tree_found, by_render = _scan(start)
    expected = first.finish(tree_found, by_render)
    memo = first.memo.carried.finish
    alive = weakref.ref(start.renders[0])
    second, tree_again, again = _scan(model, first.memo.next_scan())
    assert second.memo.carried.finish is memo
    assert _codes(second.finish(tree_again, again)) == _codes(expected) == EXPECTED
    del first, tree_found, by_render, expected, start
    gc.collect()
    assert alive() is not None  # held by the replaced entry only
    memo.forget_replaced()
    gc.collect()
    assert alive() is None
