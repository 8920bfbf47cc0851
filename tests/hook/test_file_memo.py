"""State file renders kept in memory (the hook daemon's render cache): a re-rendered
minion renders only the files that changed, and comes out as an uncached render."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from saltscan.cache import RenderCache
from saltscan.pipeline import ScanOptions, load_model

from hookkit import SECRET, write_files, write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo")


def load(repo: Path, cache: RenderCache | None):
    return load_model(ScanOptions(path=repo), cache=cache)


def assert_same_model(warm, fresh) -> None:
    """Every field of every render equal to an uncached load's (states with their
    locations, errors, unknowns, calls, pillar reads, templates)."""
    assert [r.minion.id for r in warm.renders] == [r.minion.id for r in fresh.renders]
    for a, b in zip(warm.renders, fresh.renders):
        for f in dataclasses.fields(a):
            assert getattr(a, f.name) == getattr(b, f.name), (a.minion.id, f.name)


def add_state(path: Path, sid: str) -> None:
    path.write_text(path.read_text() + f"{sid}:\n  file.directory:\n    - name: /srv/{sid}\n")


def test_a_changed_file_is_the_only_one_rendered_again(repo: Path, tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    add_state(repo / "salt/web/init.sls", "web-extra")
    warm = load(repo, cache)
    # web01 rendered again, db01 untouched. Reused: web01's pillar, its top matches,
    # and web/init.sls as the early-cutoff check had just rendered it (and found it
    # changed).
    assert (cache.stats.hits, cache.stats.misses - 2) == (1, 1)
    assert cache.stats.files_reused == 3
    web = next(r for r in warm.renders if r.minion.id == "web01")
    assert [s.id for s in web.states] == ["nginx", "web-db-check", "web-extra"]
    assert web.state("web-extra").location.line == 7
    assert_same_model(warm, load(repo, None))


def test_a_changed_file_is_compiled_from_what_its_cutoff_check_rendered(repo: Path, tmp_path: Path, monkeypatch) -> None:
    from saltscan.render.file_memo import StateFileMemo

    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    add_state(repo / "salt/web/init.sls", "web-extra")
    offered: dict = {}
    handed: list = []
    offer, fresh = StateFileMemo.offer, StateFileMemo.fresh
    monkeypatch.setattr(StateFileMemo, "offer", lambda self, key, entry, copy: (offered.setdefault(key[2], copy), offer(self, key, entry, copy))[1])
    monkeypatch.setattr(StateFileMemo, "fresh", lambda self, key, entry: handed.append((key, fresh(self, key, entry))) or handed[-1][1])
    warm = load(repo, cache)
    web = str(repo / "salt/web/init.sls")
    assert list(offered) == [web]  # web01's early-cutoff check found its render changed
    # The full render of web01 that follows takes those very objects, unpickling none.
    assert [copy for key, copy in handed if key[2:3] == (web,)] == [offered[web]]
    assert [copy for key, copy in handed if key[2:3] == (web,)][0] is offered[web]
    assert_same_model(warm, load(repo, None))


def test_files_a_minion_includes_are_reused_when_another_changes(repo: Path, tmp_path: Path) -> None:
    (repo / "salt/web/init.sls").write_text("include:\n  - web.extra\n" + (repo / "salt/web/init.sls").read_text())
    (repo / "salt/web/extra.sls").write_text("curl:\n  pkg.installed: []\n")
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    add_state(repo / "salt/web/extra.sls", "web-extra")
    reused = cache.stats.files_reused
    warm = load(repo, cache)
    assert cache.stats.files_reused - reused == 4  # web01's pillar and top, web/init.sls, web/extra.sls (from the cutoff check)
    assert_same_model(warm, load(repo, None))


def test_a_render_that_changes_the_pillar_is_rendered_without_the_memo(repo: Path, tmp_path: Path) -> None:
    # web/init.sls starts appending to a pillar list in place; db/init.sls (rendered
    # after it for web01) reads that list. Its render kept from the first load saw the
    # list as it was, so it must not be reused.
    (repo / "pillar/secrets.sls").write_text((repo / "pillar/secrets.sls").read_text() + "ports: [80]\n")
    (repo / "salt/top.sls").write_text("base:\n  web01:\n    - web\n    - db\n  db01:\n    - db\n")
    (repo / "salt/db/init.sls").write_text((repo / "salt/db/init.sls").read_text()
                                           + "open-ports:\n  cmd.run:\n    - name: echo {{ salt['pillar.get']('ports') | join(',') }}\n")
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    first = load(repo, cache)
    assert next(r for r in first.renders if r.minion.id == "web01").state("open-ports").name == "echo 80"
    web = repo / "salt/web/init.sls"
    web.write_text(web.read_text() + "{% do salt['pillar.get']('ports').append(443) %}\n")
    warm = load(repo, cache)
    web01 = next(r for r in warm.renders if r.minion.id == "web01")
    assert web01.state("open-ports").name == "echo 80,443"
    assert_same_model(warm, load(repo, None))


def test_a_formula_tree_recompiles_only_the_sls_that_changed(tmp_path: Path) -> None:
    # No top file: every SLS is compiled standalone, each its own untargeted render.
    root = tmp_path / "demo-formula"
    files = {
        "demo/init.sls": "include:\n  - demo.config\ndemo-pkg:\n  pkg.installed:\n    - name: {{ salt['pillar.get']('demo:pkg', 'demo') }}\n",
        "demo/config.sls": "demo-conf:\n  file.managed:\n    - name: /etc/demo.conf\n    - contents: 'port=8080'\n",
        "demo/service.sls": "demo-svc:\n  service.running:\n    - name: demo\n",
        "pillar.example": "demo:\n  pkg: demo-server\n",
    }
    write_files(root, files)
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    first = load(root, cache)
    add_state(root / "demo/service.sls", "demo-extra")
    before = dataclasses.replace(cache.stats)
    warm = load(root, cache)
    # Reused whole: the default minion's render (no top file: nothing in it) and those
    # of demo and demo.config; demo.service is compiled again from the render of
    # service.sls its cutoff check made, with the pillar reused.
    stats = cache.stats.since(before)
    assert (stats.hits, stats.misses, stats.files_reused) == (3, 1, 2)
    old, new = _by_sls(first), _by_sls(warm)
    assert list(new) == ["demo", "demo.config", "demo.service"]
    assert new["demo"] is old["demo"] and new["demo.config"] is old["demo.config"]
    assert [s.id for s in new["demo.service"].states] == ["demo-svc", "demo-extra"]
    assert_same_model(warm, load(root, None))


def _by_sls(model) -> dict:
    """The untargeted renders of ``model`` by the SLS each renders."""
    return {sls: r for r in model.renders if r.untargeted for names in r.top.values() for sls in names}


def test_a_template_changing_its_context_leaves_the_state_and_the_memo_alone(tmp_path: Path) -> None:
    root = tmp_path / "demo-formula"
    files = {
        "demo/init.sls": ("demo-conf:\n  file.managed:\n    - name: /etc/demo.conf\n    - source: salt://demo/files/demo.conf.j2\n"
                          "    - template: jinja\n    - defaults:\n        ports: [80]\n"),
        "demo/other.sls": "demo-pkg:\n  pkg.installed: []\n",
        "demo/files/demo.conf.j2": "{% do ports.append(443) %}ports={{ ports | join(',') }}\n",
    }
    write_files(root, files)
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(root, cache)
    add_state(root / "demo/other.sls", "demo-extra")  # demo's render is reused from memory
    warm = load(root, cache)
    untargeted = _by_sls(warm)["demo"]
    assert untargeted.state("demo-conf").args["defaults"] == {"ports": [80]}  # as Salt compiled it
    assert [t.text for t in untargeted.templates] == ["ports=80,443\n"]  # not 80,443,443
    assert_same_model(warm, load(root, None))


def test_a_reused_state_file_keeps_early_cutoff_for_the_next_edit(repo: Path, tmp_path: Path) -> None:
    (repo / "salt/web/init.sls").write_text("include:\n  - web.extra\n" + (repo / "salt/web/init.sls").read_text())
    (repo / "salt/web/extra.sls").write_text("curl:\n  pkg.installed: []\n")
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    add_state(repo / "salt/web/init.sls", "web-extra")  # web01 rendered again, web/extra.sls reused
    load(repo, cache)
    (repo / "salt/web/extra.sls").write_text((repo / "salt/web/extra.sls").read_text() + "# reviewed\n")
    cutoffs = cache.stats.cutoffs
    warm = load(repo, cache)
    assert cache.stats.cutoffs - cutoffs == 1  # the reused file counts as read inside its render
    assert_same_model(warm, load(repo, None))


def test_renders_copied_ahead_between_runs_give_the_uncached_model(repo: Path, tmp_path: Path) -> None:
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    for n in range(3):
        add_state(repo / "salt/web/init.sls", f"web-extra-{n}")
        warm = load(repo, cache)
        # Between runs, as the hook daemon does when idle: disk writes, and copies of
        # the renders web01's re-render used (its pillar and top matches) made ahead.
        for step in cache.deferred_work():
            step()
        assert_same_model(warm, load(repo, None))
    web = next(r for r in warm.renders if r.minion.id == "web01")
    assert [s.id for s in web.states] == ["nginx", "web-db-check", "web-extra-0", "web-extra-1", "web-extra-2"]
    assert web.pillar == {"db": {"user": "ehr", "password": SECRET}}


def test_yaml_parses_are_kept_across_scans_and_change_nothing(repo: Path, tmp_path: Path, monkeypatch) -> None:
    import salt.utils.yaml

    (repo / "salt/web/map.jinja").write_text("{% import_yaml 'web/defaults.yaml' as web %}\n")
    (repo / "salt/web/defaults.yaml").write_text("db_port: 5432\n")
    parses: list[str] = []
    real = salt.utils.yaml.safe_load
    monkeypatch.setattr(salt.utils.yaml, "safe_load", lambda text, *a, **k: parses.append(text) or real(text, *a, **k))
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    load(repo, cache)
    assert parses == ["db_port: 5432"]
    add_state(repo / "salt/web/init.sls", "web-extra")
    warm = load(repo, cache)
    # The edited file is rendered again (its early-cutoff check), and with it
    # map.jinja's import_yaml: the parse the first scan made serves it.
    assert parses == ["db_port: 5432"]
    assert web_port(warm) == "nc -z 10.20.30.40 5432"
    assert_same_model(warm, load(repo, None))


def web_port(model) -> str:
    return next(r for r in model.renders if r.minion.id == "web01").state("web-db-check").name


def test_a_kept_template_render_records_the_sls_it_is_rendered_after(tmp_path: Path) -> None:
    # Each untargeted SLS is a render of one pseudo-minion: common's template is the
    # same in both, but what it records carries the SLS rendered last before it
    # (common in a's render, b2 in b's), as an uncached render has it.
    files = {
        "salt/a.sls": "include:\n  - common\n",
        "salt/b.sls": "include:\n  - common\n  - b2\n",
        "salt/b2.sls": "b2-dir:\n  file.directory:\n    - name: /srv/b2\n",
        "salt/common.sls": "conf:\n  file.managed:\n    - name: /etc/c\n    - source: salt://c.j2\n    - template: jinja\n",
        "salt/c.j2": "port={{ salt['pillar.get']('port', 80) }}\n",
    }
    root = tmp_path / "repo"
    write_files(root, files)
    cache = RenderCache(tmp_path / "cache", key_file=tmp_path / "key", in_memory=True)
    warm = load(root, cache)
    calls = {r.top["base"][0]: [(c.function, c.sls) for c in r.salt_calls] for r in warm.renders if r.untargeted}
    assert calls["a"] == [("pillar.get", "common")] and calls["b"] == [("pillar.get", "b2")]
    assert_same_model(warm, load(root, None))
