"""The daemon's watch: what the last request used, changes to it, and kept replies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from saltscan.daemon.inotify import Inotify
from saltscan.daemon.watch import Watch

needs_inotify = pytest.mark.skipif(Inotify.open() is None, reason="inotify is Linux only")


class FakeWarm:
    """What a WarmState says the last scan looked at."""

    def __init__(self, root: Path, listed: list[Path], looked: list[Path]) -> None:
        self.answer = (str(root), tuple(map(str, listed)), tuple(map(str, looked)))

    def looked_at(self):
        return self.answer


def request(*files: str, cwd: Path, **extra) -> dict:
    return {"protocol": 2, "command": "hook", "argv": ["hook", *files], "cwd": str(cwd), "env": {}, **extra}


REPLY = {"status": "ok", "stdout": "salt/web.sls\n  high SS101 ...\n", "stderr": "", "exit_code": 1}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "salt").mkdir(parents=True)
    (root / "salt" / "web.sls").write_text("web:\n  pkg.installed: []\n")
    (root / "salt" / "notes.txt").write_text("not read by the scan\n")
    (root / "pillar").mkdir()
    (root / "pillar" / "top.sls").write_text("base: {}\n")
    return root


@pytest.fixture
def watch():
    notify = Inotify.open()
    w = Watch(notify)
    yield w
    if notify is not None:
        notify.close()


def served(watch: Watch, tree: Path, req: dict, reply: dict = REPLY) -> None:
    """One run of ``req`` that read web.sls and listed salt/ (as the daemon does it)."""
    warm = FakeWarm(tree, [tree / "salt"], [tree / "salt" / "web.sls", tree / "pillar" / "top.sls"])
    watch.finished(req, reply, watch.start(), warm)


@needs_inotify
def test_a_reply_is_given_again_until_something_it_used_changes(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    assert watch.reply_for(req) is None  # its directories were not watched while it ran
    served(watch, tree, req)
    assert watch.reply_for(req) == REPLY
    assert watch.reply_for(request("salt/web.sls", cwd=tree, stdout_tty=True)) is None  # another question
    assert not watch.changed()

    with open(tree / "pillar" / "top.sls", "a") as fh:
        fh.write("# edited\n")
    assert watch.reply_for(req) is None
    assert watch.changed()  # worth a run ahead
    served(watch, tree, req, {**REPLY, "stdout": "after the edit"})
    assert not watch.changed()
    assert watch.reply_for(req) == {**REPLY, "stdout": "after the edit"}


@needs_inotify
def test_only_changes_to_what_the_scan_used_count(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    served(watch, tree, req)
    (tree / "pillar" / "unrelated.txt").write_text("pillar/ is not listed: only top.sls there counts\n")
    assert watch.reply_for(req) == REPLY and not watch.changed()
    (tree / "salt" / "new.sls").write_text("new: {}\n")  # salt/ is listed: a new file changes the tree
    assert watch.reply_for(req) is None and watch.changed()


@needs_inotify
def test_a_change_while_the_run_reads_is_not_missed(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    started = watch.start()
    (tree / "salt" / "web.sls").write_text("web:\n  pkg.removed: []\n")  # after the run read it
    watch.finished(req, REPLY, started, FakeWarm(tree, [tree / "salt"], [tree / "salt" / "web.sls"]))
    assert watch.reply_for(req) is None
    assert watch.changed()


@needs_inotify
def test_verbose_runs_and_failed_runs_are_not_given_again(watch: Watch, tree: Path) -> None:
    verbose = request("-v", "salt/web.sls", cwd=tree)
    served(watch, tree, verbose)
    served(watch, tree, verbose)
    assert watch.reply_for(verbose) is None  # its cache statistics describe its own run
    failed = request("salt/web.sls", cwd=tree)
    served(watch, tree, failed, {"status": "error"})
    served(watch, tree, failed, {"status": "error"})
    assert watch.reply_for(failed) is None


@needs_inotify
def test_a_directory_created_later_is_seen_in_the_first_that_exists(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    warm = FakeWarm(tree, [], [tree / "salt" / "web.sls", tree / "grains" / "web01.json"])
    watch.finished(req, REPLY, watch.start(), warm)
    watch.finished(req, REPLY, watch.start(), warm)
    assert watch.reply_for(req) == REPLY
    (tree / "grains").mkdir()
    assert watch.reply_for(req) is None and watch.changed()


@needs_inotify
def test_a_config_file_added_above_the_tree_counts(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    served(watch, tree, req)
    (tree.parent / ".saltscan.yml").write_text("rules: {}\n")
    assert watch.reply_for(req) is None and watch.changed()


@needs_inotify
def test_a_save_is_settled_once_the_file_is_closed(watch: Watch, tree: Path) -> None:
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    fh = open(tree / "salt" / "web.sls", "a")
    fh.write("# half a save\n")
    fh.flush()
    assert watch.changed() and not watch.settled()
    fh.close()
    watch.drain()
    assert watch.settled()


def test_without_inotify_stamps_are_polled_and_no_reply_is_given_again(tree: Path) -> None:
    watch = Watch(None)
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    served(watch, tree, req)
    assert watch.reply_for(req) is None
    assert not watch.changed()
    web = tree / "salt" / "web.sls"
    web.write_text(web.read_text() + "# a longer file\n")
    assert watch.changed()


def test_inotify_events_name_the_file(tmp_path: Path) -> None:
    notify = Inotify.open()
    if notify is None:
        pytest.skip("inotify is Linux only")
    try:
        wd = notify.watch_dir(str(tmp_path))
        assert wd is not None and notify.read() == []
        (tmp_path / "a.sls").write_text("x")
        events = notify.read()
        assert {e.name for e in events} == {"a.sls"} and all(e.wd == wd for e in events)
        assert notify.watch_dir(str(tmp_path / "missing")) is None
        assert notify.watch_dir(os.fspath(tmp_path / "a.sls")) is None  # not a directory
    finally:
        notify.close()


@needs_inotify
def test_a_file_read_through_a_symlink_is_watched_where_it_lives(watch: Watch, tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "common.sls").write_text("common: {}\n")
    (tree / "salt" / "common.sls").symlink_to(outside / "common.sls")
    req = request("salt/web.sls", cwd=tree)
    warm = FakeWarm(tree, [tree / "salt"], [tree / "salt" / "common.sls"])
    watch.finished(req, REPLY, watch.start(), warm)
    watch.finished(req, REPLY, watch.start(), warm)
    assert watch.reply_for(req) == REPLY
    (outside / "common.sls").write_text("common: {changed: true}\n")
    assert watch.reply_for(req) is None and watch.changed()


@needs_inotify
def test_where_a_directory_cannot_be_watched_its_files_are_polled(watch: Watch, tree: Path, monkeypatch) -> None:
    pillar = str(tree / "pillar")
    real_watch_dir = watch.notify.watch_dir
    monkeypatch.setattr(watch.notify, "watch_dir", lambda path: None if path == pillar else real_watch_dir(path))
    req = request("salt/web.sls", cwd=tree)
    served(watch, tree, req)
    served(watch, tree, req)
    assert watch.reply_for(req) is None  # not everything it used is watched
    assert not watch.changed()
    top = tree / "pillar" / "top.sls"
    top.write_text(top.read_text() + "# a longer file\n")
    assert watch.changed()
