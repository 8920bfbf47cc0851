"""Exports: DOT (dot accepts it), GraphML and JSON round trips, Mermaid grammar, HTML."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from graphkit import model, render, req, secret, state, template

from saltscan.graph import build_fleet_graph, build_minion_graph
from saltscan.graph.export import (
    GraphvizNotInstalled,
    render_with_dot,
    to_dot,
    to_graphml,
    to_html,
    to_json,
    to_mermaid,
)
from saltscan.graph.export import dot as dot_module

HERE = Path(__file__).resolve().parent
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def rich_states():
    return [
        state("nginx", "pkg.installed", sls="web", line=1),
        state("nginx-conf", "file.managed", name="/etc/nginx/nginx.conf", sls="web", line=3,
              args={"source": "salt://web/nginx.conf.j2", "template": "jinja", "user": "www"},
              reqs=[req("require", "pkg", "nginx", line=6)]),
        state("nginx", "service.running", sls="web", line=8, reqs=[req("watch", "file", "nginx-conf", line=9)]),
        state("www", "user.present", sls="web", line=12),
        state("odd \"label\" <b>&`|#\\n", "cmd.run", name="echo '</script><script>alert(1)</script>'",
              sls="web.odd", line=1, reqs=[req("require", "sls", "web")]),
        state("db-env", "environ.setenv", name="DATABASE_URL", sls="app", line=2,
              args={"value": "postgres://ehr:hunter22x@db01.corp.example:5432/ehr"}),
        state("loop-a", "cmd.run", name="a", sls="app", line=6, reqs=[req("require", "cmd", "loop-b")]),
        state("loop-b", "cmd.run", name="b", sls="app", line=8, reqs=[req("require_any", "cmd", "loop-a")]),
    ]


def rich_render(states=None, minion="web01"):
    return render(
        states or rich_states(), minion=minion, grains={"roles": ["web"]},
        pillar_values=[secret("app:db:password", "hunter22x")],
        templates=[template("nginx-conf", "upstream app { server 10.0.0.5:8000; }\nlisten 80;\n")],
    )


def rich_graph():
    return build_fleet_graph(model(rich_render(), rich_render(minion="web02")))


def all_exports(graph):
    return {
        "dot": to_dot(graph), "dot-none": to_dot(graph, cluster=None), "dot-role": to_dot(graph, cluster="role"),
        "json": to_json(graph), "graphml": to_graphml(graph), "mermaid": to_mermaid(graph),
        "mermaid-none": to_mermaid(graph, cluster=None), "html": to_html(graph),
    }


@needs_dot
@pytest.mark.parametrize("cluster", ["sls", "role", None])
def test_dot_is_accepted_by_graphviz(cluster):
    source = to_dot(rich_graph(), cluster=cluster)
    svg = render_with_dot(source, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert 'id="state:service:nginx"' in svg  # real ids survive as SVG element ids


def test_dot_styles_clusters_and_legend():
    source = to_dot(rich_graph())
    assert "subgraph cluster_legend" in source
    assert 'label="sls: web"' in source
    assert re.search(r'id="state:pkg:nginx" shape=box', source)
    assert re.search(r'id="secret:app:db:password" shape=octagon', source)
    assert "style=dashed" in source  # inferred edges
    assert re.search(r'color="#d62728" style=bold', source)  # flows_to
    assert '\\\\n' in source  # a literal backslash-n from a state id stays literal


def test_render_without_dot_says_how_to_install(monkeypatch):
    monkeypatch.setattr(dot_module.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizNotInstalled) as err:
        render_with_dot("digraph { a }", "svg")
    assert "apt-get install graphviz" in str(err.value) and "brew install graphviz" in str(err.value)


def test_graphml_reads_back_with_same_nodes_edges_and_kinds():
    graph = rich_graph()
    back = nx.read_graphml(io.BytesIO(to_graphml(graph).encode("utf-8")), force_multigraph=True)
    assert sorted(back.nodes) == sorted(graph.nodes)
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))
    assert all(d["kind"] for _, d in back.nodes(data=True))
    assert all(d["kind"] == k for _, _, k, d in back.edges(keys=True, data=True))
    assert json.loads(back.nodes["state:pkg:nginx"]["minions"]) == ["web01", "web02"]
    assert back.nodes["state:pkg:nginx"]["line"] == 1


def test_json_is_node_link_data_with_kinds_and_sources():
    graph = rich_graph()
    data = json.loads(to_json(graph))
    assert set(data) >= {"nodes", "edges", "graph", "directed", "multigraph"}
    assert all("kind" in n for n in data["nodes"]) and all("kind" in e for e in data["edges"])
    states = [n for n in data["nodes"] if n["kind"] == "state"]
    assert states and all({"file", "line", "state_id", "sls", "fun", "name"} <= set(n) for n in states)
    assert [n["id"] for n in data["nodes"]] == sorted(graph.nodes)
    back = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))
    assert data["graph"]["missing_requisites"] == []


_MERMAID_LINE = re.compile("|".join([
    r"flowchart LR",
    r'  subgraph c\d+\["[^"]*"\]',
    r"  end",
    r' {2,4}n\d+(\[\["[^"]*"\]\]|\("[^"]*"\)|\[/"[^"]*"/\]|\["[^"]*"\]|\[\\"[^"]*"\\\]|\{\{"[^"]*"\}\}'
    r'|\(\["[^"]*"\]\)|>"[^"]*"\]|\[\("[^"]*"\)\]|\[/"[^"]*"\\\]|\{"[^"]*"\}|\[\\"[^"]*"/\]|\(\("[^"]*"\)\))',
    r"  n\d+ (-->|-\.->|==>)\|[a-z_]+\| n\d+",
    r"  classDef k_[a-z_]+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#222",
    r"  class n\d+(,n\d+)* k_[a-z_]+",
    r"  linkStyle \d+(,\d+)* stroke:#[0-9a-f]{6},stroke-width:[12]px",
]))


@pytest.mark.parametrize("cluster", ["sls", None])
def test_mermaid_lines_follow_the_grammar(cluster):
    text = to_mermaid(rich_graph(), cluster=cluster)
    lines = text.splitlines()
    bad = [line for line in lines if not _MERMAID_LINE.fullmatch(line)]
    assert bad == []
    assert sum(1 for line in lines if line.strip().startswith("subgraph")) == sum(1 for line in lines if line == "  end")
    assert "#quot;label#quot; #lt;b#gt;#amp;#96;#124;#35;" in text
    assert text.count("-->|") + text.count("-.->|") + text.count("==>|") == rich_graph().number_of_edges()


def test_html_is_self_contained_and_holds_the_node_data():
    graph = rich_graph()
    page = to_html(graph)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)\s*=", page, re.I)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?https?://", page, re.I)
    assert "@import" not in page and "url(http" not in page
    assert page.count("</script>") == 2  # the data block and the code block, nothing from labels
    block = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert [n["id"] for n in data["nodes"]] == sorted(graph.nodes)
    node = next(n for n in data["nodes"] if n["id"] == "state:file:nginx-conf")
    assert node["src"] == "salt/web.sls:3" and node["kind"] == "state"
    assert {"x", "y", "w", "h"} <= set(node)
    assert len(data["edges"]) == graph.number_of_edges()


def test_same_model_gives_byte_identical_exports_in_any_state_order():
    first = all_exports(build_minion_graph(rich_render()))
    shuffled = rich_states()
    random.Random(7).shuffle(shuffled)
    second = all_exports(build_minion_graph(rich_render(shuffled)))
    assert first == second


_DIGEST_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {here!r})
import test_graph_export as t
from saltscan.graph.export import to_dot, to_html, to_json, to_mermaid, to_graphml
g = t.rich_graph()
print(hashlib.sha256("".join(f(g) for f in (to_dot, to_html, to_json, to_mermaid, to_graphml)).encode()).hexdigest())
"""


def test_exports_do_not_depend_on_hash_randomisation():
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT.format(here=str(HERE))], env=env,
                             capture_output=True, text=True, check=True, cwd=str(HERE.parent.parent))
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert len(hashlib.sha256(b"").hexdigest()) == len(digests.pop())


@pytest.mark.skipif(shutil.which("node") is None, reason="node (to run the page's script) is not installed")
def test_html_script_draws_and_reacts_in_a_fake_dom(tmp_path):
    graph = rich_graph()
    page = tmp_path / "graph.html"
    page.write_text(to_html(graph), encoding="utf-8")
    out = subprocess.run(["node", str(HERE / "html_smoke.js"), str(page), "nginx"], capture_output=True,
                         text=True, check=True, timeout=60)
    result = json.loads(out.stdout)
    first = sorted(graph.nodes)[0]
    nginx = [n for n in graph.nodes if "nginx" in n or "nginx" in str(graph.nodes[n].get("label"))]
    assert result["nodes"] == graph.number_of_nodes() and result["edges"] == graph.number_of_edges()
    assert result["selectedTitle"] == first and result["detailsAfterClick"] == 4  # title, table, out, in
    assert result["matches"] == len(nginx)
    first_kind = sorted({k for _, k in graph.nodes(data="kind")})[0]
    assert result["hidden"] == sum(1 for _, k in graph.nodes(data="kind") if k == first_kind)
    assert result["transformChanged"] is True


def test_unknown_values_show_as_unknown_in_pictures():
    token = "__UNKNOWN_c8ff04166d__"
    g = build_minion_graph(render([state("wait", "cmd.run", name=f"pg_isready -h {token}")]))
    assert g.nodes["state:cmd:wait"]["name"] == f"pg_isready -h {token}"  # the data keeps the token
    assert 'label="cmd.run\\nwait\\npg_isready -h (unknown)"' in to_dot(g)
    assert "pg_isready -h (unknown)" in to_mermaid(g)
