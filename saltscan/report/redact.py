"""Masking secret values out of everything a reporter writes.

Rules never put secret values in messages; this is the second line of defence. Every
reporter builds one ``ReportRedactor`` from ``ReportInput.secret_values`` and passes
every string through it. Structured formats (JSON, SARIF, CodeClimate, JUnit) redact
every string, keys and attribute values included, *before* serialising: escaping
cannot then hide a value from the match, and what is left in the document (numbers,
booleans, null, syntax) holds no value. Redacting the serialised text instead could
turn a line number into a mask when a secret is all digits, and break the document.
The text report redacts every line it writes.

When ``saltscan.secrets.Redactor`` (the project-wide redactor) is importable it runs
first; the local value matcher always runs after it, so the guarantee tested here
(no known secret value survives) does not depend on the other module's details.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape as xml_escape

MASK = "****"  # as the graph's; fixed width: it does not tell the secret's length
# Shorter values would mask ordinary words and digits all over a report; they are
# still masked on the source line of the finding that names them (``mask_secret_line``).
MIN_MASKED_LENGTH = 4


def _variants(value: str) -> set[str]:
    """The value, each line of a multi-line value, and their escaped spellings."""
    forms = {value}
    forms.update(line.strip() for line in value.splitlines())
    escaped = set()
    for form in forms:
        escaped.add(json.dumps(form, ensure_ascii=False)[1:-1])
        escaped.add(json.dumps(form)[1:-1])
        escaped.add(xml_escape(form, {'"': "&quot;", "'": "&apos;"}))
    return {f for f in forms | escaped if len(f) >= MIN_MASKED_LENGTH}


def _shared_redact(values: tuple[str, ...]) -> Callable[[str], str] | None:
    """``saltscan.secrets.Redactor(values).redact`` when that module provides it.

    Its result is only a first pass: the local matcher runs after it anyway, and a
    failure in it (a missing module, another signature, an exception) falls back to
    the local matcher alone rather than stopping the report or leaking through an
    error message."""
    try:
        from saltscan.secrets import Redactor  # type: ignore[import-not-found]

        redact = Redactor(values).redact
    except Exception:  # noqa: BLE001 - see the docstring
        return None
    if not callable(redact):
        return None

    def guarded(text: str) -> str:
        try:
            result = redact(text)
        except Exception:  # noqa: BLE001
            return text
        return result if isinstance(result, str) else text

    return guarded


def _as_text(value: object) -> str:
    """Secret values are strings; a number (a PIN in pillar) is matched as written."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def mask_shapes(text: str) -> str:
    """``text`` with whatever *looks* secret masked, known or not (``password=x``,
    ``mysql -px``, credential formats, random-looking tokens), by
    ``saltscan.secrets.mask_text``; unchanged when that is unavailable or fails.

    For source lines: they come straight from the scanned tree, where a literal
    secret may sit that no pillar value lists."""
    try:
        from saltscan.secrets import mask_text  # type: ignore[import-not-found]

        masked = mask_text(text)
    except Exception:  # noqa: BLE001 - a masking failure must not stop the report
        return text
    return masked if isinstance(masked, str) else text


class ReportRedactor:
    """Replaces every known secret value (and its escaped forms) with ``MASK``."""

    def __init__(self, secret_values: Iterable[str]):
        values = tuple(sorted({_as_text(v) for v in secret_values} - {""}))
        forms: set[str] = set()
        for value in values:
            forms |= _variants(value)
        # Longest first, so a value containing another is masked whole.
        ordered = sorted(forms, key=lambda f: (-len(f), f))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._shared = _shared_redact(values) if values else None

    def __call__(self, text: str) -> str:
        if self._shared is not None:
            text = self._shared(text)
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return text

    def deep(self, data: Any) -> Any:
        """Redact every string (keys too) in JSON-like data."""
        if isinstance(data, str):
            return self(data)
        if isinstance(data, dict):
            return {self(k) if isinstance(k, str) else k: self.deep(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.deep(v) for v in data]
        return data


# `key: value`, `"key": value`, `- key: value` (YAML, JSON-ish); the value is masked.
_COLON_KEY = re.compile(
    r"""^(?P<keep>\s*(?:-\s+)*(?:"[^"]*"|'[^']*'|[^\s:#'"{}][^:#]*?)\s*:\s+)(?P<value>\S.*?)\s*$"""
)
# `KEY=value`, `export KEY=value`, `- KEY=value`, `key = value` (env files, INI, shell).
_EQUALS_KEY = re.compile(
    r"^(?P<keep>\s*(?:-\s+)?(?:export\s+)?[A-Za-z_][\w.-]*\s*=\s*)(?P<value>\S.*?)\s*$"
)
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*$")


def mask_secret_line(line: str) -> str:
    """The source line of a plaintext-secret finding with its value masked.

    The value after ``key:`` or ``KEY=`` becomes ``MASK``; a block scalar indicator
    (``password: |``) is kept, since the value is on the following lines; a line
    that is neither (a line inside a block scalar, a Jinja ``set``) is masked whole,
    because it may be nothing but the secret.
    """
    for pattern in (_COLON_KEY, _EQUALS_KEY):
        match = pattern.match(line)
        if match:
            if _BLOCK_SCALAR.match(match.group("value")):
                return line.rstrip()
            return match.group("keep") + MASK
    indent = line[: len(line) - len(line.lstrip())]
    return indent + MASK if line.strip() else line
