"""Findings of one minion kept between scans by a long-running process.

``RuleRun.render_findings(render, graph)`` depends on the render and its graph, the
configuration and the rules, the tree (its files' names: whether a ``salt://``
target exists), and the original files the rules read for that minion. The hook
daemon keeps renders as the same objects while they are valid, so ``KeptFindings``
keys a minion's findings on the render's identity and a digest of the rest, and
checks, scan by scan, that every original file they were computed from still has
the content it had. A comment added to an SLS (after which the render is reused)
re-runs the rules of just the minions whose findings read that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from saltscan.engine.runner import RuleRun
from saltscan.engine.source_reads import recording_sources
from saltscan.findings import Finding
from saltscan.model import MinionRender, State


@dataclass(frozen=True)
class _Kept:
    render: MinionRender  # held, so that its id is not reused while kept
    graph: Any
    context: str
    sources: tuple[tuple[str, str | None], ...]  # (relative path, sha256 of its text)
    findings: tuple[Finding, ...]


class KeptFindings:
    """Owned by one long-running process; see the module docstring."""

    def __init__(self) -> None:
        self._kept: dict[int, _Kept] = {}
        # Renders whose state rules looked at some states only (``focus``): their whole
        # findings are computed and kept by ``complete_pending``, after the reply.
        self._pending: list[tuple[RuleRun, MinionRender, Any, str]] = []
        self.reused = 0

    def render_findings(self, run: RuleRun, render: MinionRender, graph: Any, context: str,
                        focus: "Callable[[MinionRender], tuple[State, ...] | None] | None" = None) -> tuple[Finding, ...]:
        """The render's findings: kept ones if still valid, else computed and kept.
        ``focus(render)``, when given and not None, names the states the caller needs
        the state rules to see (saltscan.engine.focus): only those are checked now, and
        the whole findings wait for ``complete_pending``."""
        # The scan-wide results of the last scan hold under the same context.
        run.memo.carry_once(context, run.reader.look)
        if self._pending and self._pending[0][0] is not run:
            self._pending = []  # a new scan: the last one's are computed again if needed
        kept = self._kept.get(id(render))
        if (kept is not None and kept.render is render and kept.graph is graph and kept.context == context
                and all(run.reader.text_digest(path) == sha for path, sha in kept.sources)):
            self.reused += 1
            return kept.findings
        states = focus(render) if focus is not None else None
        if states is not None:
            self._pending.append((run, render, graph, context))
            return tuple(run.render_findings(render, graph, states))
        return self._compute(run, render, graph, context)

    def _compute(self, run: RuleRun, render: MinionRender, graph: Any, context: str) -> tuple[Finding, ...]:
        with recording_sources() as sources:
            found = tuple(run.render_findings(render, graph))
        digests = tuple((path, run.reader.text_digest(path)) for path in sorted(sources))
        self._kept[id(render)] = _Kept(render, graph, context, digests, found)
        return found

    def has_pending(self) -> bool:
        return bool(self._pending)

    def complete_pending(self) -> None:
        """The whole findings of the renders the last scan checked in part, kept for the
        next scan (between requests: the reply did not wait for them)."""
        pending, self._pending = self._pending, []
        for run, render, graph, context in pending:
            self._compute(run, render, graph, context)

    def keep_only(self, renders: tuple[MinionRender, ...]) -> None:
        """Forget the findings of renders no longer in the model."""
        alive = {id(r): r for r in renders}
        self._kept = {k: v for k, v in self._kept.items() if alive.get(k) is v.render}
