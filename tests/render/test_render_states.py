"""States as Salt compiles them: includes, extend, exclude, names, _in, order, top."""

from saltscan.model import RequisiteKind, RenderErrorKind


def test_top_targets_by_grain_glob_and_compound(tree):
    tree.write({
        "salt/top.sls": """
            base:
              '*':
                - common
              'role:web':
                - match: grain
                - web
              'db-* and G@os:Debian':
                - db
            """,
        "salt/common.sls": "tz:\n  timezone.system:\n    - name: UTC\n",
        "salt/web.sls": "nginx:\n  pkg.installed: []\n",
        "salt/db.sls": "postgresql:\n  pkg.installed: []\n",
    }).grains("web01", role="web").grains("db-1")
    web = tree.render("web01")
    db = tree.render("db-1")
    assert web.top == {"base": ("common", "web")}
    assert db.top == {"base": ("common", "db")}
    assert sorted(s.id for s in web.states) == ["nginx", "tz"]


def test_state_and_argument_lines_point_at_the_source(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - app\n",
        "salt/app.sls": """
            {% set apps = ['api', 'worker'] %}
            {% for app in apps %}
            {{ app }}-config:
              file.managed:
                - name: /etc/ehr/{{ app }}.conf
                - mode: '0640'
            {% endfor %}
            """,
    }).grains("m1")
    r = tree.render("m1")
    api = r.state("api-config")
    worker = r.state("worker-config")
    assert (api.location.file, api.location.line) == ("salt/app.sls", 3)
    assert (worker.location.file, worker.location.line) == ("salt/app.sls", 3)
    assert api.location_of("name").line == 5
    assert api.location_of("mode").line == 6
    assert api.name == "/etc/ehr/api.conf"


def test_macro_from_imported_file_maps_to_the_call_line(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - svc\n",
        "salt/lib.jinja": """
            {% macro service(name) %}
            {{ name }}-running:
              service.running:
                - name: {{ name }}
            {% endmacro %}
            """,
        "salt/svc.sls": """
            {% from "lib.jinja" import service %}
            # comment line
            {{ service('nginx') }}
            """,
    }).grains("m1")
    st = tree.render("m1").state("nginx-running")
    assert st.location.file == "salt/svc.sls"
    assert st.location.line == 3


def test_include_relative_and_extend_and_names(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - ehr\n",
        "salt/ehr/init.sls": """
            include:
              - .config
            extend:
              ehr-conf:
                file:
                  - mode: '0600'
            ehr-pkgs:
              pkg.installed:
                - names:
                  - python3
                  - gunicorn
            """,
        "salt/ehr/config.sls": """
            ehr-conf:
              file.managed:
                - name: /etc/ehr.conf
                - mode: '0644'
            """,
    }).grains("m1")
    r = tree.render("m1")
    conf = r.state("ehr-conf")
    assert conf.args["mode"] == "0600"
    assert conf.location_of("mode").file == "salt/ehr/init.sls"
    assert conf.location_of("mode").line == 6
    assert conf.location.file == "salt/ehr/config.sls"
    assert sorted(s.name for s in r.states if s.id == "ehr-pkgs") == ["gunicorn", "python3"]
    low_ids = [(c["__id__"], c["__sls__"]) for c in r.low]
    assert ("ehr-conf", "ehr.config") in low_ids
    assert r.high["ehr-conf"]["__sls_included_from__"] == ["ehr"]


def test_in_requisites_are_normalised_forward(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - web\n",
        "salt/web.sls": """
            nginx:
              service.running: []
            nginx-conf:
              file.managed:
                - name: /etc/nginx/nginx.conf
                - watch_in:
                  - service: nginx
                - listen_in:
                  - service: nginx
            """,
    }).grains("m1")
    r = tree.render("m1")
    nginx = r.state("nginx", "service")
    kinds = sorted((q.kind, q.target_type, q.target, q.from_in, q.location.line) for q in nginx.requisites)
    assert kinds == [
        (RequisiteKind.LISTEN, "file", "nginx-conf", True, 9),
        (RequisiteKind.WATCH, "file", "nginx-conf", True, 7),
    ]
    assert r.state("nginx-conf").requisites == ()


def test_missing_in_target_is_reported(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - web\n",
        "salt/web.sls": """
            conf:
              file.managed:
                - name: /etc/x
                - require_in:
                  - service: ghost
            """,
    }).grains("m1")
    errors = tree.render("m1").errors
    assert [(e.kind, e.location.file, e.location.line) for e in errors] == [
        (RenderErrorKind.MISSING_REQUISITE, "salt/web.sls", 5)
    ]


def test_exclude_removes_state(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "include:\n  - b\nexclude:\n  - id: gone\nkeep:\n  test.nop: []\n",
        "salt/b.sls": "gone:\n  test.nop: []\n",
    }).grains("m1")
    assert [s.id for s in tree.render("m1").states] == ["keep"]


def test_order_and_auto_order_match_salt(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "first:\n  test.nop:\n    - order: 1\nsecond:\n  test.nop: []\n",
    }).grains("m1")
    r = tree.render("m1")
    assert [(c["__id__"], c["order"]) for c in r.low] == [("first", 1), ("second", 10000)]
    assert "order" in r.state("first").arg_locations
    assert "order" not in r.state("second").arg_locations


def test_untargeted_sls_is_still_rendered(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - a\n",
        "salt/a.sls": "a:\n  test.nop: []\n",
        "salt/orphan.sls": "orphan:\n  cmd.run:\n    - name: echo hi\n",
    }).grains("m1")
    model = tree.model()
    untargeted = [r for r in model.renders if r.untargeted]
    assert [s.id for r in untargeted for s in r.states] == ["orphan"]


def test_each_untargeted_sls_is_its_own_render_with_what_it_includes(tree):
    # Salt never applies two untargeted SLS together: one render per SLS, in the tree's
    # SLS order, each holding the states of the SLS and of what it includes.
    tree.write({
        "salt/common.sls": "common-pkg:\n  pkg.installed: []\n",
        "salt/x.sls": "include:\n  - common\nx-svc:\n  service.running: []\n",
        "salt/y.sls": "include:\n  - common\ny-file:\n  file.managed:\n    - name: /etc/y\n",
    }).grains("m1")
    untargeted = [r for r in tree.model().renders if r.untargeted]
    assert [(r.minion.id, r.top, [s.id for s in r.states]) for r in untargeted] == [
        ("(untargeted)", {"base": ("common",)}, ["common-pkg"]),
        ("(untargeted)", {"base": ("x",)}, ["common-pkg", "x-svc"]),
        ("(untargeted)", {"base": ("y",)}, ["common-pkg", "y-file"]),
    ]


def test_requisites_from_a_json_renderer_are_kept(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - j\n",
        "salt/j.sls": '#!json\n{"pkg-x": {"pkg.installed": []}, "svc-x": {"service.running": [{"require": [{"pkg": "pkg-x"}]}, {"watch_in": [{"pkg": "pkg-x"}]}]}}\n',
    }).grains("m1")
    r = tree.render("m1")
    assert [(q.kind, q.target_type, q.target, q.from_in) for q in r.state("svc-x").requisites] == [
        (RequisiteKind.REQUIRE, "pkg", "pkg-x", False)
    ]
    assert [(q.kind, q.target_type, q.target, q.from_in) for q in r.state("pkg-x").requisites] == [
        (RequisiteKind.WATCH, "service", "svc-x", True)
    ]


def test_yamlex_renderer_aggregates(tree):
    tree.write({
        "salt/top.sls": "base:\n  '*':\n    - x\n",
        "salt/x.sls": "#!yamlex\nx:\n  test.nop:\n    - name: !aggregate one\n",
    }).grains("m1")
    r = tree.render("m1")
    assert r.errors == ()
    assert [(s.id, s.fun) for s in r.states] == [("x", "test.nop")]
    assert r.high["x"]["test"][0] == {"name": ["one"]}
