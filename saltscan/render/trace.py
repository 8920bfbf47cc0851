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

The fingerprint is a sha256 of a pickle (``render_blob``, also what the memo keeps):
equal pickles mean equal results (the cutoff is safe); equal results with different
pickles only cost a full re-render.

In the hook daemon the recorder also reuses render steps kept in memory
(``saltscan.render.file_memo``: state file renders, pillar, top, templates),
replaying what they recorded and the files they read, so that
a reused step leaves the same trace as a rendered one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from saltscan.cache_reads import not_recording, note_reads, recording_reads
from saltscan.model import Minion, MinionRender
from saltscan.render.file_memo import MemoEntry, StateFileMemo, pillar_digest

T = TypeVar("T")

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
Revalidate = Callable[[MinionRender, "tuple[TracedRender, ...]", "MemoUse | None"], "tuple[frozenset[str], ...] | None"]


def render_blob(result: "FileRender", records: list, errors: list) -> bytes | None:
    """A pickle of what a state file render gave the rest of the minion's render: its
    data (``MarkedMap`` pickles its key locations) and errors, what it recorded and
    the errors it added. The rendered text and source map are left out: comments live
    there, and only data and errors are read after a state file renders (HighWalk).
    It is what the memo keeps, and its sha256 is the render's fingerprint."""
    try:
        return pickle.dumps((_kept_part(result), records, errors), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something unpicklable: this render cannot be cut off
        return None


def _kept_part(result: "FileRender") -> "FileRender":
    return dataclasses.replace(result, text=None, source_map=None)


@dataclass(frozen=True)
class MemoUse:
    """How a minion render may use a ``StateFileMemo`` (the hook daemon's)."""

    memo: "StateFileMemo"
    context: str  # digest of everything a state file render depends on besides the pillar and its files
    digest_of: Callable[[str], str | None]  # current sha256 of a file
    keep: Callable[[str], bool]  # whether a read path is one of the tree's files


class TraceRecorder:
    """Collects a ``RenderTrace`` while one minion renders (owned by that render);
    with a ``MemoUse``, reuses state file renders from memory too."""

    def __init__(self, outside_reads: set[str], memo: MemoUse | None = None, *, keep_renders: bool = False):
        self._outside = outside_reads
        # Every open set of "reads outside a state file render": the minion's, and one
        # per ``reuse`` step being computed (its entry records its own).
        self._outsides: list[set[str]] = [outside_reads]
        self._items: list[TracedRender] = []
        self._memo = memo
        self._pillar: tuple[Any, str | None] | None = None  # (the pillar given, its digest at first use)
        self._pending: list[tuple[tuple, MemoEntry]] = []  # memo entries, stored by commit()
        # With keep_renders (revalidate's: it throws its renders away), what each pending
        # entry holds, as the objects rendered: see ``offer_renders``.
        self._rendered: list[tuple[tuple, MemoEntry, Any]] | None = [] if keep_renders else None
        self.reused = 0
        self.last_fingerprint: str | None = None  # of the last state file rendered

    def render(self, renderer: "MinionRenderer", path: str, sls: str, saltenv: str, roots: tuple[str, ...], pillar: dict) -> "FileRender":
        key = self._memo_key(path, sls, saltenv, roots, pillar)
        if key is not None:
            hit = self._memo.memo.get(key, self._memo.digest_of)
            if hit is not None:
                return self._reuse(renderer, key, path, sls, saltenv, roots, hit)
        before = len(renderer.errors)
        with not_recording(*self._outsides), recording_reads() as reads, renderer.recorder.capturing() as records:
            result = renderer._render_sls(path, sls, saltenv, roots, pillar)
        # Now, before Salt's compile steps change the data in place.
        added = renderer.errors[before:]
        blob = render_blob(result, records, added)
        mark = self.last_fingerprint = None if blob is None else hashlib.sha256(blob).hexdigest()
        self._items.append(TracedRender(path, sls, saltenv, tuple(roots), tuple(sorted(reads)), mark))
        if key is not None and blob is not None:
            inside = sorted(p for p in reads if self._memo.keep(p))
            entry = MemoEntry(blob, tuple((p, self._memo.digest_of(p)) for p in inside), mark)
            self._pending.append((key, entry))
            if self._rendered is not None:
                self._rendered.append((key, entry, (_kept_part(result), records, added)))
        return result

    def watch(self, pillar: dict) -> str | None:
        """The pillar the minion's state files and templates are given, from now on: its
        digest keys their reuse, and ``commit`` checks it did not change in place."""
        if self._memo is None:
            return None
        if self._pillar is None or self._pillar[0] is not pillar:
            self._pillar = (pillar, pillar_digest(pillar))
        return self._pillar[1]

    def pillar_key(self, pillar: dict) -> str | None:
        """A digest of ``pillar`` for keying reused steps (None: no memo, or unpicklable):
        that of ``watch`` for the watched pillar, whose changes in place ``commit``
        catches (a step reused under the digest it had at first use is then thrown away
        with the rest)."""
        if self._memo is None:
            return None
        if self._pillar is not None and self._pillar[0] is pillar:
            return self._pillar[1]
        return pillar_digest(pillar)

    def pillar_fact(self, name: str, content: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept by the memo when there is one (``StateFileMemo.pillar_fact``)."""
        return compute() if self._memo is None else self._memo.memo.pillar_fact(name, content, compute)

    def _memo_key(self, path: str, sls: str, saltenv: str, roots: tuple[str, ...], pillar: dict) -> tuple | None:
        digest = self.watch(pillar)
        if digest is None:
            return None
        return (self._memo.context, digest, path, sls, saltenv, tuple(roots))

    def _reuse(self, renderer: "MinionRenderer", key: tuple, path: str, sls: str, saltenv: str, roots: tuple[str, ...], hit: "MemoEntry") -> "FileRender":
        result, records, added = self._memo.memo.fresh(key, hit)
        renderer.recorder.sls = sls  # as _render_sls leaves it
        renderer.recorder.replay(records)
        renderer.errors.extend(added)
        paths = tuple(path for path, _ in hit.reads)
        with not_recording(*self._outsides):  # read inside a state file render, as before
            note_reads(paths)
        self._items.append(TracedRender(path, sls, saltenv, tuple(roots), paths, hit.fingerprint))
        self.last_fingerprint = hit.fingerprint
        self.reused += 1
        return result

    def reuse(self, renderer: "MinionRenderer", key: tuple, compute: Callable[[], T], *, copy: bool = True) -> T:
        """``compute()``, or its result kept from an earlier render of this minion:
        for steps that are pure functions of the minion, ``key`` and the files they
        read (the pillar compile, a template). What the step recorded and the errors it
        added are replayed; the recorder's current SLS is left as the step left it."""
        if self._memo is None:
            return compute()
        # What the step records carries the recorder's current SLS (a template's calls
        # are those of the last state file rendered before it), unless the step sets it.
        full = (self._memo.context, *key, renderer.recorder.sls)
        hit = self._memo.memo.get(full, self._memo.digest_of)
        if hit is not None:
            value, records, added, sls, items, outside = hit.kept if hit.kept is not None else self._memo.memo.fresh(full, hit)
            renderer.recorder.replay(records)
            renderer.errors.extend(added)
            renderer.recorder.sls = sls
            # The step's reads, inside and outside state file renders as they were.
            with not_recording(*self._outsides):
                note_reads(path for item in items for path in item.reads)
            note_reads(outside)
            self._items.extend(items)
            self.reused += 1
            return value
        before, first_item = len(renderer.errors), len(self._items)
        with recording_reads() as reads, recording_reads() as outside, renderer.recorder.capturing() as records:
            self._outsides.append(outside)
            try:
                value = compute()
            finally:
                self._outsides.pop()
        keep = self._memo.keep
        items = [dataclasses.replace(i, reads=tuple(p for p in i.reads if keep(p))) for i in self._items[first_item:]]
        parts = (value, records, renderer.errors[before:], renderer.recorder.sls, items, sorted(p for p in outside if keep(p)))
        digests = tuple((p, self._memo.digest_of(p)) for p in sorted(p for p in reads if keep(p)))
        if not copy:
            self._pending.append((full, MemoEntry(b"", digests, None, kept=parts)))
            return value
        try:
            blob = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not reusable; the value itself is fine
            return value
        self._pending.append((full, MemoEntry(blob, digests, None)))
        return value

    def commit(self) -> bool:
        """After the minion rendered: keep its new state file renders in the memo and
        say True, unless the pillar changed in place while they rendered. Then renders
        keyed on the pillar as it was are not to be kept, and False says whether any
        was reused (the minion must then be rendered again without the memo)."""
        changed = self._pillar is not None and self._pillar[1] is not None and pillar_digest(self._pillar[0]) != self._pillar[1]
        if changed:
            return self.reused == 0
        for key, entry in self._pending:
            self._memo.memo.put(key, entry)
        return True

    def offer_renders(self) -> None:
        """After ``commit``, for a caller that will not use or change what it rendered:
        hand those objects to the memo as the copy its next use of each entry takes
        (``StateFileMemo.offer``), instead of unpickling one. Early cutoff that fails is
        followed at once by the minion's full render, which reuses just these files."""
        for key, entry, parts in self._rendered or ():
            self._memo.memo.offer(key, entry, parts)
        self._rendered = None

    def finish(self, keep: Callable[[str], bool]) -> RenderTrace:
        """The trace, with only the reads ``keep`` says are the tree's."""
        items = tuple(
            dataclasses.replace(item, reads=tuple(p for p in item.reads if keep(p))) for item in self._items
        )
        return RenderTrace(items, frozenset(p for p in self._outside if keep(p)))


def revalidate(
    session: "ScanSession", minion: Minion, render: MinionRender, items: tuple[TracedRender, ...], memo: MemoUse | None = None,
) -> tuple[frozenset[str], ...] | None:
    """Re-render ``items`` in ``minion``'s context: the files each read, if every one
    gives what it gave when ``render`` was made; else None. (The caller compares the
    reads: only those inside the tree count, Python's own lazy imports do not.)

    With ``memo``, a render that came out different is kept there, so the full
    re-render that follows does not render that file a second time."""
    from saltscan.render.tree import MinionRenderer

    blob = pickle.dumps(render.pillar, protocol=pickle.HIGHEST_PROTOCOL)
    pillar = pickle.loads(blob)  # a copy: a render may change what it is given
    recorder = TraceRecorder(set(), memo, keep_renders=True)
    renderer = MinionRenderer(session, minion, recorder)
    renderer.ctx.pillar = pillar
    all_reads = []
    same = True
    for item in items:
        with recording_reads() as reads:
            recorder.render(renderer, item.path, item.sls, item.saltenv, item.roots, pillar)
        if recorder.last_fingerprint != item.fingerprint:
            same = False
            break
        all_reads.append(frozenset(reads))
    # A render that changes the pillar it is given changes what later files see.
    unchanged = pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL) == blob
    if memo is not None and unchanged:
        recorder.commit()
        if not same:
            recorder.offer_renders()
    return tuple(all_reads) if same and unchanged else None
