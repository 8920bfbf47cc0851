"""``GraphMemo``: work the graph builds of one scan can share.

Building a minion's graph repeats work that depends only on content, not on the
minion: the same rendered template (or state argument) is scanned for env vars,
endpoints and ports; the same set of secret values gives the same ``Redactor``, whose
escaped forms and expression are costly to build. Each entry is keyed on exactly what
its value is computed from, so a memo may be shared by any builds; reusing it for the
renders of one scan is what it is for. It holds no secret in any printable form: the
keys are the texts and values the model already holds.
"""

from __future__ import annotations

from typing import Iterable

from saltscan.graph.textscan import TextScans
from saltscan.secret_redact import Redactor, redaction_key


class GraphMemo:
    """Passed to ``build_minion_graph(render, memo=...)``; one per scan (or per build,
    the default). Grows with the distinct texts and secret sets it has seen."""

    def __init__(self) -> None:
        self.texts = TextScans()
        self._redactors: dict[frozenset[tuple[type, str]], Redactor] = {}

    def redactor(self, secrets: Iterable[object]) -> Redactor:
        """``Redactor(secrets)``, built once per distinct set of secret strings."""
        values = list(secrets)
        key = redaction_key(values)
        found = self._redactors.get(key)
        if found is None:
            found = self._redactors[key] = Redactor(values)
        return found
