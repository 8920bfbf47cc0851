"""Shortcuts in the render path: each gives exactly what the longer way gives."""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import pytest

from saltscan.cache_reads import note_reads, recording_reads
from saltscan.model import SourceLocation
from saltscan.render.context import ScanSession
from saltscan.render.file_memo import StateFileMemo, pillar_digest
from saltscan.render.highstate import HighWalk
from saltscan.render.salt_proxy import render_call_args
from saltscan.render.salt_steps import HighStateSteps, _drop_invalid
from saltscan.render.sourcemap import SourceMap
from saltscan.render.states import _item_key, arg_index, index_high, written_requisites
from saltscan.render.trace import MemoUse, TraceRecorder
from saltscan.render.yaml_load import MarkedMap, ParsedYaml
from saltscan.secrets import Redactor


@pytest.mark.parametrize("kind, item", [
    ("require", {"file": "/etc/a"}),
    ("watch", {"service": 'quote"and\\slash'}),
    ("require", {"pkg": "caf\u00e9 \u2603 \x01"}),
    ("require", MarkedMap([("file", "x")])),
    ("onchanges", {"file": 5}),
    ("require", {"b": "1", "a": "2"}),
    ("require", {"file": ["a", "b"]}),
])
def test_item_key_is_the_json_it_stands_for(kind, item):
    assert _item_key(kind, item) == json.dumps([kind, item], sort_keys=True, default=str)


def test_written_requisites_keep_dict_items_that_name_a_target():
    req = MarkedMap([("file", "/etc/a")])
    high = {
        "web": {"file": ["managed", {"require": [req, "plain-id", {"pkg": ["not", "a", "target"]}]},
                         {"watch": {"service": "nginx"}}, {"onchanges": "just-a-string"}],
                "__sls__": "web", "__env__": "base"},
        "__extend__": [{"db": {"pkg": [{"require_in": [{"file": "/etc/db"}]}]}}],
        "__exclude__": [],
    }
    assert written_requisites(high) == {
        ("web", "file"): {'["require", {"file": "/etc/a"}]', '["watch", {"service": "nginx"}]'},
        ("db", "pkg"): set(),
    }


def test_arg_index_and_written_requisites_come_from_one_pass():
    here, there, ext = SourceLocation("a.sls", 3), SourceLocation("a.sls", 4), SourceLocation("b.sls", 9)
    args = MarkedMap([("name", "/etc/a"), ("require", [MarkedMap([("pkg", "nginx")])])])
    args.key_locs = {"name": here, "require": there}
    extended = MarkedMap([("name", "/etc/b")])
    extended.key_locs = {"name": ext}
    high = {
        "conf": {"file": ["managed", args, {"watch": [{"service": "web"}]}], "__sls__": "a", "__env__": "base"},
        "__extend__": [{"conf": {"file": [extended, {"require_in": [{"cmd": "x"}]}]}}],
    }
    index, written = index_high(high)
    assert index == {("conf", "file"): {"name": ext, "require": there}}  # extend wins
    assert written == {("conf", "file"): {'["require", {"pkg": "nginx"}]', '["watch", {"service": "web"}]'}}
    assert (arg_index(high), written_requisites(high)) == (index, written)


def test_an_sls_path_is_the_file_before_the_package_and_asked_once_per_scan(tmp_path: Path):
    from saltscan.pipeline import ScanOptions
    from saltscan.loader import load_tree_with_errors

    root = tmp_path / "t"

    def write(rel: str) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x: {}\n")

    for rel in ("salt/top.sls", "salt/a/init.sls", "salt/a.sls", "salt/b/init.sls", "more/c.sls"):
        write(rel)
    tree = load_tree_with_errors(ScanOptions(path=root))[0]
    session = ScanSession(tree)
    roots = (str(root / "salt"), str(root / "more"))
    assert session.sls_path(roots, "a") == (str(root / "salt/a.sls"), "file")
    assert session.sls_path(roots, "b") == (str(root / "salt/b/init.sls"), "init")
    assert session.sls_path(roots, "c") == (str(root / "more/c.sls"), "file")
    assert session.sls_path(roots, "d") is None
    write("salt/d.sls")  # after the scan began: the scan keeps its answer, as its listing
    assert session.sls_path(roots, "d") is None
    assert ScanSession(tree).sls_path(roots, "d") == (str(root / "salt/d.sls"), "file")


def test_session_relpath_is_the_tree_relpath(tmp_path: Path):
    from saltscan.pipeline import ScanOptions
    from saltscan.loader import load_tree_with_errors

    root = tmp_path / "t"
    (root / "salt" / "a").mkdir(parents=True)
    (root / "salt" / "top.sls").write_text("base: {}\n")
    (root / "salt" / "a" / "init.sls").write_text("x: {}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "real.sls").write_text("y: {}\n")
    os.symlink(elsewhere / "real.sls", root / "salt" / "linked.sls")  # a file link out of the tree
    os.symlink(root / "salt" / "a", root / "salt" / "b")  # a directory link inside it
    os.symlink(root / "salt" / "loop1", root / "salt" / "loop2")
    os.symlink(root / "salt" / "loop2", root / "salt" / "loop1")
    tree = load_tree_with_errors(ScanOptions(path=root))[0]
    session = ScanSession(tree)
    for path in [
        root / "salt" / "top.sls", root / "salt" / "a" / "init.sls", root / "salt" / "b" / "init.sls",
        root / "salt" / "linked.sls", root / "salt" / "missing.sls", root / "salt" / "a" / ".." / "top.sls",
        root / "salt", root, elsewhere / "real.sls", Path("/nonexistent/x.sls"), root / "salt" / "loop1" / "x",
        str(root / "salt") + "//top.sls",
    ]:
        try:
            expected = tree.relpath(path)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                session.relpath(path)
            continue
        assert session.relpath(path) == expected, path
    assert session.relpath(root / "salt" / "b" / "init.sls") == "salt/a/init.sls"
    # A link out of the tree: the path as given, as tree.relpath says it.
    assert session.relpath(root / "salt" / "linked.sls") == (root / "salt" / "linked.sls").as_posix()


def test_sls_globs_are_fnmatch_over_the_tree_sls(tree):
    tree.write({"salt/top.sls": "base: {}\n", "salt/a/init.sls": "", "salt/a/b.sls": "", "salt/c.sls": ""})
    session = ScanSession(tree.model().tree)
    names = session.available_sls()["base"]
    assert sorted(names) == ["a", "a.b", "c"]  # top files are not SLS to include
    for pattern in ("a", "a.*", "*", "[ab]*", "missing", "a.b"):
        assert session.sls_glob("base", pattern) == fnmatch.filter(names, pattern)
    assert session.sls_glob("prod", "*") == []


def _walk_with(tree, full_scans: bool, monkeypatch):
    """The renders, with HighWalk scanning whole states for order (Salt's way) or not."""
    if full_scans:
        monkeypatch.setattr(HighWalk, "iorder", lambda self, state, own: self.steps.iorder(state))
    model = tree.model()
    monkeypatch.undo()
    return model


def _m1_both_ways(tree, monkeypatch):
    """m1's render, after checking the shortcut gives every render's high and low data
    as Salt's full scans do."""
    fast = _walk_with(tree, False, monkeypatch)
    salt_way = _walk_with(tree, True, monkeypatch)
    assert [r.high for r in fast.renders] == [r.high for r in salt_way.renders]
    assert [r.low for r in fast.renders] == [r.low for r in salt_way.renders]
    return next(r for r in fast.renders if r.minion.id == "m1")


def test_auto_order_of_a_files_own_states_is_salts(tree, monkeypatch):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n    - d\n",
        "salt/a.sls": "include:\n  - b\n  - c\na1:\n  test.nop: []\na2:\n  test.nop:\n    - order: 5\n",
        "salt/b.sls": "include:\n  - c\nb1:\n  test.nop: []\nshared:\n  test.nop: []\n",
        "salt/c.sls": "c1:\n  test.nop: []\nc2:\n  test.succeed_without_changes: []\n",
        "salt/d.sls": "include:\n  - b\nd1:\n  test.nop: []\n",
    }).grains("m1")
    render = _m1_both_ways(tree, monkeypatch)
    assert [(c["__id__"], c["order"]) for c in render.low] == [
        ("a2", 5), ("c1", 10000), ("c2", 10001), ("b1", 10002), ("shared", 10003), ("a1", 10004), ("d1", 10005),
    ]


def test_auto_order_after_a_malformed_state_is_salts(tree, monkeypatch):
    # c's scan stops at "bad" (not a dict): c's "later" gets no order there. In a, d's
    # "later" came first, so c's body sits at d's place, before "bad": Salt's scan of
    # a numbers it (scanning a's own states only would not).
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "include:\n  - d\n  - c\na1:\n  test.nop: []\n",
        "salt/d.sls": "later:\n  test.nop: []\n",
        "salt/c.sls": "c1:\n  test.nop: []\nbad: 5\nlater:\n  test.fail_without_changes: []\n",
    }).grains("m1")
    render = _m1_both_ways(tree, monkeypatch)
    assert render.high["a1"]["test"] == ["nop", {"order": 10002}]
    assert render.high["later"]["test"] == ["fail_without_changes", {"order": 10003}]


def test_drop_invalid_copies_only_what_it_must():
    good = {"a": {"pkg": ["installed", {"name": "x"}], "__sls__": "s"}, "__extend__": []}
    assert _drop_invalid(good) is good
    bad = {"a": {"pkg": ["installed", 5, {"name": "x"}], "file": "notalist", "__sls__": "s"}, "b": "str", 3: {}}
    assert _drop_invalid(bad) == {"a": {"pkg": ["installed", {"name": "x"}], "__sls__": "s"}}
    steps = HighStateSteps()
    assert steps.iorder({"x": {"pkg": ["installed"]}}) is True
    assert steps.iorder({"y": 5}) is False


def test_parses_are_kept_within_their_bytes_least_recently_used_first():
    texts = [f"k{i}: {'v' * 40}\n" for i in range(3)]
    parsed = ParsedYaml(max_bytes=300)
    for text in texts[:2]:
        parsed.safe_load(text)
    parsed.safe_load(texts[0])  # used again: now the newest
    parsed.safe_load(texts[2])  # over the bytes: the oldest (texts[1]) goes
    assert [key[1] for key in parsed._blobs] == [texts[0], texts[2]]
    assert parsed.safe_load(texts[1]) == {"k1": "v" * 40}
    marked = parsed.load("a: 1\n", SourceMap.identity("a: 1\n", "x.sls"))
    assert marked == {"a": 1} and marked.key_locs == {"a": SourceLocation("x.sls", 1, 1)}


def test_masked_arguments_memo_gives_what_masking_gives():
    redactor = Redactor(["hunter2-secret"])
    args, kwargs = ("pw is hunter2-secret", "password=abc123def456"), {"key": "plain"}
    first = render_call_args(args, kwargs, redactor, redactor.masked_args)
    assert first == render_call_args(args, kwargs, redactor)
    assert "hunter2-secret" not in "".join(first) and len(redactor.masked_args) == 3
    assert render_call_args(args, kwargs, redactor, redactor.masked_args) == first


def test_pillar_key_is_the_watched_digest_for_the_watched_pillar():
    use = MemoUse(StateFileMemo(), "ctx", lambda path: None, lambda path: True)
    recorder = TraceRecorder(set(), use)
    pillar = {"a": {"b": 1}}
    watched = recorder.watch(pillar)
    assert watched == pillar_digest(pillar)
    pillar["a"]["b"] = 2  # changed in place: commit() throws reused steps away
    assert recorder.pillar_key(pillar) == watched
    assert recorder.pillar_key({"a": {"b": 2}}) == pillar_digest({"a": {"b": 2}}) != watched
    assert TraceRecorder(set()).pillar_key(pillar) is None


def test_noted_reads_from_an_iterator_reach_every_recording():
    with recording_reads() as outer, recording_reads() as inner:
        note_reads(path for path in ("/a", "/b"))
    assert outer == inner == {"/a", "/b"}


@pytest.mark.parametrize("text, size", [
    ("a: [1, 2, 3]\nb: {c: d}\n", 10),
    ("- x\n- {y: [z]}\n", 6),
    ("a: &x [1, 2]\nb: *x\n", 9),  # the alias counts its target again
])
def test_a_document_is_sized_as_its_expanded_node_count(monkeypatch, text, size):
    import yaml as pyyaml

    from saltscan.render import yaml_load

    node = pyyaml.compose(text, Loader=pyyaml.SafeLoader)
    assert yaml_load._expanded_size(node) == size
    if "*" not in text:
        assert yaml_load._tree_size(node) == size
    monkeypatch.setattr(yaml_load, "MAX_NODES", size)
    assert yaml_load.load_marked(text, SourceMap.identity(text, "x.sls")) is not None
    monkeypatch.setattr(yaml_load, "MAX_NODES", size - 1)
    with pytest.raises(yaml_load.YamlTooLarge, match=f"more than {size - 1} nodes"):
        yaml_load.load_marked(text, SourceMap.identity(text, "x.sls"))
