"""What a rule sees besides its subject: the render, the original sources, allowlists.

Contexts are read-only views. ``SourceReader`` caches the original files of one run
(each is read once, whichever rule or suppression needs it).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterator, TypeVar

from saltscan.engine.graph_index import GraphIndex
from saltscan.engine.memo import ScanMemo
from saltscan.engine.rule import SourceKind
from saltscan.engine.source_reads import note_sources
from saltscan.engine.source_texts import SourceTexts, look_source
from saltscan.model import MinionRender, Model, PillarValue, RenderedTemplate, State

if TYPE_CHECKING:
    import networkx as nx

    from saltscan.engine.config import Allowlist

# A secret pillar value shorter than this is not searched for in rendered text: too
# many short strings ("admin", "true") occur by chance.
MIN_SECRET_MATCH = 6

T = TypeVar("T")


@dataclass(frozen=True)
class SourceFile:
    """The original text of one file of the scanned tree. ``path`` is relative to the root."""

    path: str
    text: str
    kind: SourceKind
    minions: tuple[str, ...] = ()

    @cached_property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.splitlines())

    def line(self, number: int) -> str:
        """Line ``number`` (1-based), or "" outside the file."""
        if 0 < number <= len(self.lines):
            return self.lines[number - 1]
        return ""


class SourceReader:
    """Reads original files under one root, once each; unreadable files read as None.
    ``texts`` (a long-running process's) hands out the texts of unchanged files
    without reading them again."""

    def __init__(self, root: Path, texts: "SourceTexts | None" = None) -> None:
        self._root = str(root)
        self._scan = texts.scan() if texts is not None else None
        self._cache: dict[str, tuple[bool, str | None]] = {}  # relpath -> (is a file, text)
        self._digests: dict[str, str | None] = {}
        # One SourceFile per (path, kind): its ``lines`` are split once, not per rule call.
        self._files: dict[tuple[str, SourceKind], SourceFile | None] = {}

    def text(self, relpath: str) -> str | None:
        return self.look(relpath)[1]

    def is_file(self, relpath: str) -> bool:
        """Whether ``relpath`` is a regular file (a rule's ``Path.is_file``, noted as a read)."""
        return self.look(relpath)[0]

    def text_digest(self, relpath: str) -> str | None:
        """sha256 of ``text(relpath)`` (None when unreadable), once per file."""
        text = self.text(relpath)
        try:
            return self._digests[relpath]
        except KeyError:
            found = self._digests[relpath] = (
                None if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
            return found

    def file(self, relpath: str, kind: SourceKind = SourceKind.SLS) -> SourceFile | None:
        """The file at ``relpath`` as a ``SourceFile`` of ``kind``, or None when unreadable."""
        key = (relpath, kind)
        try:
            found = self._files[key]
            note_sources((relpath,))
            return found
        except KeyError:
            text = self.text(relpath)
            found = self._files[key] = None if text is None else SourceFile(relpath, text, kind)
            return found

    def look(self, relpath: str) -> tuple[bool, str | None]:
        """Whether ``relpath`` is a regular file, and its text (None when unreadable)."""
        note_sources((relpath,))
        found = self._cache.get(relpath)
        if found is None:
            if not relpath:
                found = (False, None)
            else:
                path = os.path.join(self._root, relpath)  # an absolute relpath stays as it is
                found = self._scan.read(path) if self._scan is not None else look_source(path)
            self._cache[relpath] = found
        return found


@dataclass(frozen=True)
class TreeContext:
    """The whole scan: for source rules and ``GraphRule.check_tree``."""

    model: Model
    allowlist: "Allowlist"
    reader: SourceReader = field(compare=False, repr=False)
    memo: ScanMemo = field(default_factory=ScanMemo, compare=False, repr=False)

    def source(self, relpath: str, kind: SourceKind = SourceKind.SLS) -> SourceFile | None:
        return self.reader.file(relpath, kind)

    def is_file(self, relpath: str) -> bool:
        """Whether ``relpath`` (relative to the root) is a regular file. A tree rule
        looks at files through its context only: what it looked at is what its
        findings are kept on (``saltscan.engine.tree_memo``)."""
        return self.reader.is_file(relpath)


@dataclass(frozen=True)
class RuleContext:
    """One minion's render (and graph, for graph rules), for state and graph rules.

    ``memo`` is the scan's cache of pure functions (shared by every context of one
    ``run_rules``); ``once`` caches what depends on this render only."""

    model: Model
    render: MinionRender
    allowlist: "Allowlist"
    reader: SourceReader = field(compare=False, repr=False)
    graph: "nx.MultiDiGraph | None" = field(default=None, compare=False, repr=False)
    memo: ScanMemo = field(default_factory=ScanMemo, compare=False, repr=False)
    _per_render: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def minion(self) -> str:
        return self.render.minion.id

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, computed once for this render: ``key`` names what it is
        (a module-level name or a tuple of one and hashable arguments) and must
        stand for everything it depends on besides this context."""
        try:
            return self._per_render[key]
        except KeyError:
            result = self._per_render[key] = compute()
            return result

    def source(self, relpath: str, kind: SourceKind = SourceKind.SLS) -> SourceFile | None:
        return self.reader.file(relpath, kind)

    # -- states and templates -----------------------------------------------------

    def template_of(self, state: State) -> RenderedTemplate | None:
        """The rendered template of a ``file.managed``-like state, if it has one."""
        return self._templates_by_state.get(state.id)

    def state_of(self, template: RenderedTemplate) -> State | None:
        for st in self.render.states:
            if st.id == template.state_id and st.module == "file":
                return st
        return self.render.state(template.state_id)

    def state_of_node(self, graph: "nx.MultiDiGraph", node: str) -> State | None:
        """``api.state_of_node(graph, node, self.render)``, through an index of the
        render's states (graph rules ask for every node: a scan per node is quadratic)."""
        if node not in graph:
            return None
        data = graph.nodes[node]
        if data.get("kind") != "state":
            return None
        key = (data.get("state_id"), data.get("sls"), data.get("fun"))
        candidates = self._states_by_key.get(key, ())
        for st in candidates:
            if st.name == data.get("name"):
                return st
        return candidates[0] if candidates else None

    def has_requisite_path(self, graph: "nx.MultiDiGraph", a: str, b: str) -> bool:
        """``api.has_requisite_path(graph, a, b)``: the same walk, over each node's
        requisite dependencies found in one pass over the render's graph (a graph rule
        asks for many pairs of one graph, and each walk would list the same nodes'
        edges again)."""
        from saltscan.graph.requisites import has_requisite_path

        if graph is not self.graph:  # only the render's own graph is indexed
            return has_requisite_path(graph, a, b)
        deps = self.graph_index.dependencies
        return has_requisite_path(graph, a, b, lambda _graph, node: deps(node))

    @cached_property
    def graph_index(self) -> GraphIndex:
        """``GraphIndex.of(self.graph)``, once per render (see ``saltscan.engine.graph_index``)."""
        return GraphIndex.of(self.graph)

    @cached_property
    def _states_by_key(self) -> dict[tuple, list[State]]:
        """(id, sls, function) -> the render's states with them, in render order."""
        index: dict[tuple, list[State]] = {}
        for st in self.render.states:
            index.setdefault((st.id, st.sls, st.fun), []).append(st)
        return index

    @cached_property
    def _templates_by_state(self) -> dict[str, RenderedTemplate]:
        return {t.state_id: t for t in self.render.templates}

    def resolve_salt_url(
        self, url: str, saltenv: str = "base", *, directory: bool = False
    ) -> str | None:
        """The file (or, with ``directory``, the directory) a ``salt://`` URL names,
        relative to the scanned root (the first root that has it wins, as on a
        master); None when no state root has it."""
        if not isinstance(url, str) or not url.startswith("salt://"):
            return None
        # The state roots and the files in them are the same for every render.
        return self.memo.once(
            ("resolve_salt_url", url, saltenv, directory),
            lambda: self._resolve_salt_url(url, saltenv, directory),
        )

    def _resolve_salt_url(self, url: str, saltenv: str, directory: bool) -> str | None:
        rest, _, query = url[len("salt://"):].partition("?")
        for part in query.split("&"):
            if part.startswith("saltenv="):
                saltenv = part[len("saltenv="):]
        rel = rest.lstrip("/")
        if not rel or ".." in Path(rel).parts:
            return None
        for root in self.model.tree.state_roots.get(saltenv, ()):
            candidate = Path(root) / rel
            if candidate.is_file() or (directory and candidate.is_dir()):
                return self.model.tree.relpath(candidate)
        return None

    @cached_property
    def minion_names(self) -> frozenset[str]:
        """The minion's own names and addresses, from its grains (lower case)."""
        grains = self.render.minion.grains
        names: set[str] = {self.render.minion.id.lower()}
        for key in ("id", "fqdn", "host", "nodename", "localhost", "domain"):
            value = grains.get(key)
            if isinstance(value, str) and value:
                names.add(value.lower())
        for key in ("ipv4", "ipv6", "fqdn_ip4", "fqdn_ip6"):
            value = grains.get(key)
            if isinstance(value, (list, tuple)):
                names.update(str(v).lower() for v in value)
        for key in ("ip4_interfaces", "ip6_interfaces", "ip_interfaces"):
            value = grains.get(key)
            if isinstance(value, dict):
                for addrs in value.values():
                    if isinstance(addrs, (list, tuple)):
                        names.update(str(a).lower() for a in addrs)
        return frozenset(names)

    # -- pillar -----------------------------------------------------------------------

    @cached_property
    def secret_pillar(self) -> tuple[PillarValue, ...]:
        """Secret pillar leaves whose text is long enough to be searched for."""
        return tuple(
            pv for pv in self.render.pillar_values
            if isinstance(pv.value, (str, int)) and not isinstance(pv.value, bool)
            and len(str(pv.value)) >= MIN_SECRET_MATCH
            and (pv.secret or secret_leaf(self.memo, pv.key_path, pv.value))
        )

    def secrets_in(self, text: str) -> tuple[PillarValue, ...]:
        """The secret pillar values that occur in ``text`` (rendered data), by key path."""
        if not text or not self.secret_pillar:
            return ()
        return self.once(("secrets_in", text), lambda: tuple(
            pv for pv in self.secret_pillar if str(pv.value) in text))

    @cached_property
    def pillar_strings(self) -> frozenset[str]:
        """Every string leaf and string key of the minion's pillar (to tell a value
        from pillar: a loop over ``pillar['hosts'].items()`` renders the keys too)."""
        return frozenset(_pillar_strings(self.render.pillar))

    def from_pillar(self, text: str) -> bool:
        """True when ``text`` is a pillar string, or a whole word of one (a host, a
        path, a URL written in pillar and injected into a state or a template)."""
        if not text:
            return False
        if text in self.pillar_strings:
            return True
        return self.once(("from_pillar", text), lambda: self._in_pillar_string(text))

    def _in_pillar_string(self, text: str) -> bool:
        candidates = [s for s in self.pillar_strings if text in s]
        if not candidates:
            return False
        pattern = re.compile(r"(?<![\w.-])" + re.escape(text) + r"(?![\w-])")
        return any(pattern.search(s) for s in candidates)


def secret_leaf(memo: ScanMemo, key_path: str, value: str | int) -> bool:
    """``saltscan.secrets.is_secret`` of a pillar leaf (a string or an integer, never a
    bool or a float: they would share keys), as a yes or no, once per scan."""
    from saltscan.secrets import is_secret

    return memo[is_secret, key_path, value][0]


def _pillar_strings(value: Any) -> Iterator[str]:
    """The strings of pillar data: its leaves and its dict keys, at every depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield k
            yield from _pillar_strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _pillar_strings(v)
