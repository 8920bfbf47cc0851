"""The untargeted renders of a scan share one pillar compile, and each still depends
on the pillar files: an edit to ``pillar.example`` re-renders every one of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hookkit import write_files

from saltscan.cache import RenderCache
from saltscan.pipeline import ScanOptions, load_model

FILES = {
    "demo/init.sls": "demo-pkg:\n  pkg.installed:\n    - name: {{ salt['pillar.get']('demo:pkg', 'demo') }}\n",
    "demo/service.sls": "demo-svc:\n  service.running:\n    - name: {{ pillar['demo']['service'] }}\n",
    "pillar.example": "demo:\n  pkg: demo-server\n  service: demod\n",
}


def _names(model) -> list[tuple]:
    return [(r.top["base"], [(s.id, s.name) for s in r.states]) for r in model.renders if r.untargeted]


def test_every_untargeted_render_gets_the_pillar_and_its_reads(tmp_path: Path) -> None:
    root = write_files(tmp_path / "t", FILES)
    model = load_model(ScanOptions(root))
    assert _names(model) == [(("demo",), [("demo-pkg", "demo-server")]), (("demo.service",), [("demo-svc", "demod")])]
    # Each render has its own copy, equal to the compiled pillar.
    first, second = (r for r in model.renders if r.untargeted)
    assert first.pillar == second.pillar == {"demo": {"pkg": "demo-server", "service": "demod"}}
    assert first.pillar is not second.pillar


def test_a_pillar_edit_reaches_every_untargeted_render_through_the_cache(tmp_path: Path) -> None:
    root = write_files(tmp_path / "t", FILES)
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key")
    load_model(ScanOptions(root), cache=cache)
    (root / "pillar.example").write_text("demo:\n  pkg: demo-lite\n  service: demo-lited\n")
    before = dataclasses.replace(cache.stats)
    model = load_model(ScanOptions(root), cache=cache)
    assert cache.stats.since(before).misses == 3  # the default minion reads the pillar too
    assert _names(model) == [(("demo",), [("demo-pkg", "demo-lite")]), (("demo.service",), [("demo-svc", "demo-lited")])]
