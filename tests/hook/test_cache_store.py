"""EntryStore and the signing key: atomic, signed, damage-tolerant storage."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import stat
import time
from pathlib import Path

import pytest

from saltscan.cache_store import MAGIC, CacheKeyError, EntryStore, load_or_create_key

NAME = hashlib.sha256(b"entry").hexdigest()
OTHER = hashlib.sha256(b"other").hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> EntryStore:
    return EntryStore(tmp_path / "entries", load_or_create_key(tmp_path / "key"))


def test_round_trip_and_absent(store: EntryStore) -> None:
    assert store.get(NAME) is None
    assert store.put(NAME, {"states": ("a", "b"), "n": 3})
    assert store.get(NAME) == {"states": ("a", "b"), "n": 3}
    assert store.get(OTHER) is None
    assert store.names() == (NAME,)


def test_entry_files_hold_no_plain_pickle_header(store: EntryStore) -> None:
    store.put(NAME, "value")
    blob = store.path_of(NAME).read_bytes()
    assert blob.startswith(MAGIC)
    assert pickle.loads(blob[len(MAGIC) + 32:]) == "value"


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated (a crash mid-write without os.replace)
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # one bit flipped in the payload
        lambda b: b[: len(MAGIC)] + bytes(32) + b[len(MAGIC) + 32:],  # MAC zeroed
        lambda b: b"garbage",
        lambda b: b"",
        lambda b: pickle.dumps("planted"),  # a bare pickle, as a scanned repo could ship
    ],
    ids=["truncated", "bitflip", "zero-mac", "garbage", "empty", "bare-pickle"],
)
def test_damaged_entry_is_a_miss_then_rebuilt(store: EntryStore, damage) -> None:
    store.put(NAME, ("good", 1))
    path = store.path_of(NAME)
    path.write_bytes(damage(path.read_bytes()))
    assert store.get(NAME) is None
    assert store.put(NAME, ("rebuilt", 2))
    assert store.get(NAME) == ("rebuilt", 2)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo should-never-run",))


def test_entry_signed_with_another_key_is_never_unpickled(tmp_path: Path, store: EntryStore) -> None:
    attacker = EntryStore(store.directory, b"k" * 32)
    attacker.put(NAME, _Boom())
    assert store.get(NAME) is None


def test_entry_moved_to_another_name_is_a_miss(store: EntryStore) -> None:
    store.put(NAME, "for NAME")
    store.directory.joinpath(OTHER + ".entry").write_bytes(store.path_of(NAME).read_bytes())
    assert store.get(OTHER) is None
    assert store.get(NAME) == "for NAME"


def test_unpicklable_value_is_not_stored(store: EntryStore) -> None:
    assert store.put(NAME, lambda: 1) is False
    assert store.get(NAME) is None
    assert not store.directory.exists() or list(store.directory.iterdir()) == []  # no temp file left


def test_names_are_validated(store: EntryStore) -> None:
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")


def test_key_is_created_private_and_reused(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "k" / "key")
    assert len(key) == 32
    assert stat.S_IMODE((tmp_path / "k" / "key").stat().st_mode) == 0o600
    assert load_or_create_key(tmp_path / "k" / "key") == key
    assert [p.name for p in (tmp_path / "k").iterdir()] == ["key"]


def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(CacheKeyError, match="readable by other users"):
        load_or_create_key(path)


def test_damaged_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "key").write_bytes(b"short")
    (tmp_path / "key").chmod(0o600)
    with pytest.raises(CacheKeyError, match="damaged"):
        load_or_create_key(tmp_path / "key")


def test_prune_keeps_used_and_recent_entries(store: EntryStore) -> None:
    third = hashlib.sha256(b"third").hexdigest()
    for name in (NAME, OTHER, third):
        store.put(name, name)
    old = time.time() - 3600
    for name in (NAME, OTHER):
        os.utime(store.path_of(name), (old, old))
    stale_tmp = store.directory / ".tmp-dead.entry"
    stale_tmp.write_bytes(b"x")
    os.utime(stale_tmp, (old, old))
    assert store.prune(keep={OTHER}, max_age_seconds=60) == 2
    assert store.names() == tuple(sorted((OTHER, third)))
    assert not stale_tmp.exists()


# -- concurrency: real processes ------------------------------------------------------

def _writer(directory: str, key_path: str, tag: int, rounds: int) -> None:
    store = EntryStore(Path(directory), load_or_create_key(Path(key_path)))
    for i in range(rounds):
        # Large values make a torn write likely if writes were not atomic.
        store.put(NAME, (tag, i, bytes([tag]) * 200_000))


def _reader(directory: str, key_path: str, rounds: int, out) -> None:
    store = EntryStore(Path(directory), load_or_create_key(Path(key_path)))
    bad = 0
    seen = 0
    for _ in range(rounds):
        value = store.get(NAME)
        if value is None:
            continue
        seen += 1
        tag, _, blob = value
        if blob != bytes([tag]) * 200_000:
            bad += 1
    out.put((seen, bad))


def test_concurrent_writers_and_reader_never_see_a_torn_entry(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    directory, key_path = str(tmp_path / "entries"), str(tmp_path / "key")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(directory, key_path, tag, 60)) for tag in (1, 2)]
    procs.append(ctx.Process(target=_reader, args=(directory, key_path, 300, queue)))
    for p in procs:
        p.start()
    seen, bad = queue.get(timeout=120)
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert bad == 0
    # Both processes created or read the one key; the survivor entry is whole.
    store = EntryStore(Path(directory), load_or_create_key(Path(key_path)))
    tag, i, blob = store.get(NAME)
    assert tag in (1, 2) and i == 59 and blob == bytes([tag]) * 200_000
    assert store.names() == (NAME,)
    assert sorted(os.listdir(directory)) == [NAME + ".entry"]  # no temp files left


def _make_key(key_path: str, out) -> None:
    out.put(load_or_create_key(Path(key_path)))


def test_concurrent_key_creation_agrees_on_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_make_key, args=(str(tmp_path / "key"), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(timeout=60)
    assert keys == {(tmp_path / "key").read_bytes()}
