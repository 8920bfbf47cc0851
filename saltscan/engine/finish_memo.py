"""The last ``RuleRun.finish`` of a long-running process, reused while its inputs hold.

``finish`` (ignores, severities, redaction, the merge of copies, suppressions, order)
is a function of the rules, the configuration, the renders (their secret pillar
values and state lines), the findings it is given (tree findings, and each render's
with the minion it holds on) and the text of every file a finding is in (its
suppression comments). A hook run after which nothing changed hands it the same
findings again: each render's are the very tuple ``KeptFindings`` kept, the tree
rules' the very objects ``TreeFindingsMemo`` kept (or equal ones). So the last
call's inputs are kept, compared (objects by identity, else by every field; file
texts by value) and, when all are the same, its result is the answer.

It lives on the ``ScanMemo`` a process carries from scan to scan
(``ScanMemo.next_scan``); a run with a fresh memo starts with none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from saltscan.findings import Finding
from saltscan.model import MinionRender


@dataclass(frozen=True)
class FinishInputs:
    rules: tuple[type, ...]
    config: Any
    renders: tuple[MinionRender, ...]  # held: compared by identity
    tree_found: tuple[Finding, ...]
    by_render: tuple[tuple[str, tuple[Finding, ...]], ...]  # (minion, its render's findings)


def same_finding(a: Finding, b: Finding) -> bool:
    # ``extra`` is no part of a Finding's equality, but it is of the output.
    return a is b or (a == b and a.extra == b.extra)


def _same_findings(a: tuple[Finding, ...], b: tuple[Finding, ...]) -> bool:
    return a is b or (len(a) == len(b) and all(map(same_finding, a, b)))


def _same(last: FinishInputs, now: FinishInputs) -> bool:
    if (len(last.renders) != len(now.renders) or len(last.by_render) != len(now.by_render)
            or any(a is not b for a, b in zip(last.renders, now.renders))
            or last.rules != now.rules or last.config != now.config):
        return False
    if not _same_findings(last.tree_found, now.tree_found):
        return False
    return all(m == n and _same_findings(a, b) for (m, a), (n, b) in zip(last.by_render, now.by_render))


def _files(inputs: FinishInputs) -> set[str]:
    files = {f.location.file for f in inputs.tree_found}
    for _, found in inputs.by_render:
        files.update(f.location.file for f in found)
    return files


class FinishMemo:
    """One process's last finish: see the module docstring."""

    def __init__(self) -> None:
        self._last: tuple[FinishInputs, tuple[tuple[str, str | None], ...], tuple[Finding, ...]] | None = None
        # The entry ``put`` replaced: it may hold the last references to the renders of
        # an earlier model, which its owner frees when no reply waits (``forget_replaced``).
        self._replaced: Any = None
        self.reused = 0

    def get(self, inputs: FinishInputs, read_text: Callable[[str], str | None]) -> tuple[Finding, ...] | None:
        """The last result, if it was computed from the same inputs and file texts."""
        if self._last is None:
            return None
        last, texts, result = self._last
        if not _same(last, inputs) or any(read_text(path) != text for path, text in texts):
            return None
        self.reused += 1
        return result

    def put(self, inputs: FinishInputs, read_text: Callable[[str], str | None],
            result: tuple[Finding, ...]) -> None:
        files = sorted(_files(inputs) | {f.location.file for f in result})
        self._replaced = self._last
        self._last = (inputs, tuple((path, read_text(path)) for path in files), result)

    def forget_replaced(self) -> None:
        self._replaced = None
