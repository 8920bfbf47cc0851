"""Work shared between graph builds (``GraphMemo``) and the builder's shortcuts change no graph."""

from __future__ import annotations

from graphkit import dump_graph, render, secret, state, template

from saltscan.graph import build_minion_graph
from saltscan.graph.builder import GraphBuilder
from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.memo import GraphMemo
from saltscan.graph.redact import GraphRedactor
from saltscan.graph.textscan import TextScans, endpoints_in_text, env_assignments, ports_in_text

DB_PASSWORD = "Pg-s3cret-Value!"
CONF = (
    "export DATABASE_URL=postgres://ehr:Pg-s3cret-Value!@db01.corp.example:5432/ehr\n"
    "listen 8080\n"
    "upstream = cache01.corp.example:6379\n"
)


def _render(minion: str, password: str = DB_PASSWORD, copies: int = 1):
    tpl = template("app-conf", CONF.replace(DB_PASSWORD, password), file="salt/app/files/app.env.j2",
                   line_map=(3, 4, 5))
    states = [
        state("app-conf", "file.managed", name="/etc/default/app", sls="app", line=2,
              args={"source": "salt://app/files/app.env.j2", "template": "jinja"}),
        state("migrate", "cmd.run", name=f"PGPASSWORD={password} psql -h db01.corp.example", sls="app", line=9,
              args={"env": [{"REDIS_URL": "redis://cache01.corp.example:6379/0"}], "port": 8080}),
        state("nginx", "pkg.installed", sls="web", line=1),
    ]
    return render(
        states,
        minion=minion,
        pillar_values=[secret("app:db:password", password, line=3)],
        templates=[tpl] * copies,
    )


def test_a_shared_memo_gives_the_graphs_of_separate_builds():
    renders = [_render("app01"), _render("app02"), _render("app03", password="0ther-s3cret!"),
               _render("app04", copies=3)]
    memo = GraphMemo()
    for r in renders:
        assert dump_graph(build_minion_graph(r, memo=memo)) == dump_graph(build_minion_graph(r))
    # and again, every entry now reused
    for r in renders:
        assert dump_graph(build_minion_graph(r, memo=memo)) == dump_graph(build_minion_graph(r))


def test_a_template_listed_many_times_adds_what_it_adds_once():
    once = build_minion_graph(_render("app01"))
    assert dump_graph(build_minion_graph(_render("app01", copies=4))) == dump_graph(once)
    assert DB_PASSWORD not in dump_graph(once)
    assert "env_var:DATABASE_URL" in once and "endpoint:db01.corp.example" in once


def test_text_scans_are_the_plain_scans_made_once():
    scans = TextScans()
    for env_file in (False, True):
        hits = scans.hits(CONF, env_file=env_file)
        assert hits.env == tuple(env_assignments(CONF, env_file=env_file))
        assert hits.endpoints == tuple(endpoints_in_text(CONF))
        assert hits.ports == tuple(ports_in_text(CONF))
        assert scans.hits(CONF, env_file=env_file).endpoints is hits.endpoints
    assert scans.endpoints("x\nredis-cli -h cache01 ping") == tuple(endpoints_in_text("x\nredis-cli -h cache01 ping"))


def test_one_redactor_per_set_of_secret_strings():
    memo = GraphMemo()
    first = memo.redactor(["hunter22", 1234567])
    assert memo.redactor([1234567, "hunter22", "hunter22"]) is first
    assert memo.redactor(["hunter23", 1234567]) is not first
    assert first.redact("x hunter22 1234567") == "x **** ****"


def test_builder_hands_out_a_sorted_graph_and_edges_add_bare_nodes():
    builder = GraphBuilder(GraphRedactor([secret("k", DB_PASSWORD)]))
    builder.node("state:b", NodeKind.STATE, "b", None, z=1, a=(DB_PASSWORD, "x"), n=None)
    builder.node("state:a", NodeKind.STATE, "a")
    builder.edge("state:b", "state:a", EdgeKind.REQUIRE, None, why="first")
    builder.edge("state:b", "state:a", EdgeKind.REQUIRE, None, why="second")  # the first wins
    builder.edge("state:a", f"env_var:{DB_PASSWORD}", EdgeKind.SETS_ENV)
    builder.node("state:b", NodeKind.STATE, "ignored", None, extra="kept")  # completes, never overwrites
    graph = builder.finish(minion="app01", untargeted=False)
    assert list(graph.nodes) == ["env_var:****", "state:a", "state:b"]
    assert graph.nodes["env_var:****"] == {}
    assert list(graph.nodes["state:b"].items()) == [
        ("a", ["****", "x"]), ("extra", "kept"), ("kind", "state"), ("label", "b"), ("z", 1)]
    assert [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)] == [
        ("state:a", "env_var:****", "sets_env", {"kind": "sets_env"}),
        ("state:b", "state:a", "require", {"kind": "require", "why": "first"}),
    ]
    assert list(graph.graph) == ["minion", "untargeted"]


def test_facts_are_made_once_per_state_and_shared_by_a_state_the_same():
    memo = GraphMemo()
    st = state("fetch", "cmd.run", name="curl -sf http://billing.internal:8080/health")
    facts = memo.state_facts(st)
    assert memo.state_facts(st) is facts  # the same object: made once
    twin = state("fetch", "cmd.run", name="curl -sf http://billing.internal:8080/health")
    assert memo.state_facts(twin) is facts  # another object, the same content (a re-render)
    other = state("fetch", "cmd.run", name="curl -sf http://billing.internal:9090/health")
    assert [e.endpoint.port for e in memo.state_facts(other).endpoints] == [9090]
    assert [(e.endpoint.host, e.endpoint.port) for e in facts.endpoints] == [("billing.internal", 8080)]


def test_keep_only_forgets_the_facts_of_states_no_longer_held():
    memo = GraphMemo()
    old = state("fetch", "cmd.run", name="curl -sf http://billing.internal:8080/health")
    new = state("fetch", "cmd.run", name="curl -sf http://billing.internal:9090/health")
    old_facts, new_facts = memo.state_facts(old), memo.state_facts(new)
    memo.keep_only([new])
    assert memo.state_facts(new) is new_facts  # kept
    assert memo.state_facts(old) is not old_facts  # forgotten: made again
