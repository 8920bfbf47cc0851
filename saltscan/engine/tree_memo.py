"""The last ``RuleRun.tree_findings`` of a long-running process, reused while its inputs hold.

Source rules and ``GraphRule.check_tree`` see the whole model through a
``TreeContext``: their findings are a function of the rules (with their options),
the configuration, the model (its tree, its tree-level errors, its renders) and of
the files they look at through the context's reader (whether each is a file, and its
text). A hook run after which nothing changed, or only a file's render changed,
hands the same renders (the very objects the render cache kept) and the same texts
again: the last call's inputs are kept, compared (renders by identity, the rest by
value) and, when all are the same, its findings are the answer.

It lives on the ``ScanMemo`` a process carries from scan to scan
(``ScanMemo.next_scan``); a run with a fresh memo starts with none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from saltscan.findings import Finding
from saltscan.model import MinionRender, Model


@dataclass(frozen=True)
class TreeInputs:
    rules: tuple[tuple[type, Any], ...]  # (rule class, its options)
    config: Any
    strict: bool
    model: Model  # its renders compared by identity
    looked_at: tuple[tuple[str, bool, str | None], ...]  # (path, is a file, text), sorted


class TreeFindingsMemo:
    """One process's last tree findings: see the module docstring."""

    def __init__(self) -> None:
        self._last: tuple[TreeInputs, tuple[Finding, ...]] | None = None
        self.reused = 0

    def get(self, inputs: TreeInputs, look: Callable[[str], tuple[bool, str | None]]) -> list[Finding] | None:
        """The last findings, if they were found from the same inputs; ``inputs.looked_at``
        is not used: ``look(path)`` says what each file the last run looked at is now."""
        if self._last is None:
            return None
        last, found = self._last
        if not (_same_renders(last.model.renders, inputs.model.renders) and last.strict == inputs.strict
                and last.rules == inputs.rules and last.config == inputs.config
                and last.model.errors == inputs.model.errors and last.model.tree == inputs.model.tree):
            return None
        if any(look(path) != (is_file, text) for path, is_file, text in last.looked_at):
            return None
        self.reused += 1
        return list(found)

    def put(self, inputs: TreeInputs, found: list[Finding]) -> None:
        self._last = (inputs, tuple(found))


def _same_renders(a: tuple[MinionRender, ...], b: tuple[MinionRender, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))
