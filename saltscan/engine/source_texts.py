"""Original files' texts, kept by a long-running process from one scan to the next.

The rules read every original file of the tree on every scan (source rules, the
suppression comments); after an edit to one file, the others are as they were.
``SourceTexts`` keeps each text with the sha256 of the bytes it was decoded from,
and hands it out again while ``FileDigests`` (stat-validated, as the render cache
uses it) says the file still has them. A file written within ``RACY_NS`` of the
look may be written again within the same clock tick without its stat changing: it
is read, and its stamp is not kept.

It lives on the ``ScanMemo`` a process carries (``Carried.texts``); a scan reads
through it with one ``SourceTexts.scan()`` (a ``FileDigests`` of its own).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time

from saltscan.cache_keys import FileDigests
from saltscan.loader.looks import RACY_NS

# Files larger than this are not read (a rule would learn nothing line-based from them).
MAX_SOURCE_BYTES = 4 * 1024 * 1024


def read_source(path: str) -> tuple[bytes | None, str | None]:
    """The bytes and text of the original file at ``path``; (None, None) when it is not
    a regular file, is too large or cannot be read; text None when it is binary."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SOURCE_BYTES:
            return None, None
        with open(path, "rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return None, None
    return data, _decoded(data)


def _decoded(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None  # binary
    return data.decode("utf-8", errors="replace")


def _stamp(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode)


class SourceTexts:
    """Owned by one long-running process; see the module docstring."""

    def __init__(self) -> None:
        self._by_stat: dict[str, tuple[tuple[int, ...], str]] = {}  # FileDigests' memo
        self._texts: dict[str, tuple[str, str | None]] = {}  # path -> (sha256, text)
        self._used: set[str] = set()

    def scan(self) -> "ScanTexts":
        """The reads of one scan; what the last scan did not read is forgotten."""
        self._texts = {p: v for p, v in self._texts.items() if p in self._used}
        self._by_stat = {p: v for p, v in self._by_stat.items() if p in self._used}
        self._used = set()
        return ScanTexts(self)


class ScanTexts:
    """One scan's reads through ``SourceTexts``."""

    def __init__(self, texts: SourceTexts) -> None:
        self._texts = texts
        self._digests = FileDigests(texts._by_stat)
        self._started = time.time_ns()

    def read(self, path: str) -> tuple[bool, str | None]:
        """Whether ``path`` is a regular file, and its text as ``read_source`` has it."""
        kept = self._texts
        kept._used.add(path)
        try:
            before = os.stat(path)
        except (OSError, ValueError):
            return False, None
        if not stat.S_ISREG(before.st_mode):
            return False, None
        if before.st_size > MAX_SOURCE_BYTES:
            return True, None
        if min(before.st_mtime_ns, before.st_ctime_ns) < self._started - RACY_NS:
            sha = self._digests(path)
            try:
                after = os.stat(path)
            except (OSError, ValueError):
                after = None
            if after is not None and _stamp(after) == _stamp(before):
                found = kept._texts.get(path)
                if sha is not None and found is not None and found[0] == sha:
                    return True, found[1]
            else:
                kept._by_stat.pop(path, None)  # changed while it was hashed: not to be trusted
        else:
            kept._by_stat.pop(path, None)
        data, text = read_source(path)
        if data is not None:
            kept._texts[path] = (hashlib.sha256(data).hexdigest(), text)
        return True, text


def look_source(path: str) -> tuple[bool, str | None]:
    """``ScanTexts.read`` with nothing kept: whether ``path`` is a regular file, and its text."""
    try:
        is_file = stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False, None
    return is_file, read_source(path)[1] if is_file else None
