"""GraphIndex answers as the graph functions it stands for, on the graph it indexes."""

from __future__ import annotations

import networkx as nx
import pytest

from saltscan.engine.context import RuleContext
from saltscan.engine.graph_index import GraphIndex
from saltscan.graph.requisites import find_requisite_cycles, has_requisite_path, requisite_dependencies
from saltscan.model import Minion, MinionRender


def graph(*edges, states=("a", "b", "c", "d")) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for node in states:
        g.add_node(node, kind="state")
    g.add_node("user:ehr", kind="user")
    for u, v, data in edges:
        g.add_edge(u, v, **data)
    return g


REQ, WATCH, PREREQ, LISTEN = ({"kind": k} for k in ("require", "watch", "prereq", "listen"))
INFERRED = {"kind": "runs_as", "inferred": True, "reason": "user"}

GRAPHS = {
    "chain": graph(("a", "b", REQ), ("b", "c", WATCH), ("d", "user:ehr", INFERRED), ("c", "a", INFERRED)),
    "cycle": graph(("a", "b", REQ), ("b", "c", REQ), ("c", "a", WATCH)),
    "self-loop": graph(("a", "a", REQ), ("b", "c", REQ)),
    "listen-only-cycle": graph(("a", "b", REQ), ("b", "a", LISTEN)),  # listen orders nothing
    "prereq": graph(("a", "b", PREREQ), ("b", "a", PREREQ), ("c", "d", REQ), ("c", "d", WATCH)),
    "empty": graph(),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_index_answers_like_the_graph_functions(name):
    g = GRAPHS[name]
    index = GraphIndex.of(g)
    assert index.inferred == [e for e in g.edges(data=True) if e[2].get("inferred")]
    for node in g:
        assert index.dependencies(node) == tuple(requisite_dependencies(g, node))
    assert index.may_have_cycle == bool(find_requisite_cycles(g))


def test_index_values_by_graph():
    assert GraphIndex.of(GRAPHS["chain"]).inferred == [("c", "a", INFERRED), ("d", "user:ehr", INFERRED)]
    assert GraphIndex.of(GRAPHS["prereq"]).dependencies("a") == ("b",)  # b prereq a: a waits
    assert GraphIndex.of(GRAPHS["prereq"]).dependencies("c") == ("d",)
    assert [GraphIndex.of(GRAPHS[n]).may_have_cycle for n in ("cycle", "self-loop", "listen-only-cycle")] \
        == [True, True, False]


def test_context_walks_requisite_paths_over_its_graphs_index():
    render = MinionRender(
        minion=Minion("m1", {"id": "m1"}, "grains/m1.json"), top={}, high={}, low=(), states=(),
        pillar={}, pillar_values=(), errors=(), unknowns=(), salt_calls=(), templates=(), sls_files=(),
    )
    g = GRAPHS["chain"]
    ctx = RuleContext(model=None, render=render, allowlist=None, reader=None, graph=g)
    other = graph(("a", "c", REQ))
    for a in g:
        for b in g:
            assert ctx.has_requisite_path(g, a, b) == has_requisite_path(g, a, b)
    assert ctx.has_requisite_path(g, "a", "c") and not ctx.has_requisite_path(g, "c", "a")
    assert ctx.has_requisite_path(other, "a", "c")  # another graph: walked as it is
    assert ctx.graph_index is ctx.graph_index
