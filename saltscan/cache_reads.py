"""Which files one render opened: the dependencies of a cached render.

A cached minion render is valid while every file it read is unchanged. Reads happen
in many places (SLS and pillar files, Jinja imports such as ``map.jinja``,
``import_yaml``, ``salt://`` templates, whatever a future renderer adds), so rather
than trusting each of them to report, we listen to Python's ``open`` audit event
(PEP 578), which every ``open()``/``os.open()``/``Path.read_text()`` raises. The hook
is process-wide and permanent (that is how audit hooks work), but it records nothing
unless the current context has a ``recording_reads()`` block open: the recorder lives
in a ``ContextVar``, so there is no shared mutable state between threads or between
concurrent scans.

What it cannot see, and how the cache covers it:
- existence checks (``os.path.isfile``: first root wins) and size checks (a file over
  the size limit is never opened): the tree listing in the cache key records every
  file name in the roots and whether it is over the limit;
- reads served from a cache shared between renders: Jinja's bytecode cache still
  reads the source to check it, and the untargeted renders' shared pillar notes its
  reads for every render it serves (``render/shared_pillar.py``). Whoever adds
  another must record the reads for the render it serves.
- reads in another thread: rendering is single-threaded per minion.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterable, Iterator

# The sets every open recording block of this context adds to (outermost first).
_SINKS: ContextVar[tuple[set[str], ...]] = ContextVar("saltscan_read_sinks", default=())
_INSTALL_LOCK = threading.Lock()
_INSTALLED: list[bool] = []  # one audit hook per process; audit hooks cannot be removed


def _audit(event: str, args: tuple) -> None:
    if event != "open":
        return
    sinks = _SINKS.get()
    if not sinks:
        return
    path = args[0] if args else None
    if path is None or isinstance(path, int):
        return  # an already-open descriptor: its path was recorded when it was opened
    try:
        full = os.path.abspath(os.fsdecode(path))
    except Exception:  # an audit hook that raises would make the open itself fail
        return
    for sink in sinks:
        sink.add(full)


def _ensure_hook() -> None:
    if _INSTALLED:
        return
    with _INSTALL_LOCK:
        if not _INSTALLED:
            sys.addaudithook(_audit)
            _INSTALLED.append(True)


@contextmanager
def open_sink(sinks: ContextVar[tuple[set[str], ...]]) -> Iterator[set[str]]:
    """A new set that receives what is noted into ``sinks`` in this context while inside."""
    found: set[str] = set()
    token = sinks.set(sinks.get() + (found,))
    try:
        yield found
    finally:
        sinks.reset(token)


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Collect the absolute paths of every file opened in this context while inside."""
    _ensure_hook()
    with open_sink(_SINKS) as reads:
        yield reads


@contextmanager
def not_recording(*sinks: set[str]) -> Iterator[None]:
    """Reads inside the block do not reach ``sinks``; other open recordings still see them."""
    token = _SINKS.set(tuple(s for s in _SINKS.get() if not any(s is sink for sink in sinks)))
    try:
        yield
    finally:
        _SINKS.reset(token)


def note_reads(paths: Iterable[str]) -> None:
    """Record ``paths`` as read in every open recording, as if they were opened now
    (a result reused from memory stands for the reads that produced it)."""
    sinks = _SINKS.get()
    if len(sinks) > 1:
        paths = tuple(paths)  # every sink gets them, also when given an iterator
    for sink in sinks:
        sink.update(paths)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Reads inside the block reach no recording: the cache's own (hashing a file to
    check a dependency) are not reads of the render that happens to be running."""
    token = _SINKS.set(())
    try:
        yield
    finally:
        _SINKS.reset(token)
