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
(unpickling is a fast deep copy). A step whose result nothing changes (a whole
standalone compile: states, high and low data, read from then on) keeps its objects:
unpickling a formula's compiles was most of an edit's cost.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from typing import Any, Callable, Hashable

MAX_ENTRIES = 20_000


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


def pillar_digest(pillar: Any) -> str | None:
    try:
        return hashlib.sha256(pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    except Exception:  # noqa: BLE001 - an unpicklable pillar: no memo for this minion
        return None
