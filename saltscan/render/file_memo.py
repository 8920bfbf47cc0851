"""State file renders kept in memory between scans (the hook daemon's).

When a state file's render changed, its minion is rendered again in full: pillar,
top, every state file, Salt's compile. Most of those files did not change, and a
state file's render is a pure function of the minion (grains, options), the pillar
it is given, its own path and SLS name, and the files it reads. So a long-running
process keeps each one, keyed on the first four and validated by the digests of the
files it read, and a minion's re-render renders only the files that changed.

A render can change the pillar in place (``{% do cfg.update(...) %}`` on what
``pillar.get`` returned), and later files then see another pillar than their key
says. ``TraceRecorder`` therefore checks, at the end of a minion's render that used
this memo, that the pillar is what it was at the start; if not, the minion is
rendered again without it.

Entries hold pickles, not objects, for what is changed in place later (Salt's
compile steps change the data they are given), so every use gets a fresh copy
(unpickling is a fast deep copy). A step whose result nothing changes (a rendered
template, read from then on) keeps its objects: unpickling it is cost for nothing. The copies the next
request will likely need are made ahead, while the process is idle (``spare_work``).

Facts that are pure functions of a pillar's content (its plaintext secrets, its
values with their secret classification) are kept too, keyed on a digest of that
content (``pillar_fact``): a state file edit leaves every pillar as it was, and
minions with equal pillars share them.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Hashable, TypeVar

MAX_ENTRIES = 20_000
MAX_FACTS = 2_000
MAX_SPARE_BYTES = 32 * 1024 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class MemoEntry:
    blob: bytes  # pickle of what the step gave (see TraceRecorder), b"" when kept as objects
    reads: tuple[tuple[str, str | None], ...]  # (absolute path, sha256) of the tree's files it read
    fingerprint: str | None  # trace.fingerprint of the result
    kept: Any = None  # what the step gave, as objects: for results nothing changes in place


class StateFileMemo:
    """Owned by one long-running process; see the module docstring."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[Hashable, MemoEntry] = {}
        self._max = max_entries
        self._facts: dict[tuple[str, str], Any] = {}
        self._wanted: dict[Hashable, MemoEntry] = {}  # entries copied by this request
        self._spares: dict[Hashable, tuple[MemoEntry, Any]] = {}  # copies made ahead
        # Copies of entries replaced since they were made: freeing one (a whole state
        # file's data) is work too, left for spare_work, while the process is idle.
        self._stale: list[tuple[MemoEntry, Any]] = []
        self.hits = 0

    def get(self, key: Hashable, digest_of: Callable[[str], str | None]) -> MemoEntry | None:
        entry = self._entries.get(key)
        if entry is None or any(digest_of(path) != sha for path, sha in entry.reads):
            return None
        self.hits += 1
        return entry

    def put(self, key: Hashable, entry: MemoEntry) -> None:
        self._entries.pop(key, None)
        self._entries[key] = entry
        while len(self._entries) > self._max:
            del self._entries[next(iter(self._entries))]

    def fresh(self, key: Hashable, entry: MemoEntry) -> Any:
        """A new copy of what ``entry`` (just got under ``key``) holds: the one made
        ahead by ``spare_work`` if there is one, else unpickled now."""
        self._wanted[key] = entry
        spare = self._spares.pop(key, None)
        if spare is not None and spare[0] is entry:
            return spare[1]
        if spare is not None:
            self._stale.append(spare)
        return pickle.loads(entry.blob)

    def spare_work(self) -> list[Callable[[], None]]:
        """Steps that copy ahead, for the next request, the entries the last one copied
        (a minion rendered again after an edit is likely to be so after the next one
        too). Unpickling them was most of such a re-render; an idle process does it
        between requests. Each copy is handed out once; at most ``MAX_SPARE_BYTES``
        of pickles are copied ahead."""
        wanted, self._wanted = self._wanted, {}
        self._stale = []
        self._spares = {key: spare for key, spare in self._spares.items() if key in wanted}
        steps: list[Callable[[], None]] = []
        room = MAX_SPARE_BYTES
        for key, entry in wanted.items():
            room -= len(entry.blob)
            if room < 0:
                break
            if key not in self._spares:
                steps.append(lambda key=key, entry=entry: self._make_spare(key, entry))
        return steps

    def offer(self, key: Hashable, entry: MemoEntry, copy: Any) -> None:
        """``copy``: what ``entry`` holds, as objects nobody else holds or will change
        (a render early cutoff made and threw away): the next ``fresh`` of ``entry``
        under ``key`` takes it instead of unpickling the entry again."""
        if self._entries.get(key) is entry:
            stale = self._spares.get(key)
            if stale is not None:
                self._stale.append(stale)
            self._spares[key] = (entry, copy)

    def _make_spare(self, key: Hashable, entry: MemoEntry) -> None:
        if self._entries.get(key) is entry:  # not replaced or dropped since
            self._spares[key] = (entry, pickle.loads(entry.blob))

    def pillar_fact(self, name: str, content: Any, compute: Callable[[], T]) -> T:
        """``compute()``, a pure function of ``content`` (a pillar, or a tuple with one),
        kept under ``name`` and a digest of ``content``. What it gives is shared by
        every render with equal content: nothing may change it in place."""
        digest = pillar_digest(content)
        if digest is None:
            return compute()
        key = (name, digest)
        if key in self._facts:
            return self._facts[key]
        value = self._facts[key] = compute()
        while len(self._facts) > MAX_FACTS:
            del self._facts[next(iter(self._facts))]
        return value


def pillar_digest(pillar: Any) -> str | None:
    try:
        return hashlib.sha256(pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    except Exception:  # noqa: BLE001 - an unpicklable pillar: no memo for this minion
        return None
