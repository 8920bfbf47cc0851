"""A long-running process's last tree load is reused only while every look it took
would get the same answer; the looks answer as ``pathlib`` does."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from saltscan.loader import LoaderMemo, load_tree_with_errors
from saltscan.loader.looks import Looks
from saltscan.pipeline import ScanOptions

FILES = {
    "master": "file_roots:\n  base:\n    - /srv/salt\npillar_roots:\n  base:\n    - /srv/pillar\n",
    "salt/top.sls": "base:\n  '*':\n    - app\n",
    "salt/app/init.sls": "app: {test.nop: []}\n",
    "salt/app/web.sls": "#!yaml\nweb: {test.nop: []}\n",
    "pillar/top.sls": "base: {}\n",
    "grains/web01.json": '{"id": "web01", "role": "web"}\n',
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _age(root: Path, seconds: int = 60) -> None:
    """Every file and directory last written ``seconds`` ago (a stamp taken right
    after a write may hide a second write in the same clock tick: not kept)."""
    when = time.time() - seconds
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (when, when), follow_symlinks=False)
    os.utime(root, (when, when))


@pytest.fixture
def tree_dir(tmp_path: Path) -> Path:
    _write(tmp_path, FILES)
    _age(tmp_path)
    return tmp_path


def _load(root: Path, memo: LoaderMemo | None):
    return load_tree_with_errors(ScanOptions(path=root), memo)


def _sls(tree) -> list[tuple[str, str, str]]:
    return [(f.sls, f.path, f.renderer) for f in tree.sls_files]


def test_an_unchanged_tree_is_reused_as_a_fresh_copy(tree_dir):
    memo = LoaderMemo()
    first = _load(tree_dir, memo)
    second = _load(tree_dir, memo)
    assert memo.reused == 1
    assert second == first == _load(tree_dir, None)
    assert second[0] is not first[0]
    # A template may change the grains it is given: the next scan must not see it.
    second[0].minions[0].grains["role"] = "changed"
    assert _load(tree_dir, memo)[0].minions[0].grains["role"] == "web"
    assert memo.reused == 2


def test_a_new_sls_file_is_seen_and_a_fresh_directory_is_not_kept(tree_dir):
    memo = LoaderMemo()
    assert _sls(_load(tree_dir, memo)[0]) == [("app", "salt/app/init.sls", "jinja|yaml"),
                                              ("app.web", "salt/app/web.sls", "yaml")]
    (tree_dir / "salt/app/db.sls").write_text("db: {test.nop: []}\n")
    tree, _ = _load(tree_dir, memo)
    assert memo.reused == 0
    assert [f.sls for f in tree.sls_files] == ["app", "app.db", "app.web"]
    # salt/app/ was written just now: what was listed then is not trusted yet.
    _load(tree_dir, memo)
    assert memo.reused == 0
    _age(tree_dir)
    _load(tree_dir, memo)
    _load(tree_dir, memo)
    assert memo.reused == 1


def test_an_edit_that_keeps_the_first_line_is_reused_one_that_changes_it_is_not(tree_dir):
    memo = LoaderMemo()
    _load(tree_dir, memo)
    with open(tree_dir / "salt/app/init.sls", "a") as fh:
        fh.write("more: {test.nop: []}\n")
    tree, _ = _load(tree_dir, memo)
    assert memo.reused == 1
    assert _sls(tree)[0] == ("app", "salt/app/init.sls", "jinja|yaml")
    (tree_dir / "salt/app/init.sls").write_text("#!py\ndef run():\n    return {}\n")
    tree, _ = _load(tree_dir, memo)
    assert memo.reused == 1
    assert _sls(tree)[0] == ("app", "salt/app/init.sls", "py")


def test_grains_and_master_config_edits_are_seen(tree_dir):
    memo = LoaderMemo()
    _load(tree_dir, memo)
    (tree_dir / "grains/web01.json").write_text('{"id": "web01", "role": "db"}\n')
    tree, _ = _load(tree_dir, memo)
    assert tree.minions[0].grains["role"] == "db"
    (tree_dir / "master").write_text("file_roots:\n  base:\n    - /srv/other\n")
    _write(tree_dir, {"other/x.sls": "x: {test.nop: []}\n"})
    tree, _ = _load(tree_dir, memo)
    assert [p.name for p in tree.state_roots["base"]] == ["other"]
    assert tree.pillar_roots == {"base": (tree_dir / "pillar",)}
    assert memo.reused == 0


def test_a_layout_root_that_gets_its_first_sls_file_is_seen(tmp_path):
    _write(tmp_path, {"states/readme.txt": "x\n", "states/deep/.keep": ""})
    _age(tmp_path)
    memo = LoaderMemo()
    tree, _ = _load(tmp_path, memo)
    assert tree.state_roots == {"base": (tmp_path,)}
    (tmp_path / "states/deep/a.sls").write_text("a: {test.nop: []}\n")
    tree, _ = _load(tmp_path, memo)
    assert tree.state_roots == {"base": (tmp_path / "states",)}
    assert memo.reused == 0


def test_a_symlinked_sls_file_that_points_elsewhere_is_seen(tree_dir):
    _write(tree_dir, {"shared/one/x.sls": "x: 1\n", "shared/two/x.sls": "#!yaml\nx: 2\n"})
    link = tree_dir / "salt/app/link.sls"
    link.symlink_to(tree_dir / "shared/one/x.sls")
    _age(tree_dir)
    memo = LoaderMemo()
    assert ("app.link", "shared/one/x.sls", "jinja|yaml") in _sls(_load(tree_dir, memo)[0])
    # Elsewhere, the directory the link leads through is swapped for another.
    os.rename(tree_dir / "shared/one", tree_dir / "shared/old")
    os.rename(tree_dir / "shared/two", tree_dir / "shared/one")
    _age(tree_dir)
    assert ("app.link", "shared/one/x.sls", "yaml") in _sls(_load(tree_dir, memo)[0])
    assert memo.reused == 0


def test_a_link_that_resolves_elsewhere_to_the_same_file_is_seen(tree_dir):
    # salt/app/link.sls -> shared/cur/x.sls, shared/cur -> one; two/x.sls is the same
    # file (a hard link): only where the link resolves to changes.
    _write(tree_dir, {"shared/one/x.sls": "x: 1\n"})
    (tree_dir / "shared/two").mkdir()
    os.link(tree_dir / "shared/one/x.sls", tree_dir / "shared/two/x.sls")
    (tree_dir / "shared/cur").symlink_to("one")
    (tree_dir / "salt/app/link.sls").symlink_to(tree_dir / "shared/cur/x.sls")
    _age(tree_dir)
    memo = LoaderMemo()
    assert ("app.link", "shared/one/x.sls", "jinja|yaml") in _sls(_load(tree_dir, memo)[0])
    (tree_dir / "shared/cur").unlink()
    (tree_dir / "shared/cur").symlink_to("two")
    assert ("app.link", "shared/two/x.sls", "jinja|yaml") in _sls(_load(tree_dir, memo)[0])
    assert memo.reused == 0


def test_other_options_are_not_answered_from_the_last_load(tree_dir):
    memo = LoaderMemo()
    _load(tree_dir, memo)
    options = ScanOptions(path=tree_dir, minions=("db01",))
    tree, errors = load_tree_with_errors(options, memo)
    assert memo.reused == 0
    assert (tree, errors) == load_tree_with_errors(options)
    # One grains profile and one minion asked for: the profile is that minion's.
    assert [(m.id, m.source, m.grains["role"]) for m in tree.minions] == [("db01", "grains/web01.json", "web")]
    assert errors == ()


@pytest.mark.parametrize("files, links, expected", [
    ({"a/b/c.sls": ""}, {}, True),
    ({"a/b/c.txt": "", "a/.hidden/x.sls": ""}, {}, True),
    ({"a/b/c.txt": "", "a/d.sls/e.txt": ""}, {}, True),  # a directory named *.sls counts
    ({"a/b/c.txt": "", "x/y.sls": ""}, {"a/link": "x"}, False),  # a linked directory is not walked
    ({"a/b/c.txt": "", "x/y.sls": ""}, {"a/y.sls": "x/y.sls"}, True),
    ({"a/b/c.SLS": ""}, {}, False),
])
def test_has_sls_answers_as_rglob(tmp_path, files, links, expected):
    _write(tmp_path, files)
    for link, target in links.items():
        (tmp_path / link).symlink_to(tmp_path / target)
    assert any((tmp_path / "a").rglob("*.sls")) is expected
    looks = Looks(noting=True)
    assert looks.has_sls(tmp_path / "a") is expected
    assert ("list", str(tmp_path / "a")) in looks.notes


def test_looks_answer_as_pathlib_and_note_only_when_asked(tmp_path):
    _write(tmp_path, {"f.txt": "x"})
    (tmp_path / "d").mkdir()
    quiet, noting = Looks(), Looks(noting=True)
    for looks in (quiet, noting):
        for name in ("f.txt", "d", "missing", "f.txt/below"):
            path = tmp_path / name
            assert (looks.is_file(path), looks.is_dir(path)) == (path.is_file(), path.is_dir())
    assert quiet.notes == {}
    assert noting.notes[("probe", str(tmp_path / "missing"))] == (None, None)
    assert noting.notes[("probe", str(tmp_path / "d"))][0][0] == 0o040000  # a directory
    assert noting.racy is False  # probes tell types, not contents
    noting.read_text(tmp_path / "f.txt")
    assert noting.racy is True  # written just now
