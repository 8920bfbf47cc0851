"""What a render cache entry is keyed and validated on: fingerprints of code, tools,
tree and files. See ``saltscan.cache`` for how they are used."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

from saltscan.cache_reads import unrecorded
from saltscan.model import Tree

# Directories that are never Salt data and change under our feet.
# A file whose stamp is this recent may be written again within the same clock tick
# with the same size, and keep its stamp ("racy git"): it is hashed again next time.
RACY_NS = 2_000_000_000
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".saltscan_cache", "__pycache__"})


def canonical(value: Any) -> Any:
    """``value`` as JSON data with one spelling per value (key order, sets, types)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"enum": type(value).__name__, "value": canonical(value.value)}
    if isinstance(value, Mapping):
        # Sorted by key: string keys by themselves, others (after every string) by
        # their JSON spelling. Computed for every minion on every hook run: string
        # keys, nearly all of them, skip the JSON encoder.
        items = []
        for k, v in value.items():
            key = k if type(k) is str else canonical(k)
            order = ("", key) if type(key) is str else ("~", json.dumps(key, sort_keys=True))
            items.append((order, key, canonical(v)))
        items.sort(key=lambda item: item[0])
        return {"map": [[key, v] for _, key, v in items]}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(json.dumps(canonical(v), sort_keys=True) for v in value)}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"dataclass": type(value).__qualname__, "fields": fields}
    return {"repr": f"{type(value).__module__}.{type(value).__qualname__}", "value": repr(value)}


def digest(value: Any) -> str:
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DigestMemo:
    """``digest(value)``, remembered by the value's pickle: a long-running process
    digests the same minions and trees on every run, and pickling is a quick C pass.
    Equal pickles are equal values; two spellings of one value cost a second digest."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._known: dict[bytes, str] = {}
        self._max = max_entries

    def __call__(self, value: Any) -> str:
        try:
            spelled = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001
            return digest(value)
        found = self._known.get(spelled)
        if found is None:
            if len(self._known) >= self._max:
                self._known.clear()
            found = self._known[spelled] = digest(value)
        return found


def code_fingerprint() -> str:
    """sha256 of saltscan's own source and data files (names and contents)."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json") and p.is_file()):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def tool_versions() -> dict[str, str]:
    import jinja2
    import salt.version
    import yaml

    from saltscan import __version__

    return {
        "saltscan": __version__,
        "salt": str(salt.version.__version__),
        "jinja2": jinja2.__version__,
        "pyyaml": yaml.__version__,
        "python": sys.version,
    }


def data_roots(tree: Tree) -> tuple[Path, ...]:
    """The state and pillar roots: where Salt looks files up."""
    roots = {Path(p).resolve() for mapping in (tree.state_roots, tree.pillar_roots) for paths in mapping.values() for p in paths}
    return tuple(sorted(roots))


def tree_listing(tree: Tree, max_file_bytes: int, skip: Iterable[Path] = ()) -> tuple[tuple[str, bool], ...]:
    """Every file in the roots (and at the top of the scanned root) as (path, over the limit).

    Names, not contents: contents are the dependencies' business. The size flag is
    here because a file over the limit is refused without being opened. The scanned
    root itself only counts with its top level (``pillar.example``), unless it is a
    root, so that unrelated files elsewhere in a repo do not invalidate renders.
    """
    skipped = {os.path.realpath(p) for p in skip}
    seen: set[tuple[str, bool]] = set()

    def add(path: str) -> None:
        try:
            seen.add((path, os.path.getsize(path) > max_file_bytes))
        except OSError:
            seen.add((path, False))

    for root in data_roots(tree):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS and os.path.join(dirpath, d) not in skipped]
            for name in filenames:
                add(os.path.join(dirpath, name))
    top = Path(tree.root).resolve()
    try:
        entries = list(os.scandir(top))
    except OSError:
        entries = []
    for entry in entries:
        if entry.is_file():
            add(entry.path)
    return tuple(sorted(seen))


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with unrecorded(), open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class FileDigests:
    """sha256 of files by absolute path, each read at most once per scan.

    ``by_stat`` (kept by a long-running process across scans) skips reading a file
    whose inode, size, mtime and ctime are those it had when last hashed, the way
    git's index does: any write changes ctime. Like git, it does not trust a stamp
    younger than ``RACY_NS``.
    """

    def __init__(self, by_stat: dict[str, tuple[tuple[int, ...], str]] | None = None) -> None:
        self._known: dict[str, str | None] = {}
        self._by_stat = by_stat

    def __call__(self, path: str) -> str | None:
        if path not in self._known:
            self._known[path] = self._digest(path)
        return self._known[path]

    def _digest(self, path: str) -> str | None:
        try:
            if self._by_stat is None:
                return _sha256_file(path)
            st = os.stat(path)
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            known = self._by_stat.get(path)
            if known is not None and known[0] == stamp:
                return known[1]
            sha = _sha256_file(path)
            if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
                self._by_stat[path] = (stamp, sha)
            else:
                self._by_stat.pop(path, None)
            return sha
        except OSError:
            return None  # missing or unreadable: it must stay so
