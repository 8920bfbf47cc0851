"""The daemon reuses its last tree load, tree findings and file texts while nothing
they depend on changed; when files come and go, it answers as a cold run does."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from saltscan.daemon import protocol
from saltscan.daemon.server import handle
from saltscan.warm import WarmState

from hookkit import DB_FINDINGS, GRAINS, WEB_FINDINGS, text_findings, write_tree

FILES = ("salt/web/init.sls", "salt/web/extra.sls", "salt/db/init.sls", "salt/top.sls")


def _age(root: Path) -> None:
    """Everything last written a minute ago: a stamp taken right after a write may
    hide another write in the same clock tick, and is not trusted."""
    when = time.time() - 60
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (when, when))
    os.utime(root, (when, when))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo")
    _age(root)
    return root


class Runs:
    """Hook runs through one warm state, each checked against a cold one."""

    def __init__(self, repo: Path, tmp: Path) -> None:
        self.repo, self.tmp, self.warm, self.cold = repo, tmp, WarmState(), 0

    def _request(self, cache: Path) -> dict:
        return {"protocol": protocol.PROTOCOL, "command": "hook", "argv": ["hook", *FILES],
                "cwd": str(self.repo), "env": {"SALTSCAN_CACHE_DIR": str(cache)}}

    def run(self) -> list[tuple[str, str, int]]:
        warm = handle(self._request(self.tmp / "warm-cache"), self.warm)
        self.warm.flush()
        self.cold += 1
        cold = handle(self._request(self.tmp / f"cold-cache-{self.cold}"), WarmState())
        assert [warm[k] for k in ("exit_code", "stdout", "stderr")] == [cold[k] for k in ("exit_code", "stdout", "stderr")]
        return text_findings(warm["stdout"])

    def reused(self) -> tuple[int, int]:
        carried = self.warm.rule_memo().carried
        return self.warm.loader.reused, carried.tree.reused


def test_nothing_changed_reuses_the_load_and_the_tree_findings(repo: Path, tmp_path: Path) -> None:
    runs = Runs(repo, tmp_path)
    assert runs.run() == DB_FINDINGS + WEB_FINDINGS
    assert runs.run() == DB_FINDINGS + WEB_FINDINGS
    assert runs.reused() == (1, 1)


def test_a_new_state_file_and_a_new_minion_are_seen(repo: Path, tmp_path: Path) -> None:
    runs = Runs(repo, tmp_path)
    runs.run()
    (repo / "salt/web/extra.sls").write_text("extra-check:\n  cmd.run:\n    - name: nc -z 10.1.1.1 80\n")
    web = repo / "salt/web/init.sls"
    web.write_text("include:\n  - web.extra\n" + web.read_text())
    _age(repo)
    extra = [("SS401", "salt/web/extra.sls", 3), ("SS503", "salt/web/extra.sls", 3)]
    moved = [(rule, file, line + 2) for rule, file, line in WEB_FINDINGS]
    assert runs.run() == DB_FINDINGS + extra + moved
    (repo / "grains/web02.json").write_text(json.dumps({**GRAINS["web01"], "id": "web02"}))
    (repo / "salt/top.sls").write_text("base:\n  web0*:\n    - web\n  db01:\n    - db\n")
    _age(repo)
    assert runs.run() == DB_FINDINGS + extra + moved
    (repo / "salt/web/extra.sls").unlink()
    web.write_text(web.read_text().replace("include:\n  - web.extra\n", ""))
    _age(repo)
    assert runs.run() == DB_FINDINGS + WEB_FINDINGS
    assert runs.reused() == (0, 0)
    assert runs.run() == DB_FINDINGS + WEB_FINDINGS
    assert runs.reused() == (1, 1)
