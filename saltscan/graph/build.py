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
from operator import attrgetter
from typing import Any, Iterable, Mapping, Sequence

import networkx as nx

from saltscan.graph.builder import EDGE, MERGE, NODE, GraphBuilder
from saltscan.graph.facts import EnvSetting, StateFacts, remote_ports, template_facts
from saltscan.graph.ids import StateIds, node_id
from saltscan.graph.inferred import add_inferred_edges
from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.memo import GraphMemo
from saltscan.graph.pieces import StatePiece, order_key, same_requisites
from saltscan.graph.pillar import PillarLinker
from saltscan.graph.redact import GraphRedactor
from saltscan.graph.requisites import add_requisite_edges, included_from
from saltscan.graph.resources import Resource
from saltscan.graph.textscan import is_env_file
from saltscan.model import MinionRender, PillarValue, SourceLocation, State


# (file, line, column, id, module, name), made in C.
_state_order = attrgetter("location.file", "location.line", "location.column", "id", "module", "name")
# A template's (ID, location, source), the location as its fields (compared in C).
_template_order = attrgetter("state_id", "location.file", "location.line", "location.column", "source")


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
    return sls_file_paths(sls_files).get(sls.replace(".", "/"))


def sls_file_paths(sls_files: Sequence[str]) -> dict[str, str]:
    """Stem (``a/b`` for SLS ``a.b``) -> the first of the sorted files that is
    ``<stem>.sls`` or ``<stem>/init.sls``, whole or after a ``/``."""
    found: dict[str, str] = {}
    for path in sorted(sls_files):
        tails = [path, *(path[i + 1:] for i, c in enumerate(path) if c == "/")]
        for tail in tails:
            if tail.endswith(".sls"):
                found.setdefault(tail[:-4], path)
            if tail.endswith("/init.sls"):
                found.setdefault(tail[:-9], path)
    return found


def _unique(states: Sequence[State], pieces: Sequence[StatePiece]) -> list[tuple[State, StatePiece]]:
    """``states`` (with their pieces) less the repeats of an earlier one.

    A render may hold one state many times (a coverage render holds an SLS in every
    render that includes it). A repeat (``same_data``: same piece, order and
    requisites) adds nothing the first did not add: nodes, edges and sets take the
    first and ignore the rest. Only what takes the last (resources, texts) or counts
    (missing requisites, expanded ids) reads every state."""
    seen: dict[tuple, list[State]] = {}
    unique = []
    for st, piece in zip(states, pieces):
        order = order_key(st.order)  # the fields a piece leaves out: order, requisites
        firsts = seen.setdefault((id(piece), id(st) if order is None else order), [])
        if not any(same_requisites(first, st) for first in firsts):
            firsts.append(st)
            unique.append((st, piece))
    return unique


# Which layer a cached fragment belongs to (``StatePiece.fragments`` keys).
_STATE_LAYER, _FACTS_LAYER = "states", "facts"


class MinionGraphBuild:
    def __init__(self, render: MinionRender, secret_keys: Iterable[str] | None, memo: GraphMemo) -> None:
        self.render = render
        self.memo = memo
        self.pillar_values = apply_secret_keys(render.pillar_values, secret_keys)
        self.redactor = GraphRedactor(self.pillar_values, memo)
        self.builder = GraphBuilder(self.redactor)
        self.states = sorted(render.states, key=_state_order)
        self.pieces = memo.pieces_of(render.minion.id, self.states)
        self.ids = StateIds(self.states)
        self.unique = _unique(self.states, self.pieces)
        self.unique_states = [st for st, _ in self.unique]
        self.includers = included_from(render.low)
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
        missing = add_requisite_edges(self.builder, self.states, self.ids, self.includers, processed,
                                      self.unique_states)
        add_inferred_edges(self.builder, self.unique_states, self.ids, self.resources, self.memo.inference)
        by_node = {self.ids.of(st): piece for st, piece in zip(self.states, self.pieces)}
        linker = PillarLinker(self.builder, self.render, self.pillar_values, self.unique_states, self.ids,
                              self.file_nodes, self.sls_of_file, self.memo.texts, texts=by_node)
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
        names = {st.sls for st in self.unique_states}
        names.update(s for sls_list in self.render.top.values() for s in sls_list)
        for parents in self.includers.values():
            names.update(parents)
        return names

    def add_sls(self) -> None:
        first_file: dict[str, SourceLocation] = {}
        for st in self.unique_states:
            if st.sls not in first_file:
                first_file[st.sls] = SourceLocation(st.location.file, 1)
        paths = self.memo.sls_paths(self.render.sls_files, sls_file_paths)
        for sls in sorted(self.sls_names()):
            path = paths.get(sls.replace(".", "/"))
            where = SourceLocation(path, 1) if path else first_file.get(sls)
            self.builder.node(node_id(NodeKind.SLS, sls), NodeKind.SLS, sls, where, sls=sls)
            if where:
                self.sls_of_file.setdefault(where.file, sls)
        for st in self.unique_states:
            self.sls_of_file.setdefault(st.location.file, st.sls)
        # Salt appends includers innermost first: [b, a] when a includes b includes
        # this SLS, so consecutive pairs are the direct includes. The states of one SLS
        # mostly share a chain: each distinct one is taken once, in order.
        chains = dict.fromkeys((st.sls, *self.includers.get((st.module, st.id, st.name), ()))
                               for st in self.unique_states)
        for chain in chains:
            for child, parent in zip(chain, chain[1:]):
                if child != parent:
                    self.builder.edge(node_id(NodeKind.SLS, parent), node_id(NodeKind.SLS, child), EdgeKind.INCLUDES)

    def add_states(self) -> None:
        # A state's nodes and edges depend on the state (its piece and order), whether its
        # id is expanded and the redactor only: cleaned once (``StatePiece.fragment``),
        # replayed per build.
        redaction = self.redactor.key
        for st, piece in self.unique:
            node = self.ids.of(st)
            expanded = self.ids.expanded(st)
            resources = piece.resources(expanded)
            order = order_key(st.order)
            key = None if order is None else (_STATE_LAYER, expanded, redaction, order)
            self.builder.replay(piece.fragment(key, lambda: self._state_ops(st, node, resources)))
            for res in resources:
                if res.kind in (NodeKind.FILE, NodeKind.DIRECTORY):
                    self.file_nodes.setdefault(node, res.node)
        for st, piece in zip(self.states, self.pieces):  # the last state of a node wins
            self.resources[self.ids.of(st)] = piece.resources(self.ids.expanded(st))

    def _state_ops(self, st: State, node: str, resources: list[Resource]) -> tuple[tuple, ...]:
        b = self.builder
        ops = [
            (NODE, *b.clean_node(node, NodeKind.STATE, st.id, st.location, state_id=st.id, sls=st.sls,
                                 fun=st.fun, name=st.name, saltenv=st.saltenv, order=st.order)),
            (EDGE, *b.clean_edge(node_id(NodeKind.SLS, st.sls), node, EdgeKind.DECLARES, st.location)),
        ]
        for res in resources:
            ops.append((NODE, *b.clean_node(res.node, res.kind, res.label, st.location, **dict(res.attrs))))
            ops.append((EDGE, *b.clean_edge(node, res.node, EdgeKind.MANAGES, st.location, fun=st.fun)))
        return tuple(ops)

    def _own_hosts(self, facts: StateFacts) -> frozenset[str]:
        """The hosts of ``facts`` that are the minion's own: what its facts' nodes and
        edges depend on besides the facts, the node and the redactor (mostly none, so
        the minions of a fleet share them)."""
        own = self.own_addresses
        return frozenset(u.endpoint.host for u in facts.endpoints if u.endpoint.host in own)

    def add_facts(self) -> None:
        redaction = self.redactor.key
        for st, piece in self.unique:
            node = self.ids.of(st)
            facts = piece.facts(self.memo.texts)
            key = (_FACTS_LAYER, self.ids.expanded(st), redaction, self._own_hosts(facts))
            self._add_facts(node, facts, piece.fragment(key, lambda: self._facts_ops(node, facts)))
        # Adding the same facts to the same node twice changes nothing (nodes and edges:
        # the first wins; list attributes: a union; env settings: an equal one is
        # already listed first), so each template and each node is taken once: a
        # render can hold one template and one state many times over (a state and
        # its template in every SLS of a coverage render that includes them).
        templates = dict.fromkeys(sorted(self.render.templates, key=_template_order))
        by_id: dict[str, dict[str, State]] = {}  # state ID -> node -> its first state (same name)
        for st in self.unique_states:
            if st.module == "file":
                by_id.setdefault(st.id, {}).setdefault(self.ids.of(st), st)
        # Every state with the template's ID gets its facts: they differ only by whether
        # the state's target is an env file (``template_facts``), so they are made once
        # per (template, that) and only read from then on.
        for tpl in templates:
            for node, st in by_id.get(tpl.state_id, {}).items():
                made = self.memo.template_piece(tpl, is_env_file(st.name),
                                                lambda: template_facts(tpl, st.name, self.memo.texts))
                key = (node, redaction, self._own_hosts(made.facts))
                ops = made.fragments.get(key)
                if ops is None:
                    ops = made.fragments[key] = self._facts_ops(node, made.facts)
                self._add_facts(node, made.facts, ops)

    def _add_facts(self, node: str, facts: StateFacts, ops: tuple[tuple, ...]) -> None:
        """Add ``facts`` to the graph as ``ops`` (``_facts_ops(node, facts)``)."""
        self.builder.replay(ops)
        self.env_settings.extend((node, setting) for setting in facts.env)

    def _facts_ops(self, node: str, facts: StateFacts) -> tuple[tuple, ...]:
        """The nodes and edges of ``facts`` (only read: it may be shared) on ``node``."""
        b = self.builder
        ops: list[tuple] = []
        for setting in facts.env:
            env, data = b.clean_node(node_id(NodeKind.ENV_VAR, setting.name), NodeKind.ENV_VAR,
                                     setting.name, setting.location, name=setting.name)
            ops.append((NODE, env, data))
            ops.append((EDGE, *b.clean_edge(node, env, EdgeKind.SETS_ENV, setting.location)))
        # The minion itself is not another system: its own names and IPs are not endpoints.
        endpoints = [u for u in facts.endpoints if u.endpoint.host not in self.own_addresses]
        for use in endpoints:
            ep = use.endpoint
            endpoint, data = b.clean_node(node_id(NodeKind.ENDPOINT, ep.host), NodeKind.ENDPOINT, ep.host,
                                          use.location, host=ep.host)
            ops.append((NODE, endpoint, data))
            stored = b.redactor.text(endpoint)  # as ``merge_list`` finds it
            ops.append((MERGE, stored, "ports", [b.redactor.value(ep.port)] if ep.port else []))
            ops.append((MERGE, stored, "schemes", [b.redactor.value(ep.scheme)] if ep.scheme else []))
            ops.append((EDGE, *b.clean_edge(node, endpoint, EdgeKind.CONNECTS_TO, use.location)))
        for fact in [*facts.ports, *remote_ports(endpoints)]:
            port, data = b.clean_node(node_id(NodeKind.PORT, str(fact.use.port)), NodeKind.PORT,
                                      str(fact.use.port), fact.location, port=fact.use.port)
            ops.append((NODE, port, data))
            kind = EdgeKind.MANAGES if fact.use.listening else EdgeKind.CONNECTS_TO
            ops.append((EDGE, *b.clean_edge(node, port, kind, fact.location)))
        return tuple(ops)


def build_minion_graph(render: MinionRender, *, secret_keys: Iterable[str] | None = None,
                       memo: GraphMemo | None = None) -> nx.MultiDiGraph:
    """The graph of one minion. ``secret_keys``: extra pillar key globs to treat as secret.
    ``memo``: work shared with the other builds of a scan (``GraphMemo``); without one
    the build keeps its own, and the graph is the same either way."""
    return MinionGraphBuild(render, secret_keys, memo if memo is not None else GraphMemo()).run()
