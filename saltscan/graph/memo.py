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

from saltscan.graph.facts import StateFacts, state_facts
from saltscan.graph.textscan import TextScans
from saltscan.model import State
from saltscan.secret_redact import Redactor, redaction_key


MAX_STATES = 100_000  # states whose facts are kept (a long-running process meets many)


class GraphMemo:
    """Passed to ``build_minion_graph(render, memo=...)``; one per scan (or per build,
    the default). Grows with the distinct texts and secret sets it has seen."""

    def __init__(self) -> None:
        self.texts = TextScans()
        self._redactors: dict[frozenset[tuple[type, str]], Redactor] = {}
        # id(state) -> (the state, its facts): the state is held so that its id is not
        # reused. States are frozen and facts are never changed once made, so a state
        # object a later build meets again (the hook daemon reuses whole compiles) has
        # the same facts.
        self._state_facts: dict[int, tuple[State, StateFacts]] = {}

    def state_facts(self, state: State) -> StateFacts:
        """``state_facts(state, self.texts)``, once per state object."""
        found = self._state_facts.get(id(state))
        if found is None or found[0] is not state:
            if len(self._state_facts) >= MAX_STATES:
                self._state_facts.clear()
            found = self._state_facts[id(state)] = (state, state_facts(state, self.texts))
        return found[1]

    def keep_only(self, states: Iterable[State]) -> None:
        """Forget the facts of states not in ``states`` (a long-running process: the
        states of renders it no longer holds would otherwise be kept alive here)."""
        alive = {id(st): st for st in states}
        self._state_facts = {k: v for k, v in self._state_facts.items() if alive.get(k) is v[0]}

    def redactor(self, secrets: Iterable[object]) -> Redactor:
        """``Redactor(secrets)``, built once per distinct set of secret strings."""
        values = list(secrets)
        key = redaction_key(values)
        found = self._redactors.get(key)
        if found is None:
            found = self._redactors[key] = Redactor(values)
        return found
