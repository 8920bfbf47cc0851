"""TreeCache: a render is reused exactly while none of its inputs changed.

The renders here are hand-built; ``produce`` reads the files a real render of that
minion would read, so the dependencies are recorded the same way.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from hookkit import write_files

import saltscan.cache as cache_mod
from saltscan.cache import RenderCache, TreeCache
from saltscan.model import Minion, MinionRender, RenderError, RenderErrorKind, SlsFile, SourceLocation, Tree
from saltscan.pipeline import ScanOptions
from saltscan.render.context import Limits, ScanSession
from saltscan.render.host_facts import HostFacts

FILES = {
    "salt/top.sls": "base:\n  web01:\n    - web\n",
    "salt/web/init.sls": "{% from 'web/map.jinja' import web %}\nnginx:\n  pkg.installed: []\n",
    "salt/web/map.jinja": "{% set web = {'port': 80} %}\n",
    "salt/db/init.sls": "postgresql:\n  pkg.installed: []\n",
    "pillar/top.sls": "base:\n  '*':\n    - common\n",
    "pillar/common.sls": "db_password: hunter2\n",
    "README.md": "not Salt\n",
}
# What rendering web01 reads (its top, its SLS, the Jinja import, its pillar).
WEB01_READS = ("salt/top.sls", "salt/web/init.sls", "salt/web/map.jinja", "pillar/top.sls", "pillar/common.sls")


def write_tree(root: Path) -> None:
    write_files(root, FILES)


def make_tree(root: Path, grains: dict | None = None) -> Tree:
    minion = Minion("web01", {"id": "web01", "os": "Debian", **(grains or {})}, "grains/web01.json")
    sls = tuple(
        SlsFile(p.relative_to(root / "salt").with_suffix("").as_posix().replace("/init", "").replace("/", "."), "base", p.relative_to(root).as_posix(), "jinja|yaml")
        for p in sorted((root / "salt").rglob("*.sls"))
    )
    return Tree(root=root, state_roots={"base": (root / "salt",)}, pillar_roots={"base": (root / "pillar",)}, minions=(minion,), sls_files=sls)


def make_render(minion: Minion, marker: str = "v1", errors: tuple = ()) -> MinionRender:
    return MinionRender(
        minion=minion, top={"base": ("web",)}, high={"nginx": {"pkg": ["installed"]}, "marker": marker}, low=(), states=(),
        pillar={"db_password": "hunter2"}, pillar_values=(), errors=errors, unknowns=(), salt_calls=(), templates=(),
        sls_files=("salt/web/init.sls",),
    )


class Run:
    """One scan's view of the cache: a fresh TreeCache, like a new saltscan process."""

    def __init__(self, cache_dir: Path, root: Path, grains: dict | None = None, options: ScanOptions | None = None,
                 limits: Limits | None = None, host_facts: HostFacts | None = None):
        self.root = root
        self.tree = make_tree(root, grains)
        self.cache = RenderCache(cache_dir, key_file=cache_dir / "key")
        session = ScanSession(self.tree, limits or Limits(), host_facts=host_facts or HostFacts())
        self.memo: TreeCache = self.cache.for_tree(self.tree, options or ScanOptions(path=root), session)
        self.produced = 0

    def render(self, reads=WEB01_READS, marker: str = "v1", errors: tuple = ()) -> MinionRender:
        minion = self.tree.minions[0]

        def produce(trace=None) -> MinionRender:
            self.produced += 1
            for rel in reads:
                try:
                    (self.root / rel).read_text()
                except FileNotFoundError:
                    pass
            return make_render(minion, marker, errors)

        return self.memo.render(minion, ("top",), produce)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_tree(tmp_path / "repo")
    return tmp_path / "repo"


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def warm(cache_dir: Path, root: Path, **kwargs) -> Run:
    first = Run(cache_dir, root, **kwargs)
    first.render()
    assert (first.produced, first.cache.stats.misses, first.cache.stats.stored) == (1, 1, 1)
    return first


def test_second_run_reuses_the_render(cache_dir: Path, root: Path) -> None:
    first = warm(cache_dir, root)
    second = Run(cache_dir, root)
    result = second.render(marker="would-be-new")
    assert second.produced == 0 and second.cache.stats.hits == 1
    assert result == make_render(first.tree.minions[0], "v1")


def test_dependencies_are_the_files_read_inside_the_roots(cache_dir: Path, root: Path) -> None:
    run = Run(cache_dir, root)
    run.render(reads=WEB01_READS + ("README.md",))
    entry = run.memo.store.get(run.memo.key(run.tree.minions[0], ("top",)))
    assert [Path(p).relative_to(root).as_posix() for p, _ in entry.dependencies] == sorted(WEB01_READS + ("README.md",))
    # Python's own files (opened by lazy imports while rendering) are never dependencies.
    assert all(p.startswith(str(root)) for p, _ in entry.dependencies)


@pytest.mark.parametrize("rel", WEB01_READS)
def test_changing_any_file_the_render_read_invalidates(cache_dir: Path, root: Path, rel: str) -> None:
    warm(cache_dir, root)
    (root / rel).write_text((root / rel).read_text() + "# changed\n")
    again = Run(cache_dir, root)
    assert again.render(marker="v2").high["marker"] == "v2"
    assert again.produced == 1


def test_deleting_a_read_file_invalidates(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    (root / "salt/web/map.jinja").unlink()
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 1


def test_a_file_that_appears_where_the_render_looked_invalidates(cache_dir: Path, root: Path) -> None:
    run = Run(cache_dir, root)
    run.render(reads=WEB01_READS + ("salt/web/defaults.yaml",))  # looked for it; it was absent
    (root / "salt/web/defaults.yaml").write_text("port: 8080\n")
    again = Run(cache_dir, root)
    again.render(reads=WEB01_READS + ("salt/web/defaults.yaml",), marker="v2")
    assert again.produced == 1


def test_any_new_file_in_the_roots_invalidates(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    (root / "salt/web/extra.conf").write_text("x\n")  # could shadow or be globbed in
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 1


@pytest.mark.parametrize("rel", ["salt/db/init.sls", "README.md"])
def test_changing_a_file_the_render_did_not_read_keeps_it(cache_dir: Path, root: Path, rel: str) -> None:
    warm(cache_dir, root)
    (root / rel).write_text("changed: true\n")
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 0 and again.cache.stats.hits == 1


def test_files_outside_the_roots_do_not_count_in_the_listing(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    (root / "docs").mkdir()
    (root / "docs/new.md").write_text("x\n")
    (root / ".git").mkdir()
    (root / ".git/index").write_text("x\n")
    again = Run(cache_dir, root)
    again.render()
    assert again.produced == 0


def test_touching_without_changing_content_keeps_it(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    for rel in WEB01_READS:
        (root / rel).write_text((root / rel).read_text())
    again = Run(cache_dir, root)
    again.render()
    assert again.produced == 0


def test_grains_change_the_key(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    again = Run(cache_dir, root, grains={"os": "Rocky"})
    again.render(marker="v2")
    assert again.produced == 1
    same = Run(cache_dir, root)
    same.render()
    assert same.produced == 0  # the Debian entry is still there


@pytest.mark.parametrize("field,value", [("saltscan", "9.9.9"), ("salt", "3007.99"), ("jinja2", "0.0")])
def test_versions_change_the_key(cache_dir: Path, root: Path, monkeypatch, field: str, value: str) -> None:
    warm(cache_dir, root)
    real = cache_mod.tool_versions
    monkeypatch.setattr(cache_mod, "tool_versions", lambda: {**real(), field: value})
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 1


def test_saltscan_code_changes_the_key(cache_dir: Path, root: Path, monkeypatch) -> None:
    warm(cache_dir, root)
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "0" * 64)
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 1


@pytest.mark.parametrize("options", [{"saltenv": "dev"}, {"sls": ("web",)}])
def test_render_options_change_the_key(cache_dir: Path, root: Path, options: dict) -> None:
    warm(cache_dir, root)
    again = Run(cache_dir, root, options=ScanOptions(path=root, **options))
    again.render(marker="v2")
    assert again.produced == 1


def test_options_that_do_not_change_a_render_keep_it(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    again = Run(cache_dir, root, options=ScanOptions(path=root, jobs=4, minions=("web01",)))
    again.render()
    assert again.produced == 0


def test_a_file_crossing_the_size_limit_invalidates(cache_dir: Path, root: Path) -> None:
    limits = Limits(max_file_bytes=100)
    warm(cache_dir, root, limits=limits)
    (root / "salt/db/init.sls").write_text("x" * 200)  # never read by web01, but now refused
    again = Run(cache_dir, root, limits=limits)
    again.render(marker="v2")
    assert again.produced == 1


def test_limits_change_the_key(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    again = Run(cache_dir, root, limits=Limits(seconds_per_file=1.0))
    again.render(marker="v2")
    assert again.produced == 1


def test_host_facts_change_the_key(cache_dir: Path, root: Path) -> None:
    warm(cache_dir, root)
    again = Run(cache_dir, root, host_facts=HostFacts(executables=frozenset({"git"})))
    again.render(marker="v2")
    assert again.produced == 1


def test_every_option_and_session_field_is_decided() -> None:
    """A new ScanOptions or ScanSession field must be classed in saltscan.cache."""
    options = {f.name for f in dataclasses.fields(ScanOptions)}
    assert options == set(cache_mod.OPTIONS_IN_KEY) | set(cache_mod.OPTIONS_NOT_IN_KEY)
    session = {f.name for f in dataclasses.fields(ScanSession)}
    assert session == set(cache_mod.SESSION_IN_KEY) | set(cache_mod.SESSION_NOT_IN_KEY)


def test_variants_are_separate_entries(cache_dir: Path, root: Path) -> None:
    run = warm(cache_dir, root)
    minion = run.tree.minions[0]
    keys = {run.memo.key(minion, v) for v in (("top",), ("untargeted", "db"), ("untargeted", "db", "web"))}
    assert len(keys) == 3


def test_key_does_not_depend_on_dict_order_or_run(cache_dir: Path, root: Path) -> None:
    a = Run(cache_dir, root, grains={"roles": ["web", "db"], "a": 1, "b": {"y": 2, "x": 1}})
    b = Run(cache_dir, root, grains={"b": {"x": 1, "y": 2}, "a": 1, "roles": ["web", "db"]})
    assert list(a.tree.minions[0].grains) != list(b.tree.minions[0].grains)
    assert a.memo.key(a.tree.minions[0], ("top",)) == b.memo.key(b.tree.minions[0], ("top",))
    c = Run(cache_dir, root, grains={"roles": ["db", "web"], "a": 1, "b": {"y": 2, "x": 1}})
    assert a.memo.key(a.tree.minions[0], ("top",)) != c.memo.key(c.tree.minions[0], ("top",))  # list order matters


def test_a_render_that_hit_a_limit_is_not_stored(cache_dir: Path, root: Path) -> None:
    timeout = (RenderError(RenderErrorKind.LIMIT, "render took too long (10s)", SourceLocation("salt/web/init.sls", 1)),)
    run = Run(cache_dir, root)
    run.render(errors=timeout)
    assert run.cache.stats.stored == 0
    again = Run(cache_dir, root)
    again.render()
    assert again.produced == 1


def test_corrupt_entry_is_rendered_again_and_replaced(cache_dir: Path, root: Path) -> None:
    run = warm(cache_dir, root)
    path = run.memo.store.path_of(run.memo.key(run.tree.minions[0], ("top",)))
    path.write_bytes(path.read_bytes()[:50])
    again = Run(cache_dir, root)
    again.render(marker="v2")
    assert again.produced == 1 and again.cache.stats.stored == 1
    third = Run(cache_dir, root)
    assert third.render().high["marker"] == "v2" and third.produced == 0


def test_cache_directory_inside_the_tree_does_not_invalidate_itself(tmp_path: Path, root: Path) -> None:
    inside = root / "salt" / ".cache-here"
    warm(inside, root)
    again = Run(inside, root)
    again.render()
    assert again.produced == 0


def test_default_cache_dir_honours_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SALTSCAN_CACHE_DIR", str(tmp_path / "here"))
    assert cache_mod.default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("SALTSCAN_CACHE_DIR")
    assert cache_mod.default_cache_dir().name == "saltscan"


# -- graphs ride along with their render ------------------------------------------------

def graph_of(builds: list):
    def build(render: MinionRender) -> dict:
        builds.append(render.high["marker"])
        return {"graph-of": render.high["marker"]}
    return build


def test_graph_is_built_once_then_reused_with_its_render(cache_dir: Path, root: Path) -> None:
    builds: list = []
    first = Run(cache_dir, root)
    assert first.cache.graph(first.render(), graph_of(builds)) == {"graph-of": "v1"}
    second = Run(cache_dir, root)
    assert second.cache.graph(second.render(), graph_of(builds)) == {"graph-of": "v1"}
    assert builds == ["v1"] and second.cache.stats.graphs_reused == 1


def test_graph_is_rebuilt_when_its_render_is(cache_dir: Path, root: Path) -> None:
    builds: list = []
    first = Run(cache_dir, root)
    first.cache.graph(first.render(), graph_of(builds))
    (root / "salt/web/map.jinja").write_text("{% set web = {'port': 81} %}\n")
    second = Run(cache_dir, root)
    assert second.cache.graph(second.render(marker="v2"), graph_of(builds)) == {"graph-of": "v2"}
    third = Run(cache_dir, root)
    assert third.cache.graph(third.render(), graph_of(builds)) == {"graph-of": "v2"}
    assert builds == ["v1", "v2"]


def test_graph_of_a_render_the_cache_did_not_make_is_just_built(cache_dir: Path, root: Path) -> None:
    builds: list = []
    run = Run(cache_dir, root)
    stranger = make_render(run.tree.minions[0], "stranger")
    assert run.cache.graph(stranger, graph_of(builds)) == {"graph-of": "stranger"}
    assert cache_mod.cached_graph(None, stranger, graph_of(builds)) == {"graph-of": "stranger"}
    assert builds == ["stranger", "stranger"]


def test_a_stamp_too_recent_to_trust_is_not_kept(tmp_path: Path, monkeypatch) -> None:
    # "Racy git": a file written in the clock tick it was hashed in may be written
    # again with the same size and keep its stamp, so only older stamps are kept.
    import hashlib
    import os

    from saltscan.cache_keys import FileDigests

    path = tmp_path / "a.sls"
    path.write_text("a: 1\n")
    by_stat: dict = {}
    assert FileDigests(by_stat)(str(path)) == hashlib.sha256(b"a: 1\n").hexdigest()
    assert by_stat == {}
    os.utime(path, (1_700_000_000, 1_700_000_000))  # mtime in the past; ctime is now, though
    FileDigests(by_stat)(str(path))
    assert by_stat == {}
    later = time.time_ns() + 3_000_000_000  # the same file, looked at 3 s later
    monkeypatch.setattr("saltscan.cache_keys.time.time_ns", lambda: later)
    FileDigests(by_stat)(str(path))
    assert list(by_stat) == [str(path)] and by_stat[str(path)][1] == hashlib.sha256(b"a: 1\n").hexdigest()
