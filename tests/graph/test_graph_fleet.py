"""Roles, merged graphs and the views (focus, kinds, clusters)."""

from __future__ import annotations

import pytest
from graphkit import edges, model, render, req, state

from saltscan.graph import (
    build_fleet_graph,
    build_role_graph,
    cluster_of,
    clusters,
    filter_kinds,
    focus,
    resolve_node,
    role_of,
    roles_in,
)
from saltscan.model import Minion


def web_render(minion, roles, extra=()):
    return render([
        state("nginx", "pkg.installed", sls="web", line=1),
        state("nginx", "service.running", sls="web", line=3, reqs=[req("require", "pkg", "nginx")]),
        *extra,
    ], minion=minion, grains={"roles": roles})


def fleet_model():
    return model(
        web_render("web01", ["web"]),
        web_render("web02", ["web", "edge"], [state("certbot", "pkg.installed", sls="edge", line=1)]),
        render([state("postgresql", "pkg.installed", sls="db", line=1)], minion="db01", grains={"role": "db"}),
    )


def test_role_of_reads_roles_and_role_grains():
    assert role_of(Minion("a", {"roles": ["web", "edge", "web"]}, "x")) == ("edge", "web")
    assert role_of(Minion("a", {"role": "db"}, "x")) == ("db",)
    assert role_of(Minion("a", {"roles": "app", "role": ["db"]}, "x")) == ("app", "db")
    assert role_of(Minion("a", {}, "x")) == ()
    assert role_of(Minion("a", {"tier": "front"}, "x"), role_grains=("tier",)) == ("front",)
    assert roles_in(fleet_model()) == {"db": ("db01",), "edge": ("web02",), "web": ("web01", "web02")}


def test_role_graph_merges_its_minions_with_minions_attribute():
    g = build_role_graph(fleet_model(), "web")
    assert sorted(g) == [
        "package:certbot", "package:nginx", "service:nginx", "sls:edge", "sls:web",
        "state:pkg:certbot", "state:pkg:nginx", "state:service:nginx",
    ]
    assert g.nodes["state:pkg:nginx"]["minions"] == ["web01", "web02"]
    assert g.nodes["state:pkg:certbot"]["minions"] == ["web02"]
    assert g.nodes["state:pkg:certbot"]["roles"] == ["edge", "web"]
    assert g.edges["state:service:nginx", "state:pkg:nginx", "require"]["minions"] == ["web01", "web02"]
    assert g.graph["role"] == "web" and g.graph["minions"] == ["web01", "web02"]
    with pytest.raises(ValueError, match="no minion has role 'cache'"):
        build_role_graph(fleet_model(), "cache")


def test_fleet_graph_has_every_minion():
    g = build_fleet_graph(fleet_model())
    assert g.graph["minions"] == ["db01", "web01", "web02"]
    assert g.nodes["state:pkg:postgresql"]["minions"] == ["db01"]
    assert g.nodes["sls:web"]["roles"] == ["edge", "web"]
    assert cluster_of(g, "state:pkg:postgresql", "role") == "db"
    assert cluster_of(g, "state:pkg:nginx", "role") is None  # on web and edge minions


def test_focus_filter_and_resolve():
    g = build_fleet_graph(fleet_model())
    near = focus(g, "state:service:nginx", 1)
    assert sorted(near) == ["service:nginx", "sls:web", "state:pkg:nginx", "state:service:nginx"]
    assert near.graph["focus"] == "state:service:nginx"
    assert sorted(focus(g, "state:service:nginx", 0)) == ["state:service:nginx"]
    only = filter_kinds(g, ["state"])
    assert edges(only) == [("state:service:nginx", "state:pkg:nginx", "provided_by"),
                           ("state:service:nginx", "state:pkg:nginx", "require")]
    with pytest.raises(ValueError):
        filter_kinds(g, ["nope"])
    assert resolve_node(g, "state:pkg:certbot") == "state:pkg:certbot"
    assert resolve_node(g, "web") == "sls:web"
    assert resolve_node(g, "certbot") == "state:pkg:certbot"  # the state, not package:certbot
    with pytest.raises(KeyError, match="several nodes"):
        resolve_node(g, "nginx")  # state:pkg:nginx and state:service:nginx
    with pytest.raises(KeyError, match="close: state:pkg:nginx"):
        resolve_node(g, "state:pkg:nginz")


def test_clusters_by_sls_put_resources_with_their_state():
    g = build_fleet_graph(fleet_model())
    groups = clusters(g, "sls")
    assert groups["web"] == ["package:nginx", "service:nginx", "sls:web", "state:pkg:nginx", "state:service:nginx"]
    assert groups["db"] == ["package:postgresql", "sls:db", "state:pkg:postgresql"]
    assert None not in groups
    assert list(clusters(g, None)) == [None]


def test_filter_sls_keeps_states_of_matching_sls_and_their_neighbours():
    from saltscan.graph import filter_sls

    g = build_fleet_graph(fleet_model())
    assert sorted(filter_sls(g, ["web"])) == [
        "package:nginx", "service:nginx", "sls:web", "state:pkg:nginx", "state:service:nginx",
    ]
    assert sorted(filter_sls(g, ["e*", "d?"])) == [
        "package:certbot", "package:postgresql", "sls:db", "sls:edge", "state:pkg:certbot", "state:pkg:postgresql",
    ]


def test_merge_unites_lists_and_flags_across_minions():
    from graphkit import secret

    plain = render([state("env", "environ.setenv", name="DB_URL", args={"value": "postgres://db01.corp.example:5432/x"})],
                   minion="a01")
    leaky = render([state("env", "environ.setenv", name="DB_URL",
                          args={"value": "redis://:pa55word@db01.corp.example:6379"})],
                   minion="a02", pillar_values=[secret("x:password", "pa55word")])
    g = build_fleet_graph(model(plain, leaky))
    assert g.nodes["env_var:DB_URL"]["secret"] is True
    assert g.nodes["endpoint:db01.corp.example"]["ports"] == [5432, 6379]
    assert g.nodes["endpoint:db01.corp.example"]["schemes"] == ["postgres", "redis"]
    assert g.nodes["endpoint:db01.corp.example"]["minions"] == ["a01", "a02"]
