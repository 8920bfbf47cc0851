"""A process's last tree findings are reused only while the rules, the config, the
model and every file the tree rules looked at are the same; the texts of unchanged
files are read once per process."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from saltscan.engine import source_texts
from saltscan.engine.config import Allowlist, Config
from saltscan.engine.memo import ScanMemo
from saltscan.engine.runner import RuleRun, select_rules
from saltscan.engine.source_texts import SourceTexts
from saltscan.model import Minion, MinionRender, Model, SourceLocation, State, Tree

SLS = """\
app-conf:
  file.managed:
    - name: /etc/app.conf
    - mode: 0644
"""
TOP = """\
base:
  'role:web':
    - match: grain
    - app
"""


def _service(sid: str, line: int) -> State:
    return State(id=sid, sls="app", module="service", function="running", name=sid, args={},
                 requisites=(), location=SourceLocation("salt/app.sls", line))


def _render(minion: str) -> MinionRender:
    return MinionRender(
        minion=Minion(minion, {"id": minion, "role": "web"}, f"grains/{minion}.json"), top={}, high={},
        low=(), states=(_service("nginx", 1), _service("app-worker", 2)), pillar={}, pillar_values=(),
        errors=(), unknowns=(), salt_calls=(), templates=(), sls_files=("salt/app.sls",),
    )


def _age(*paths: Path) -> None:
    when = time.time() - 60
    for path in paths:
        os.utime(path, (when, when))


@pytest.fixture
def model(tmp_path: Path) -> Model:
    (tmp_path / "salt").mkdir()
    (tmp_path / "salt/app.sls").write_text(SLS)
    (tmp_path / "salt/top.sls").write_text(TOP)
    _age(tmp_path / "salt/app.sls", tmp_path / "salt/top.sls")
    renders = (_render("web01"), _render("web02"))
    tree = Tree(root=tmp_path, state_roots={"base": (tmp_path / "salt",)}, pillar_roots={},
                minions=tuple(r.minion for r in renders), sls_files=())
    return Model(tree=tree, renders=renders)


def _tree_findings(model: Model, memo: ScanMemo | None = None, config: Config | None = None):
    config = config or Config()
    run = RuleRun(model, config, select_rules(config), memo=memo)
    return run, run.tree_findings()


def _seen(found) -> list[tuple]:
    return [(f.rule, f.location.file, f.location.line, f.minions, f.message) for f in found]


EXPECTED = [  # in rule order
    ("SS602", "salt/top.sls", 2, ("web01", "web02"),
     "role web runs 2 long-running services (app-worker, nginx): one long-running service per container"),
    ("SS902", "salt/app.sls", 4, ("web01", "web02"), "mode 0644 is not quoted"),
]


def test_the_last_tree_findings_are_reused_for_the_same_inputs(model):
    first, found = _tree_findings(model)
    assert _seen(found) == EXPECTED
    second, again = _tree_findings(model, first.memo.next_scan())
    assert second.memo.carried.tree.reused == 1
    assert len(again) == len(found) and all(a is b for a, b in zip(again, found))


def test_no_reuse_when_a_file_the_rules_read_changes(model):
    first, _ = _tree_findings(model)
    (model.tree.root / "salt/app.sls").write_text(SLS.replace("0644", "0600"))
    second, again = _tree_findings(model, first.memo.next_scan())
    assert second.memo.carried.tree.reused == 0
    assert _seen(again) == [EXPECTED[0], EXPECTED[1][:4] + ("mode 0600 is not quoted",)]


def test_no_reuse_when_a_file_the_rules_looked_for_goes(model):
    first, _ = _tree_findings(model)
    (model.tree.root / "salt/top.sls").unlink()
    second, again = _tree_findings(model, first.memo.next_scan())
    assert second.memo.carried.tree.reused == 0
    # No top file: the finding is at the first service state.
    assert _seen(again) == [("SS602", "salt/app.sls", 1) + EXPECTED[0][3:], EXPECTED[1]]


def test_no_reuse_when_a_file_the_rules_looked_for_goes_without_a_text(model):
    top = model.tree.root / "salt/top.sls"
    top.write_bytes(b"\x00binary")  # a file, with no text to read
    _age(top)
    first, found = _tree_findings(model)
    assert _seen(found)[0][:3] == ("SS602", "salt/top.sls", 1)
    top.unlink()
    second, again = _tree_findings(model, first.memo.next_scan())
    assert second.memo.carried.tree.reused == 0
    assert _seen(again)[0][:3] == ("SS602", "salt/app.sls", 1)


def test_no_reuse_for_other_renders_or_another_config(model):
    first, found = _tree_findings(model)
    equal = Model(model.tree, tuple(replace(r) for r in model.renders))
    second, again = _tree_findings(equal, first.memo.next_scan())
    assert second.memo.carried.tree.reused == 0
    assert again == found and again[0] is not found[0]
    other = Config(allowlist=Allowlist(paths=("/etc",)))
    third, _ = _tree_findings(equal, second.memo.next_scan(), other)
    assert third.memo.carried.tree.reused == 0
    fourth, _ = _tree_findings(equal, third.memo.next_scan(), other)
    assert fourth.memo.carried.tree.reused == 1


def test_texts_of_unchanged_files_are_kept_and_changed_ones_read(tmp_path):
    path = tmp_path / "a.sls"
    path.write_text("a: 1\n")
    _age(path)
    texts = SourceTexts()
    first = texts.scan().read(str(path))
    assert first == (True, "a: 1\n")
    assert texts.scan().read(str(path))[1] is first[1]
    path.write_text("a: 2\n")  # same size, and within the same second perhaps
    assert texts.scan().read(str(path)) == (True, "a: 2\n")
    _age(path)
    kept = texts.scan().read(str(path))[1]
    assert kept == "a: 2\n" and texts.scan().read(str(path))[1] is kept


def test_a_file_written_just_now_is_read_every_time(tmp_path):
    path = tmp_path / "a.sls"
    path.write_text("a: 1\n")
    texts = SourceTexts()
    first = texts.scan().read(str(path))[1]
    again = texts.scan().read(str(path))[1]
    assert first == again == "a: 1\n" and first is not again
    assert texts._by_stat == {}


def test_what_a_scan_reads_answers_as_without_a_memo(tmp_path, monkeypatch):
    (tmp_path / "dir").mkdir()
    (tmp_path / "bin").write_bytes(b"\x00\x01")
    (tmp_path / "big").write_text("x" * 10)
    (tmp_path / "ok").write_text("fine\n")
    monkeypatch.setattr(source_texts, "MAX_SOURCE_BYTES", 8)
    scan = SourceTexts().scan()
    for name, expected in [("dir", (False, None)), ("missing", (False, None)), ("bin", (True, None)),
                           ("big", (True, None)), ("ok", (True, "fine\n"))]:
        path = str(tmp_path / name)
        assert scan.read(path) == source_texts.look_source(path) == expected, name
