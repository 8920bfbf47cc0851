"""One pillar for the untargeted renders of a scan.

Every SLS no top file reaches is its own render (``tree._untargeted``), and they all
render in the same pseudo-minion's context, so their pillar is the same: compiling
it once per SLS (a formula's ``pillar.example`` is often its largest template) made a
formula's scan half as slow again. ``SharedPillar`` compiles it for the first render
that asks and hands the others what that compile gave, as if they had compiled it:

- a copy of the pillar each (a render may change its pillar in place);
- the errors it added and what the recorder saw (calls, unknowns, pillar reads);
- the files it read, noted as this render's reads, so that each render's cache
  entry depends on the pillar files (``cache_reads``: a cache shared between renders
  must record its reads for every render it serves).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from saltscan.cache_reads import note_reads, recording_reads

if TYPE_CHECKING:
    from saltscan.render.tree import MinionRenderer


@dataclass(frozen=True)
class _Compiled:
    blob: bytes  # the pillar, pickled before any render could change it
    locations: Any
    records: tuple  # what the recorder saw, for Recorder.replay
    errors: tuple
    reads: tuple[str, ...]
    recorder_sls: str | None  # what the compile left as the recorder's current SLS


class SharedPillar:
    """Owned by one ``render_tree`` call; see the module docstring."""

    def __init__(self) -> None:
        self._compiled: _Compiled | None = None

    def get(self, renderer: "MinionRenderer") -> tuple[dict, Any]:
        """``renderer``'s pillar and its key locations."""
        if self._compiled is None:
            before = len(renderer.errors)
            with recording_reads() as reads, renderer.recorder.capturing() as records:
                pillar, locations = renderer.compile_plain_pillar()
            try:
                blob = pickle.dumps(pillar, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - not copyable: every render compiles its own
                return pillar, locations
            self._compiled = _Compiled(blob, locations, tuple(records), tuple(renderer.errors[before:]),
                                       tuple(sorted(reads)), renderer.recorder.sls)
            return pillar, locations
        made = self._compiled
        renderer.recorder.replay(list(made.records))
        renderer.recorder.sls = made.recorder_sls
        renderer.errors.extend(made.errors)
        note_reads(made.reads)
        return pickle.loads(made.blob), made.locations
