"""``TrackedPillar``: the ``pillar`` a template sees, remembering which keys it read.

A ``dict`` subclass, so that everything Salt's Jinja does with pillar (``|json``,
``|yaml`` after ``to_plain``, ``defaults.merge``, ``salt.utils.dictupdate``, deep
copies, ``==``) keeps working. Reads (``pillar['a']['b']``, ``pillar.a.b`` through
Jinja, ``pillar.get('a')``, ``'a' in pillar``, iterating ``items()``/``values()``) are
recorded as colon key paths through ``Recorder.pillar_read``. A read of ``a:b`` also
records ``a`` (the template did read ``a`` first); consumers that want only leaves can
drop a path when a longer one was read at the same location.

Nested dicts are wrapped on first access and the wrapper is stored back in its parent,
so a template that mutates what it read (``{% do cfg.update(...) %}``) sees its change
on the next read, as it would in Salt. The wrapper is a shallow copy: the mapping the
tree started from is never mutated.

``pillar.get('a:b')`` is plain ``dict.get`` (no colon traversal), exactly as in Salt,
where the ``pillar`` Jinja variable is a dict; ``salt['pillar.get']`` traverses.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any, Iterator, Mapping

from saltscan.render.recorder import Recorder

_MISSING = object()


class PillarTracker:
    """Shared by every view of one pillar tree: where reads go, and whether to record."""

    __slots__ = ("recorder", "_muted")

    def __init__(self, recorder: Recorder | None) -> None:
        self.recorder = recorder
        self._muted = 0

    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        """Reads inside the block are not recorded (the caller records the real key)."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def read(self, key_path: str) -> None:
        if self.recorder is not None and not self._muted:
            self.recorder.pillar_read(key_path)


def _join(prefix: str, key: Any) -> str:
    return f"{prefix}:{key}" if prefix else str(key)


class TrackedPillar(dict):
    """A dict that records reads of its keys; see the module docstring."""

    __slots__ = ("_tracker", "_prefix")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        recorder: Recorder | None = None,
        prefix: str = "",
        *,
        tracker: PillarTracker | None = None,
    ) -> None:
        super().__init__(data or {})
        self._tracker = tracker if tracker is not None else PillarTracker(recorder)
        self._prefix = prefix

    # --- what the salt proxy uses ----------------------------------------------------
    @property
    def tracker(self) -> PillarTracker:
        return self._tracker

    def child_view(self, value: Any, key_path: str) -> Any:
        """``value`` wrapped as the view of ``key_path`` if it is a plain mapping."""
        if isinstance(value, Mapping) and not isinstance(value, TrackedPillar):
            return TrackedPillar(value, prefix=key_path, tracker=self._tracker)
        return value

    # --- reads -------------------------------------------------------------------------
    def _wrapped(self, key: Any, value: Any) -> Any:
        """The stored value of ``key``, wrapped (and stored back) if it is a mapping."""
        if isinstance(value, Mapping) and not isinstance(value, TrackedPillar):
            value = TrackedPillar(value, prefix=_join(self._prefix, key), tracker=self._tracker)
            dict.__setitem__(self, key, value)
        return value

    def __getitem__(self, key: Any) -> Any:
        self._tracker.read(_join(self._prefix, key))
        return self._wrapped(key, dict.__getitem__(self, key))

    def get(self, key: Any, default: Any = None) -> Any:
        self._tracker.read(_join(self._prefix, key))
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            return default
        return self._wrapped(key, value)

    def __contains__(self, key: object) -> bool:
        self._tracker.read(_join(self._prefix, key))
        return dict.__contains__(self, key)

    def items(self) -> list[tuple[Any, Any]]:  # type: ignore[override]
        pairs = []
        for key in list(dict.keys(self)):
            self._tracker.read(_join(self._prefix, key))
            pairs.append((key, self._wrapped(key, dict.__getitem__(self, key))))
        return pairs

    def values(self) -> list[Any]:  # type: ignore[override]
        return [value for _, value in self.items()]

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._tracker.read(_join(self._prefix, key))
        if not dict.__contains__(self, key):
            dict.__setitem__(self, key, default)
        return self._wrapped(key, dict.__getitem__(self, key))

    def pop(self, key: Any, *default: Any) -> Any:
        self._tracker.read(_join(self._prefix, key))
        return dict.pop(self, key, *default)

    # --- copies stay tracked views of the same tree; pickles become plain dicts -------
    def copy(self) -> "TrackedPillar":
        return TrackedPillar(dict(dict.items(self)), prefix=self._prefix, tracker=self._tracker)

    def __copy__(self) -> "TrackedPillar":
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> "TrackedPillar":
        data = {
            copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in dict.items(self)
        }
        clone = TrackedPillar(data, prefix=self._prefix, tracker=self._tracker)
        memo[id(self)] = clone
        return clone

    def __reduce__(self):
        return (dict, (dict(dict.items(self)),))

    def __repr__(self) -> str:
        return dict.__repr__(self)
