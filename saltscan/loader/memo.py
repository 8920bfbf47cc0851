"""The last tree load of a long-running process, reused while what it looked at holds.

Loading a tree (roots, master config, grains, the SLS files and their first lines)
is a function of the options and of what the loader looks at, every look noted by
``Looks``. A hook request after an edit to a state file asks the same questions of
the same directories: a ``stat`` per note says whether each would get the same
answer, and the first line of an SLS file whose content changed is read again. The
result is handed out as a fresh copy (from its pickle) each time: renders get the
grains dicts to use, and a template may change them.
"""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from saltscan.loader.looks import Looks, Stamp, changed_since, contents, identity, read_shebang, stat_or_none


@dataclass
class _Load:
    key: tuple
    notes: dict[tuple[str, str], tuple[Stamp | None, Stamp | None]]
    shebangs: dict[str, str | None]
    linked: dict[str, str]
    result: bytes  # pickle of what the load returned


class LoaderMemo:
    """Owned by one long-running process (``WarmState.loader``); one load at a time."""

    def __init__(self) -> None:
        self._last: _Load | None = None
        self.reused = 0

    def load(self, options: Any, load: Callable[[Any, Looks], Any]) -> Any:
        """``load(options, looks)``, or a copy of the last result if it would be the same."""
        key = _key(options)
        last = self._last
        if last is not None and last.key == key and self._holds(last):
            self.reused += 1
            return pickle.loads(last.result)
        looks = Looks(noting=True)
        result = load(options, looks)
        self._last = None
        if not looks.racy:
            try:
                kept = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, RecursionError):
                return result  # data a copy cannot be made of (grains nested too deep): not kept
            self._last = _Load(key, looks.notes, looks.shebangs, looks.linked, kept)
        return result

    def looked_at(self) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
        """What the last load depends on: the scanned path (absolute), the directories
        it listed and the other paths it looked at (absolute). Nothing kept: ``None``
        and empty tuples."""
        last = self._last
        if last is None:
            return None, (), ()
        cwd, path = last.key[0], last.key[1]
        listed = sorted({os.path.join(cwd, p) for kind, p in last.notes if kind == "list"})
        other = sorted({os.path.join(cwd, p) for kind, p in last.notes if kind != "list"})
        return os.path.join(cwd, os.fspath(path)), tuple(listed), tuple(other)

    def _holds(self, last: _Load) -> bool:
        """Whether every look of ``last`` would get the same answer now (updating
        the stamps of SLS files whose first line is read again and is the same)."""
        started = time.time_ns()
        for (kind, path), (ident, content) in last.notes.items():
            try:
                st = stat_or_none(path)
            except OSError:
                return False
            if identity(st) != ident:
                return False
            if kind == "probe" or (content is not None and contents(st) == content):
                continue
            if kind != "sls":
                return False
            if read_shebang(Path(path)) != last.shebangs.get(path):
                return False
            # Its stat is from before the read: a change since is seen next time.
            fresh = None if changed_since(st, started) else contents(st)
            last.notes[(kind, path)] = (ident, fresh)
        return all(str(Path(path).resolve()) == resolved for path, resolved in last.linked.items())


def _key(options: Any) -> tuple:
    """The options the loader uses, as given, and the working directory relative
    paths start from (paths are noted and resolved again as given)."""
    return (os.getcwd(), options.path, tuple(options.state_roots), tuple(options.pillar_roots),
            tuple(options.grains_files), tuple(options.minions), options.saltenv)
