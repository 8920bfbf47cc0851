"""What rendering remembers besides its output: calls, unknown values, pillar reads.

One ``Recorder`` lives for one minion's render. The Jinja environment, the ``salt``
proxy and the pillar wrapper all write to it; nothing else is shared.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from saltscan.model import SaltCall, SourceLocation, Unknown, UnknownOrigin

UNKNOWN_PREFIX = "__UNKNOWN_"
UNKNOWN_SUFFIX = "__"


def unknown_token(origin: UnknownOrigin, description: str, location: SourceLocation) -> str:
    """A deterministic, YAML-safe placeholder string for a value saltscan cannot know."""
    digest = hashlib.sha1(
        f"{origin.value}|{description}|{location.file}|{location.line}".encode("utf-8")
    ).hexdigest()[:10]
    return f"{UNKNOWN_PREFIX}{digest}{UNKNOWN_SUFFIX}"


@dataclass
class Recorder:
    """Mutable, but owned by exactly one render call; frozen results come out of it."""

    # Returns where the template currently being rendered is (file, line).
    locate: Callable[[], SourceLocation]
    sls: str | None = None
    calls: list[SaltCall] = field(default_factory=list)
    unknowns: dict[str, Unknown] = field(default_factory=dict)
    pillar_reads: dict[str, list[SourceLocation]] = field(default_factory=dict)
    # Every record made inside a ``capturing()`` block, in order, including those the
    # dicts above already held: what one file's render recorded, whatever came before.
    _captures: list[list[tuple[Any, ...]]] = field(default_factory=list)

    def call(self, function: str, args: tuple[str, ...], evaluated: bool) -> SourceLocation:
        loc = self.locate()
        call = SaltCall(function, args, loc, evaluated, self.sls)
        self.calls.append(call)
        self._capture(("call", call))
        return loc

    def unknown(self, origin: UnknownOrigin, description: str) -> str:
        loc = self.locate()
        token = unknown_token(origin, description, loc)
        unknown = self.unknowns.setdefault(token, Unknown(token, origin, description, loc))
        self._capture(("unknown", unknown))
        return token

    def pillar_read(self, key_path: str) -> None:
        loc = self.locate()
        self.pillar_reads.setdefault(key_path, []).append(loc)
        self._capture(("pillar_read", key_path, loc))

    def replay(self, records: list[tuple[Any, ...]]) -> None:
        """Make the records a ``capturing()`` block collected again, in order (a file
        render reused from memory records what rendering it recorded)."""
        for record in records:
            if record[0] == "call":
                self.calls.append(record[1])
            elif record[0] == "unknown":
                self.unknowns.setdefault(record[1].token, record[1])
            else:
                self.pillar_reads.setdefault(record[1], []).append(record[2])
            self._capture(record)

    def _capture(self, record: tuple[Any, ...]) -> None:
        for captured in self._captures:
            captured.append(record)

    @contextmanager
    def capturing(self) -> Iterator[list[tuple[Any, ...]]]:
        """The records made inside the block."""
        captured: list[tuple[Any, ...]] = []
        self._captures.append(captured)
        try:
            yield captured
        finally:
            # By identity: two captures holding the same records are equal lists.
            del self._captures[next(i for i, c in enumerate(self._captures) if c is captured)]
