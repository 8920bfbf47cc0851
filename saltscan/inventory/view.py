"""One minion as the inventory reads it: its render, its graph, and lookups between them.

The graph (``saltscan.graph``) is the index of resources: which states manage which
package, file, service...; which secret flows where; which state sets which env var or
connects to which endpoint. The render gives back the ``State`` behind a state node
(its arguments) and the rendered templates. Nothing here prints: every string that
leaves for the inventory goes through ``clean`` (secret values masked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

import networkx as nx

from saltscan.findings import Finding
from saltscan.graph import state_node_of
from saltscan.model import MinionRender, SourceLocation, State
from saltscan.secret_values import UNKNOWN_TOKEN_RE
from saltscan.secrets import MASK, Redactor, mask_text

UNKNOWN = "<unknown>"  # what an unknown-value token reads as in the inventory


class SourceTexts:
    """The scanned tree's files, read once, for "is this written literally here?"."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, str] = {}

    def text(self, relpath: str) -> str:
        if relpath not in self._cache:
            path = Path(relpath) if Path(relpath).is_absolute() else self.root / relpath
            try:
                self._cache[relpath] = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._cache[relpath] = ""
        return self._cache[relpath]


class Cleaner:
    """Masks secret values (known from pillar, or by their shape) out of inventory text."""

    def __init__(self, secret_values: tuple[object, ...]) -> None:
        self._redactor = Redactor(secret_values)

    def known(self, text: str) -> str:
        """Known secret values masked, unknown-value tokens shown as ``<unknown>``."""
        return UNKNOWN_TOKEN_RE.sub(UNKNOWN, self._redactor.redact(text))

    def __call__(self, text: str) -> str:
        """Known secret values and secret-looking values masked (commands, messages)."""
        return mask_text(self.known(text))

    def is_clean(self, text: str) -> bool:
        """True when nothing in ``text`` is or looks like a secret."""
        known = self.known(text)
        return MASK not in known and mask_text(known) == known


@dataclass
class MinionView:
    render: MinionRender
    graph: nx.MultiDiGraph
    os_label: str
    findings: tuple[Finding, ...]  # the findings that hold on this minion
    sources: SourceTexts
    clean: Cleaner
    states: dict[str, State] = field(default_factory=dict)  # state node -> State

    def __post_init__(self) -> None:
        for st in self.render.states:
            node = state_node_of(self.graph, st)
            if node is not None:
                self.states.setdefault(node, st)

    @property
    def minion(self) -> str:
        return self.render.minion.id

    # -- graph walks ---------------------------------------------------------------

    def nodes(self, kind: str) -> Iterator[tuple[str, Mapping]]:
        for node, data in self.graph.nodes(data=True):
            if data.get("kind") == kind:
                yield node, data

    def in_edges(self, node: str, kind: str) -> Iterator[tuple[str, Mapping]]:
        for u, _, key, data in self.graph.in_edges(node, keys=True, data=True):
            if key == kind:
                yield u, data

    def out_edges(self, node: str, *kinds: str) -> Iterator[tuple[str, Mapping]]:
        for _, v, key, data in self.graph.out_edges(node, keys=True, data=True):
            if key in kinds:
                yield v, data

    def managers(self, resource: str, functions: frozenset[str] | None = None) -> list[tuple[str, State]]:
        """(state node, State) of the states managing ``resource``, in graph order."""
        out = []
        for node, _ in self.in_edges(resource, "manages"):
            st = self.states.get(node)
            if st is not None and (functions is None or st.function in functions):
                out.append((node, st))
        return out

    def state_id(self, node: str) -> str:
        st = self.states.get(node)
        return st.id if st is not None else str(self.graph.nodes[node].get("label", node))

    def secrets_into(self, *nodes: str) -> tuple[str, ...]:
        """Key paths of the secrets that flow into any of ``nodes``."""
        keys = set()
        for node in nodes:
            if node in self.graph:
                for secret, _ in self.in_edges(node, "flows_to"):
                    keys.add(str(self.graph.nodes[secret].get("key_path", secret.split(":", 1)[-1])))
        return tuple(sorted(keys))

    def contents_pillar_secrets(self, state: State) -> tuple[str, ...]:
        """Secrets a ``contents_pillar:`` argument writes into the file (the graph's text
        search cannot see them: the state holds the key, not the value)."""
        key = state.args.get("contents_pillar")
        if not isinstance(key, str) or not key:
            return ()
        return tuple(sorted(
            pv.key_path for pv in self.render.pillar_values
            if pv.secret and (pv.key_path == key or pv.key_path.startswith(key + ":"))
        ))

    def pillar_read_by(self, node: str) -> tuple[str, ...]:
        keys = set()
        for target, _ in self.out_edges(node, "uses_pillar"):
            keys.add(str(self.graph.nodes[target].get("key_path", target.split(":", 1)[-1])))
        return tuple(sorted(keys))

    def template_of(self, state: State):
        for tpl in self.render.templates:
            if tpl.state_id == state.id and state.module == "file":
                return tpl
        return None

    def findings_on(self, state: State) -> tuple[Finding, ...]:
        """Findings about ``state``: in its SLS file, or in the template it renders."""
        tpl = self.template_of(state)
        files = {state.location.file, tpl.location.file if tpl is not None else state.location.file}
        return tuple(
            f for f in self.findings
            if f.state is not None and f.state.id == state.id and f.location.file in files
        )

    def literal_in_source(self, text: str, location: SourceLocation) -> bool:
        """Is ``text`` written as is in the source file of ``location``?"""
        return bool(text) and text in self.sources.text(location.file)
