"""Nothing from the scanned tree runs; every breach is a finding and the rest goes on."""

import os

from saltscan.model import RenderErrorKind, UnknownOrigin


def _kinds(render):
    return sorted((e.kind, e.location.file, e.location.line) for e in render.errors)


def test_cmd_run_at_render_time_is_recorded_not_executed(tree, tmp_path):
    marker = tmp_path / "pwned"
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": f"""
            {{% set host = salt['cmd.run']('touch {marker} && hostname -f') %}}
            motd:
              file.managed:
                - name: /etc/motd
                - contents: {{{{ host }}}}
            """,
    }).grains("m1")
    r = tree.render("m1")
    assert not marker.exists()
    [call] = [c for c in r.salt_calls if c.function == "cmd.run"]
    assert (call.location.file, call.location.line, call.evaluated, call.sls) == ("salt/a.sls", 1, False, "a")
    [unknown] = r.unknowns
    assert unknown.origin is UnknownOrigin.EXECUTION_MODULE
    assert r.state("motd").args["contents"] == unknown.token


def test_py_renderer_is_refused(tree, tmp_path):
    marker = tmp_path / "pwned"
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - evil\n    - good\n",
        "salt/evil.sls": f"#!py\nimport os\ndef run():\n    os.system('touch {marker}')\n    return {{}}\n",
        "salt/good.sls": "ok:\n  test.nop: []\n",
    }).grains("m1")
    r = tree.render("m1")
    assert not marker.exists()
    assert _kinds(r) == [(RenderErrorKind.UNSAFE_RENDERER, "salt/evil.sls", 1)]
    assert [s.id for s in r.states] == ["ok"]


def test_python_yaml_tags_are_refused(tree, tmp_path):
    marker = tmp_path / "pwned"
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - evil\n",
        "salt/evil.sls": f"x: !!python/object/apply:os.system ['touch {marker}']\n",
    }).grains("m1")
    r = tree.render("m1")
    assert not marker.exists()
    assert [(e.kind, e.location.file, e.location.line) for e in r.errors] == [(RenderErrorKind.YAML, "salt/evil.sls", 1)]


def test_jinja_sandbox_escapes_are_refused(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n    - b\n    - c\n",
        "salt/a.sls": "x: {{ cycler.__init__.__globals__.os.system('id') }}\n",
        "salt/b.sls": "y: {{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        "salt/c.sls": "z: {{ 'x'|method_call('__class__') }}\n",
    }).grains("m1")
    r = tree.render("m1")
    assert {(e.location.file, e.kind) for e in r.errors} >= {
        ("salt/b.sls", RenderErrorKind.SANDBOX),
        ("salt/c.sls", RenderErrorKind.SANDBOX),
    }
    assert all(e.location.file != "salt/a.sls" or e.kind in (RenderErrorKind.SANDBOX, RenderErrorKind.UNDEFINED_VARIABLE, RenderErrorKind.JINJA_RUNTIME) for e in r.errors)
    assert r.states == ()


def test_render_time_limit(tree):
    from saltscan.render.context import Limits
    from saltscan.render.tree import render_tree
    from saltscan.loader import load_tree_with_errors
    from saltscan.pipeline import ScanOptions

    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - slow\n    - fine\n",
        "salt/slow.sls": "{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}\n",
        "salt/fine.sls": "fine:\n  test.nop: []\n",
    }).grains("m1")
    options = ScanOptions(path=tree.root)
    t, errs = load_tree_with_errors(options)
    model = render_tree(t, options, errs, Limits(seconds_per_file=0.5))
    r = model.renders[0]
    assert [(e.kind, e.location.file) for e in r.errors] == [(RenderErrorKind.LIMIT, "salt/slow.sls")]
    assert [s.id for s in r.states] == ["fine"]


def test_string_repeat_bomb_is_refused(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - bomb\n",
        "salt/bomb.sls": "x: {{ 'a' * 1000000000 }}\n",
    }).grains("m1")
    r = tree.render("m1")
    assert [(e.kind, e.location.line) for e in r.errors] == [(RenderErrorKind.SANDBOX, 1)]


def test_yaml_alias_bomb_is_refused(tree):
    lines = ["a: &a ['x','x','x','x','x','x','x','x','x']"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - bomb\n",
        "salt/bomb.sls": "\n".join(lines) + "\n",
    }).grains("m1")
    r = tree.render("m1")
    assert [e.kind for e in r.errors] == [RenderErrorKind.LIMIT]


def test_include_recursion_and_size_limit(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - loop\n    - big\n",
        "salt/loop.sls": "include:\n  - loop\nx:\n  test.nop: []\n",
        "salt/big.sls": "y: '" + "a" * (3 * 1024 * 1024) + "'\n",
    }).grains("m1")
    r = tree.render("m1")
    assert (RenderErrorKind.LIMIT, "salt/big.sls", 1) in _kinds(r)
    assert [s.id for s in r.states] == ["x"]


def test_host_reading_filter_returns_unknown(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "x:\n  test.nop:\n    - name: {{ 'bash'|which }}\n",
    }).grains("m1")
    r = tree.render("m1")
    assert r.state("x").name.startswith("__UNKNOWN_")
    assert [u.origin for u in r.unknowns] == [UnknownOrigin.HOST_FILTER]
