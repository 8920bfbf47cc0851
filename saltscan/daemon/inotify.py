"""Linux inotify through the C library (ctypes): no dependency, and only the three
calls the daemon needs. Anywhere else ``Inotify.open()`` gives None and the daemon
polls file stamps instead."""

from __future__ import annotations

import ctypes
import errno
import os
import struct
from dataclasses import dataclass

# <sys/inotify.h>
IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

# Everything that changes what a directory's files hold or which files it has
# (reads and opens are left out: the daemon's own reads must not wake it).
CHANGES = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
           | IN_DELETE_SELF | IN_MOVE_SELF)
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len


@dataclass(frozen=True)
class Event:
    wd: int  # -1 for a queue overflow
    mask: int
    name: str  # the file in the watched directory ("" for the directory itself)


class Inotify:
    """One inotify instance: directories watched for changes, events read without blocking."""

    def __init__(self, fd: int, libc) -> None:
        self.fd = fd
        self._libc = libc

    @classmethod
    def open(cls) -> "Inotify | None":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            init = libc.inotify_init1
        except (OSError, AttributeError):
            return None  # not Linux (or no glibc symbols): polling instead
        fd = init(IN_NONBLOCK | IN_CLOEXEC)
        return cls(fd, libc) if fd >= 0 else None

    def watch_dir(self, path: str) -> int | None:
        """The watch descriptor of ``path`` (the same one if already watched), or None
        when it cannot be watched (gone, not a directory, the user's watch limit)."""
        wd = self._libc.inotify_add_watch(self.fd, os.fsencode(path), CHANGES | IN_ONLYDIR)
        return wd if wd >= 0 else None

    def unwatch(self, wd: int) -> None:
        self._libc.inotify_rm_watch(self.fd, wd)

    def read(self) -> list[Event]:
        """The events queued so far (none: an empty list)."""
        events: list[Event] = []
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                return events
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                raise
            offset = 0
            while offset + _HEADER.size <= len(data):
                wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
                raw = data[offset + _HEADER.size: offset + _HEADER.size + length]
                events.append(Event(wd, mask, os.fsdecode(raw.rstrip(b"\0"))))
                offset += _HEADER.size + length

    def close(self) -> None:
        os.close(self.fd)
