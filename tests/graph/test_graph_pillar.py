"""Pillar keys states read, secret nodes, where secret values flow; no value on the graph."""

from __future__ import annotations

import json
import shutil

import pytest
from graphkit import edges, loc, pillar, render, secret, state, template

from saltscan.graph import build_fleet_graph, build_minion_graph, focus
from saltscan.graph.export import render_with_dot, to_dot, to_graphml, to_html, to_json, to_mermaid
from saltscan.model import SecretStorage

DB_PASSWORD = "Pg-s3cret-Value!"
API_TOKEN = "tok_9f8e7d6c5b4a"
BROKER_PASSWORD = "br0kerPass"


def secret_model_render(minion="app01"):
    states = [
        state("db-env", "environ.setenv", name="DATABASE_URL", sls="ehr.app", line=3,
              args={"value": f"postgres://ehr:{DB_PASSWORD}@db01.corp.example:5432/ehr"},
              arg_lines={"value": 5}),
        state("settings", "file.managed", name="/opt/ehr/settings.ini", sls="ehr.app", line=8,
              args={"source": "salt://ehr/settings.ini.j2", "template": "jinja", "user": "ehr"}),
        state("load-fixtures", "cmd.run", name=f"EHR_API_TOKEN={API_TOKEN} ./manage load", sls="ehr.app", line=14),
        state("broker-file", "file.managed", name="/etc/default/celery", sls="ehr.worker", line=2,
              args={"contents": f"BROKER_URL=amqp://ehr:{BROKER_PASSWORD}@mq01.corp.example//\n"}),
        state("plain", "pkg.installed", name="nginx", sls="ehr.web", line=1),
    ]
    return render(
        states,
        minion=minion,
        grains={"roles": ["app"]},
        pillar_values=[
            secret("ehr:db:password", DB_PASSWORD, line=4),
            secret("ehr:api:token", API_TOKEN, line=7),
            secret("ehr:broker:password", BROKER_PASSWORD, line=9),
            secret("ehr:short", "ab", line=10),
            secret("ehr:gpg", "-----BEGIN PGP MESSAGE-----", line=11, storage=SecretStorage.GPG),
            pillar("ehr:db:host", "db01.corp.example", line=2),
        ],
        templates=[template("settings", f"[db]\nhost = db01.corp.example\npassword = {DB_PASSWORD}\n",
                            file="salt/ehr/settings.ini.j2", line_map=(1, 2, 6))],
        pillar_reads={
            "ehr:db:password": [loc("salt/ehr/app.sls", 1), loc("salt/ehr/settings.ini.j2", 6)],
            "ehr:db:host": [loc("salt/ehr/settings.ini.j2", 2)],
            "ehr:api": [loc("salt/ehr/app.sls", 15)],
            "ehr:missing": [loc("salt/ehr/map.jinja", 3)],
        },
    )


def test_secret_nodes_carry_key_path_storage_and_mask_only():
    g = build_minion_graph(secret_model_render())
    assert g.nodes["secret:ehr:db:password"] == {
        "kind": "secret", "label": "ehr:db:password", "key_path": "ehr:db:password", "storage": "plaintext",
        "masked": "****", "reason": "key name", "file": "pillar/app.sls", "line": 4,
    }
    assert g.nodes["secret:ehr:gpg"]["storage"] == "gpg"
    assert "secret:ehr:short" in g  # listed, never searched (too short)
    assert [e for e in edges(g, "flows_to") if e[0] == "secret:ehr:short"] == []


def test_secret_flows_to_states_templates_and_env_vars():
    g = build_minion_graph(secret_model_render())
    assert edges(g, "flows_to") == [
        ("secret:ehr:api:token", "env_var:EHR_API_TOKEN", "flows_to"),
        ("secret:ehr:api:token", "state:cmd:load-fixtures", "flows_to"),
        ("secret:ehr:broker:password", "env_var:BROKER_URL", "flows_to"),
        ("secret:ehr:broker:password", "file:/etc/default/celery", "flows_to"),
        ("secret:ehr:broker:password", "state:file:broker-file", "flows_to"),
        ("secret:ehr:db:password", "env_var:DATABASE_URL", "flows_to"),
        ("secret:ehr:db:password", "file:/opt/ehr/settings.ini", "flows_to"),
        ("secret:ehr:db:password", "state:environ:db-env", "flows_to"),
    ]
    tpl_edge = g.get_edge_data("secret:ehr:db:password", "file:/opt/ehr/settings.ini", key="flows_to")
    assert (tpl_edge["file"], tpl_edge["line"]) == ("salt/ehr/settings.ini.j2", 6)
    arg_edge = g.get_edge_data("secret:ehr:db:password", "state:environ:db-env", key="flows_to")
    assert arg_edge["line"] == 5
    assert g.nodes["env_var:DATABASE_URL"]["secret"] is True
    assert "secret" not in g.nodes.get("env_var:NOT_THERE", {})


def test_uses_pillar_from_templates_value_match_proximity_and_sls_fallback():
    g = build_minion_graph(secret_model_render())
    assert edges(g, "uses_pillar") == [
        ("state:cmd:load-fixtures", "pillar_key:ehr:api", "uses_pillar"),          # value match in same file
        ("state:environ:db-env", "pillar_key:ehr:db:password", "uses_pillar"),    # top-of-file set, value match
        ("state:file:settings", "pillar_key:ehr:db:host", "uses_pillar"),         # read in the template
        ("state:file:settings", "pillar_key:ehr:db:password", "uses_pillar"),
    ]
    assert g.nodes["pillar_key:ehr:missing"]["defined"] is False
    assert g.nodes["pillar_key:ehr:api"]["secret"] is True
    assert g.nodes["pillar_key:ehr:db:host"]["secret"] is False


def test_pillar_read_attributed_by_proximity_then_to_sls():
    states = [
        state("a", "pkg.installed", sls="x", line=2),
        state("b", "pkg.installed", sls="x", line=10),
    ]
    r = render(states, pillar_values=[pillar("x:version", "1.2.3")], pillar_reads={
        "x:version": [loc("salt/x.sls", 12)],     # inside b's block, value not in args
        "x:flag": [loc("salt/x.sls", 1)],          # above every state, undefined
    })
    g = build_minion_graph(r)
    assert edges(g, "uses_pillar") == [
        ("sls:x", "pillar_key:x:flag", "uses_pillar"),
        ("state:pkg:b", "pillar_key:x:version", "uses_pillar"),
    ]


def test_secret_keys_option_marks_more_values_secret():
    r = render([state("cfg", "file.managed", name="/etc/x", line=1, args={"contents": "key=internal-value"})],
               pillar_values=[pillar("app:internal", "internal-value")])
    assert "secret:app:internal" not in build_minion_graph(r)
    g = build_minion_graph(r, secret_keys=["app:*"])
    assert g.nodes["secret:app:internal"]["reason"] == "configured secret key"
    assert edges(g, "flows_to") == [("secret:app:internal", "file:/etc/x", "flows_to"),
                                    ("secret:app:internal", "state:file:cfg", "flows_to")]


def test_secret_in_a_name_or_id_is_masked_on_the_graph():
    g = build_minion_graph(render(
        [state(f"login-{API_TOKEN}", "cmd.run", name=f"curl -H 'Token: {API_TOKEN}' https://api.partner.example")],
        pillar_values=[secret("ehr:api:token", API_TOKEN)],
    ))
    assert "state:cmd:login-****" in g
    assert g.nodes["state:cmd:login-****"]["name"] == "curl -H 'Token: ****' https://api.partner.example"
    assert "command:login-****" in g


def _exports(graph):
    out = {
        "json": to_json(graph),
        "graphml": to_graphml(graph),
        "mermaid": to_mermaid(graph),
        "html": to_html(graph),
        "dot": to_dot(graph),
        "dot-role": to_dot(graph, cluster="role"),
        "repr": repr(dict(graph.nodes(data=True))) + repr(list(graph.edges(data=True))) + repr(graph.graph),
    }
    if shutil.which("dot"):
        out["svg"] = render_with_dot(out["dot"], "svg").decode("utf-8")
    return out


@pytest.mark.parametrize("secret_value", [DB_PASSWORD, API_TOKEN, BROKER_PASSWORD])
def test_no_export_contains_a_secret_value(secret_value):
    r = secret_model_render()
    minion = build_minion_graph(r)
    from graphkit import model

    fleet = build_fleet_graph(model(r, secret_model_render("app02")))
    focused = focus(minion, "secret:ehr:db:password", 2)
    escaped = {secret_value, json.dumps(secret_value)[1:-1], secret_value.replace("!", "&#33;")}
    for graph in (minion, fleet, focused):
        for name, text in _exports(graph).items():
            for form in escaped:
                assert form not in text, f"{name} export holds a secret value"


def test_multi_line_secret_flows_to_the_env_var_assigned_where_it_starts():
    pgp = "-----BEGIN PGP MESSAGE-----\n\nhQIMA7x1FaKeEhRgPgAQ/9Fqm\n=fAkE\n-----END PGP MESSAGE-----"
    r = render(
        [state("env-file", "file.managed", name="/etc/ehr/ehr.env", line=1)],
        pillar_values=[secret("ehr:fhir:client_secret", pgp, storage=SecretStorage.GPG)],
        templates=[template("env-file", f"FHIR_CLIENT_ID=ehr\nFHIR_CLIENT_SECRET={pgp}\nOTHER=1\n",
                            file="salt/ehr/ehr.env.j2", line_map=(1, 2, 2, 2, 2, 2, 3))],
    )
    g = build_minion_graph(r)
    assert edges(g, "flows_to") == [
        ("secret:ehr:fhir:client_secret", "env_var:FHIR_CLIENT_SECRET", "flows_to"),
        ("secret:ehr:fhir:client_secret", "file:/etc/ehr/ehr.env", "flows_to"),
    ]
    assert g.nodes["env_var:FHIR_CLIENT_SECRET"]["secret"] is True
    assert "secret" not in g.nodes["env_var:FHIR_CLIENT_ID"]


def test_read_in_a_jinja_library_prefers_states_of_its_own_formula():
    states = [
        state("hosts-cache", "host.present", name="cache01.corp.example", sls="common.hosts", line=3),
        state("app-conf", "file.managed", name="/etc/ehr/app.ini", sls="ehr.app", line=5,
              args={"contents": "redis = cache01.corp.example\n"}),
    ]
    r = render(states, pillar_values=[pillar("ehr:redis:host", "cache01.corp.example")],
               pillar_reads={"ehr": [loc("salt/ehr/map.jinja", 15)], "other": [loc("salt/lib/macros.jinja", 2)]})
    g = build_minion_graph(r)
    assert edges(g, "uses_pillar") == [("state:file:app-conf", "pillar_key:ehr", "uses_pillar")]
    assert list(g.in_edges("pillar_key:other")) == []
