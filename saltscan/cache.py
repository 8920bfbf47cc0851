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
  render, or the one untargeted SLS it renders);
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
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from saltscan.cache_keys import (  # noqa: F401 - SKIPPED_DIRS, canonical: re-exported
    SKIPPED_DIRS,
    DigestMemo,
    FileDigests,
    canonical,
    code_fingerprint,
    data_roots,
    digest,
    tool_versions,
    tree_listing,
)
from saltscan.cache_reads import recording_reads
from saltscan.render.file_memo import StateFileMemo
from saltscan.cache_store import EntryStore, load_or_create_key
from saltscan.model import Minion, MinionRender, RenderErrorKind, Tree
from saltscan.userdirs import CACHE_DIR_ENV, default_cache_dir  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from saltscan.pipeline import ScanOptions
    from saltscan.render.trace import MemoUse, Produce, RenderTrace, Revalidate
    from saltscan.render.context import ScanSession

CACHE_FORMAT = 1
# Entries unused for this long, and not used by the current run, are deleted.
PRUNE_AFTER_SECONDS = 7 * 24 * 3600
# Renders a long-running process keeps in memory (in_memory=True), newest first.
MEMORY_ENTRIES = 4096
# Pickles of YAML parses a long-running process keeps (least recently used dropped).
PARSED_YAML_BYTES = 8 * 1024 * 1024

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
SESSION_NOT_IN_KEY = ("tree", "bytecode_cache", "_relpaths", "parsed_yaml", "_sls_avail", "_sls_globs", "_managed_params",
                      "_root_real", "_real_dirs", "_sls_paths")  # the tree is keyed itself; caches


# -- the cache ------------------------------------------------------------------------

@dataclass(frozen=True)
class CacheEntry:
    dependencies: tuple[tuple[str, str | None], ...]  # (absolute path, sha256 or None)
    render: MinionRender
    graph: Any = None  # build_minion_graph(render), added once built: a pure function of it
    trace: "RenderTrace | None" = None  # for early cutoff (saltscan.render.trace)


@dataclass
class CacheStats:
    hits: int = 0
    cutoffs: int = 0  # stale entries whose changed files did not change the render
    files_reused: int = 0  # state file renders reused from memory in re-rendered minions
    misses: int = 0
    stored: int = 0
    graphs_reused: int = 0

    def since(self, earlier: "CacheStats") -> "CacheStats":
        """What happened after ``earlier`` (a copy taken then): one run's share of a
        cache that serves many (the hook daemon's)."""
        return CacheStats(**{f.name: getattr(self, f.name) - getattr(earlier, f.name) for f in dataclasses.fields(self)})


def _parsed_yaml() -> Any:
    from saltscan.render.yaml_load import ParsedYaml  # YAML and Salt: not for a client's start

    return ParsedYaml(PARSED_YAML_BYTES)


class RenderCache:
    """Rendered minions under ``directory``; see the module docstring.

    ``key_file`` is the per-user signing key; it defaults to ``key`` in the default
    cache directory even when ``directory`` is elsewhere, so that pointing the cache
    into a shared place never shares the key.
    """

    def __init__(self, directory: Path | None = None, key_file: Path | None = None, *, in_memory: bool = False):
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.key = load_or_create_key(Path(key_file) if key_file is not None else default_cache_dir() / "key")
        self.stats = CacheStats()  # summed over every tree this object served
        self._code: str | None = None
        self._served: list[TreeCache] = []
        # id(render) -> where that render came from, for graph(); the entry keeps it alive.
        self._origins: dict[int, tuple[TreeCache, str, CacheEntry]] = {}
        # A long-running process (the hook daemon) keeps entries in memory, serves
        # them without unpickling, and writes to disk only in flush(), after its reply.
        self.memory: dict[str, CacheEntry] | None = {} if in_memory else None
        self.file_stamps: dict[str, tuple[tuple[int, ...], str]] | None = {} if in_memory else None
        self.file_memo = StateFileMemo() if in_memory else None
        # YAML parses by text, for every scan this process serves (import_yaml files
        # and most rendered state files are the same text from one scan to the next).
        self.parsed_yaml = _parsed_yaml() if in_memory else None
        self._digests = DigestMemo() if in_memory else None
        self._pending: dict[str, tuple[EntryStore, CacheEntry]] = {}

    def digest(self, value: Any) -> str:
        """``digest(value)``, remembered when this cache lives in memory."""
        return digest(value) if self._digests is None else self._digests(value)

    def recall(self, key: str) -> "CacheEntry | None":
        return self.memory.get(key) if self.memory is not None else None

    def put(self, store: EntryStore, key: str, entry: "CacheEntry") -> bool:
        """Store ``entry``: on disk now, or in memory now and on disk at ``flush()``."""
        if self.memory is None:
            return store.put(key, entry)
        self.keep(key, entry)
        self._pending[key] = (store, entry)  # a later put of the key replaces it: one write
        return True

    def keep(self, key: str, entry: "CacheEntry") -> None:
        """Hold ``entry`` in memory (``in_memory`` only), dropping the oldest beyond the bound."""
        if self.memory is None:
            return
        self.memory.pop(key, None)
        self.memory[key] = entry
        while len(self.memory) > MEMORY_ENTRIES:
            del self.memory[next(iter(self.memory))]

    def deferred_work(self) -> list[Callable[[], Any]]:
        """After a scan, with ``in_memory``: the disk writes ``put`` deferred, the
        prunes, and the copies of state file renders made ahead for the next scan
        (``StateFileMemo.spare_work``), as steps a long-running process runs when it
        has nothing else to do."""
        pending, self._pending = self._pending, {}
        served, self._served = self._served, []
        self._origins.clear()  # the scan they served is over; memory keeps what is reused
        steps: list[Callable[[], Any]] = [lambda s=store, k=key, e=entry: s.put(k, e) for key, (store, entry) in pending.items()]
        spares = self.file_memo.spare_work() if self.file_memo is not None else []
        return steps + [tree_cache.prune for tree_cache in served] + spares

    def code_fingerprint(self) -> str:
        if self._code is None:
            self._code = code_fingerprint()
        return self._code

    def tree_key(self, tree: Tree) -> str | None:
        """The key (code, versions, options, file names...) under which this scan served
        ``tree``, if it did: what else depends on all of that may use it."""
        for served in reversed(self._served):
            if served.tree is tree:
                return served.tree_key
        return None

    def for_tree(self, tree: Tree, options: "ScanOptions", session: "ScanSession") -> "TreeCache":
        served = TreeCache(self, tree, options, session)
        self._served.append(served)
        return served

    def prune(self) -> int:
        """Forget entries of the trees served that they did not use and nobody used lately.
        With ``in_memory`` this waits for ``flush()``."""
        if self.memory is not None:
            return 0
        return sum(t.prune() for t in self._served)

    def remember(self, tree_cache: "TreeCache", key: str, entry: CacheEntry) -> None:
        self._origins[id(entry.render)] = (tree_cache, key, entry)

    def trace_of(self, render: MinionRender) -> "RenderTrace | None":
        """The trace of ``render`` if this scan got it from this cache (saltscan.render.trace)."""
        origin = self._origins.get(id(render))
        return origin[2].trace if origin is not None and origin[2].render is render else None

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
        if self.put(tree_cache.store, key, updated):
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
        self.digests = FileDigests(cache.file_stamps)
        self._inside: dict[str, bool] = {}  # _inside_roots, per path
        self.cache = cache
        self.stats = cache.stats
        self.used: set[str] = set()
        self.tree = tree
        # Through the cache's memo: a daemon's requests key the same tree every time.
        self._tree_key = cache.digest({
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

    @property
    def tree_key(self) -> str:
        return self._tree_key

    def key(self, minion: Minion, variant: tuple) -> str:
        return self.cache.digest({"tree": self._tree_key, "minion": minion, "variant": variant})

    def lookup(self, key: str) -> CacheEntry | None:
        """The entry under ``key`` if every file it depends on is unchanged."""
        entry = self._stored(key)
        if entry is None or self._changed(entry):
            return None
        return entry

    def _stored(self, key: str) -> CacheEntry | None:
        entry = self.cache.recall(key) or self.store.get(key)
        return entry if isinstance(entry, CacheEntry) else None

    def _changed(self, entry: CacheEntry) -> list[str]:
        return [path for path, sha in entry.dependencies if self.digests(path) != sha]

    def store_render(self, key: str, render: MinionRender, reads: Iterable[str], trace: "RenderTrace | None" = None) -> CacheEntry | None:
        if any(e.kind is RenderErrorKind.LIMIT for e in render.errors):
            return None  # a timeout depends on the machine's load: never make it sticky
        deps = tuple((p, self.digests(p)) for p in sorted(set(reads)) if self._inside_roots(p))
        entry = CacheEntry(deps, render, trace=trace)
        return entry if self.cache.put(self.store, key, entry) else None

    def _inside_roots(self, path: str) -> bool:
        # Asked for every read of every traced file render, reused ones included.
        found = self._inside.get(path)
        if found is None:
            found = self._inside[path] = any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in self.roots)
        return found

    def render(
        self, minion: Minion, variant: tuple,
        produce: "Produce",
        revalidate: "Revalidate | None" = None,
    ) -> MinionRender:
        """The cached render of ``minion`` if still valid, else ``produce(trace)`` (then
        stored). A stale entry whose changed files are only state files that render as
        before is still valid: ``revalidate(render, items)`` says so (early cutoff)."""
        key = self.key(minion, variant)
        self.used.add(key)
        entry = self._stored(key)
        if entry is not None:
            changed = self._changed(entry)
            if changed:
                entry = self._cut_off(key, minion, entry, changed, revalidate)
            if entry is not None:
                self.stats.hits += 1
                if self.cache.memory is None:
                    self.store.touch(key)
                self.cache.keep(key, entry)
                self.cache.remember(self, key, entry)
                return entry.render
        from saltscan.render.trace import TraceRecorder

        self.stats.misses += 1
        memo = self._memo_use(minion)
        with recording_reads() as reads, recording_reads() as outside:
            trace = TraceRecorder(outside, memo)
            result = produce(trace)
        if memo is not None and not trace.commit():
            # A state file changed the pillar in place: what was reused may be stale.
            with recording_reads() as reads, recording_reads() as outside:
                trace = TraceRecorder(outside)
                result = produce(trace)
        self.stats.files_reused += trace.reused
        stored = self.store_render(key, result, reads, trace.finish(self._inside_roots))
        if stored is not None:
            self.stats.stored += 1
            self.cache.remember(self, key, stored)
        return result

    def _memo_use(self, minion: Minion) -> "MemoUse | None":
        """How this minion's renders may use the in-memory state file renders, if kept."""
        if self.cache.file_memo is None:
            return None
        from saltscan.render.trace import MemoUse

        context = self.cache.digest({"tree": self._tree_key, "minion": minion})
        return MemoUse(self.cache.file_memo, context, self.digests, self._inside_roots)

    def _cut_off(self, key: str, minion: Minion, entry: CacheEntry, changed: list[str], revalidate) -> CacheEntry | None:
        """``entry`` with its dependencies brought up to date, if the changes did not
        change its render; else None."""
        items = entry.trace.affected_by(changed) if entry.trace is not None and revalidate is not None else None
        reads = revalidate(entry.render, items, self._memo_use(minion)) if items else None
        if reads is None:
            return None
        if any(tuple(sorted(p for p in now if self._inside_roots(p))) != item.reads for item, now in zip(items, reads)):
            return None  # it read other files this time: its dependencies are not the same
        deps = tuple((path, self.digests(path)) for path, _ in entry.dependencies)
        updated = dataclasses.replace(entry, dependencies=deps)
        self.cache.put(self.store, key, updated)
        self.stats.cutoffs += 1
        return updated

    def prune(self) -> int:
        """Forget this tree's entries that this run did not use and nobody used lately."""
        return self.store.prune(self.used, PRUNE_AFTER_SECONDS)


def cached_render(
    cache: TreeCache | None, minion: Minion, variant: tuple,
    produce: "Produce",
    revalidate: "Revalidate | None" = None,
) -> MinionRender:
    """``produce(None)``, or through ``cache`` when there is one: the hook point of ``render_tree``."""
    return produce(None) if cache is None else cache.render(minion, variant, produce, revalidate)


def cached_graph(cache: RenderCache | None, render: MinionRender, build: Callable[[MinionRender], Any]) -> Any:
    """``build(render)`` through ``cache`` when there is one: the hook point of ``run_scan``."""
    return build(render) if cache is None else cache.graph(render, build)
