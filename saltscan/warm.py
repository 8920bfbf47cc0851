"""What a long-running process keeps between scans of the same trees.

A scan is a pure function of the files it reads, so a process that scans again and
again (the hook daemon) may keep any intermediate result, as long as it is keyed on
everything it depends on and revalidated against the files each time. ``WarmState``
owns those results; ``run_scan`` takes it through ``ScanRequest.warm``. An ordinary
command-line run has none and computes everything.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from saltscan.cache_keys import DigestMemo
from saltscan.engine.kept import KeptFindings
from saltscan.loader import LoaderMemo
from saltscan.render.context import CompiledTemplateCache

# Content-keyed memos grow with what they have seen: start them afresh now and then.
RENEW_EVERY = 100
MAX_RULE_MEMO = 500_000
# Allocations (net, of objects the collector tracks) between two young collections in
# a process that keeps its heap frozen. A hook request on a warm model makes about
# 10,000 (ehr-platform, 7 minions re-rendered): at the default 700 it collects ~35
# times (and the middle generation 3 times), 5-6 ms walking only what the request
# is still building; the full collection between requests takes what it left.
YOUNG_COLLECTION_AFTER = 20_000
# One idle collection in this many walks the whole (unfrozen) heap; see _collect_garbage.
FULL_COLLECTION_EVERY = 32


@dataclass
class WarmState:
    """Owned by one process; used by one scan at a time."""

    # One render cache per cache directory: entries in memory, disk writes after the reply.
    render_caches: dict[str, Any] = field(default_factory=dict)
    compiled_templates: CompiledTemplateCache = field(default_factory=CompiledTemplateCache)
    # The built-in rule registry (no --rules-dir: user code is never kept warm).
    registry: Any = None
    served: int = 0  # requests served, for `saltscan daemon status`
    ahead: int = 0  # runs made ahead of a request, after an edit (daemon/server.py)
    repeated: int = 0  # requests given a kept reply: nothing it depended on changed (daemon/watch.py)
    kept: KeptFindings = field(default_factory=KeptFindings)  # per-minion findings
    loader: LoaderMemo = field(default_factory=LoaderMemo)  # the last tree load
    _digests: DigestMemo = field(default_factory=DigestMemo)
    _graph_memo: Any = None
    _rule_memo: Any = None
    _idle_work: list = field(default_factory=list)
    # The last scan's renders, and what the scans before it no longer use: forgotten
    # between requests (``_forget``), not before the reply.
    _renders: tuple = ()
    _retired: list = field(default_factory=list)
    _forget_queued: bool = False
    _collections: int = 0  # idle collections queued so far

    def render_cache(self, directory: Path | None):
        """The in-memory render cache for ``directory`` (None: the default one)."""
        from saltscan.cache import RenderCache, default_cache_dir

        where = str(Path(directory) if directory is not None else default_cache_dir())
        if where not in self.render_caches:
            self.render_caches[where] = RenderCache(Path(where), in_memory=True)
        return self.render_caches[where]

    def builtin_registry(self):
        if self.registry is None:
            from saltscan.engine.registry import load_registry

            self.registry = load_registry(())
        return self.registry

    def graph_memo(self):
        """Text scans and redactors shared by graph builds (content-keyed: never stale)."""
        from saltscan.graph import GraphMemo

        if self._graph_memo is None or self.served % RENEW_EVERY == 0:
            self._graph_memo = GraphMemo()
        return self._graph_memo

    def rule_memo(self):
        """The pure results of the last rule run, to start the next one from."""
        from saltscan.engine.memo import ScanMemo

        if self._rule_memo is None or len(self._rule_memo) > MAX_RULE_MEMO:
            return ScanMemo()
        return self._rule_memo.next_scan()

    def findings_context(self, model, config, rules, cache=None) -> str:
        """A digest of what a minion's findings depend on besides its render, its graph
        and the original files the rules read (``KeptFindings``). The tree's file names
        come from the render cache's key for the tree when it has one (not listed twice)."""
        tree_key = cache.tree_key(model.tree) if cache is not None else None
        if tree_key is None:
            from saltscan.cache_keys import tree_listing
            from saltscan.render.context import Limits

            tree_key = tree_listing(model.tree, Limits().max_file_bytes)
        return self._digests({
            "tree": model.tree, "errors": model.errors, "config": config,
            "rules": [f"{type(r).__module__}.{type(r).__qualname__}" for r in rules],
            "tree_key": tree_key,
        })

    def after_rules(self, run, model) -> None:
        """Keep what the next scan may reuse. Dropping what only dead renders used waits
        for the end of the request (``end_request``): the last reference to a stale
        render's states, graph and findings is dropped there, and freeing them costs
        milliseconds a reply need not wait for."""
        # The last request's leftovers not forgotten yet (no quiet spell since, or a
        # caller that never ends its requests): now, as before, so they never pile up.
        pending = self._forget_queued or bool(self._retired)
        if self._rule_memo is not None:
            self._retired.append(self._rule_memo)  # ``run.memo`` holds its results again
        self._rule_memo = run.memo
        self._renders = model.renders
        if pending:
            self._forget()

    def _forget(self) -> None:
        """Drop what the renders of the last scan do not use, and what was retired."""
        self._forget_queued = False
        self.kept.keep_only(self._renders)
        if self._graph_memo is not None:
            self._graph_memo.keep_only(st for render in self._renders for st in render.states)
        if self._rule_memo is not None:
            self._rule_memo.carried.finish.forget_replaced()
        self._retired.clear()

    def end_request(self) -> None:
        """A request was served: queue what must not delay a reply (forgetting what
        dead renders used, disk writes of the render caches, a garbage collection),
        and note the files its renders read."""
        if self.kept.has_pending():
            self._idle_work.append(self.kept.complete_pending)  # first: the next request may need them
        if not self._forget_queued:
            self._forget_queued = True
            self._idle_work.append(self._forget)
        for cache in self.render_caches.values():
            self._idle_work.extend(cache.deferred_work())
        # Now and then a full collection: cycles among frozen objects that died since.
        # (Measured: none worth it on ehr-platform, 103 MB after 100 edits either way.)
        self._collections += 1
        self._idle_work.append(partial(_collect_garbage, full=self._collections % FULL_COLLECTION_EVERY == 1))

    def has_idle_work(self) -> bool:
        return bool(self._idle_work)

    def idle_step(self) -> None:
        """One piece of the queued work (the daemon checks for requests in between)."""
        self._idle_work.pop(0)()

    def flush(self) -> None:
        """All of it now (a caller with no requests to wait for)."""
        self.end_request()
        while self._idle_work:
            self.idle_step()

    def looked_at(self) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
        """What the last scan's answer depends on besides its arguments: the scanned
        path, the directories whose listing the loader used, and every other path the
        loader looked at or a kept render read (daemon/watch.py watches them)."""
        root, listed, looked = self.loader.looked_at()
        return root, listed, tuple(sorted({*looked, *self.watched_files()}))

    def watched_files(self) -> tuple[str, ...]:
        """Every file a kept render read: what a change to is worth rendering ahead."""
        paths: set[str] = set()
        for cache in self.render_caches.values():
            for entry in (cache.memory or {}).values():
                paths.update(path for path, _ in entry.dependencies)
        return tuple(sorted(paths))


def _collect_garbage(full: bool = True) -> None:
    """A collection, then what is alive is frozen out of the collector's way: the model
    is large, and a collection in the middle of a request would walk all of it. Not
    ``full``, it walks only what the last request left unfrozen (~7 ms against ~45 on
    ehr-platform; an uninterruptible idle step delays a request that comes meanwhile).
    Young collections come less often from then on (``YOUNG_COLLECTION_AFTER``)."""
    if full:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_COLLECTION_AFTER:  # 0: collection was turned off, and stays so
        gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)
