"""What the daemon watches between requests, and the replies it may give again.

After a hook request the daemon knows what its answer depended on: the files its
renders read, what the tree loader looked at (files, and the directories it listed),
the config files it looked for, and the request itself. ``Watch`` keeps that, and

- says when any of it changed, so the daemon runs the request again while nobody
  waits (rendering ahead: the commit that follows an edit finds the work done);
- keeps the reply of a run (a request's or one made ahead) for as long as nothing
  it depended on changed, and gives it to the same request again.

On Linux the directories holding those paths are watched with inotify: the daemon
wakes up within a millisecond of an editor's write, and "nothing changed" is known
from the kernel's event queue, checked against the files' stamps as well. Elsewhere
the stamps are polled (every ``POLL_SECONDS``) and no reply is given twice: without
events, an edit within the file system's timestamp granularity could go unseen.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from saltscan.daemon.inotify import (
    IN_CLOSE_WRITE,
    IN_DELETE_SELF,
    IN_IGNORED,
    IN_MODIFY,
    IN_MOVE_SELF,
    IN_Q_OVERFLOW,
    Inotify,
)

CONFIG_NAMES = (".saltscan.yml", ".saltscan.yaml")  # saltscan.engine.config looks for these upward
# Requests whose output describes the run itself (cache statistics): always run.
NOT_REUSED = ("-v", "--verbose", "-vv")


def _stamps(paths: tuple[str, ...]) -> tuple:
    """What changes when a file is written: inode, size, mtime, ctime (None: gone)."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _request_paths(request: dict[str, Any]) -> list[str]:
    """The existing paths among a request's arguments (files, --config, --baseline,
    --grains...), absolute: the answer depends on what they hold."""
    cwd = str(request.get("cwd", "."))
    out = []
    for arg in request.get("argv", [])[1:]:
        value = str(arg).split("=", 1)[-1] if str(arg).startswith("--") else str(arg)
        path = os.path.join(cwd, value)
        if value and os.path.exists(path):
            out.append(os.path.normpath(path))
    return out


def _ancestors_config(root: str | None) -> list[str]:
    """The files ``find_config`` and the git root search look for, from the root up."""
    if root is None:
        return []
    out = []
    directory = os.path.abspath(root)
    while True:
        out.extend(os.path.join(directory, name) for name in (*CONFIG_NAMES, ".git"))
        parent = os.path.dirname(directory)
        if parent == directory:
            return out
        directory = parent


class Watch:
    """Owned by the daemon's serving loop; see the module docstring."""

    def __init__(self, notify: Inotify | None) -> None:
        self.notify = notify
        self.request: dict[str, Any] | None = None  # the last hook request served
        self.paths: tuple[str, ...] = ()  # files whose stamps say whether it changed
        self.stamps: tuple = ()
        self.generation = 0  # how many relevant changes were seen
        self._seen_generation = 0  # the generation the last run (or ahead run) saw
        self._dirs: dict[int, tuple[str, frozenset[str] | None]] = {}  # wd -> (directory, names that matter; None: all)
        self._reply: tuple[dict[str, Any], dict[str, Any], int] | None = None  # (request, reply, generation)
        self._writing: set[tuple[int, str]] = set()  # files written to and not closed yet
        self._all_watched = False  # every directory involved has a watch (else stamps are polled too)

    def fileno(self) -> int | None:
        return self.notify.fd if self.notify is not None else None

    # -- events ---------------------------------------------------------------------
    def drain(self) -> bool:
        """Read the queued events; True when one concerns what the last request used."""
        if self.notify is None:
            return False
        relevant = False
        for event in self.notify.read():
            watched = self._dirs.get(event.wd)
            if event.wd == -1 or event.mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF):
                relevant = True  # lost events, or a watched directory gone or moved
            elif watched is not None and (watched[1] is None or event.name in watched[1]):
                relevant = True
                if event.mask & IN_MODIFY:
                    self._writing.add((event.wd, event.name))
                if event.mask & IN_CLOSE_WRITE:
                    self._writing.discard((event.wd, event.name))
            if event.mask & IN_IGNORED:
                self._dirs.pop(event.wd, None)
        if relevant:
            self.generation += 1
            self._reply = None
        return relevant

    def settled(self) -> bool:
        """Whether every file written to since was closed again (a save is over)."""
        return not self._writing

    def changed(self) -> bool:
        """Whether something the last request used changed since it ran (worth a run ahead)."""
        if self.request is None:
            return False
        if self.notify is not None:
            self.drain()
            if self.generation != self._seen_generation:
                return True
            if self._all_watched:
                return False
        return _stamps(self.paths) != self.stamps  # (also where a directory could not be watched)

    # -- runs -------------------------------------------------------------------------
    def start(self) -> int:
        """Before a run reads anything: the generation its answer is for."""
        self.drain()
        self._writing.clear()  # a writer that never closes must not hold runs back for ever
        return self.generation

    def finished(self, request: dict[str, Any], reply: dict[str, Any], started: int, warm) -> None:
        """After a hook run: watch what it used, and keep its reply if nothing it used
        changed while it ran and every directory involved was already watched (a write
        before a watch exists raises no event)."""
        if request.get("command") != "hook":
            return  # `daemon status` must not hide an edit from the watch
        root, listed, looked = warm.looked_at()
        files = {*looked, *_request_paths(request), *_ancestors_config(root)}
        # A symlink's target changes in the target's directory: watch that one too.
        real_dir = _RealDirs()
        files = sorted(files | {real for real in map(real_dir.of_file, files) if real not in files})
        listed = tuple(sorted({*listed, *map(real_dir, listed)}))
        self.request = request
        self.paths = tuple(files)
        complete, self._all_watched = self._watch(listed, files)
        self.drain()
        self._seen_generation = started
        self.stamps = _stamps(self.paths)
        reusable = (complete and self.generation == started and reply.get("status") == "ok"
                    and not any(a in NOT_REUSED for a in request.get("argv", [])))
        self._reply = (request, reply, started) if reusable else None

    def reply_for(self, request: dict[str, Any]) -> dict[str, Any] | None:
        """The kept reply for ``request`` if it is the same request and nothing its
        answer depended on changed since that answer was computed."""
        if self._reply is None or self.notify is None:
            return None
        self.drain()
        kept = self._reply
        if kept is None or kept[2] != self.generation or _key(kept[0]) != _key(request):
            return None
        if _stamps(self.paths) != self.stamps:
            self._reply = None
            return None
        return kept[1]

    def _watch(self, listed: tuple[str, ...], files: list[str]) -> tuple[bool, bool]:
        """Watch the listed directories (any change) and the files' directories (for
        those names). Whether all of them were watched already, and whether all of
        them are watched now (the user's watch limit can refuse some)."""
        if self.notify is None:
            return False, False
        wanted: dict[str, set[str] | None] = {d: None for d in listed}
        watched = {d for d, _ in self._dirs.values()}  # they exist: a removal unwatches
        for path in files:
            directory, name = os.path.split(path)
            while directory not in watched and directory != os.path.dirname(directory) and not os.path.isdir(directory):
                directory, name = os.path.split(directory)  # its creation shows in the first that exists
            names = wanted.setdefault(directory, set())
            if names is not None:
                names.add(name)
        complete = all_watched = True
        watching = {d: (wd, names) for wd, (d, names) in self._dirs.items()}
        dirs: dict[int, tuple[str, frozenset[str] | None]] = {}
        for directory, names in sorted(wanted.items()):
            want = None if names is None else frozenset(names)
            before = watching.get(directory)
            if before is None or not (before[1] is None or (want is not None and want <= before[1])):
                complete = False
            wd = before[0] if before is not None else self.notify.watch_dir(directory)
            if wd is not None and wd in dirs:  # the same directory through another path
                other = dirs[wd][1]
                want = None if other is None or want is None else other | want
                complete = False
            if wd is not None:
                dirs[wd] = (directory, want)
            elif os.path.isdir(directory):
                complete = all_watched = False  # cannot be watched (the user's watch limit)
        for wd, (directory, _) in self._dirs.items():
            if wd not in dirs:
                with contextlib.suppress(OSError):
                    self.notify.unwatch(wd)
        self._dirs = dirs
        return complete, all_watched


class _RealDirs:
    """``os.path.realpath``, resolving each directory once (a run reads many files of
    each; this is on the way to the reply of a request waiting for a run ahead)."""

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}

    def __call__(self, directory: str) -> str:
        real = self._dirs.get(directory)
        if real is None:
            real = self._dirs[directory] = os.path.realpath(directory)
        return real

    def of_file(self, path: str) -> str:
        if os.path.islink(path):
            return os.path.realpath(path)
        directory, name = os.path.split(path)
        return os.path.join(self(directory), name)


def _key(request: dict[str, Any]) -> tuple:
    """What makes two hook requests the same question."""
    return (tuple(request.get("argv", ())), request.get("cwd"), tuple(sorted(request.get("env", {}).items())),
            bool(request.get("stdout_tty")))
