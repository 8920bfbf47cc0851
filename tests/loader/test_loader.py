"""Tree detection: master config, common layouts, formula roots, minions from grains."""

import json
from pathlib import Path

from saltscan.loader import load_tree_with_errors
from saltscan.pipeline import ScanOptions


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def _tree(root, **kw):
    return load_tree_with_errors(ScanOptions(path=root, **kw))


def test_master_config_roots_are_rerooted_into_the_repo(tmp_path):
    _write(tmp_path, {
        "master": "file_roots:\n  base:\n    - /srv/salt/states\n  dev:\n    - /srv/salt/dev\npillar_roots:\n  base:\n    - /srv/pillar\nnodegroups:\n  web: 'G@role:web'\n",
        "master.d/merge.conf": "pillar_source_merging_strategy: recurse\n",
        "srv/salt/states/top.sls": "base: {}\n",
        "srv/salt/states/a.sls": "a: {test.nop: []}\n",
        "srv/salt/dev/b.sls": "b: {test.nop: []}\n",
        "srv/pillar/top.sls": "base: {}\n",
    })
    tree, errors = _tree(tmp_path)
    assert errors == ()
    assert {env: [p.relative_to(tmp_path).as_posix() for p in roots] for env, roots in tree.state_roots.items()} == {
        "base": ["srv/salt/states"], "dev": ["srv/salt/dev"],
    }
    assert [p.relative_to(tmp_path).as_posix() for p in tree.pillar_roots["base"]] == ["srv/pillar"]
    assert tree.master_opts["nodegroups"] == {"web": "G@role:web"}
    assert tree.master_opts["pillar_source_merging_strategy"] == "recurse"
    assert [(f.sls, f.saltenv, f.path) for f in tree.sls_files] == [
        ("a", "base", "srv/salt/states/a.sls"), ("b", "dev", "srv/salt/dev/b.sls"),
    ]
    assert "read master config master" in tree.detection


def test_common_layout_salt_and_pillar(tmp_path):
    _write(tmp_path, {"salt/top.sls": "base: {}\n", "salt/web/init.sls": "x: {test.nop: []}\n", "pillar/top.sls": "base: {}\n"})
    tree, _ = _tree(tmp_path)
    assert [p.name for p in tree.state_roots["base"]] == ["salt"]
    assert [p.name for p in tree.pillar_roots["base"]] == ["pillar"]
    assert [(f.sls, f.renderer) for f in tree.sls_files] == [("web", "jinja|yaml")]


def test_formula_repo_root_skips_test_harness_dirs(tmp_path):
    _write(tmp_path, {
        "nginx/init.sls": "#!yaml\nnginx: {pkg.installed: []}\n",
        "nginx/map.jinja": "{% set x = {} %}\n",
        "pillar.example": "nginx: {}\n",
        "test/salt/pillar/default.sls": "nginx: {}\n",
    })
    tree, _ = _tree(tmp_path)
    assert tree.state_roots["base"] == (tmp_path.resolve(),)
    assert [(f.sls, f.renderer) for f in tree.sls_files] == [("nginx", "yaml")]
    assert any("formula" in reason for reason in tree.detection)


def test_minions_from_grains_dir_and_builtin_default(tmp_path):
    _write(tmp_path, {"salt/a.sls": "a: {test.nop: []}\n"})
    tree, _ = _tree(tmp_path)
    assert [(m.id, m.source) for m in tree.minions] == [("generic-linux", "builtin:generic-linux")]
    assert tree.minions[0].grains["os_family"] == "Debian"
    _write(tmp_path, {
        "grains/web01.json": json.dumps({"id": "web01", "role": "web"}),
        "grains/db01.yaml": "id: db01\nrole: db\n",
        "grains/broken.json": "{not json",
    })
    tree, errors = _tree(tmp_path)
    assert [(m.id, m.source, m.grains["role"]) for m in tree.minions] == [("db01", "grains/db01.yaml", "db"), ("web01", "grains/web01.json", "web")]
    assert tree.minions[0].grains["saltversioninfo"][0] == 3007
    assert [(e.location.file, e.kind.value) for e in errors] == [("grains/broken.json", "io")]


def test_explicit_roots_grains_and_minion_override_detection(tmp_path):
    _write(tmp_path, {"states/a.sls": "a: {test.nop: []}\n", "p/top.sls": "base: {}\n", "g.json": json.dumps({"id": "x", "os": "Rocky"})})
    tree, _ = _tree(tmp_path, state_roots=(tmp_path / "states",), pillar_roots=(tmp_path / "p",), grains_files=(tmp_path / "g.json",), minions=("minion1",))
    assert [m.id for m in tree.minions] == ["minion1"]
    assert tree.minions[0].grains["id"] == "minion1"
    assert tree.state_roots["base"] == ((tmp_path / "states").resolve(),)


def test_invalid_master_config_is_an_input_error(tmp_path):
    _write(tmp_path, {"master": "file_roots: [unclosed\n", "salt/a.sls": "a: {test.nop: []}\n"})
    tree, errors = _tree(tmp_path)
    assert [(e.location.file, e.location.line) for e in errors] == [("master", 2)]
    assert [p.name for p in tree.state_roots["base"]] == ["salt"]
