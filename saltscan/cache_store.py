"""Signed, atomically written entry files: the storage under saltscan's render cache.

Entries are pickles, and unpickling runs code named by the data. That is acceptable
here only because an entry is unpickled after its HMAC-SHA256 verifies against a
per-user secret key: the key is created ``0600`` in the user's cache directory, never
inside a scanned repository, and an entry's MAC also covers its name. A file nobody
with the key wrote (a ``.saltscan_cache/`` shipped inside a scanned repo, a stray
file in a shared directory, a half-written file after a crash) is rejected before
``pickle.loads`` sees a byte of it.

Concurrency: each ``put`` writes a temporary file in the entry's own directory and
``os.replace``-s it over the entry, so a reader sees the old entry or the new one,
never a mix, and two writers of one entry leave one whole entry (the last). A
corrupt, truncated, foreign or unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable

MAGIC = b"saltscan-cache-entry/1\n"
KEY_BYTES = 32
_MAC_BYTES = hashlib.sha256().digest_size
_NAME_RE = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = ".entry"


class CacheKeyError(OSError):
    """The signing key cannot be trusted (someone else's, or readable by others)."""


def load_or_create_key(path: Path) -> bytes:
    """The per-user signing key at ``path``, created (``0600``) if absent.

    Creation is race-free: the key is written to a private temporary file and hard
    linked into place, which fails if another process got there first; then the
    winner's key is read. A key file owned by another user, or readable by group or
    others, is refused: whoever can read it could forge entries.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = _read_key(path)
    if key is None and not path.exists():
        _create_key(path)
        key = _read_key(path)
    if key is None:  # creation is atomic, so a short key file is a damaged one
        raise CacheKeyError(f"{path}: damaged cache key (delete it to start a new cache)")
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            data = fh.read(KEY_BYTES + 1)
    except FileNotFoundError:
        return None
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            raise CacheKeyError(f"{path}: cache key owned by another user")
        if info.st_mode & 0o077:
            raise CacheKeyError(f"{path}: cache key is readable by other users")
    return data if len(data) == KEY_BYTES else None


def _create_key(path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won; its key is the key
        except OSError:
            # No hard links here (some filesystems): last writer wins. A reader that
            # signed with a losing key only produces entries that later miss.
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class EntryStore:
    """Named, signed pickle files in one directory. Names are sha256 hex digests."""

    def __init__(self, directory: Path, key: bytes):
        if len(key) != KEY_BYTES:
            raise ValueError("cache key must be 32 bytes")
        self.directory = Path(directory)
        self._key = key

    def path_of(self, name: str) -> Path:
        if not _NAME_RE.match(name):
            raise ValueError(f"not a cache entry name: {name!r}")
        return self.directory / (name + _SUFFIX)

    def _mac(self, name: str, payload: bytes) -> bytes:
        return hmac.new(self._key, MAGIC + name.encode("ascii") + b"\n" + payload, hashlib.sha256).digest()

    def get(self, name: str) -> Any | None:
        """The value stored under ``name``; None when absent, foreign or damaged."""
        try:
            with open(self.path_of(name), "rb") as fh:
                blob = fh.read()
        except OSError:
            return None
        head = len(MAGIC) + _MAC_BYTES
        if len(blob) < head or not blob.startswith(MAGIC):
            return None
        mac, payload = blob[len(MAGIC):head], blob[head:]
        if not hmac.compare_digest(mac, self._mac(name, payload)):
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # signed but unloadable (e.g. written by other code): a miss
            return None

    def put(self, name: str, value: Any) -> bool:
        """Store ``value`` under ``name`` atomically; False (and nothing written) on failure."""
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # something in the value cannot be pickled: just do not cache it
            return False
        final = self.path_of(name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=_SUFFIX)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + self._mac(name, payload) + payload)
            os.replace(tmp, final)
            return True
        except OSError:
            return False
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def touch(self, name: str) -> None:
        """Mark an entry as used now (pruning removes entries unused for a while)."""
        try:
            os.utime(self.path_of(name))
        except OSError:
            pass

    def names(self) -> tuple[str, ...]:
        try:
            files = os.listdir(self.directory)
        except OSError:
            return ()
        return tuple(sorted(f[: -len(_SUFFIX)] for f in files if f.endswith(_SUFFIX) and _NAME_RE.match(f[: -len(_SUFFIX)])))

    def prune(self, keep: Iterable[str], max_age_seconds: float) -> int:
        """Delete entries not in ``keep`` and unused for ``max_age_seconds``; also stale temp files."""
        keep = set(keep)
        cutoff = time.time() - max_age_seconds
        removed = 0
        try:
            files = os.listdir(self.directory)
        except OSError:
            return 0
        for f in files:
            stem = f[: -len(_SUFFIX)] if f.endswith(_SUFFIX) else None
            if stem is None or stem in keep or not (stem.startswith(".tmp-") or _NAME_RE.match(stem)):
                continue
            path = self.directory / f
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
