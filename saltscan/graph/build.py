"""``build_minion_graph``: one minion's render as a networkx ``MultiDiGraph``.

The graph is built from the model only. Layers, in order: SLS files and their
``includes``; states (``declares``); the resources states manage (``manages``); env
vars, endpoints and ports from arguments and rendered templates; requisites; inferred
dependencies; pillar keys and secrets. Graph attributes: ``minion``, ``untargeted``,
``missing_requisites`` (list of (state node, ``Requisite``)).
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

import networkx as nx

from saltscan.graph.builder import GraphBuilder
from saltscan.graph.facts import EnvSetting, StateFacts, remote_ports, template_facts
from saltscan.graph.ids import StateIds, node_id
from saltscan.graph.inferred import add_inferred_edges
from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.memo import GraphMemo
from saltscan.graph.pillar import PillarLinker
from saltscan.graph.redact import GraphRedactor
from saltscan.graph.requisites import add_requisite_edges, included_from
from saltscan.graph.resources import Resource, resources_of
from saltscan.graph.textscan import is_env_file
from saltscan.model import MinionRender, PillarValue, RenderedTemplate, SourceLocation, State


def _state_order(state: State) -> tuple:
    return (state.location.file, state.location.line, state.location.column, state.id, state.module, state.name)


def apply_secret_keys(values: Sequence[PillarValue], secret_keys: Iterable[str] | None) -> list[PillarValue]:
    """Mark as secret the values whose key path matches one of ``secret_keys`` (fnmatch)."""
    patterns = tuple(secret_keys or ())
    if not patterns:
        return list(values)
    return [
        replace(pv, secret=True, secret_reason=pv.secret_reason or "configured secret key")
        if not pv.secret and any(fnmatch.fnmatchcase(pv.key_path, p) for p in patterns)
        else pv
        for pv in values
    ]


_OWN_NAME_GRAINS = ("id", "host", "fqdn", "nodename")
_OWN_IP_GRAINS = ("fqdn_ip4", "fqdn_ip6", "ipv4", "ipv6")
_OWN_INTERFACE_GRAINS = ("ip4_interfaces", "ip6_interfaces", "ip_interfaces")


def own_addresses(grains: Mapping[str, Any]) -> frozenset[str]:
    """The minion's own names and addresses (from grains), lower case."""
    found: set[str] = set()
    for key in _OWN_NAME_GRAINS:
        if isinstance(grains.get(key), str):
            found.add(grains[key])
    values: list[Any] = [grains.get(key) for key in _OWN_IP_GRAINS]
    for key in _OWN_INTERFACE_GRAINS:
        if isinstance(grains.get(key), Mapping):
            values.extend(grains[key].values())
    for value in values:
        if isinstance(value, (list, tuple)):
            found.update(v for v in value if isinstance(v, str))
    return frozenset(v.lower() for v in found if v)


def sls_file_path(sls: str, sls_files: Sequence[str]) -> str | None:
    """The rendered file of ``sls``: ``.../a/b.sls`` or ``.../a/b/init.sls``."""
    stem = sls.replace(".", "/")
    for path in sorted(sls_files):
        for tail in (f"{stem}.sls", f"{stem}/init.sls"):
            if path == tail or path.endswith("/" + tail):
                return path
    return None


class MinionGraphBuild:
    def __init__(self, render: MinionRender, secret_keys: Iterable[str] | None, memo: GraphMemo) -> None:
        self.render = render
        self.memo = memo
        self.pillar_values = apply_secret_keys(render.pillar_values, secret_keys)
        self.builder = GraphBuilder(GraphRedactor(self.pillar_values, memo))
        self.states = sorted(render.states, key=_state_order)
        self.ids = StateIds(self.states)
        self.resources: dict[str, list[Resource]] = {}
        self.file_nodes: dict[str, str] = {}  # state node -> file/directory it manages
        self.env_settings: list[tuple[str, EnvSetting]] = []
        self.sls_of_file: dict[str, str] = {}
        self.own_addresses = own_addresses(render.minion.grains)

    def run(self) -> nx.MultiDiGraph:
        self.add_sls()
        self.add_states()
        self.add_facts()
        processed = frozenset(self.sls_names())
        missing = add_requisite_edges(self.builder, self.states, self.ids, self.render.low, processed)
        add_inferred_edges(self.builder, self.states, self.ids, self.resources)
        linker = PillarLinker(self.builder, self.render, self.pillar_values, self.states, self.ids,
                              self.file_nodes, self.sls_of_file, self.memo.texts)
        linker.add_pillar_keys()
        linker.add_secrets(self.env_settings)
        sources = self.builder.sources_of()
        for node in self.builder.nodes_of_kind(NodeKind.ENV_VAR):
            if any(self.builder.kind_of(u) == NodeKind.SECRET.value for u in sources.get(node, ())):
                self.builder.set_attr(node, "secret", True)
        missing.sort(key=lambda m: (m[0], m[1].location, m[1].kind.value, m[1].target_type, m[1].target))
        return self.builder.finish(
            minion=self.render.minion.id,
            untargeted=self.render.untargeted,
            missing_requisites=missing,
        )

    # -- layers --------------------------------------------------------------------

    def sls_names(self) -> set[str]:
        names = {st.sls for st in self.states}
        names.update(s for sls_list in self.render.top.values() for s in sls_list)
        for parents in included_from(self.render.low).values():
            names.update(parents)
        return names

    def add_sls(self) -> None:
        first_file: dict[str, SourceLocation] = {}
        for st in self.states:
            first_file.setdefault(st.sls, SourceLocation(st.location.file, 1))
        for sls in sorted(self.sls_names()):
            path = sls_file_path(sls, self.render.sls_files)
            where = SourceLocation(path, 1) if path else first_file.get(sls)
            self.builder.node(node_id(NodeKind.SLS, sls), NodeKind.SLS, sls, where, sls=sls)
            if where:
                self.sls_of_file.setdefault(where.file, sls)
        for st in self.states:
            self.sls_of_file.setdefault(st.location.file, st.sls)
        includers = included_from(self.render.low)
        for st in self.states:
            # Salt appends includers innermost first: [b, a] when a includes b includes
            # this SLS, so consecutive pairs are the direct includes.
            chain = (st.sls, *includers.get((st.module, st.id, st.name), ()))
            for child, parent in zip(chain, chain[1:]):
                if child != parent:
                    self.builder.edge(node_id(NodeKind.SLS, parent), node_id(NodeKind.SLS, child), EdgeKind.INCLUDES)

    def add_states(self) -> None:
        for st in self.states:
            node = self.ids.of(st)
            self.builder.node(
                node, NodeKind.STATE, st.id, st.location,
                state_id=st.id, sls=st.sls, fun=st.fun, name=st.name, saltenv=st.saltenv, order=st.order,
            )
            self.builder.edge(node_id(NodeKind.SLS, st.sls), node, EdgeKind.DECLARES, st.location)
            resources = resources_of(st, expanded=self.ids.expanded(st))
            self.resources[node] = resources
            for res in resources:
                self.builder.node(res.node, res.kind, res.label, st.location, **dict(res.attrs))
                self.builder.edge(node, res.node, EdgeKind.MANAGES, st.location, fun=st.fun)
                if res.kind in (NodeKind.FILE, NodeKind.DIRECTORY):
                    self.file_nodes.setdefault(node, res.node)

    def add_facts(self) -> None:
        for st in self.states:
            self._add_facts(self.ids.of(st), self.memo.state_facts(st))
        # Adding the same facts to the same node twice changes nothing (nodes and edges:
        # the first wins; list attributes: a union; env settings: an equal one is
        # already listed first), so each template and each node is taken once: a
        # render can hold one template and one state many times over (a state and
        # its template in every SLS of a coverage render that includes them).
        templates = dict.fromkeys(sorted(self.render.templates, key=lambda t: (t.state_id, t.location, t.source)))
        by_id: dict[str, dict[str, State]] = {}  # state ID -> node -> its first state (same name)
        for st in self.states:
            if st.module == "file":
                by_id.setdefault(st.id, {}).setdefault(self.ids.of(st), st)
        # Every state with the template's ID gets its facts: they differ only by whether
        # the state's target is an env file (``template_facts``), so they are made once
        # per (template, that) and only read from then on.
        made: dict[tuple[RenderedTemplate, bool], StateFacts] = {}
        for tpl in templates:
            for node, st in by_id.get(tpl.state_id, {}).items():
                key = (tpl, is_env_file(st.name))
                facts = made.get(key)
                if facts is None:
                    facts = made[key] = template_facts(tpl, st.name, self.memo.texts)
                self._add_facts(node, facts)

    def _add_facts(self, node: str, facts: StateFacts) -> None:
        """Add ``facts`` to the graph (``facts`` is only read: it may be shared)."""
        for setting in facts.env:
            env = self.builder.node(node_id(NodeKind.ENV_VAR, setting.name), NodeKind.ENV_VAR,
                                    setting.name, setting.location, name=setting.name)
            self.builder.edge(node, env, EdgeKind.SETS_ENV, setting.location)
            self.env_settings.append((node, setting))
        # The minion itself is not another system: its own names and IPs are not endpoints.
        endpoints = [u for u in facts.endpoints if u.endpoint.host not in self.own_addresses]
        for use in endpoints:
            ep = use.endpoint
            endpoint = self.builder.node(node_id(NodeKind.ENDPOINT, ep.host), NodeKind.ENDPOINT, ep.host,
                                         use.location, host=ep.host)
            self.builder.merge_list(endpoint, "ports", [ep.port] if ep.port else [])
            self.builder.merge_list(endpoint, "schemes", [ep.scheme] if ep.scheme else [])
            self.builder.edge(node, endpoint, EdgeKind.CONNECTS_TO, use.location)
        for fact in [*facts.ports, *remote_ports(endpoints)]:
            port = self.builder.node(node_id(NodeKind.PORT, str(fact.use.port)), NodeKind.PORT,
                                     str(fact.use.port), fact.location, port=fact.use.port)
            kind = EdgeKind.MANAGES if fact.use.listening else EdgeKind.CONNECTS_TO
            self.builder.edge(node, port, kind, fact.location)


def build_minion_graph(render: MinionRender, *, secret_keys: Iterable[str] | None = None,
                       memo: GraphMemo | None = None) -> nx.MultiDiGraph:
    """The graph of one minion. ``secret_keys``: extra pillar key globs to treat as secret.
    ``memo``: work shared with the other builds of a scan (``GraphMemo``); without one
    the build keeps its own, and the graph is the same either way."""
    return MinionGraphBuild(render, secret_keys, memo if memo is not None else GraphMemo()).run()
