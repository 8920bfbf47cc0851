"""The graph of fixtures/ehr-platform, through the real pipeline (load_model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saltscan.graph import (
    build_fleet_graph,
    build_minion_graph,
    build_role_graph,
    find_requisite_cycles,
    has_requisite_path,
)
from saltscan.graph.export import to_dot, to_graphml, to_html, to_json, to_mermaid
from saltscan.pipeline import ScanOptions, load_model

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ehr-platform"


@pytest.fixture(scope="module")
def ehr_model():
    if not FIXTURE.is_dir():
        pytest.skip("fixtures/ehr-platform is not there")
    try:
        model = load_model(ScanOptions(FIXTURE))
    except (NotImplementedError, ImportError) as exc:
        pytest.skip(f"the renderer is not ready: {exc!r}")
    if not any(r.states for r in model.renders):
        pytest.skip("the renderer returns no states yet")
    return model


def graph_of(model, minion):
    render = model.render_for(minion)
    assert render is not None, f"no render for {minion}"
    return render, build_minion_graph(render)


def test_app01_states_have_sources_and_the_missing_requisite(ehr_model):
    _, g = graph_of(ehr_model, "app01")
    states = [(n, d) for n, d in g.nodes(data=True) if d["kind"] == "state"]
    assert states
    for node, data in states:
        assert (FIXTURE / data["file"]).is_file(), node
        assert data["line"] >= 1
    assert ("state:virtualenv:ehr-venv", "pkg", "ehr-python-deps") in {
        (node, req.target_type, req.target) for node, req in g.graph["missing_requisites"]
    }
    assert g.has_edge("state:virtualenv:ehr-venv", "state:git:ehr-code", key="require")
    assert has_requisite_path(g, "state:virtualenv:ehr-venv", "state:git:ehr-code")


def test_billing01_has_the_user_spool_cycle(ehr_model):
    _, g = graph_of(ehr_model, "billing01")
    assert ["state:file:billing-spool", "state:user:billing-user"] in find_requisite_cycles(g)
    assert g.has_edge("sls:billing", "sls:billing.user", key="includes")


def test_role_and_fleet_graphs(ehr_model):
    app = build_role_graph(ehr_model, "app")
    assert app.graph["minions"] == ["app01", "app02"]
    fleet = build_fleet_graph(ehr_model)
    assert {"app01", "db01", "web01"} <= set(fleet.graph["minions"])
    assert fleet.nodes["state:virtualenv:ehr-venv"]["minions"] >= ["app01", "app02"]


def test_no_export_of_app01_holds_a_secret_value(ehr_model):
    render, g = graph_of(ehr_model, "app01")
    values = sorted({str(pv.value) for pv in render.secret_values()
                     if isinstance(pv.value, (str, int)) and len(str(pv.value)) >= 8})
    assert values, "app01 has secrets in pillar"
    assert any(d["kind"] == "secret" for _, d in g.nodes(data=True))
    for text in (to_json(g), to_graphml(g), to_dot(g), to_mermaid(g), to_html(g)):
        leaked = [v for v in values if v in text]
        assert not leaked, f"{len(leaked)} secret values in an export"
    assert not re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", to_json(g))
