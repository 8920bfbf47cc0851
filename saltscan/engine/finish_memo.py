"""The last ``RuleRun.finish`` of a long-running process, reused while its inputs hold.

``finish`` (ignores, severities, redaction, the merge of copies, suppressions, order)
is, once the configuration's ignores and severities are applied (first, every
time), a function of the findings left and the minions each holds on, the rules, the
renders (their secret pillar values and state lines),
and the text of every file a finding is in (its suppression comments). A hook run
after which nothing changed hands it the same findings again: the renders' findings
are the very objects ``KeptFindings`` kept, the tree rules' are equal ones. So the
last call's inputs are kept, compared (objects by identity, else by every field;
file texts by value) and, when all are the same, its result is the answer.

It lives on the ``ScanMemo`` a process carries from scan to scan
(``ScanMemo.next_scan``); a run with a fresh memo starts with none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from saltscan.findings import Finding
from saltscan.model import MinionRender


@dataclass(frozen=True)
class FinishInputs:
    rules: tuple[type, ...]
    renders: tuple[MinionRender, ...]  # held: compared by identity
    tagged: tuple[tuple[Finding, tuple[str, ...]], ...]  # (finding, minions it holds on)
    texts: tuple[tuple[str, str | None], ...]  # (file of a finding, its text), sorted


def same_finding(a: Finding, b: Finding) -> bool:
    # ``extra`` is no part of a Finding's equality, but it is of the output.
    return a is b or (a == b and a.extra == b.extra)


class FinishMemo:
    """One process's last finish: see the module docstring."""

    def __init__(self) -> None:
        self._last: tuple[FinishInputs, tuple[Finding, ...]] | None = None
        self.reused = 0

    def get(self, rules: tuple[type, ...], renders: tuple[MinionRender, ...],
            tagged: list[tuple[Finding, tuple[str, ...]]],
            read_text: Callable[[str], str | None]) -> tuple[Finding, ...] | None:
        """The last result, if it was computed from the same inputs."""
        if self._last is None:
            return None
        last, result = self._last
        if (len(last.tagged) != len(tagged) or len(last.renders) != len(renders)
                or last.rules != rules or any(a is not b for a, b in zip(last.renders, renders))):
            return None
        for (old, old_on), (new, new_on) in zip(last.tagged, tagged):
            if old_on != new_on or not same_finding(old, new):
                return None
        if any(read_text(path) != text for path, text in last.texts):
            return None
        self.reused += 1
        return result

    def put(self, rules: tuple[type, ...], renders: tuple[MinionRender, ...],
            tagged: list[tuple[Finding, tuple[str, ...]]],
            read_text: Callable[[str], str | None], result: tuple[Finding, ...]) -> None:
        files = sorted({f.location.file for f, _ in tagged} | {f.location.file for f in result})
        texts = tuple((path, read_text(path)) for path in files)
        self._last = (FinishInputs(rules, renders, tuple(tagged), texts), result)
