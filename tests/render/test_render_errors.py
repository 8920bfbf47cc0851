"""Errors like Salt's, at the original file and line, and the rest of the tree goes on."""

from saltscan.model import RenderErrorKind


def test_undefined_pillar_is_reported_and_rendering_continues(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - app\n",
        "salt/app.sls": """
            app-env:
              file.managed:
                - name: /etc/app.env
                - contents: DSN={{ pillar['app']['sentry_dsn'] }}
            after:
              test.nop: []
            """,
        "pillar/top.sls": "base:\n  '*':\n    - app\n",
        "pillar/app.sls": "app:\n  name: ehr\n",
    }).grains("m1")
    r = tree.render("m1")
    [err] = r.errors
    assert (err.kind, err.location.file, err.location.line) == (RenderErrorKind.UNDEFINED_PILLAR, "salt/app.sls", 4)
    assert sorted(s.id for s in r.states) == ["after", "app-env"]
    assert "__UNKNOWN_" in r.state("app-env").args["contents"]


def test_invalid_yaml_duplicate_key_and_missing_include(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - bad\n    - dup\n    - inc\n    - good\n",
        "salt/bad.sls": "a:\n  test.nop:\n    - name: [unclosed\n",
        "salt/dup.sls": "same:\n  test.nop: []\nsame:\n  test.nop: []\n",
        "salt/inc.sls": "include:\n  - nowhere\nz:\n  test.nop: []\n",
        "salt/good.sls": "good:\n  test.nop: []\n",
    }).grains("m1")
    r = tree.render("m1")
    got = sorted((e.kind.value, e.location.file, e.location.line) for e in r.errors)
    assert got == [
        ("duplicate-key", "salt/dup.sls", 3),
        ("missing-include", "salt/inc.sls", 2),
        ("yaml", "salt/bad.sls", 4),
    ]
    assert sorted(s.id for s in r.states) == ["good", "z"]


def test_jinja_syntax_error_line(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "x:\n  test.nop: []\n{% if %}\n",
    }).grains("m1")
    [err] = tree.render("m1").errors
    assert (err.kind, err.location.file, err.location.line) == (RenderErrorKind.JINJA_SYNTAX, "salt/a.sls", 3)


def test_duplicate_state_id_across_files(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n    - b\n",
        "salt/a.sls": "shared:\n  test.nop: []\n",
        "salt/b.sls": "# b\n# owned by the web team\nshared:\n  test.succeed_without_changes: []\n",
    }).grains("m1")
    [err] = tree.render("m1").errors
    assert (err.kind, err.location.file, err.location.line) == (RenderErrorKind.DUPLICATE_ID, "salt/b.sls", 3)


def test_missing_salt_source(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "cfg:\n  file.managed:\n    - name: /etc/x\n    - source: salt://files/nope.conf\n",
    }).grains("m1")
    [err] = tree.render("m1").errors
    assert (err.kind, err.location.file, err.location.line) == (RenderErrorKind.MISSING_SOURCE, "salt/a.sls", 4)
