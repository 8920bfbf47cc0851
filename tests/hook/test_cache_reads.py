"""recording_reads: every way of opening a file is seen, only inside the block and thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from saltscan.cache_reads import recording_reads


def test_records_every_open_inside_the_block_only(tmp_path: Path) -> None:
    for name in ("a.sls", "b.jinja", "c.yaml", "d.txt", "outside.sls"):
        (tmp_path / name).write_text(name)
    open(tmp_path / "outside.sls").close()
    with recording_reads() as reads:
        with open(tmp_path / "a.sls") as fh:
            fh.read()
        (tmp_path / "b.jinja").read_text()
        os.close(os.open(tmp_path / "c.yaml", os.O_RDONLY))
        with open(os.fsencode(tmp_path / "d.txt"), "rb") as fh:
            fh.read()
        os.path.isfile(tmp_path / "outside.sls")  # a stat is not a read
    (tmp_path / "outside.sls").read_text()
    assert reads == {str(tmp_path / n) for n in ("a.sls", "b.jinja", "c.yaml", "d.txt")}


def test_relative_paths_are_made_absolute(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "top.sls").write_text("base: {}")
    monkeypatch.chdir(tmp_path)
    with recording_reads() as reads:
        Path("top.sls").read_text()
    assert reads == {str(tmp_path / "top.sls")}


def test_nested_blocks_both_see_inner_reads(tmp_path: Path) -> None:
    (tmp_path / "outer").write_text("1")
    (tmp_path / "inner").write_text("2")
    with recording_reads() as outer:
        (tmp_path / "outer").read_text()
        with recording_reads() as inner:
            (tmp_path / "inner").read_text()
    assert inner == {str(tmp_path / "inner")}
    assert outer == {str(tmp_path / "outer"), str(tmp_path / "inner")}


def test_another_threads_reads_are_not_recorded(tmp_path: Path) -> None:
    (tmp_path / "mine").write_text("1")
    (tmp_path / "theirs").write_text("2")
    started, release = threading.Event(), threading.Event()

    def other() -> None:
        started.set()
        release.wait(10)
        (tmp_path / "theirs").read_text()

    thread = threading.Thread(target=other)
    thread.start()
    started.wait(10)
    with recording_reads() as reads:
        release.set()
        thread.join(10)
        (tmp_path / "mine").read_text()
    assert reads == {str(tmp_path / "mine")}


def test_a_failed_open_is_still_a_dependency(tmp_path: Path) -> None:
    # A render that looked for a file and did not find it depends on its absence.
    with recording_reads() as reads:
        try:
            open(tmp_path / "missing.sls")
        except FileNotFoundError:
            pass
    assert reads == {str(tmp_path / "missing.sls")}
