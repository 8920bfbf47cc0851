"""How the loader looks at the file system, and, when asked, what it looked at.

Every question the loader asks (is this a file, a directory; what does this directory
hold; what does this file say; where does this path lead) goes through ``Looks``. With
``noting``, each answer is noted with the stamp that decides it, before the question is
asked, so that ``LoaderMemo`` can tell, with a ``stat`` per note, that the same
questions would get the same answers now:

- ``probe`` (is a file / a directory): the file type, device and inode of what the
  path leads to (``None`` when nothing: a path that appears changes it too);
- ``list`` (a directory's entries) and ``read`` (a file's content): also size, mtime
  and ctime; a directory's mtime changes when an entry is added, removed or renamed;
- ``sls`` (an SLS file, listed and its first line read): as ``list``, the inode part
  telling whether it is still the same file, the rest whether its first line must
  be read again;
- resolved paths: where a symbolic link was followed, the path is resolved again.

A stamp taken less than ``RACY_NS`` before a load began (or during it) may hide a
change made in the same clock tick: such a load is not kept (``racy``).
"""

from __future__ import annotations

import fnmatch
import os
import stat
import time
from errno import EBADF, ELOOP, ENOENT, ENOTDIR
from pathlib import Path
from typing import Iterator

# A file changed this recently may change again without its mtime moving.
RACY_NS = 2_000_000_000
# The errors ``Path.is_file`` and co. answer False to (pathlib's ``_IGNORED_ERRNOS``).
_IGNORED_ERRNOS = (ENOENT, ENOTDIR, EBADF, ELOOP)

Stamp = tuple[int, ...]


def stat_or_none(path: str | Path) -> os.stat_result | None:
    """``os.stat``, None where ``Path.is_file`` would answer False; raises where it would."""
    try:
        return os.stat(path)
    except OSError as exc:
        if exc.errno not in _IGNORED_ERRNOS:
            raise
        return None
    except ValueError:
        return None


def identity(st: os.stat_result | None) -> Stamp | None:
    return None if st is None else (stat.S_IFMT(st.st_mode), st.st_dev, st.st_ino)


def contents(st: os.stat_result | None) -> Stamp | None:
    """What changes with a file's content or a directory's entries."""
    return None if st is None else (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def changed_since(st: os.stat_result | None, since_ns: int) -> bool:
    """Whether ``st`` may hide a change: a write sets mtime and ctime to the clock's
    tick, so a stamp whose mtime and ctime are both that recent (within ``RACY_NS``
    of ``since_ns``, or later) could be written again unchanged."""
    return st is not None and min(st.st_mtime_ns, st.st_ctime_ns) >= since_ns - RACY_NS


def read_shebang(path: Path) -> str | None:
    """The renderer pipe from a ``#!jinja|yaml`` first line, if any."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            first = fh.readline(4096)
    except OSError:
        return None
    if first.startswith("#!") and not first.startswith("#!/"):
        return first[2:].strip()
    return None


class Looks:
    """The loader's view of the file system; see the module docstring."""

    def __init__(self, noting: bool = False) -> None:
        self.noting = noting
        self.started = time.time_ns()
        # (kind, path as looked at) -> (identity, contents); kinds: probe, list, read, sls.
        self.notes: dict[tuple[str, str], tuple[Stamp | None, Stamp | None]] = {}
        self.shebangs: dict[str, str | None] = {}  # SLS file -> its first line's renderer
        self.linked: dict[str, str] = {}  # path -> where it resolved, through a symlink
        self.racy = False

    def _probe(self, path: Path) -> os.stat_result | None:
        st = stat_or_none(path)  # raises where ``Path.is_file`` would
        if self.noting:
            self.notes[("probe", os.fspath(path))] = (identity(st), None)
        return st

    def _note(self, kind: str, path: str | Path) -> None:
        """Note the stamp of what ``path`` holds (``list``, ``read``, ``sls``), before
        the look: a change after the stamp is seen by the next check."""
        if not self.noting:
            return
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            st = None  # the look itself fails (or not) as it would unnoted
        if changed_since(st, self.started):
            self.racy = self.racy or kind != "sls"
            stamp = (identity(st), None)  # an SLS file's first line: read again next time
        else:
            stamp = (identity(st), contents(st))
        self.notes[(kind, os.fspath(path))] = stamp

    def is_file(self, path: Path) -> bool:
        st = self._probe(path)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_dir(self, path: Path) -> bool:
        st = self._probe(path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def iterdir(self, path: Path) -> list[Path]:
        """``list(path.iterdir())``."""
        self._note("list", path)
        return list(path.iterdir())

    def glob(self, path: Path, pattern: str) -> list[Path]:
        """``list(path.glob(pattern))`` for a pattern of one component."""
        self._note("list", path)
        return list(path.glob(pattern))

    def read_text(self, path: Path) -> str:
        self._note("read", path)
        return path.read_text(encoding="utf-8", errors="replace")

    def resolve(self, path: Path) -> Path:
        resolved = path.resolve()
        if self.noting and str(resolved) != os.path.abspath(path):
            self.linked[os.fspath(path)] = str(resolved)
        return resolved

    def walk(self, top: Path) -> Iterator[tuple[str, list[str], list[str]]]:
        """``os.walk(top)``: the caller may prune the directory names it is given."""
        self._note("list", top)
        for dirpath, dirnames, filenames in os.walk(top):
            yield dirpath, dirnames, filenames
            for name in dirnames:  # what is left of them is walked next
                self._note("list", os.path.join(dirpath, name))

    def shebang(self, path: Path) -> str | None:
        """``read_shebang(path)`` of an SLS file the walk listed."""
        self._note("sls", path)
        found = read_shebang(path)
        if self.noting:
            self.shebangs[os.fspath(path)] = found
        return found

    def has_sls(self, top: Path) -> bool:
        """``any(top.rglob("*.sls"))`` (Python 3.11's): a name ending in ``.sls`` in
        ``top`` or a directory under it, symbolic links to directories not followed."""
        pending = [str(top)]
        while pending:
            where = pending.pop()
            self._note("list", where)
            try:
                with os.scandir(where) as found:
                    entries = list(found)
            except PermissionError:
                continue
            if any(fnmatch.fnmatchcase(entry.name, "*.sls") for entry in entries):
                return True
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(os.path.join(where, entry.name))
                except OSError as exc:
                    if exc.errno not in _IGNORED_ERRNOS:
                        raise
        return False
