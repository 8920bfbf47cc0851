"""What a warm process drops between requests: a stale render's findings, graph pieces
and the rule memo's replaced entries are forgotten by the queued idle work, not
before the reply; and the collector's young generation after the first one."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from saltscan.daemon import protocol
from saltscan.daemon.server import handle
from saltscan.warm import FULL_COLLECTION_EVERY, YOUNG_COLLECTION_AFTER, WarmState, _collect_garbage

from hookkit import DB_FINDINGS, text_findings, write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo")
    (root / ".git").mkdir()
    return root


def _hook(repo: Path, tmp_path: Path, warm: WarmState, *files: str) -> dict:
    request = {"protocol": protocol.PROTOCOL, "command": "hook", "cwd": str(repo), "env": {},
               "argv": ["hook", "--cache-dir", str(tmp_path / "cache"), *files]}
    return handle(request, warm)


def _kept_minions(warm: WarmState) -> list[str]:
    return sorted(kept.render.minion.id for kept in warm.kept._kept.values())


def test_a_stale_render_is_forgotten_by_the_idle_work_not_before_the_reply(repo: Path, tmp_path: Path) -> None:
    warm = WarmState()
    _hook(repo, tmp_path, warm, "salt/db/init.sls")
    warm.flush()
    db_before = next(r for r in warm._renders if r.minion.id == "db01")
    stale = weakref.ref(db_before)
    del db_before
    with (repo / "salt/db/init.sls").open("a") as fh:
        fh.write("\nextra:\n  pkg.installed: []\n")  # db01 renders anew
    reply = _hook(repo, tmp_path, warm, "salt/db/init.sls")
    assert text_findings(reply["stdout"]) == DB_FINDINGS
    # Replied: the old db01 render is still kept (and its findings); the new one's whole
    # findings wait for the idle work too (saltscan.engine.focus: only salt/db/init.sls
    # was asked about).
    assert _kept_minions(warm) == ["db01", "web01"] and warm.kept.has_pending()
    assert next(k.render for k in warm.kept._kept.values() if k.render.minion.id == "db01") is stale()
    warm.end_request()
    while warm.has_idle_work():
        warm.idle_step()
    assert _kept_minions(warm) == ["db01", "web01"] and not warm.kept.has_pending()
    assert next(k.render for k in warm.kept._kept.values() if k.render.minion.id == "db01") is not stale()
    assert [r.minion.id for r in warm._renders] == ["db01", "web01"]
    gc.collect()
    assert stale() is None


# A pillar file among the files: every render's rules run in full before the reply
# (saltscan.engine.focus), so what is kept right after it can be counted.
UNFOCUSED = ("salt/db/init.sls", "pillar/secrets.sls")


def test_a_request_before_the_idle_work_forgets_at_once(repo: Path, tmp_path: Path) -> None:
    warm = WarmState()
    _hook(repo, tmp_path, warm, *UNFOCUSED)
    warm.end_request()  # queued, not run: the next request comes first
    (repo / "salt/db/init.sls").write_text((repo / "salt/db/init.sls").read_text() + "\nextra:\n  pkg.installed: []\n")
    _hook(repo, tmp_path, warm, *UNFOCUSED)
    assert _kept_minions(warm) == ["db01", "web01"]  # as before the idle work existed


def test_young_collections_come_less_often_after_the_first_idle_collection() -> None:
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        _collect_garbage()
        assert gc.get_threshold() == (YOUNG_COLLECTION_AFTER, 10, 10)
        gc.set_threshold(0, 10, 10)  # collection turned off stays off
        _collect_garbage()
        assert gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*saved)
        gc.unfreeze()


def test_an_idle_collection_walks_the_frozen_heap_only_now_and_then() -> None:
    warm = WarmState()
    fulls = []
    for _ in range(2 * FULL_COLLECTION_EVERY + 1):
        warm.end_request()
        fulls.append(warm._idle_work[-1].keywords["full"])
        warm._idle_work.clear()
    assert [i for i, full in enumerate(fulls) if full] == [0, FULL_COLLECTION_EVERY, 2 * FULL_COLLECTION_EVERY]


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_collection_that_is_not_full_leaves_frozen_garbage_for_a_full_one() -> None:
    import weakref

    try:
        old = _Cycle()
        ref = weakref.ref(old)
        gc.freeze()
        del old
        _collect_garbage(full=False)
        assert ref() is not None  # frozen when it died: only a full collection sees it
        _collect_garbage(full=True)
        assert ref() is None
    finally:
        gc.unfreeze()


def test_a_caller_that_never_ends_its_requests_keeps_one_requests_leftovers_at_most(repo: Path, tmp_path: Path) -> None:
    warm = WarmState()
    db = repo / "salt/db/init.sls"
    sizes = []
    for n in range(4):
        db.write_text(db.read_text() + f"\nextra{n}:\n  pkg.installed: []\n")
        _hook(repo, tmp_path, warm, *UNFOCUSED)
        sizes.append((len(_kept_minions(warm)), len(warm._retired)))
    assert sizes == [(2, 0), (3, 1), (2, 0), (3, 1)]
