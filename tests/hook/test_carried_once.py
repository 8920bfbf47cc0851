"""Scan-wide results carried to the next scan of a process (``ScanMemo.carry_once``):
reused only under the same context while the files they read are unchanged."""

from __future__ import annotations

from pathlib import Path

from saltscan.cache import RenderCache
from saltscan.engine.config import Config
from saltscan.engine.context import SourceReader
from saltscan.engine.kept import KeptFindings
from saltscan.engine.memo import ScanMemo
from saltscan.engine.runner import RuleRun, select_rules
from saltscan.engine.source_reads import recording_sources
from saltscan.graph import build_minion_graph
from saltscan.pipeline import ScanOptions, load_model

from hookkit import write_tree

# Content rendered from an expression: its line is not in the SLS as written, so
# SS102 places it at the ``contents`` key, until a line holding that text follows.
DB_ENV = (
    "db-env:\n"
    "  file.managed:\n"
    "    - name: /etc/db/db.env\n"
    "    - contents: |\n"
    "        PGDATA={{ '/srv/' ~ 'pgdata' }}\n"
)


class WarmScans:
    """Scans of one tree as the hook daemon makes them: one render cache, one
    KeptFindings, each run's memo the last one's ``next_scan()``."""

    def __init__(self, repo: Path, tmp: Path):
        self.repo = repo
        self.cache = RenderCache(tmp / "cache", key_file=tmp / "key", in_memory=True)
        self.kept = KeptFindings()
        self.memo: ScanMemo | None = None

    def run(self) -> list[tuple[str, str, int]]:
        model = load_model(ScanOptions(path=self.repo), cache=self.cache)
        run = RuleRun(model, Config(), select_rules(Config()),
                      memo=self.memo.next_scan() if self.memo is not None else None)
        found = []
        for r in model.renders:
            graph = self.cache.graph(r, build_minion_graph)
            found += self.kept.render_findings(run, r, graph, "ctx")
        self.kept.keep_only(model.renders)
        self.memo = run.memo
        return sorted((f.rule, f.location.file, f.location.line) for f in found)


def cold(repo: Path, tmp: Path) -> list[tuple[str, str, int]]:
    return WarmScans(repo, tmp).run()


def test_a_carried_result_is_recomputed_when_a_file_it_read_changed(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo")
    db = repo / "salt/db/init.sls"
    db.write_text(db.read_text() + DB_ENV)
    warm = WarmScans(repo, tmp_path / "warm")
    assert ("SS102", "salt/db/init.sls", 9) in warm.run()
    db.write_text(db.read_text() + "# PGDATA=/srv/pgdata is on a volume\n")  # the render is reused
    second = warm.run()
    assert ("SS102", "salt/db/init.sls", 11) in second and ("SS102", "salt/db/init.sls", 9) not in second
    assert second == cold(repo, tmp_path / "cold")
    assert warm.run() == second  # nothing changed: all reused


def test_once_reuses_the_last_scans_result_while_its_files_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "motd").write_text("hello\n")
    calls: list[str] = []

    def scan(memo: ScanMemo, context: str | None = "ctx", ask: bool = True) -> ScanMemo:
        reader = SourceReader(tmp_path)
        if context is not None:
            memo.carry_once(context, reader.look)
        if ask:
            with recording_sources() as read:
                value = memo.once(("motd-lines",), lambda: calls.append("x") or tuple(reader.text("motd").split()))
            assert read == {"motd"}  # reused or not, the asker depends on the file
            assert value == tuple((tmp_path / "motd").read_text().split())
        return memo

    first = scan(ScanMemo())
    second = scan(first.next_scan())
    assert len(calls) == 1  # the same context, the same text: reused
    (tmp_path / "motd").write_text("hello again\n")
    third = scan(second.next_scan())
    assert len(calls) == 2  # the file changed
    fourth = scan(third.next_scan(), context="other")
    assert len(calls) == 3  # another context
    fifth = scan(fourth.next_scan(), context=None)
    assert len(calls) == 4  # no reader given: nothing is carried
    sixth = scan(fifth.next_scan())
    assert len(calls) == 5  # the last scan computed it without a reader: not kept
    seventh = scan(sixth.next_scan(), ask=False)
    scan(seventh.next_scan())
    assert len(calls) == 6  # a scan that did not ask for it let it go
