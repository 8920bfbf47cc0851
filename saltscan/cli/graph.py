"""``saltscan graph``: draw a minion, a role or the fleet, whole or around one node."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import networkx as nx

from saltscan import pipeline
from saltscan.cli.options import scan_options, tree_options
from saltscan.graph import (
    build_fleet_graph,
    filter_kinds,
    filter_sls,
    focus,
    merge_graphs,
    resolve_node,
)
from saltscan.graph.build import build_minion_graph
from saltscan.graph.export import (
    GraphvizFailed,
    GraphvizNotInstalled,
    render_with_dot,
    to_dot,
    to_graphml,
    to_html,
    to_json,
    to_mermaid,
)
from saltscan.graph.kinds import parse_node_kinds
from saltscan.model import Model

FORMATS = ("dot", "svg", "png", "graphml", "json", "mermaid", "html")
BINARY_FORMATS = ("png",)


class GraphUsageError(click.ClickException):
    """A usage or input error: exit code 2, one clear line."""

    exit_code = 2


def _load(options) -> Model:
    try:
        return pipeline.load_model(options)
    except NotImplementedError as exc:
        raise GraphUsageError(f"this tree cannot be rendered yet: {exc}") from exc


def known_minions(model: Model) -> str:
    """The minions the tree defines, for an error message (the model may hold fewer)."""
    ids = {m.id for m in model.tree.minions}
    if not ids:
        from saltscan.loader import load_tree

        try:
            tree = load_tree(pipeline.ScanOptions(model.tree.root))
            ids = {m.id for m in tree.minions}
        except Exception:  # only an error message depends on it
            ids = set()
    return ", ".join(sorted(ids)) or "none"


def select_graph(model: Model, minions: tuple[str, ...], role: str | None,
                 role_grains: tuple[str, ...] = ("roles", "role")) -> tuple[nx.MultiDiGraph, str]:
    """The graph the options ask for, and a title for it.

    Roles are the inventory's: from the role grains, else minions with the same top-file
    assignment and rendered states form one role (``saltscan.inventory.roles``).
    """
    if role:
        from saltscan.inventory.roles import group_roles

        groups = {g.name: g for g in group_roles(model.renders, role_grains)}
        if role not in groups:
            raise GraphUsageError(f"no role {role!r} (roles found: {', '.join(sorted(groups)) or 'none'})")
        graphs = [(r, build_minion_graph(r)) for r in groups[role].renders]
        return merge_graphs(graphs, role_grains, role=role), f"role {role}"
    if minions:
        renders = []
        for minion in minions:
            found = model.renders_for(minion)
            if not found:
                raise GraphUsageError(f"no minion {minion!r} in this tree (minions found: {known_minions(model)})")
            renders.extend(found)
        graphs = [(r, build_minion_graph(r)) for r in renders]
        title = "minion " + ", ".join(sorted(minions))
        return merge_graphs(graphs, **({"minion": minions[0]} if len(minions) == 1 else {})), title
    return build_fleet_graph(model), "fleet"


def narrow(graph: nx.MultiDiGraph, focus_node: str | None, depth: int, kinds: str | None,
           sls_filter: str | None = None) -> nx.MultiDiGraph:
    """Apply --sls-filter, then --focus, then --kinds (the focus node always stays)."""
    keep: tuple[str, ...] = ()
    if sls_filter:
        patterns = [p.strip() for p in sls_filter.split(",") if p.strip()]
        graph = filter_sls(graph, patterns)
        if not any(kind == "state" for _, kind in graph.nodes(data="kind")):
            raise GraphUsageError(f"--sls-filter: no state in an SLS matching {', '.join(patterns)}")
    if focus_node:
        try:
            node = resolve_node(graph, focus_node)
        except KeyError as exc:
            raise GraphUsageError(f"--focus: {exc.args[0]}") from exc
        graph = focus(graph, node, depth)
        keep = (node,)
    if kinds:
        try:
            wanted = parse_node_kinds(kinds)
        except ValueError as exc:
            raise GraphUsageError(f"--kinds: {exc}") from exc
        graph = filter_kinds(graph, wanted, keep=keep)
    return graph


def export(graph: nx.MultiDiGraph, fmt: str, cluster: str | None, title: str) -> str | bytes:
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "json":
        return to_json(graph)
    if fmt == "mermaid":
        return to_mermaid(graph, cluster)
    if fmt == "html":
        return to_html(graph, title=f"saltscan graph: {title}")
    source = to_dot(graph, cluster)
    if fmt == "dot":
        return source
    try:
        return render_with_dot(source, fmt)
    except (GraphvizNotInstalled, GraphvizFailed) as exc:
        raise GraphUsageError(str(exc)) from exc


@click.command("graph")
@tree_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="dot", show_default=True,
              help="svg and png need Graphviz's dot program; html is one self-contained file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: stdout; required for png).")
@click.option("--role", help="Merge the minions of this role (from --role-grain, else top-file groups).")
@click.option("--role-grain", "role_grains", multiple=True, help="Grain naming a minion's role (default: roles, then role).")
@click.option("--focus", "focus_node", help="Only the neighbourhood of this node (id, label or state ID).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Neighbourhood radius for --focus.")
@click.option("--kinds", help="Only these node kinds, comma-separated (e.g. state,package,service).")
@click.option("--sls-filter", help="Only the states of these SLS (comma-separated globs, e.g. 'ehr.*') and what they touch.")
@click.option("--cluster", type=click.Choice(["sls", "role", "none"]), default="sls", show_default=True,
              help="Group nodes in boxes by SLS or by role.")
def graph_command(path, state_roots, pillar_roots, grains_files, minions, saltenv, host_facts, fmt, output, role, role_grains,
                  focus_node, depth, kinds, sls_filter, cluster):
    """Draw the Salt graph of PATH: states, what they manage, requisites, pillar and secrets."""
    if role and minions:
        raise GraphUsageError("use --minion or --role, not both")
    if fmt in BINARY_FORMATS and output is None:
        raise GraphUsageError(f"--format {fmt} needs -o/--output FILE")
    options = scan_options(path, state_roots, pillar_roots, grains_files, () if role else minions, saltenv, host_facts=host_facts)
    model = _load(options)
    graph, title = select_graph(model, tuple(minions), role, tuple(role_grains) or ("roles", "role"))
    graph = narrow(graph, focus_node, depth, kinds, sls_filter)
    result = export(graph, fmt, None if cluster == "none" else cluster, title)
    if output is not None:
        if isinstance(result, bytes):
            output.write_bytes(result)
        else:
            output.write_text(result, encoding="utf-8")
        return
    if isinstance(result, bytes):
        sys.stdout.buffer.write(result)
    else:
        click.echo(result, nl=False)
