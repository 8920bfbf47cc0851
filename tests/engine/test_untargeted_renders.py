"""Untargeted SLS (no top file reaches them) are checked one SLS at a time, as Salt
would apply them: states of two unrelated SLS files do not order or collide with each
other, while an SLS that includes both is checked with both."""

from __future__ import annotations

from pathlib import Path

from saltscan.graph.fleet import minion_graph
from saltscan.pipeline import ScanOptions, load_model
from saltscan.scan import ScanRequest, run_scan

CONF = "nginx-conf:\n  file.managed:\n    - name: /etc/nginx/nginx.conf\n    - contents: 'worker_processes 1;'\n"
SERVICE = "nginx-svc:\n  service.running:\n    - name: nginx\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _ordering(root: Path) -> list[tuple]:
    result = run_scan(ScanRequest(options=ScanOptions(root)))
    return [(f.rule, f.location.file, f.location.line, f.state.id if f.state else None, f.minions)
            for f in result.findings if f.name == "implicit-ordering"]


def test_unrelated_untargeted_sls_do_not_order_each_other(tmp_path: Path) -> None:
    root = _write(tmp_path / "t", {"salt/conf.sls": CONF, "salt/svc.sls": SERVICE})
    assert _ordering(root) == []


def test_an_sls_including_both_is_checked_with_both(tmp_path: Path) -> None:
    root = _write(tmp_path / "t", {"salt/conf.sls": CONF, "salt/svc.sls": SERVICE, "salt/both.sls": "include:\n  - conf\n  - svc\n"})
    assert _ordering(root) == [("SS502", "salt/svc.sls", 1, "nginx-svc", ("(untargeted)",))]


def test_the_untargeted_graph_is_every_untargeted_render_merged(tmp_path: Path) -> None:
    root = _write(tmp_path / "t", {"salt/conf.sls": CONF, "salt/svc.sls": SERVICE})
    graph = minion_graph(load_model(ScanOptions(root)), "(untargeted)")
    states = sorted(data["state_id"] for _, data in graph.nodes(data=True) if data["kind"] == "state")
    assert states == ["nginx-conf", "nginx-svc"]
    assert graph.graph["minion"] == "(untargeted)"
