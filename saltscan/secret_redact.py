"""Hiding secret values: ``mask``, ``mask_text`` and ``Redactor``.

``MASK`` is fixed: it says nothing about the value's length or characters.

``Redactor`` knows the secret values of a tree (from pillar) and replaces every
occurrence in any text, also as they appear once or twice escaped: JSON, YAML single
and double quoted, URL (``quote``/``quote_plus``), HTML, shell single quotes and
Python ``repr``. Multi-line secrets (PEM keys) are also found line by line, so a key
re-indented into a template is still hidden. One regular expression built as a trie
(shared prefixes factored out, longer continuations tried first) scans the text once.

``mask_text`` hides what *looks* secret in text when no list of values is known:
credential formats, ``password=...`` assignments, ``--password X`` options, ``mysql
-pX``, random-looking tokens.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
from typing import Any, Callable, Iterable, Mapping

import yaml

from saltscan.secret_keys import name_kind
from saltscan.secret_values import (
    PLAINTEXT_PATTERNS,
    UNKNOWN_TOKEN_RE,
    is_neutral,
    random_tokens,
)

MASK = "****"
MIN_SECRET_LENGTH = 4
MIN_LINE_LENGTH = 16  # lines of a multi-line secret redacted on their own


def mask(value: object = None, kind: str | None = None) -> str:
    """The text shown instead of a secret: ``****``, or ``**** (kind)`` if the caller
    names a kind. Nothing of ``value`` (not even its length) reaches the result."""
    del value  # the mask must not depend on the value
    return f"{MASK} ({kind})" if kind else MASK


# --- escaped forms ---------------------------------------------------------------------
def _yaml_double(text: str) -> str:
    if text.isascii() and text.isprintable():
        return json.dumps(text)[1:-1]  # for printable ASCII, YAML escapes exactly as JSON
    dumped = yaml.safe_dump(text, default_style='"', width=float("inf"), allow_unicode=True)
    return dumped.strip().removesuffix("...").strip()[1:-1]


def _url_quotes(text: str) -> list[str]:
    from urllib.parse import quote, quote_plus

    forms = [quote(text, safe=""), quote_plus(text), quote(text, safe="/:@")]
    lowered = [re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), f) for f in forms]
    return forms + lowered


ESCAPERS: tuple[Callable[[str], list[str]], ...] = (
    lambda s: [json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1]],
    lambda s: [s.replace("'", "''"), _yaml_double(s)],
    _url_quotes,
    lambda s: [html.escape(s), html.escape(s, quote=False)],
    lambda s: [s.replace("'", "'\\''"), s.replace("'", "'\"'\"'")],
    lambda s: [repr(s)[1:-1]],
)


def escaped_forms(secret: str) -> set[str]:
    """``secret`` as written raw, escaped once, and escaped twice (JSON in YAML ...)."""
    once = {form for esc in ESCAPERS for form in esc(secret)}
    twice = {form for first in once for esc in ESCAPERS for form in esc(first)}
    return {secret} | once | twice


def _secret_strings(value: object) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    text = str(value) if isinstance(value, (int, float)) else value
    if not isinstance(text, str):
        return []
    out = [text, text.strip()]
    if "\n" in text:
        for line in text.splitlines():
            line = line.strip()
            if len(line) >= MIN_LINE_LENGTH and not line.startswith("-----"):
                out.append(line)
    return [s for s in out if len(s) >= MIN_SECRET_LENGTH]


# --- the trie expression ------------------------------------------------------------------
def _trie_pattern(strings: list[str]) -> str:
    """An alternation of sorted unique ``strings``, factored by shared prefixes."""
    if len(strings) == 1:
        return re.escape(strings[0])
    optional = strings[0] == ""
    rest = strings[1:] if optional else strings
    alternatives = []
    for _, group_iter in itertools.groupby(rest, key=lambda s: s[0]):
        group = list(group_iter)
        if len(group) == 1:
            alternatives.append(re.escape(group[0]))
            continue
        prefix = os.path.commonprefix(group)
        tails = [s[len(prefix):] for s in group]
        alternatives.append(re.escape(prefix) + _trie_pattern(tails))
    body = "|".join(alternatives)
    if optional:
        return f"(?:{body})?"  # greedy: the longer secret wins
    return body if len(alternatives) == 1 else f"(?:{body})"


def _compile(strings: set[str]) -> re.Pattern[str] | None:
    if not strings:
        return None
    ordered = sorted(strings)
    try:
        return re.compile(_trie_pattern(ordered))
    except (RecursionError, re.error, OverflowError):
        # Pathological prefix chains: a flat alternation, longest first, is still right.
        flat = sorted(strings, key=lambda s: (-len(s), s))
        return re.compile("|".join(re.escape(s) for s in flat))


class Redactor:
    """Replaces every occurrence of known secret values (and their escaped forms).

    ``secrets`` is an iterable of values, or a mapping value -> label (for example
    the pillar key path) so that ``labels_in`` can say which secrets a text holds.
    Values shorter than 4 characters, booleans and None are ignored.
    """

    def __init__(self, secrets: Iterable[object] | Mapping[object, str] = ()) -> None:
        labelled = secrets.items() if isinstance(secrets, Mapping) else ((s, None) for s in secrets)
        self._labels: dict[str, set[str]] = {}
        for value, label in labelled:
            for raw in _secret_strings(value):
                for form in escaped_forms(raw):
                    if len(form) >= MIN_SECRET_LENGTH:
                        bucket = self._labels.setdefault(form, set())
                        if label is not None:
                            bucket.add(str(label))
        self._regex = _compile(set(self._labels))

    def __bool__(self) -> bool:
        return self._regex is not None

    def __len__(self) -> int:
        """How many distinct strings (secrets and their escaped forms) are searched."""
        return len(self._labels)

    def redact(self, text: str) -> str:
        if self._regex is None or not text:
            return text
        return self._regex.sub(MASK, text)

    def contains_secret(self, text: str) -> bool:
        return self._regex is not None and bool(text) and self._regex.search(text) is not None

    def labels_in(self, text: str) -> tuple[str, ...]:
        """Sorted labels of the secrets found in ``text``."""
        if self._regex is None or not text:
            return ()
        found: set[str] = set()
        for m in self._regex.finditer(text):
            found |= self._labels.get(m.group(0), set())
        return tuple(sorted(found))

    def redact_data(self, value: Any) -> Any:
        """``value`` with every string inside (keys too) redacted."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {self.redact_data(k): self.redact_data(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return tuple(self.redact_data(v) for v in value)
        if isinstance(value, list):
            return [self.redact_data(v) for v in value]
        return value


# --- masking by shape -------------------------------------------------------------------
# The name is a whole run of name characters (the lookbehind pins the start to the
# run's first character) and is checked with ``name_kind`` afterwards: a regular
# expression that searched for "pass" inside the run would be quadratic on long runs.
_NAME_RUN = r"[A-Za-z0-9_.-]+"
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<name>" + _NAME_RUN + r")[\"']?\s*[:=]\s*"
    r"(?:\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s\"'&;,)}\]]+))"
)
_OPTION = re.compile(
    r"(?<![\w-])--?(?P<name>[A-Za-z0-9_-]+)\s+"
    r"(?:\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s\"'-][^\s\"']*))"
)
MAX_NAME_LENGTH = 128
_MYSQL_P = re.compile(r"(?<![\w-])-p(?P<bare>[^\s'\"-][^\s'\"]*)|(?<![\w-])-p(?:'(?P<sq>[^']+)'|\"(?P<dq>[^\"]+)\")")
_MYSQL = re.compile(r"\bmysql(?:dump|admin|import|check)?\b")


def _value_spans(regex: re.Pattern[str], text: str, check_name: bool) -> list[tuple[int, int]]:
    spans = []
    for m in regex.finditer(text):
        group = next((g for g in ("dq", "sq", "bare") if m.group(g) is not None), None)
        if group is None:
            continue
        value = m.group(group)
        if check_name:
            name = m.group("name").lstrip("-")
            if len(name) > MAX_NAME_LENGTH or name_kind(name) is None:
                continue
        if is_neutral(value) or UNKNOWN_TOKEN_RE.fullmatch(value) or "{{" in value or "${" in value:
            continue
        if value:
            spans.append(m.span(group))
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mask_text(text: str) -> str:
    """``text`` with everything that looks like a secret replaced by ``MASK``."""
    if not text:
        return text
    spans: list[tuple[int, int]] = []
    for pattern in PLAINTEXT_PATTERNS:
        spans.extend(pattern.spans(text))
    spans.extend(_value_spans(_ASSIGNMENT, text, check_name=True))
    spans.extend(_value_spans(_OPTION, text, check_name=True))
    if _MYSQL.search(text):
        spans.extend(_value_spans(_MYSQL_P, text, check_name=False))
    spans.extend(random_tokens(text))
    out, last = [], 0
    for start, end in _merge(spans):
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)
