"""A progress line on stderr for long scans, on a terminal only.

Rendering a large tree takes a while; a person at a terminal should see that
saltscan is working and how far it got. Nothing is drawn when stderr is not a
terminal (CI logs, pre-commit, the hook daemon, pipes), nor during the first half
second (a quick scan stays quiet), and the line is erased when the scan ends, so it
never mixes with the report. It says stages and counts only: no file content, no
value, so no secret can reach it.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

DELAY_SECONDS = 0.5  # quick scans show nothing
REDRAW_SECONDS = 0.1


class Progress:
    """``stage(name, total)``, then ``advance()`` per item; ``close()`` at the end."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic):
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._drawn_at: float | None = None
        self._width = 0
        self._stage = ""
        self._done = 0
        self._total = 0

    @classmethod
    def for_stream(cls, stream: TextIO) -> "Progress | None":
        """A progress line on ``stream`` if it is a terminal, else None."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream) if isatty is not None and isatty() else None

    def stage(self, name: str, total: int) -> None:
        self._stage, self._done, self._total = name, 0, total
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self._done += count
        self._draw(force=self._done == self._total)

    def close(self) -> None:
        if self._drawn_at is not None:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._drawn_at = None

    def _draw(self, force: bool) -> None:
        now = self._clock()
        if now - self._start < DELAY_SECONDS:
            return
        if not force and self._drawn_at is not None and now - self._drawn_at < REDRAW_SECONDS:
            return
        filled = 20 * self._done // self._total if self._total else 0
        text = f"saltscan: {self._stage} [{'#' * filled}{'.' * (20 - filled)}] {self._done}/{self._total}"
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(text))
        self._drawn_at = now
