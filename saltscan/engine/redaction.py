"""The runner's defence in depth: mask any known secret value in a finding's text.

Rules never put a value in a message; this masks one that slipped in anyway. Building
a ``Redactor`` (every escaped form of every secret, one trie expression) costs more
than all the rules of a small fleet, and almost always finds nothing, so only the
secrets that may occur in some finding's text go into it.

Which ones may occur: every escaping the Redactor knows (JSON, YAML, URL, HTML, shell,
``repr``, and each applied twice) replaces characters one by one and leaves the
characters of ``VERBATIM_RUN`` as they are. So every run of them in a secret is in each
of its escaped forms, and a secret none of whose forms can be in a text has a run that
is not in it. A secret left out of the Redactor occurs in no finding; an expression
without it matches exactly where the full one does (tests/engine/test_engine_redaction.py
checks the escapings against this).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

from saltscan.engine.context import secret_leaf
from saltscan.engine.memo import ScanMemo
from saltscan.findings import Finding
from saltscan.model import Model
from saltscan.secret_redact import MIN_SECRET_LENGTH

# Characters no escaping changes: ASCII letters, digits, ``_.~-``.
VERBATIM_RUN = re.compile(r"[A-Za-z0-9_.~-]+")


def redacted(findings: list[Finding], model: Model, memo: ScanMemo) -> list[Finding]:
    """``findings`` with every known secret value (pillar leaves marked or judged
    secret) masked in their message, hint and extra values."""
    from saltscan.secrets import Redactor

    values = {
        str(pv.value)
        for render in model.renders
        for pv in render.pillar_values
        if isinstance(pv.value, (str, int)) and not isinstance(pv.value, bool)
        and (pv.secret or secret_leaf(memo, pv.key_path, pv.value))
    }
    if not values:
        return findings
    texts = [_text(f) for f in findings]
    # Copies of one finding (one per minion) have the same text: searched once.
    present = may_occur(values, "\x1f".join(dict.fromkeys(texts)))
    if not present:
        return findings
    redactor = Redactor(sorted(present))
    if not redactor:
        return findings
    out = []
    for f, text in zip(findings, texts):
        if redactor.contains_secret(text):
            f = replace(
                f, message=redactor.redact(f.message),
                hint=redactor.redact(f.hint) if f.hint else f.hint,
                extra=tuple((k, redactor.redact(v)) for k, v in f.extra),
            )
        out.append(f)
    return out


def may_occur(values: Iterable[str], text: str) -> list[str]:
    """The ``values`` some escaped form of which may be in ``text``, sorted: those
    whose verbatim runs are all in it, or those of one of their lines (the Redactor
    also looks for the lines of a multi-line secret on their own, when they are at
    least ``MIN_SECRET_LENGTH`` long, like every string it looks for)."""
    found: dict[str, bool] = {}

    def all_in(part: str) -> bool:
        for run in VERBATIM_RUN.findall(part):
            if run not in found:
                found[run] = run in text
            if not found[run]:
                return False
        return True  # also a part with no verbatim character: it may be anywhere

    return [
        v for v in sorted(values)
        if all_in(v) or any(all_in(line) for line in v.splitlines() if len(line.strip()) >= MIN_SECRET_LENGTH)
    ]


def _text(f: Finding) -> str:
    return "\x1f".join([f.message, f.hint or "", *(v for _, v in f.extra)])
