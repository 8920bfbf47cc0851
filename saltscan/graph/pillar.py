"""Pillar keys states read (``uses_pillar``) and where secret values flow (``flows_to``).

A read (``MinionRender.pillar_reads``: key path -> locations) is attributed to states:

1. a read inside a template file belongs to the state rendering that template;
2. a read inside an SLS file belongs to the states of that file whose arguments hold
   the key's value (a ``{% set %}`` at the top of the file used further down), else to
   the state block around it (the nearest state ID line at or above the read);
3. a read in a file with no state (``map.jinja``) belongs to the states holding the
   value, those under the file's own directory if any (a formula's ``map.jinja`` serves
   its own SLS files); failing all that, to the SLS node of the file when there is one.

Secret flows are found by exact substring search of the secret's text (4 characters or
more) in state names and arguments, rendered template text and env var values. The
value is searched for, never stored.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import Mapping, Sequence

from saltscan.graph.builder import GraphBuilder
from saltscan.graph.facts import CONTENT_ARGS, EnvSetting, iter_leaves
from saltscan.graph.ids import StateIds, node_id
from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.redact import masked_value, secret_text
from saltscan.graph.textscan import TextScans, is_env_file
from saltscan.model import MinionRender, PillarValue, RenderedTemplate, SourceLocation, State


@dataclass(frozen=True)
class StateText:
    """Where in a state a string sits (for the edge's location) and the string itself."""

    arg: str | None
    text: str


def state_texts(state: State) -> list[StateText]:
    texts = [StateText(None, state.name)]
    for arg in sorted(state.args):
        for key, leaf in iter_leaves({arg: state.args[arg]}):
            if isinstance(leaf, (str, int, float)) and not isinstance(leaf, bool):
                texts.append(StateText(arg, str(leaf)))
            if key and key != arg:
                texts.append(StateText(arg, key))
    return texts


class StateTexts:
    """``state_texts(state)`` and those texts joined (a secret not in the join is in
    none of them), each made on first use. ``saltscan.graph.pieces.StatePiece`` gives
    the same two, kept across builds."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._texts: list[StateText] | None = None
        self._joined: str | None = None

    def texts(self) -> list[StateText]:
        if self._texts is None:
            self._texts = state_texts(self.state)
        return self._texts

    def joined(self) -> str:
        if self._joined is None:
            self._joined = "\n".join(t.text for t in self.texts())
        return self._joined


def _leaf_texts(values: Sequence[PillarValue]) -> list[str]:
    return sorted({t for pv in values for t in [secret_text(pv.value)] if t})


def _holding(states: Sequence[State], texts: Mapping[str, StateTexts], ids: StateIds, needles: list[str]) -> list[State]:
    if not needles:
        return []
    found = []
    for st in states:
        held = texts[ids.of(st)]
        joined = held.joined()
        # In no text if not in their join (the join only adds matches across texts).
        if any(n in joined for n in needles) and any(n in t.text for t in held.texts() for n in needles):
            found.append(st)
    return found


_LOCATION_KEY = attrgetter("file", "line", "column")


def _distinct_sorted(locations: Sequence[SourceLocation]) -> list[SourceLocation]:
    """``sorted(set(locations))`` (the first of equal ones kept), without a Python-level
    hash and comparison per location: a formula's render can read a key thousands of times."""
    first = dict(zip(map(_LOCATION_KEY, reversed(locations)), reversed(locations)))
    return [first[key] for key in sorted(first)]


class PillarLinker:
    """Adds pillar and secret nodes for one render."""

    def __init__(self, builder: GraphBuilder, render: MinionRender, pillar_values: Sequence[PillarValue],
                 states: Sequence[State], ids: StateIds, file_nodes: Mapping[str, str],
                 sls_of_file: Mapping[str, str], scans: TextScans | None = None,
                 texts: Mapping[str, StateTexts] | None = None) -> None:
        """``texts``: state node -> the ``StateTexts`` of its last state (a render may
        repeat a state), when the caller keeps them; made here otherwise."""
        self.builder = builder
        self.scans = scans if scans is not None else TextScans()
        self.render = render
        self.pillar_values = pillar_values  # the render's, with the caller's secret_keys applied
        self.states = states
        self.ids = ids
        self.file_nodes = file_nodes  # state node -> its file resource node
        self.sls_of_file = sls_of_file
        self.texts = texts if texts is not None else {ids.of(st): StateTexts(st) for st in states}
        self.by_file: dict[str, list[State]] = defaultdict(list)
        for st in states:
            self.by_file[st.location.file].append(st)
        for group in self.by_file.values():
            group.sort(key=lambda s: (s.location.line, s.id, s.module, s.name))
        self.templates_by_file: dict[str, list[RenderedTemplate]] = defaultdict(list)
        for tpl in render.templates:
            self.templates_by_file[tpl.location.file].append(tpl)
        # Answers that depend on less than a read's location, made once per build: a
        # formula reads the same keys from the same files many times over.
        self._template_readers: dict[str, list[State]] = {}  # template file -> its states
        self._held: dict[tuple[str, ...], list[State]] = {}  # needles -> states holding one
        self._held_in_file: dict[tuple[str, ...], list[State]] = {}  # (file, *needles) -> the same there
        self._segments: tuple[str, list[int], list[tuple[str, State]]] | None = None  # see _holders
        # A template repeated (a coverage render) adds nothing the first did not.
        self.templates = list(dict.fromkeys(render.templates))

    def leaves_under(self, key_path: str) -> list[PillarValue]:
        prefix = key_path + ":"
        return [pv for pv in self.pillar_values if pv.key_path == key_path or pv.key_path.startswith(prefix)]

    # -- uses_pillar ---------------------------------------------------------------

    def readers(self, loc: SourceLocation, needles: list[str]) -> list[State]:
        templates = self.templates_by_file.get(loc.file)
        if templates:
            found = self._template_readers.get(loc.file)
            if found is None:
                ids = {t.state_id for t in templates}
                found = self._template_readers[loc.file] = [
                    st for st in self.states if st.id in ids and st.module == "file"]
            return found
        local = self.by_file.get(loc.file)
        if local:
            key = (loc.file, *needles)
            held = self._held_in_file.get(key)
            if held is None:
                held = self._held_in_file[key] = _holding(local, self.texts, self.ids, needles)
            if held:
                return held
            lines = [st.location.line for st in local]
            at = bisect_right(lines, loc.line)
            if at == 0:
                return []
            return [st for st in local if st.location.line == lines[at - 1]]
        held = self._held.get(tuple(needles))
        if held is None:
            held = self._held[tuple(needles)] = _holding(self.states, self.texts, self.ids, needles)
        # A formula's map.jinja serves its own SLS files first: prefer the states under
        # the same directory, so a value that merely repeats elsewhere does not count.
        folder = posixpath.dirname(loc.file) + "/"
        near = [st for st in held if st.location.file.startswith(folder)]
        return near or held

    def add_pillar_keys(self) -> None:
        for key_path in sorted(self.render.pillar_reads):
            leaves = self.leaves_under(key_path)
            reads = _distinct_sorted(self.render.pillar_reads[key_path])
            where = min((pv.location for pv in leaves), default=reads[0] if reads else None)
            pk = self.builder.node(
                node_id(NodeKind.PILLAR_KEY, key_path), NodeKind.PILLAR_KEY, key_path, where,
                key_path=key_path, defined=bool(leaves), secret=any(pv.secret for pv in leaves),
            )
            needles = _leaf_texts(leaves)
            for loc in reads:
                states = self.readers(loc, needles)
                for st in states:
                    self.builder.edge(self.ids.of(st), pk, EdgeKind.USES_PILLAR, loc)
                if not states and loc.file in self.sls_of_file:
                    sls_node = node_id(NodeKind.SLS, self.sls_of_file[loc.file])
                    self.builder.edge(sls_node, pk, EdgeKind.USES_PILLAR, loc)

    # -- secrets -------------------------------------------------------------------

    def add_secrets(self, env_settings: Sequence[tuple[str, EnvSetting]]) -> None:
        for pv in sorted((p for p in self.pillar_values if p.secret), key=lambda p: (p.key_path, p.location)):
            secret = self.builder.node(
                node_id(NodeKind.SECRET, pv.key_path), NodeKind.SECRET, pv.key_path, pv.location,
                key_path=pv.key_path, storage=pv.storage.value, masked=masked_value(pv.value),
                reason=pv.secret_reason,
            )
            text = secret_text(pv.value)
            if text is not None:
                self._flows(secret, text, env_settings)

    def _holders(self, text: str) -> list[tuple[str, State]]:
        """(node, its first state) of the nodes whose texts hold ``text``, in order of
        ``states``: what the later states of a node would add is already there.
        Found by searching every node's texts joined once, not each node's in turn."""
        if self._segments is None:
            firsts: dict[str, State] = {}
            for st in self.states:
                firsts.setdefault(self.ids.of(st), st)
            starts, at = [], 0
            for node in firsts:
                starts.append(at)
                at += len(self.texts[node].joined()) + 1
            self._segments = ("\n".join(self.texts[node].joined() for node in firsts), starts, list(firsts.items()))
        joined, starts, firsts = self._segments
        found: set[int] = set()
        at = joined.find(text)
        while at >= 0:
            found.add(bisect_right(starts, at) - 1)
            at = joined.find(text, at + 1)
        # A match across two nodes' texts is in neither: each is checked on its own.
        return [firsts[i] for i in sorted(found) if text in self.texts[firsts[i][0]].joined()]

    def _flows(self, secret: str, text: str, env_settings: Sequence[tuple[str, EnvSetting]]) -> None:
        for node, st in self._holders(text):
            texts = self.texts[node]
            hits = [t for t in texts.texts() if text in t.text]
            if not hits:
                continue
            arg = hits[0].arg
            where = st.location_of(arg) if arg else st.location
            self.builder.edge(secret, node, EdgeKind.FLOWS_TO, where)
            file_node = self.file_nodes.get(node)
            if file_node and any(h.arg in CONTENT_ARGS for h in hits):
                self.builder.edge(secret, file_node, EdgeKind.FLOWS_TO, where)
        for tpl in self.templates:
            start = tpl.text.find(text)
            if start < 0:
                continue
            number = tpl.text.count("\n", 0, start) + 1  # rendered line where the value starts
            where = SourceLocation(tpl.location.file, tpl.source_line(number))
            for st in self.states:
                if st.id != tpl.state_id or st.module != "file":
                    continue
                target = self.file_nodes.get(self.ids.of(st))
                if target:
                    self.builder.edge(secret, target, EdgeKind.FLOWS_TO, where)
                # The env var assigned on that line carries it, even when the value spans
                # several lines (a PEM key, a PGP block) and the assignment holds only the first.
                for line, name, _ in self.scans.env(tpl.text, env_file=is_env_file(st.name)):
                    if line == number:
                        self.builder.edge(secret, node_id(NodeKind.ENV_VAR, name), EdgeKind.FLOWS_TO, where)
        for _, setting in env_settings:
            if text in setting.value:
                env = node_id(NodeKind.ENV_VAR, setting.name)
                self.builder.edge(secret, env, EdgeKind.FLOWS_TO, setting.location)
