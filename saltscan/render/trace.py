"""Early cutoff for cached renders: a changed file whose render did not change.

A cached minion render is stale when any file it read changed. Often the change
does not reach the render's result: a comment, a blank line at the end, an edit in
a Jinja branch this minion does not take. Re-rendering the whole minion (pillar,
every SLS, Salt's compile, templates), then its graph and rules, to find that out is
what made a one-file re-run slow. So a render made for the cache also records a
``RenderTrace``: for every state file it rendered, the files that render read and a
fingerprint of what it produced (data with every key's source location, errors, and
what the recorder saw: calls, unknowns, pillar reads). When only such files changed,
the cache re-renders just the state files that read them, in the minion's context,
and keeps the whole cached render if every fingerprint is the same
(``revalidate``). Anything else (a pillar or top file, a template, a file read
outside a state render, different reads, a render that changes the pillar it is
given) is a full re-render, as before.

The fingerprint is a sha256 of a pickle: equal pickles mean equal results (the
cutoff is safe); equal results with different pickles only cost a full re-render.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from saltscan.cache_reads import not_recording, recording_reads
from saltscan.model import Minion, MinionRender

if TYPE_CHECKING:
    from saltscan.render.context import ScanSession
    from saltscan.render.sls import FileRender
    from saltscan.render.tree import MinionRenderer


@dataclass(frozen=True)
class TracedRender:
    """One state file render inside a minion render."""

    path: str  # absolute
    sls: str
    saltenv: str
    roots: tuple[str, ...]
    reads: tuple[str, ...]  # absolute paths opened while it rendered, sorted
    fingerprint: str | None  # None: the result could not be fingerprinted


@dataclass(frozen=True)
class RenderTrace:
    items: tuple[TracedRender, ...]
    outside_reads: frozenset[str]  # files the minion render read outside any traced render

    def affected_by(self, changed: Iterable[str]) -> tuple[TracedRender, ...] | None:
        """The traced renders to redo for these changed files; ``None`` when a change
        reaches something else (then only a full re-render will do)."""
        changed = set(changed)
        if not changed or changed & self.outside_reads:
            return None
        affected = tuple(item for item in self.items if changed.intersection(item.reads))
        if any(item.fingerprint is None for item in affected):
            return None
        covered = {path for item in affected for path in item.reads}
        return affected if changed <= covered else None


# What render_tree hands the cache for a minion: how to render it (recording a trace),
# and how to re-render some of its state files (see ``revalidate``).
Produce = Callable[["TraceRecorder | None"], MinionRender]
Revalidate = Callable[[MinionRender, "tuple[TracedRender, ...]"], "tuple[frozenset[str], ...] | None"]


def fingerprint(result: "FileRender", records: list, errors: list) -> str | None:
    """sha256 of what a state file render gave the rest of the minion's render: its
    data (``MarkedMap`` pickles its key locations) and errors, what it recorded and
    the errors it added. The rendered text is left out: comments live there."""
    try:
        blob = pickle.dumps((result.data, result.errors, records, errors), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something unpicklable: this render cannot be cut off
        return None
    return hashlib.sha256(blob).hexdigest()


class TraceRecorder:
    """Collects a ``RenderTrace`` while one minion renders (owned by that render)."""

    def __init__(self, outside_reads: set[str]):
        self._outside = outside_reads
        self._items: list[TracedRender] = []

    def render(self, renderer: "MinionRenderer", path: str, sls: str, saltenv: str, roots: tuple[str, ...], pillar: dict) -> "FileRender":
        before = len(renderer.errors)
        with not_recording(self._outside), recording_reads() as reads, renderer.recorder.capturing() as records:
            result = renderer._render_sls(path, sls, saltenv, roots, pillar)
        # Now, before Salt's compile steps change the data in place.
        mark = fingerprint(result, records, renderer.errors[before:])
        self._items.append(TracedRender(path, sls, saltenv, tuple(roots), tuple(sorted(reads)), mark))
        return result

    def finish(self, keep: Callable[[str], bool]) -> RenderTrace:
        """The trace, with only the reads ``keep`` says are the tree's."""
        items = tuple(
            dataclasses.replace(item, reads=tuple(p for p in item.reads if keep(p))) for item in self._items
        )
        return RenderTrace(items, frozenset(p for p in self._outside if keep(p)))


def revalidate(session: "ScanSession", minion: Minion, render: MinionRender, items: tuple[TracedRender, ...]) -> tuple[frozenset[str], ...] | None:
    """Re-render ``items`` in ``minion``'s context: the files each read, if every one
    gives what it gave when ``render`` was made; else None. (The caller compares the
    reads: only those inside the tree count, Python's own lazy imports do not.)"""
    from saltscan.render.tree import MinionRenderer

    pillar = copy.deepcopy(render.pillar)
    before = pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL)
    renderer = MinionRenderer(session, minion)
    renderer.ctx.pillar = pillar
    all_reads = []
    for item in items:
        errors = len(renderer.errors)
        with recording_reads() as reads, renderer.recorder.capturing() as records:
            result = renderer._render_sls(item.path, item.sls, item.saltenv, item.roots, pillar)
        if fingerprint(result, records, renderer.errors[errors:]) != item.fingerprint:
            return None
        all_reads.append(frozenset(reads))
    # A render that changes the pillar it is given changes what later files see.
    if pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL) != before:
        return None
    return tuple(all_reads)
