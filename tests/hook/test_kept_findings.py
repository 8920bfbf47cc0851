"""Findings kept per minion between scans (the hook daemon's ``KeptFindings``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from saltscan.cache import RenderCache
from saltscan.engine.config import Config
from saltscan.engine.kept import KeptFindings
from saltscan.engine.memo import ScanMemo
from saltscan.engine.runner import RuleRun, select_rules
from saltscan.engine.source_reads import recording_sources
from saltscan.graph import build_minion_graph
from saltscan.pipeline import ScanOptions, load_model

from hookkit import write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo")


class Scans:
    """Scans of one tree through one in-memory render cache and one KeptFindings."""

    def __init__(self, repo: Path, tmp: Path):
        self.repo = repo
        self.cache = RenderCache(tmp / "cache", key_file=tmp / "key", in_memory=True)
        self.kept = KeptFindings()

    def run(self, context: str = "ctx") -> dict[str, tuple]:
        model = load_model(ScanOptions(path=self.repo), cache=self.cache)
        run = RuleRun(model, Config(), select_rules(Config()))
        out = {}
        for r in model.renders:
            graph = self.cache.graph(r, build_minion_graph)
            out[r.minion.id] = self.kept.render_findings(run, r, graph, context)
        self.kept.keep_only(model.renders)
        return out

    @staticmethod
    def where(found: tuple) -> list[tuple[str, str, int]]:
        return sorted((f.rule, f.location.file, f.location.line) for f in found)


def test_unchanged_minions_keep_their_findings(repo: Path, tmp_path: Path) -> None:
    scans = Scans(repo, tmp_path)
    first = scans.run()
    second = scans.run()
    assert scans.kept.reused == 2 and all(second[m] is first[m] for m in first)
    assert scans.where(second["web01"]) == [("SS301", "pillar/secrets.sls", 3), ("SS401", "salt/web/init.sls", 6), ("SS503", "salt/web/init.sls", 6)]


def test_a_comment_in_a_file_the_rules_read_reruns_that_minion_only(repo: Path, tmp_path: Path) -> None:
    scans = Scans(repo, tmp_path)
    first = scans.run()
    web = repo / "salt/web/init.sls"
    web.write_text(web.read_text() + "# reviewed\n")  # the render is cut off: the same object
    second = scans.run()
    assert scans.kept.reused == 1  # db01's; web01's rules read web/init.sls again
    assert second["db01"] is first["db01"] and second["web01"] is not first["web01"]
    assert scans.where(second["web01"]) == scans.where(first["web01"])


def test_another_context_reruns_every_minion(repo: Path, tmp_path: Path) -> None:
    scans = Scans(repo, tmp_path)
    scans.run("config-a")
    scans.run("config-b")
    assert scans.kept.reused == 0


def test_a_value_computed_once_per_scan_carries_the_files_it_read() -> None:
    memo = ScanMemo()

    def compute() -> str:
        from saltscan.engine.source_reads import note_sources

        note_sources(("salt/common/files/motd",))
        return "lines"

    with recording_sources() as first:
        memo.once("motd-lines", compute)
    with recording_sources() as second:  # another minion reuses it without reading
        assert memo.once("motd-lines", compute) == "lines"
    assert first == second == {"salt/common/files/motd"}
