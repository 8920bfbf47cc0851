"""The render cache: a minion's render is reused while none of its inputs changed.

What makes a re-run after a one-file change fast is not re-rendering the minions that
file does not touch. The unit is one ``MinionRender``; its graph
(``build_minion_graph``, a pure function of the render) is stored in the same entry.
Rules and reports run every time: they depend on the whole model and on the
configuration, and keeping them out of the cache means a ``.saltscan.yml`` change can
never serve a stale finding.

An entry is found by a key and then validated by its dependencies:

- the **key** (sha256) covers everything known before rendering: the cache format,
  saltscan's own code (a fingerprint of its source files, so a development checkout
  never serves renders of older code), the Salt, Jinja, PyYAML and Python versions,
  the tree (root, state and pillar roots, master options, SLS files), the options and
  session inputs that change a render (saltenv, ``--sls``, limits, host facts), the
  **listing** of every file name in the roots (a new, removed or renamed file
  invalidates every render: it can change which root wins or what a glob include
  matches), the minion (id, grains, where they came from) and the variant (top-file
  render, or the untargeted SLS list);
- the **dependencies** are the files the render actually opened (see
  ``saltscan.cache_reads``) with their sha256; any of them changed, appeared or
  vanished makes the entry a miss.

Where it lives: ``platformdirs.user_cache_dir("saltscan")`` (``SALTSCAN_CACHE_DIR``
or ``--cache-dir`` override it), one subdirectory per scanned root. Nothing is
written into the scanned repository. Storage and its safety (signed pickles, atomic
replace) are in ``saltscan.cache_store``. docs/pre-commit.md is the user's view.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from saltscan.cache_reads import recording_reads
from saltscan.cache_store import EntryStore, load_or_create_key
from saltscan.model import Minion, MinionRender, RenderErrorKind, Tree

if TYPE_CHECKING:
    from saltscan.pipeline import ScanOptions
    from saltscan.render.context import ScanSession

CACHE_FORMAT = 1
CACHE_DIR_ENV = "SALTSCAN_CACHE_DIR"
# Directories that are never Salt data and change under our feet.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".saltscan_cache", "__pycache__"})
# Entries unused for this long, and not used by the current run, are deleted.
PRUNE_AFTER_SECONDS = 7 * 24 * 3600

# What of a scan's options and session goes into the key. Every field must be in one
# of these lists (tests/hook/test_cache_keys.py checks it), so that a new option or
# session field is a decision, not a stale cache.
OPTIONS_IN_KEY = ("saltenv", "sls")
OPTIONS_NOT_IN_KEY = (
    "path", "state_roots", "pillar_roots", "grains_files",  # they make the tree: in the key as the tree
    "host_facts",  # its content is in the key, as the session's host_facts
    "minions", "coverage",  # which minions are rendered, not how: each one has its own key
    "jobs",
)
SESSION_IN_KEY = ("limits", "host_facts")
SESSION_NOT_IN_KEY = ("tree", "bytecode_cache")  # the tree is keyed itself; caches


def default_cache_dir() -> Path:
    """``$SALTSCAN_CACHE_DIR``, else the per-user cache directory (platformdirs)."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("saltscan", appauthor=False))


# -- fingerprints ---------------------------------------------------------------------

def canonical(value: Any) -> Any:
    """``value`` as JSON data with one spelling per value (key order, sets, types)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": canonical(value.value)}
    if isinstance(value, Mapping):
        items = [(json.dumps(canonical(k), sort_keys=True), canonical(v)) for k, v in value.items()]
        return {"map": sorted(items, key=lambda kv: kv[0])}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(json.dumps(canonical(v), sort_keys=True) for v in value)}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": type(value).__qualname__, "fields": fields}
    return {"repr": f"{type(value).__module__}.{type(value).__qualname__}", "value": repr(value)}


def digest(value: Any) -> str:
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_fingerprint() -> str:
    """sha256 of saltscan's own source and data files (names and contents)."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json") and p.is_file()):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def tool_versions() -> dict[str, str]:
    import jinja2
    import salt.version
    import yaml

    from saltscan import __version__

    return {
        "saltscan": __version__,
        "salt": str(salt.version.__version__),
        "jinja2": jinja2.__version__,
        "pyyaml": yaml.__version__,
        "python": sys.version,
    }


def data_roots(tree: Tree) -> tuple[Path, ...]:
    """The state and pillar roots: where Salt looks files up."""
    roots = {Path(p).resolve() for mapping in (tree.state_roots, tree.pillar_roots) for paths in mapping.values() for p in paths}
    return tuple(sorted(roots))


def tree_listing(tree: Tree, max_file_bytes: int, skip: Iterable[Path] = ()) -> tuple[tuple[str, bool], ...]:
    """Every file in the roots (and at the top of the scanned root) as (path, over the limit).

    Names, not contents: contents are the dependencies' business. The size flag is
    here because a file over the limit is refused without being opened. The scanned
    root itself only counts with its top level (``pillar.example``), unless it is a
    root, so that unrelated files elsewhere in a repo do not invalidate renders.
    """
    skipped = {os.path.realpath(p) for p in skip}
    seen: set[tuple[str, bool]] = set()

    def add(path: str) -> None:
        try:
            seen.add((path, os.path.getsize(path) > max_file_bytes))
        except OSError:
            seen.add((path, False))

    for root in data_roots(tree):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and os.path.join(dirpath, d) not in skipped]
            for name in filenames:
                add(os.path.join(dirpath, name))
    top = Path(tree.root).resolve()
    try:
        entries = list(os.scandir(top))
    except OSError:
        entries = []
    for entry in entries:
        if entry.is_file():
            add(entry.path)
    return tuple(sorted(seen))


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class FileDigests:
    """sha256 of files by absolute path, each read at most once per scan."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._known:
            try:
                self._known[path] = _sha256_file(path)
            except OSError:
                self._known[path] = None  # missing or unreadable: it must stay so
        return self._known[path]


# -- the cache ------------------------------------------------------------------------

@dataclass(frozen=True)
class CacheEntry:
    dependencies: tuple[tuple[str, str | None], ...]  # (absolute path, sha256 or None)
    render: MinionRender
    graph: Any = None  # build_minion_graph(render), added once built: a pure function of it


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    graphs_reused: int = 0


class RenderCache:
    """Rendered minions under ``directory``; see the module docstring.

    ``key_file`` is the per-user signing key; it defaults to ``key`` in the default
    cache directory even when ``directory`` is elsewhere, so that pointing the cache
    into a shared place never shares the key.
    """

    def __init__(self, directory: Path | None = None, key_file: Path | None = None):
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.key = load_or_create_key(Path(key_file) if key_file is not None else default_cache_dir() / "key")
        self.stats = CacheStats()  # summed over every tree this object served
        self._code: str | None = None
        self._served: list[TreeCache] = []
        # id(render) -> where that render came from, for graph(); the entry keeps it alive.
        self._origins: dict[int, tuple[TreeCache, str, CacheEntry]] = {}

    def code_fingerprint(self) -> str:
        if self._code is None:
            self._code = code_fingerprint()
        return self._code

    def for_tree(self, tree: Tree, options: "ScanOptions", session: "ScanSession") -> "TreeCache":
        served = TreeCache(self, tree, options, session)
        self._served.append(served)
        return served

    def prune(self) -> int:
        """Forget entries of the trees served that they did not use and nobody used lately."""
        return sum(t.prune() for t in self._served)

    def remember(self, tree_cache: "TreeCache", key: str, entry: CacheEntry) -> None:
        self._origins[id(entry.render)] = (tree_cache, key, entry)

    def graph(self, render: MinionRender, build: Callable[[MinionRender], Any]) -> Any:
        """``build(render)``, reused from the render's entry when it holds one.

        The graph is a pure function of the render, so it is stored in the render's own
        entry: it is valid exactly as long as the render is.
        """
        origin = self._origins.get(id(render))
        if origin is None or origin[2].render is not render:
            return build(render)  # not a render this cache produced: nothing to reuse
        tree_cache, key, entry = origin
        if entry.graph is not None:
            self.stats.graphs_reused += 1
            return entry.graph
        graph = build(render)
        updated = dataclasses.replace(entry, graph=graph)
        if tree_cache.store.put(key, updated):
            self.remember(tree_cache, key, updated)
        return graph


class TreeCache:
    """The cache as one ``render_tree`` call sees it: keys, lookups, stores, stats."""

    def __init__(self, cache: RenderCache, tree: Tree, options: "ScanOptions", session: "ScanSession"):
        root = str(Path(tree.root).resolve())
        self.store = EntryStore(cache.directory / hashlib.sha256(root.encode()).hexdigest()[:24], cache.key)
        # Reads that count as dependencies: anything under the scanned root or a root.
        # Files elsewhere (Python's own, Salt's) are covered by the versions and the
        # code fingerprint, and a render must not read the host anyway.
        self.roots = tuple(sorted({root, *(str(r) for r in data_roots(tree))}))
        self.digests = FileDigests()
        self.cache = cache
        self.stats = cache.stats
        self.used: set[str] = set()
        self._tree_key = digest({
            "format": CACHE_FORMAT,
            "code": cache.code_fingerprint(),
            "versions": tool_versions(),
            "root": root,
            "state_roots": tree.state_roots,
            "pillar_roots": tree.pillar_roots,
            "master_opts": tree.master_opts,
            "sls_files": tree.sls_files,
            "options": {name: getattr(options, name) for name in OPTIONS_IN_KEY},
            "session": {name: getattr(session, name) for name in SESSION_IN_KEY},
            "listing": tree_listing(tree, session.limits.max_file_bytes, skip=(cache.directory,)),
        })

    def key(self, minion: Minion, variant: tuple) -> str:
        return digest({"tree": self._tree_key, "minion": minion, "variant": variant})

    def lookup(self, key: str) -> CacheEntry | None:
        """The entry under ``key`` if every file it depends on is unchanged."""
        entry = self.store.get(key)
        if not isinstance(entry, CacheEntry):
            return None
        if any(self.digests(path) != sha for path, sha in entry.dependencies):
            return None
        return entry

    def store_render(self, key: str, render: MinionRender, reads: Iterable[str]) -> CacheEntry | None:
        if any(e.kind is RenderErrorKind.LIMIT for e in render.errors):
            return None  # a timeout depends on the machine's load: never make it sticky
        deps = tuple((p, self.digests(p)) for p in sorted(set(reads)) if self._inside_roots(p))
        entry = CacheEntry(deps, render)
        return entry if self.store.put(key, entry) else None

    def _inside_roots(self, path: str) -> bool:
        return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)

    def render(self, minion: Minion, variant: tuple, produce: Callable[[], MinionRender]) -> MinionRender:
        """The cached render of ``minion`` if still valid, else ``produce()`` (then stored)."""
        key = self.key(minion, variant)
        self.used.add(key)
        cached = self.lookup(key)
        if cached is not None:
            self.stats.hits += 1
            self.store.touch(key)
            self.cache.remember(self, key, cached)
            return cached.render
        self.stats.misses += 1
        with recording_reads() as reads:
            result = produce()
        stored = self.store_render(key, result, reads)
        if stored is not None:
            self.stats.stored += 1
            self.cache.remember(self, key, stored)
        return result

    def prune(self) -> int:
        """Forget this tree's entries that this run did not use and nobody used lately."""
        return self.store.prune(self.used, PRUNE_AFTER_SECONDS)


def cached_render(cache: TreeCache | None, minion: Minion, variant: tuple, produce: Callable[[], MinionRender]) -> MinionRender:
    """``produce()`` through ``cache`` when there is one: the hook point of ``render_tree``."""
    return produce() if cache is None else cache.render(minion, variant, produce)


def cached_graph(cache: RenderCache | None, render: MinionRender, build: Callable[[MinionRender], Any]) -> Any:
    """``build(render)`` through ``cache`` when there is one: the hook point of ``run_scan``."""
    return build(render) if cache is None else cache.graph(render, build)
