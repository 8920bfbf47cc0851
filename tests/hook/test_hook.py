"""``saltscan hook``: whole-tree scan, findings only for the files passed, render cache."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from saltscan.cli.hook import find_tree_root, hook_command, relative_files

from hookkit import DB_FINDINGS, PILLAR_SECRET, SECRET, WEB_FINDINGS, text_findings, write_tree

CACHE_LINE = re.compile(r"render cache .*: (\d+) reused, (\d+) rendered, (\d+) stored, (\d+) graphs reused")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo")
    (root / ".git").mkdir()  # find_tree_root stops here; no git needed
    return root


class Hook:
    def __init__(self, root: Path, cache: Path):
        self.root = root
        self.cache = cache

    def __call__(self, *args: str, cache: bool = True):
        cache_args = ["--cache-dir", str(self.cache)] if cache else ["--no-cache"]
        old = os.getcwd()
        os.chdir(self.root)  # pre-commit runs hooks at the repository root
        try:
            result = CliRunner().invoke(hook_command, ["-v", "--color", "never", *cache_args, *args], catch_exceptions=False)
        finally:
            os.chdir(old)
        stats = CACHE_LINE.search(result.stderr)
        result.cache_stats = tuple(int(g) for g in stats.groups()) if stats else None
        return result


@pytest.fixture
def hook(repo: Path, tmp_path: Path, monkeypatch) -> Hook:
    monkeypatch.setenv("SALTSCAN_CACHE_DIR", str(tmp_path / "user-cache"))  # the key lives here
    return Hook(repo, tmp_path / "cache")


def test_reports_only_findings_in_the_files_passed(hook: Hook) -> None:
    result = hook("salt/web/init.sls")
    assert result.exit_code == 1
    assert text_findings(result.stdout) == WEB_FINDINGS


def test_pillar_file_findings_come_from_the_whole_tree_and_stay_masked(hook: Hook) -> None:
    result = hook("pillar/secrets.sls")
    assert result.exit_code == 1
    assert text_findings(result.stdout) == [PILLAR_SECRET]
    assert SECRET not in result.stdout + result.stderr


def test_several_files_and_exact_set(hook: Hook) -> None:
    result = hook("salt/db/init.sls", "salt/web/init.sls", "salt/top.sls")
    assert text_findings(result.stdout) == DB_FINDINGS + WEB_FINDINGS


def test_clean_file_exits_zero(hook: Hook) -> None:
    result = hook("salt/web/map.jinja")
    assert result.exit_code == 0
    assert text_findings(result.stdout) == []


def test_fail_on_threshold(hook: Hook) -> None:
    assert hook("--fail-on", "critical", "salt/web/init.sls").exit_code == 0


def test_files_outside_the_tree_do_not_trigger_a_scan(hook: Hook, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.sls"
    outside.write_text("x: 1\n")
    result = hook(str(outside))
    assert result.exit_code == 0
    assert result.stdout == "" and result.cache_stats is None


def test_second_run_reuses_every_render_with_the_same_report(hook: Hook) -> None:
    first = hook("salt/web/init.sls", "pillar/secrets.sls")
    second = hook("salt/web/init.sls", "pillar/secrets.sls")
    reused, rendered, stored, graphs = second.cache_stats
    assert first.cache_stats[0] == 0 and first.cache_stats[1] == first.cache_stats[2] > 0
    assert (reused, rendered, graphs) == (first.cache_stats[1], 0, first.cache_stats[1])
    assert second.stdout == first.stdout


def test_one_file_change_rerenders_only_the_minions_that_read_it(hook: Hook, repo: Path) -> None:
    hook("salt/db/init.sls")
    db = repo / "salt/db/init.sls"
    db.write_text(db.read_text() + "db-extra-check:\n  cmd.run:\n    - name: nc -z 10.9.9.9 6379\n")
    warm = hook("salt/db/init.sls")
    reused, rendered, _, graphs = warm.cache_stats
    assert rendered == 1 and reused >= 1 and graphs == reused  # db01 only; web01 reused, with its graph
    fresh = hook("salt/db/init.sls", cache=False)
    assert warm.stdout == fresh.stdout
    assert text_findings(warm.stdout) == DB_FINDINGS + [("SS401", "salt/db/init.sls", 8), ("SS503", "salt/db/init.sls", 8)]


def test_shared_file_change_rerenders_every_minion_that_read_it(hook: Hook, repo: Path) -> None:
    hook("salt/web/init.sls")
    (repo / "pillar/secrets.sls").write_text((repo / "pillar/secrets.sls").read_text() + "extra: 1\n")
    warm = hook("salt/web/init.sls")
    assert warm.cache_stats[0] == 0  # every minion's pillar read it
    assert warm.stdout == hook("salt/web/init.sls", cache=False).stdout


def test_config_change_applies_with_a_warm_cache(hook: Hook, repo: Path) -> None:
    (repo / ".saltscan.yml").write_text("ignore: ['docs/**']\n")
    assert text_findings(hook("salt/web/init.sls").stdout) == WEB_FINDINGS
    (repo / ".saltscan.yml").write_text("disable: [SS401]\n")
    result = hook("salt/web/init.sls")
    assert result.cache_stats[1] == 0  # renders reused: the config is not a render input
    assert text_findings(result.stdout) == WEB_FINDINGS[1:]


def test_corrupt_cache_entries_are_rebuilt(hook: Hook) -> None:
    first = hook("salt/web/init.sls")
    for entry in hook.cache.rglob("*.entry"):
        entry.write_bytes(b"\x00" * 10)
    again = hook("salt/web/init.sls")
    assert again.cache_stats[0] == 0 and again.cache_stats[1] == first.cache_stats[1]
    assert again.stdout == first.stdout


def test_unusable_cache_falls_back_to_a_plain_scan(hook: Hook, tmp_path: Path, monkeypatch) -> None:
    key_dir = tmp_path / "shared-cache"
    key_dir.mkdir()
    (key_dir / "key").write_bytes(b"k" * 32)
    (key_dir / "key").chmod(0o644)  # readable by others: refused
    monkeypatch.setenv("SALTSCAN_CACHE_DIR", str(key_dir))
    result = hook("salt/web/init.sls")
    assert "render cache disabled" in result.stderr
    assert text_findings(result.stdout) == WEB_FINDINGS


def test_find_tree_root_walks_up_to_the_git_work_tree(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "salt/web").mkdir(parents=True)
    (root / ".git").write_text("gitdir: ../elsewhere\n")  # a worktree: .git is a file
    files = (root / "salt/web/init.sls", root / "salt/top.sls")
    assert find_tree_root(files, tmp_path) == root
    assert find_tree_root((), root / "salt") == root
    assert find_tree_root((tmp_path / "loose.sls",), tmp_path / "x") == (tmp_path / "x").resolve()


def test_relative_files_drops_outsiders_and_sorts(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    files = (root / "salt/b.sls", root / "salt/../salt/a.sls", tmp_path / "other.sls")
    assert relative_files(files, root) == ("salt/a.sls", "salt/b.sls")


def test_each_minion_depends_on_exactly_the_files_its_render_read(hook: Hook, repo: Path) -> None:
    """Through the real renderer: a read shared by two minions is recorded for both
    (a cache of file contents shared across minions would break this, and the cache)."""
    from saltscan.cache import CacheEntry, RenderCache
    from saltscan.cache_store import EntryStore

    hook("salt/web/init.sls")
    cache = RenderCache(hook.cache)
    [tree_dir] = [d for d in hook.cache.iterdir() if d.is_dir()]
    store = EntryStore(tree_dir, cache.key)
    deps = {}
    for name in store.names():
        entry = store.get(name)
        assert isinstance(entry, CacheEntry)
        deps[entry.render.minion.id] = {Path(p).relative_to(repo.resolve()).as_posix() for p, sha in entry.dependencies if sha}
    shared = {"salt/top.sls", "pillar/top.sls", "pillar/secrets.sls"}
    assert deps == {
        "web01": shared | {"salt/web/init.sls", "salt/web/map.jinja"},
        "db01": shared | {"salt/db/init.sls"},
    }
