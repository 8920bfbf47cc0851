"""Per-state pieces kept across builds (``StatePieces``), and the shortcuts that let a
build skip what a repeat of a state, a repeated template or a sorted graph would redo."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from graphkit import dump_graph, loc, render, req, secret, state, template

from saltscan.graph import build_minion_graph
from saltscan.graph.build import sls_file_paths
from saltscan.graph.builder import GraphBuilder
from saltscan.graph.inferred import parent_dirs
from saltscan.graph.kinds import NodeKind
from saltscan.graph.memo import GraphMemo
from saltscan.graph.pieces import StatePieces, order_key, same_data, same_state
from saltscan.graph.pillar import _distinct_sorted
from saltscan.graph.redact import GraphRedactor
from saltscan.model import State



class _Token(str):
    """A str subclass, as the renderer's unknown tokens are."""


def test_same_data_tells_apart_what_equality_does_not():
    assert same_data({"a": [1, "x", None, 2.5]}, {"a": [1, "x", None, 2.5]})
    assert not same_data({"port": True}, {"port": 1})
    assert not same_data({"port": 1}, {"port": 1.0})
    assert not same_data(-0.0, 0.0)
    assert not same_data({"a": 1, "b": 2}, {"b": 2, "a": 1})  # order: facts follow it
    assert not same_data("x", _Token("x"))
    assert not same_data({"a": 1}, OrderedDict(a=1))
    assert not same_data([1], (1,))
    assert same_data(_Token("x"), _Token("x"))
    assert same_data(OrderedDict(a=[1]), OrderedDict(a=[1]))
    assert same_data(loc("salt/a.sls", 3), loc("salt/a.sls", 3))
    assert not same_data(object(), object())  # any other type: only itself


def test_same_state_leaves_out_order_and_requisites_only():
    base = state("web", "pkg.installed", args={"pkgs": ["nginx"]}, arg_lines={"pkgs": 3})
    assert same_state(base, dataclasses.replace(base, order=10001.0))
    assert same_state(base, dataclasses.replace(base, requisites=(req("require", "pkg", "x"),)))
    assert not same_state(base, dataclasses.replace(base, args={"pkgs": ["nginx", "curl"]}))
    assert not same_state(base, dataclasses.replace(base, arg_locations={"pkgs": loc("salt/app.sls", 4)}))
    assert not same_state(base, dataclasses.replace(base, name=_Token("web")))
    assert not same_state(base, dataclasses.replace(base, location=loc("salt/app.sls", 2)))
    # A new State field must be weighed here (compared, or left out with its readers keyed).
    assert [f.name for f in dataclasses.fields(State)] == [
        "id", "sls", "module", "function", "name", "args", "requisites", "location", "arg_locations",
        "saltenv", "order"]


def test_order_key_keeps_what_the_graph_shows():
    assert order_key(None) == (type(None), None)
    assert order_key(3) == (int, 3) and order_key(3) != order_key(3.0)
    assert order_key(-0.0) != order_key(0.0)
    assert order_key(float("nan")) is None and order_key(True) is None


def test_a_piece_is_found_by_object_then_by_content():
    pieces = StatePieces(limit=100)
    first = state("web", "pkg.installed", args={"port": 1})
    piece = pieces.get(first)
    assert pieces.get(first) is piece
    assert pieces.get(state("web", "pkg.installed", args={"port": 1})) is piece
    assert pieces.get(dataclasses.replace(first, order=5.0)) is piece
    assert pieces.get(state("web", "pkg.installed", args={"port": True})) is not piece
    pieces.keep_only([first])
    assert len(pieces) == 1
    assert pieces.get(state("web", "pkg.installed", args={"port": 1})) is piece


def test_keep_only_drops_pieces_no_kept_state_has():
    pieces = StatePieces(limit=100)
    old = state("web", "pkg.installed", args={"version": "1"})
    new = state("web", "pkg.installed", args={"version": "2"})
    old_piece, new_piece = pieces.of_render("app01", [old]), pieces.of_render("app01", [new])
    pieces.keep_only([new])
    assert pieces.get(state("web", "pkg.installed", args={"version": "2"})) is new_piece[0]
    assert pieces.get(state("web", "pkg.installed", args={"version": "1"})) is not old_piece[0]


def test_a_full_memo_starts_over():
    pieces = StatePieces(limit=2)
    a, b, c = (state(n, "pkg.installed") for n in ("a", "b", "c"))
    piece_a = pieces.get(a)
    pieces.get(b)
    pieces.get(c)  # the third: the memo starts over
    assert len(pieces) == 1
    assert pieces.get(a) is not piece_a


def _conf_render(minion: str, *, order: float | None = None, port=8080):
    states = [
        state("app-conf", "file.managed", name="/etc/default/app", sls="app", line=2,
              args={"source": "salt://app/files/app.env.j2", "template": "jinja"}),
        dataclasses.replace(state("app", "service.running", sls="app", line=8,
                                  args={"port": port, "env": {"A": "1", "B": "2"}}), order=order),
        state("app", "pkg.installed", sls="app", line=12),
    ]
    tpl = template("app-conf", "export DATABASE_URL=postgres://db01.corp.example:5432/app\n",
                   file="salt/app/files/app.env.j2")
    return render(states, minion=minion, templates=[tpl],
                  pillar_values=[secret("app:db:password", "s3cret-Value")])


def test_rebuilding_after_a_re_render_gives_the_graph_of_a_fresh_build():
    memo = GraphMemo()
    build_minion_graph(_conf_render("app01", order=10001.0), memo=memo)
    for again in (_conf_render("app01", order=10002.0), _conf_render("app01", port=True),
                  _conf_render("app02", order=10001.0), _conf_render("app01", order=-0.0)):
        assert dump_graph(build_minion_graph(again, memo=memo)) == dump_graph(build_minion_graph(again))
    graph = build_minion_graph(_conf_render("app01", order=10002.0), memo=memo)
    assert graph.nodes["state:service:app"]["order"] == 10002.0
    assert "port:8080" in graph and "port:True" not in graph
    assert graph.nodes["port:8080"]["port"] == 8080


def test_a_repeated_state_is_taken_once_but_its_misses_are_listed_each_time():
    missing = req("require", "pkg", "absent-pkg")
    st = state("migrate", "cmd.run", name="migrate.sh", reqs=[missing])
    graph = build_minion_graph(render([st, st, dataclasses.replace(st)]))
    assert [(node, r.target) for node, r in graph.graph["missing_requisites"]] == [
        ("state:cmd:migrate:migrate.sh", "absent-pkg")] * 3  # repeated: the expanded id
    assert graph.nodes["state:cmd:migrate:migrate.sh"]["label"] == "migrate"


def test_a_repeat_with_another_order_still_completes_the_node():
    first = state("web", "pkg.installed")  # no order: the node has none yet
    graph = build_minion_graph(render([first, dataclasses.replace(first, order=7)]))
    assert graph.nodes["state:pkg:web:web"]["order"] == 7
    assert list(graph.nodes["state:pkg:web:web"]) == sorted(graph.nodes["state:pkg:web:web"])


def test_a_repeat_with_other_requisites_adds_its_edges():
    target = state("db", "pkg.installed", line=1)
    first = state("app", "cmd.run", line=5)
    graph = build_minion_graph(render([target, first, dataclasses.replace(
        first, requisites=(req("require", "pkg", "db", line=6),))]))
    assert ("state:cmd:app:app", "state:pkg:db", "require") in graph.edges(keys=True)


def test_a_secret_flows_only_to_a_state_holding_all_of_it():
    value = "line-one\nline-two"
    states = [state("a", "cmd.run", name="echo line-one", line=1),
              state("b", "cmd.run", name="line-two ok", line=2),
              state("c", "cmd.run", name="printf 'line-one\nline-two'", line=3)]
    graph = build_minion_graph(render(states, pillar_values=[secret("app:key", value)]))
    flows = sorted((u, v) for u, v, k in graph.edges(keys=True) if k == "flows_to")
    assert flows == [("secret:app:key", "state:cmd:c")]


def test_reads_are_taken_once_each_in_order():
    a1, a2, b = loc("salt/a.sls", 3), loc("salt/a.sls", 3), loc("salt/a.sls", 1)
    c = loc("salt/b.sls", 1)
    found = _distinct_sorted((a1, c, b, a2))
    assert found == [b, a1, c] and found[1] is a1  # the first of equal ones, as a set keeps


def test_sls_file_paths_takes_the_first_sorted_file_of_either_form():
    files = ("salt/web/init.sls", "salt/web.sls", "formulas/salt/db/server.sls", "top.sls")
    assert sls_file_paths(files) == {
        "salt/web/init": "salt/web/init.sls", "web/init": "salt/web/init.sls", "init": "salt/web/init.sls",
        "salt/web": "salt/web.sls", "web": "salt/web.sls",
        "formulas/salt/db/server": "formulas/salt/db/server.sls", "salt/db/server": "formulas/salt/db/server.sls",
        "db/server": "formulas/salt/db/server.sls", "server": "formulas/salt/db/server.sls",
        "top": "top.sls",
    }


def test_parent_dirs_nearest_first():
    assert parent_dirs("/etc/nginx/conf.d/app.conf") == ("/etc/nginx/conf.d", "/etc/nginx", "/etc", "/")
    assert parent_dirs("/") == ()


def test_nodes_completed_later_are_sorted_when_handed_out():
    builder = GraphBuilder(GraphRedactor())
    builder.node("endpoint:db01", NodeKind.ENDPOINT, "db01", None, host="db01")
    builder.merge_list("endpoint:db01", "ports", [5432])
    builder.merge_list("endpoint:db01", "schemes", ["postgres"])
    builder.merge_list("endpoint:db01", "ports", [6432, 5432])
    builder.set_attr("endpoint:db01", "secret", True)
    graph = builder.finish(minion="app01")
    assert list(graph.nodes["endpoint:db01"].items()) == [
        ("host", "db01"), ("kind", "endpoint"), ("label", "db01"), ("ports", [5432, 6432]),
        ("schemes", ["postgres"]), ("secret", True)]


def test_a_template_twin_with_another_text_type_is_not_shared():
    memo = GraphMemo()
    plain = template("app-conf", "export A=1\n")
    typed = dataclasses.replace(plain, text=_Token("export A=1\n"))
    made = memo.template_piece(plain, False, lambda: "plain facts")
    assert memo.template_piece(dataclasses.replace(plain), False, lambda: "other") is made
    assert memo.template_piece(typed, False, lambda: "typed facts").facts == "typed facts"


def test_minions_sharing_a_state_keep_their_own_addresses_out():
    memo = GraphMemo()
    agent = state("agent", "cmd.run", name="curl -sf http://app01.corp.example:9100/ping")

    def endpoints(minion: str, fqdn: str) -> list[str]:
        graph = build_minion_graph(render([agent], minion=minion, grains={"fqdn": fqdn}), memo=memo)
        return sorted(n for n in graph if n.startswith(("endpoint:", "port:")))

    assert endpoints("app01", "app01.corp.example") == []
    assert endpoints("app02", "app02.corp.example") == ["endpoint:app01.corp.example", "port:9100"]
    assert endpoints("app01", "app01.corp.example") == []
