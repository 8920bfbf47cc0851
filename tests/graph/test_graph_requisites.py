"""Requisites resolved to states like Salt 3007 resolves them."""

from __future__ import annotations

from graphkit import edges, loc, render, req, state

from saltscan.graph import build_minion_graph, find_requisite_cycles, has_requisite_path
from saltscan.model import RequisiteKind


def test_module_target_matches_id_or_name_of_that_module_only():
    g = build_minion_graph(render([
        state("nginx", "pkg.installed", line=1),
        state("nginx-conf", "file.managed", name="/etc/nginx/nginx.conf", line=3),
        state("web", "service.running", name="nginx", line=6, reqs=[
            req("require", "pkg", "nginx"),                      # by ID
            req("watch", "file", "/etc/nginx/nginx.conf"),       # by name
            req("onchanges", "file", "nginx"),                   # no file state has ID or name nginx
        ]),
    ]))
    assert edges(g, "require") == [("state:service:web", "state:pkg:nginx", "require")]
    assert edges(g, "watch") == [("state:service:web", "state:file:nginx-conf", "watch")]
    assert edges(g, "onchanges") == []
    [(node, missing)] = g.graph["missing_requisites"]
    assert node == "state:service:web"
    assert (missing.kind, missing.target_type, missing.target) == (RequisiteKind.ONCHANGES, "file", "nginx")


def test_id_target_matches_id_or_name_in_any_module():
    g = build_minion_graph(render([
        state("nginx", "pkg.installed"),
        state("nginx", "service.running", line=3),
        state("conf", "file.managed", name="nginx", line=5),
        state("reload", "cmd.run", name="nginx -s reload", line=8, reqs=[req("require", "id", "nginx")]),
    ]))
    assert edges(g, "require") == [
        ("state:cmd:reload", "state:file:conf", "require"),
        ("state:cmd:reload", "state:pkg:nginx", "require"),
        ("state:cmd:reload", "state:service:nginx", "require"),
    ]
    assert g.graph["missing_requisites"] == []


def test_in_form_is_an_edge_from_the_requiring_state_with_from_in():
    # "nginx-conf: file.managed: - watch_in: [service: nginx]" arrives, normalised by
    # the renderer, as a watch requisite on the service.
    g = build_minion_graph(render([
        state("nginx-conf", "file.managed", name="/etc/nginx/nginx.conf", line=1),
        state("nginx", "service.running", line=8,
              reqs=[req("watch", "file", "nginx-conf", from_in=True, line=4)]),
    ]))
    data = g.get_edge_data("state:service:nginx", "state:file:nginx-conf", key="watch")
    assert data == {"kind": "watch", "file": "salt/app.sls", "line": 4, "from_in": True,
                    "requisite_type": "file", "requisite_target": "nginx-conf"}
    assert not g.has_edge("state:file:nginx-conf", "state:service:nginx")


def test_names_expansion_gives_one_node_per_name_and_module_target_hits_all():
    g = build_minion_graph(render([
        state("tools", "pkg.installed", name="curl", line=1),
        state("tools", "pkg.installed", name="jq", line=1),
        state("use-tools", "cmd.run", name="curl -s x | jq .", line=5, reqs=[req("require", "pkg", "tools")]),
        state("use-jq", "cmd.run", name="jq --version", line=8, reqs=[req("require", "pkg", "jq")]),
    ]))
    assert {n for n in g if n.startswith("state:pkg:")} == {"state:pkg:tools:curl", "state:pkg:tools:jq"}
    assert edges(g, "require") == [
        ("state:cmd:use-jq", "state:pkg:tools:jq", "require"),
        ("state:cmd:use-tools", "state:pkg:tools:curl", "require"),
        ("state:cmd:use-tools", "state:pkg:tools:jq", "require"),
    ]
    assert g.nodes["state:pkg:tools:jq"]["name"] == "jq"
    assert edges(g, "manages")[-2:] == [
        ("state:pkg:tools:curl", "package:curl", "manages"),
        ("state:pkg:tools:jq", "package:jq", "manages"),
    ]


def test_extended_state_shows_merged_requisites_and_args():
    # extend: {app-conf: {file: [{require: [{user: ehr}]}, {user: ehr}]}} from ehr.hardening:
    # the renderer merges it into the state; its requisite points at the extend's line.
    extended = state(
        "app-conf", "file.managed", name="/opt/ehr/app.conf", sls="ehr.app", line=3,
        args={"user": "ehr", "mode": "0640"},
        reqs=[req("require", "user", "ehr", file="salt/ehr/hardening.sls", line=12)],
    )
    g = build_minion_graph(render([state("ehr", "user.present", sls="ehr.users", line=1), extended]))
    data = g.get_edge_data("state:file:app-conf", "state:user:ehr", key="require")
    assert (data["file"], data["line"]) == ("salt/ehr/hardening.sls", 12)
    assert g.get_edge_data("state:file:app-conf", "state:user:ehr", key="runs_as")["inferred"] is True


def test_glob_targets_match_ids_and_names_with_fnmatch():
    g = build_minion_graph(render([
        state("ehr-conf-main", "file.managed", name="/etc/ehr/main.conf", line=1),
        state("ehr-conf-db", "file.managed", name="/etc/ehr/db.conf", line=3),
        state("other", "file.managed", name="/etc/other.conf", line=5),
        state("ehr", "service.running", line=7, reqs=[
            req("watch", "file", "ehr-conf-*"),
            req("require", "file", "/etc/ehr/*.con?"),
            req("onchanges", "file", "nothing-*"),
        ]),
    ]))
    assert edges(g, "watch") == [
        ("state:service:ehr", "state:file:ehr-conf-db", "watch"),
        ("state:service:ehr", "state:file:ehr-conf-main", "watch"),
    ]
    assert [v for _, v, _ in edges(g, "require")] == ["state:file:ehr-conf-db", "state:file:ehr-conf-main"]
    assert [(n, r.target) for n, r in g.graph["missing_requisites"]] == [("state:service:ehr", "nothing-*")]


def test_sls_targets_include_included_sls_and_globs_and_empty_sls():
    states = [
        state("db-pkg", "pkg.installed", name="postgresql", sls="ehr.db", line=1),
        state("db-client", "pkg.installed", name="libpq5", sls="ehr.db.client", line=1),
        state("app", "cmd.run", name="true", sls="ehr.app", line=1, reqs=[
            req("require", "sls", "ehr.db"),
            req("onchanges", "sls", "ehr.d*"),
            req("watch", "sls", "ehr.empty"),      # rendered, holds no state: met
            req("prereq", "sls", "ehr.absent"),    # never rendered: missing
            req("onfail", "sls", "no.such.*"),     # a glob sls is never missing in Salt
        ]),
    ]
    r = render(states, included_from={"ehr.db.client": ["ehr.db"]},
               top=["ehr.app", "ehr.db", "ehr.empty"])
    g = build_minion_graph(r)
    assert edges(g, "require") == [
        ("state:cmd:app", "state:pkg:db-client", "require"),
        ("state:cmd:app", "state:pkg:db-pkg", "require"),
    ]
    assert [v for _, v, _ in edges(g, "onchanges")] == ["state:pkg:db-client", "state:pkg:db-pkg"]
    assert edges(g, "watch") == [] and edges(g, "onfail") == []
    assert [(r.kind.value, r.target) for _, r in g.graph["missing_requisites"]] == [("prereq", "ehr.absent")]
    assert edges(g, "includes") == [("sls:ehr.db", "sls:ehr.db.client", "includes")]


def test_any_kinds_keep_their_kind():
    g = build_minion_graph(render([
        state("a", "pkg.installed", line=1),
        state("b", "pkg.installed", line=2),
        state("c", "cmd.run", name="true", line=3, reqs=[
            req("require_any", "pkg", "a"), req("require_any", "pkg", "b"), req("onfail_any", "pkg", "a"),
        ]),
    ]))
    assert edges(g, "require_any") == [("state:cmd:c", "state:pkg:a", "require_any"),
                                       ("state:cmd:c", "state:pkg:b", "require_any")]
    assert edges(g, "onfail_any") == [("state:cmd:c", "state:pkg:a", "onfail_any")]


def test_listen_and_use_match_exactly_not_by_glob():
    g = build_minion_graph(render([
        state("app-*", "file.managed", name="/etc/app.conf", line=1),
        state("app-conf", "file.managed", name="/etc/app2.conf", line=3),
        state("app", "service.running", line=5, reqs=[req("listen", "file", "app-*")]),
    ]))
    assert edges(g, "listen") == [("state:service:app", "state:file:app-*", "listen")]


def test_cycle_found_rotated_to_smallest_node_and_listen_ignored():
    g = build_minion_graph(render([
        state("c", "cmd.run", name="c", line=5, reqs=[req("require", "cmd", "a")]),
        state("a", "cmd.run", name="a", line=1, reqs=[req("watch", "cmd", "b")]),
        state("b", "cmd.run", name="b", line=3, reqs=[req("onchanges", "cmd", "c")]),
        state("d", "cmd.run", name="d", line=7, reqs=[req("listen", "cmd", "e")]),
        state("e", "cmd.run", name="e", line=9, reqs=[req("listen", "cmd", "d")]),
        state("self", "cmd.run", name="self", line=11, reqs=[req("require", "cmd", "self")]),
    ]))
    assert find_requisite_cycles(g) == [
        ["state:cmd:a", "state:cmd:b", "state:cmd:c"],
        ["state:cmd:self"],
    ]


def test_has_requisite_path_is_transitive_and_directional():
    g = build_minion_graph(render([
        state("a", "cmd.run", name="a", line=1, reqs=[req("require", "cmd", "b")]),
        state("b", "cmd.run", name="b", line=2, reqs=[req("watch", "cmd", "c")]),
        state("c", "cmd.run", name="c", line=3),
        state("d", "cmd.run", name="d", line=4, reqs=[req("prereq", "cmd", "c")]),
        state("e", "cmd.run", name="e", line=5, reqs=[req("listen", "cmd", "c")]),
    ]))
    assert has_requisite_path(g, "state:cmd:a", "state:cmd:c")
    assert not has_requisite_path(g, "state:cmd:c", "state:cmd:a")
    # d prereq c: d runs before c, so c runs after d.
    assert has_requisite_path(g, "state:cmd:c", "state:cmd:d")
    assert not has_requisite_path(g, "state:cmd:d", "state:cmd:c")
    assert not has_requisite_path(g, "state:cmd:e", "state:cmd:c")
    assert not has_requisite_path(g, "state:cmd:a", "state:cmd:nope")


def test_requisite_location_is_kept_on_edge():
    g = build_minion_graph(render([
        state("a", "pkg.installed", line=1),
        state("b", "cmd.run", name="b", line=3, reqs=[req("require", "pkg", "a", line=5, file=loc().file)]),
    ]))
    data = g.get_edge_data("state:cmd:b", "state:pkg:a", key="require")
    assert (data["file"], data["line"], data["from_in"]) == ("salt/app.sls", 5, False)
