"""``GraphMemo``: work the graph builds of one scan can share.

Building a minion's graph repeats work that depends only on content, not on the
minion: the same rendered template (or state argument) is scanned for env vars,
endpoints and ports; the same set of secret values gives the same ``Redactor``, whose
escaped forms and expression are costly to build, and redacts the same ids and labels
the same way; the same state gives the same facts, resources and graph pieces
(``StatePieces``). Each entry is keyed on exactly what its value is computed from, so
a memo may be shared by any builds; reusing it for the renders of one scan (or of
the requests a hook daemon serves) is what it is for. It holds no secret in any
printable form: the keys are the texts and values the model already holds.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from saltscan.graph.facts import StateFacts
from saltscan.graph.inferred import InferenceMemo
from saltscan.graph.pieces import StatePiece, StatePieces, same_data
from saltscan.graph.textscan import TextScans
from saltscan.model import RenderedTemplate, State
from saltscan.secret_redact import Redactor, redaction_key


MAX_STATES = 100_000  # states whose pieces are kept (a long-running process meets many)
MAX_TEXTS = 200_000  # redacted strings kept per redactor
MAX_TEMPLATES = 10_000  # (template, env file) pairs whose facts are kept


def _same_template(a: RenderedTemplate, b: RenderedTemplate) -> bool:
    """``same_data(a, b)`` for two equal templates; the line map holds the ints the
    renderer numbered lines with, compared as a whole (it can be long)."""
    return (a is b or a.line_map == b.line_map
            and all(same_data(getattr(a, f), getattr(b, f)) for f in ("state_id", "source", "location", "text")))


class TemplatePiece:
    """The facts of one template rendered to an env file or not, and the graph pieces
    made from them (keyed like ``StatePiece.fragments``)."""

    __slots__ = ("template", "facts", "fragments")

    def __init__(self, template: RenderedTemplate, facts: StateFacts) -> None:
        self.template = template
        self.facts = facts
        self.fragments: dict[Any, Any] = {}


class GraphMemo:
    """Passed to ``build_minion_graph(render, memo=...)``; one per scan (or per build,
    the default). Grows with the distinct texts, states and secret sets it has seen."""

    def __init__(self) -> None:
        self.texts = TextScans()
        self._redactors: dict[frozenset[tuple[type, str]], Redactor] = {}
        self._redacted: dict[Redactor, dict[str, str]] = {}
        self.pieces = StatePieces(MAX_STATES)
        self._templates: dict[tuple[RenderedTemplate, bool], TemplatePiece] = {}
        self.inference = InferenceMemo()
        self._sls_paths: dict[tuple[str, ...], dict[str, str]] = {}

    def piece(self, state: State) -> StatePiece:
        """The piece of ``state`` (or of a state the same as it)."""
        return self.pieces.get(state)

    def pieces_of(self, minion: str, states: Sequence[State]) -> list[StatePiece]:
        """The pieces of the states of one render of ``minion``."""
        return self.pieces.of_render(minion, states)

    def state_facts(self, state: State) -> StateFacts:
        """``state_facts(state, self.texts)``, once per state (``StatePieces``). Facts
        are never changed once made, so they may be shared."""
        return self.pieces.get(state).facts(self.texts)

    def template_piece(self, template: RenderedTemplate, env_file: bool,
                       make: Callable[[], StateFacts]) -> TemplatePiece:
        """The ``TemplatePiece`` of (``template``, ``env_file``); ``make()`` gives its facts."""
        key = (template, env_file)
        found = self._templates.get(key)
        # Equal is not enough: a str subclass compares equal to its text (``same_data``).
        if found is None or not _same_template(found.template, template):
            if len(self._templates) >= MAX_TEMPLATES:
                self._templates.clear()
            found = self._templates[key] = TemplatePiece(template, make())
        return found

    def sls_paths(self, sls_files: tuple[str, ...], make: Callable[[tuple[str, ...]], dict[str, str]]) -> dict[str, str]:
        """``make(sls_files)`` (``build.sls_file_paths``), once per list of files: the
        minions of a fleet render mostly the same ones. Only read by its callers."""
        found = self._sls_paths.get(sls_files)
        if found is None:
            if len(self._sls_paths) >= MAX_TEMPLATES:
                self._sls_paths.clear()
            found = self._sls_paths[sls_files] = make(sls_files)
        return found

    def keep_only(self, states: Iterable[State]) -> None:
        """Forget the pieces of states not in ``states`` (a long-running process: the
        states of renders it no longer holds would otherwise be kept alive here)."""
        self.pieces.keep_only(states)

    def redactor(self, secrets: Iterable[object]) -> Redactor:
        """``Redactor(secrets)``, built once per distinct set of secret strings."""
        values = list(secrets)
        key = redaction_key(values)
        found = self._redactors.get(key)
        if found is None:
            found = self._redactors[key] = Redactor(values)
        return found

    def redacted(self, redactor: Redactor) -> dict[str, str]:
        """str -> ``redactor.redact(str)``, for ``GraphRedactor`` to fill and read."""
        found = self._redacted.get(redactor)
        if found is None or len(found) >= MAX_TEXTS:
            found = self._redacted[redactor] = {}
        return found
