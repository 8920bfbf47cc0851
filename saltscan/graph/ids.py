"""Node ids: stable strings, ``<kind>:<key>``, the same for the same thing on every minion.

| kind | id | key |
|---|---|---|
| sls | ``sls:<sls name>`` | ``sls:ehr.app`` |
| state | ``state:<module>:<state id>`` | ``state:pkg:nginx`` |
| state (``names`` expanded) | ``state:<module>:<state id>:<name>`` | ``state:pkg:tools:curl`` |
| package | ``package:<name>`` | ``package:nginx`` |
| file / directory | ``file:<path>`` / ``directory:<path>`` | ``file:/etc/nginx/nginx.conf`` |
| service, user, group | ``service:<name>`` ... | ``service:nginx`` |
| command | ``command:<state id>`` (``:<name>`` when ``names`` expanded) | ``command:migrate`` |
| mount | ``mount:<mount point or swap file>`` | ``mount:/mnt/scans`` |
| cron | ``cron:<user>:<identifier or name>`` | ``cron:root:backup`` |
| secret | ``secret:<pillar key path>`` | ``secret:ehr:db:password`` |
| pillar_key | ``pillar_key:<pillar key path>`` | ``pillar_key:ehr:db:host`` |
| env_var | ``env_var:<NAME>`` | ``env_var:DATABASE_URL`` |
| endpoint | ``endpoint:<host>`` (lower case; ports and schemes are attributes) | ``endpoint:db01.internal`` |
| port | ``port:<n>`` | ``port:8080`` |

A state id gets the ``:<name>`` suffix only when ``names`` (or repeated chunks) gave
one (module, ID) pair several low chunks in the render; otherwise the short form
holds, so the same state has the same id on every minion that has it once.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

import networkx as nx

from saltscan.graph.kinds import NodeKind
from saltscan.model import State


def node_id(kind: NodeKind, *parts: str) -> str:
    # ``_value_``, not ``.value``: the same string without a descriptor call, and ids
    # are made for every node and edge of every graph.
    return ":".join((kind._value_, *parts))


def state_key(state: State) -> tuple[str, str, str]:
    """Salt's identity of a low chunk within one run: (module, ID, name)."""
    return (state.module, state.id, state.name)


def state_node_id(state: State, *, expanded: bool = False) -> str:
    if expanded:
        return node_id(NodeKind.STATE, state.module, state.id, state.name)
    return node_id(NodeKind.STATE, state.module, state.id)


class StateIds:
    """Node ids of the states of one render, with ``names`` expansion detected."""

    def __init__(self, states: Iterable[State]) -> None:
        keys = [(st.module, st.id, st.name) for st in states]
        counts = Counter(key[:2] for key in keys)
        self._expanded = {pair for pair, count in counts.items() if count > 1}
        # ``state_node_id``, inline: made for every state of every build.
        prefix = NodeKind.STATE._value_
        self._ids = {
            key: ":".join((prefix, *key)) if key[:2] in self._expanded else ":".join((prefix, *key[:2]))
            for key in keys
        }

    def of(self, state: State) -> str:
        return self._ids[(state.module, state.id, state.name)]  # state_key(state), inline: hot

    def expanded(self, state: State) -> bool:
        return (state.module, state.id) in self._expanded


def command_node_id(state: State, expanded: bool) -> str:
    if expanded:
        return node_id(NodeKind.COMMAND, state.id, state.name)
    return node_id(NodeKind.COMMAND, state.id)


def state_node_of(graph: nx.MultiDiGraph, state: State) -> str | None:
    """The node of ``state`` in ``graph`` (either id form), or None."""
    for candidate in (state_node_id(state, expanded=True), state_node_id(state)):
        if candidate in graph:
            return candidate
    return None
