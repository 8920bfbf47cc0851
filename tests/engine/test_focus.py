"""The hook's focus: which states the state rules must see before the reply."""

from __future__ import annotations

import shutil
from pathlib import Path

from saltscan.daemon import protocol
from saltscan.daemon.server import handle
from saltscan.engine.config import resolve_config
from saltscan.engine.context import RuleContext
from saltscan.engine.focus import Focus
from saltscan.engine.registry import load_registry
from saltscan.engine.rule import StateRule
from saltscan.engine.runner import RuleRun, select_rules
from saltscan.graph import build_minion_graph
from saltscan.model import Requisite, RequisiteKind, SourceLocation, State
from saltscan.pipeline import ScanOptions, load_model
from saltscan.render.trace import RenderTrace, TracedRender
from saltscan.warm import WarmState

EHR = Path(__file__).resolve().parents[2] / "fixtures" / "ehr-platform"


def _own_files(state: State, render) -> set[str]:
    """Where focus.py assumes a state rule may locate a finding of ``state``."""
    return ({state.location.file}
            | {loc.file for loc in state.arg_locations.values()}
            | {req.location.file for req in state.requisites}
            | {t.location.file for t in render.templates if t.state_id == state.id}
            | {pv.location.file for pv in render.pillar_values})


def test_every_state_rule_locates_its_findings_where_the_focus_looks() -> None:
    model = load_model(ScanOptions(path=EHR))
    config = resolve_config(EHR)
    rules = [r for r in select_rules(config, registry=load_registry(())) if isinstance(r, StateRule)]
    run = RuleRun(model, config, rules)
    elsewhere, in_templates = [], set()
    for render in model.renders:
        ctx = RuleContext(model=model, render=render, allowlist=config.allowlist, reader=run.reader,
                          graph=build_minion_graph(render), memo=run.memo)
        for rule in rules:
            for state in render.states:
                for finding in rule.check(state, ctx) or ():
                    if finding.location.file not in _own_files(state, render):
                        elsewhere.append((finding.rule, state.location.file, finding.location.file))
                    if finding.location.file != state.location.file:
                        in_templates.add((finding.rule, finding.location.file))
    assert elsewhere == []
    # Not vacuous: findings of states do land in other files (their templates).
    assert ("SS102", "salt/ehr/files/ehr.env.j2") in in_templates
    assert ("SS402", "salt/common/files/chrony.conf.j2") in in_templates


def _state(sid: str, file: str, arg_file: str | None = None, req_file: str | None = None) -> State:
    return State(
        id=sid, sls="x", module="file", function="managed", name=f"/{sid}", args={},
        requisites=(Requisite(RequisiteKind.REQUIRE, "pkg", "p", SourceLocation(req_file, 3)),) if req_file else (),
        location=SourceLocation(file, 1),
        arg_locations={"mode": SourceLocation(arg_file, 2)} if arg_file else {},
    )


class _Render:
    def __init__(self, states, sls_files) -> None:
        self.states, self.sls_files = tuple(states), tuple(sls_files)


def _trace(items, outside=()) -> RenderTrace:
    return RenderTrace(tuple(TracedRender(f"/t/{p}", "x", "base", (), tuple(f"/t/{r}" for r in reads), "f")
                             for p, reads in items), frozenset(f"/t/{p}" for p in outside))


def test_only_states_written_in_a_given_file_are_checked_before_the_reply() -> None:
    focus = Focus("/t", frozenset({"salt/a.sls"}))
    own, extended, required, other = (_state("own", "salt/a.sls"), _state("ext", "salt/b.sls", arg_file="salt/a.sls"),
                                      _state("req", "salt/b.sls", req_file="salt/a.sls"), _state("other", "salt/b.sls"))
    render = _Render([own, extended, required, other], ["salt/a.sls", "salt/b.sls"])
    trace = _trace([("salt/a.sls", ["salt/a.sls", "salt/map.jinja"]), ("salt/b.sls", ["salt/b.sls"])])
    assert focus.states(render, trace) == (own, extended, required)
    # A render that never read the file: nothing of it can be located there.
    assert focus.states(_Render([other], ["salt/b.sls"]), _trace([("salt/b.sls", ["salt/b.sls"])])) == ()


def test_a_file_read_by_more_than_its_own_render_means_every_state() -> None:
    focus = Focus("/t", frozenset({"salt/a.sls"}))
    render = _Render([_state("other", "salt/b.sls")], ["salt/a.sls", "salt/b.sls"])
    imported = _trace([("salt/a.sls", ["salt/a.sls"]), ("salt/b.sls", ["salt/b.sls", "salt/a.sls"])])
    assert focus.states(render, imported) is None  # {% import %} or import_yaml of it
    as_template = _trace([("salt/a.sls", ["salt/a.sls"]), ("salt/b.sls", ["salt/b.sls"])], outside=["salt/a.sls"])
    assert focus.states(render, as_template) is None
    untraced = _trace([("salt/b.sls", ["salt/b.sls"])])
    assert focus.states(render, untraced) is None  # rendered, yet not in its trace
    assert focus.states(render, None) is None


def test_only_sls_files_of_the_tree_are_focused_on() -> None:
    tree = load_model(ScanOptions(path=EHR, coverage=False, minions=("app01",))).tree
    assert Focus.of(tree, {"salt/ehr/code.sls"}) == Focus(str(tree.root), frozenset({"salt/ehr/code.sls"}))
    assert Focus.of(tree, {"salt/ehr/code.sls", "salt/ehr/map.jinja"}) is None
    assert Focus.of(tree, set()) is None


def _hook(tree: Path, cache: Path, warm: WarmState | None, *flags: str) -> dict:
    request = {"protocol": protocol.PROTOCOL, "command": "hook", "cwd": str(tree), "env": {"NO_COLOR": "1"},
               "argv": ["hook", "--root", str(tree), "--cache-dir", str(cache), *flags, "salt/ehr/code.sls"]}
    return handle(request, warm if warm is not None else WarmState())


def test_a_focused_reply_equals_a_full_one_and_the_rest_is_checked_after_it(tmp_path: Path) -> None:
    tree = tmp_path / "ehr"
    shutil.copytree(EHR, tree)
    warm = WarmState()
    _hook(tree, tmp_path / "c", warm)
    warm.flush()
    code = tree / "salt/ehr/code.sls"
    code.write_text(code.read_text() + "\nextra-dir:\n  file.directory:\n    - name: /srv/extra\n")
    reply = _hook(tree, tmp_path / "c", warm)
    cold = _hook(tree, tmp_path / "cold", None, "--no-cache")
    assert (reply["stdout"], reply["exit_code"]) == (cold["stdout"], cold["exit_code"])
    assert "salt/ehr/code.sls" in reply["stdout"] and reply["exit_code"] == 1
    assert warm.kept.has_pending()  # the 7 minions that include code.sls: checked in part
    warm.flush()
    assert not warm.kept.has_pending()
    reused = warm.kept.reused
    again = _hook(tree, tmp_path / "c", warm)
    assert again["stdout"] == cold["stdout"]
    assert warm.kept.reused - reused == 15  # every render's whole findings, kept by the idle work
