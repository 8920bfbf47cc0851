"""Which original files one stage of a rule run read (for keeping its findings).

A long-running process keeps a minion's findings while nothing they depend on
changed, and the original files the rules read for that minion are part of it. The
reader notes every file it serves into the recordings open in the current context;
a value a rule computed once per scan (``ScanMemo.once``) carries the files read to
compute it, so a minion whose findings reuse it depends on them too.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator

from saltscan.cache_reads import open_sink

_SINKS: ContextVar[tuple[set[str], ...]] = ContextVar("saltscan_source_reads", default=())


@contextmanager
def recording_sources() -> Iterator[set[str]]:
    """Collect the relative paths of every original file read in this context."""
    with open_sink(_SINKS) as reads:
        yield reads


def note_sources(paths: Iterable[str]) -> None:
    sinks = _SINKS.get()
    if sinks:
        paths = tuple(paths)
        for sink in sinks:
            sink.update(paths)
