"""Hiding secret values: ``mask``, ``mask_text`` and ``Redactor``.

``MASK`` is fixed: it says nothing about the value's length or characters.

``Redactor`` knows the secret values of a tree (from pillar) and replaces every
occurrence in any text, also as they appear once or twice escaped: JSON, YAML single
and double quoted, URL (``quote``/``quote_plus``), HTML, shell single quotes and
Python ``repr``. Multi-line secrets (PEM keys) are also found line by line, so a key
re-indented into a template is still hidden. One regular expression of the values'
first characters, built as a trie, finds where one may start (``_Matcher``).

``mask_text`` hides what *looks* secret in text when no list of values is known:
credential formats, ``password=...`` assignments, ``--password X`` options, ``mysql
-pX``, random-looking tokens.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import os
import re
from typing import Any, Callable, Iterable, Mapping

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
# What PyYAML's emitter escapes in a double-quoted scalar with ``allow_unicode`` and
# no line width (``Emitter.write_double_quoted``), and how: done here with one
# substitution, as ``yaml.safe_dump(text, default_style='"', ...)`` would (the tests
# compare the two), at a small fraction of the cost.
_YAML_ESCAPES = {
    "\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f",
    "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\u2028": "L", "\u2029": "P",
}
_YAML_ESCAPED = re.compile('["\\\\\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd]')


def _yaml_escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _YAML_ESCAPES:
        return "\\" + _YAML_ESCAPES[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _yaml_double(text: str) -> str:
    """``text`` as PyYAML writes it between double quotes."""
    return _YAML_ESCAPED.sub(_yaml_escape, text)


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


# Characters no escaper changes: URL-safe for ``quote(safe="")`` and ``quote_plus``
# (ASCII letters, digits, ``_.-~``), nothing JSON, YAML, HTML, shell or ``repr``
# escapes. A string of only these is its own and only escaped form (most secrets, and
# most of a secret's once-escaped forms), so the escapers need not run on it.
_UNESCAPED = re.compile(r"[A-Za-z0-9_.~-]*")


def _escaped_once(text: str) -> set[str]:
    # Only a plain str: a subclass may escape on its own (a Markup's repr, replace).
    if type(text) is str and _UNESCAPED.fullmatch(text):
        return {text}
    return {form for esc in ESCAPERS for form in esc(text)}


def escaped_forms(secret: str) -> set[str]:
    """``secret`` as written raw, escaped once, and escaped twice (JSON in YAML ...)."""
    return set(_forms(secret))


# Every minion's Redactor (renderer, graph, rules, reports) escapes mostly the same
# secrets, some 150 escapings each: they are made once per process. A pure function
# of a string, bounded (the least recently used go first; a long PEM key's forms are
# some 100 kB), never printed: it only saves time. Typed: a str subclass (a Markup)
# escapes differently from the equal str.
@functools.lru_cache(maxsize=512, typed=True)
def _forms(secret: str) -> frozenset[str]:
    once = _escaped_once(secret)
    twice = {form for first in once for form in _escaped_once(first)}
    return frozenset({secret} | once | twice)


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


# --- finding the secrets ------------------------------------------------------------------
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


def _compile(strings: set[str]) -> re.Pattern[str]:
    ordered = sorted(strings)
    try:
        return re.compile(_trie_pattern(ordered))
    except (RecursionError, re.error, OverflowError):
        # Pathological prefix chains: a flat alternation, longest first, is still right.
        flat = sorted(strings, key=lambda s: (-len(s), s))
        return re.compile("|".join(re.escape(s) for s in flat))


# Heads found in one text before the whole expression is used instead (a text full of
# near misses, ``aaaa`` repeated for a secret ``aaaab``, is slow to check one by one).
MAX_HEAD_HITS = 64


class _Matcher:
    """Finds the searched strings leftmost first, the longest at a position, without
    overlaps: what one alternation of them all does (``re.sub``, ``finditer``).

    The expression searched first is only of the strings' first ``MIN_SECRET_LENGTH``
    characters (their heads): far smaller than the strings (escaped forms share
    heads), it compiles in a fraction of the time, and most texts hold none. Where a
    head is found, the strings starting with it are tried longest first. The
    alternation of the whole strings is compiled only for a text with many heads.
    """

    def __init__(self, strings: Iterable[str]) -> None:
        self._strings = frozenset(strings)
        # A str subclass (a Markup) builds its own expression (``+`` escapes): such a
        # set is searched with the whole alternation, exactly as it always was.
        self._plain = all(type(s) is str for s in self._strings)
        by_head: dict[str, set[int]] = {}
        for s in self._strings:
            by_head.setdefault(s[:MIN_SECRET_LENGTH], set()).add(len(s))
        self._lengths = {head: sorted(lengths, reverse=True) for head, lengths in by_head.items()}
        # Heads all have the same short length: the trie cannot nest deep enough to fail.
        self._heads = re.compile(_trie_pattern(sorted(by_head))) if self._plain else None
        self._whole: re.Pattern[str] | None = None

    def _whole_spans(self, text: str, first_only: bool) -> list[tuple[int, int]]:
        if self._whole is None:
            self._whole = _compile(set(self._strings))
        if first_only:
            m = self._whole.search(text)
            return [m.span()] if m else []
        return [m.span() for m in self._whole.finditer(text)]

    def spans(self, text: str, first_only: bool = False) -> list[tuple[int, int]]:
        if not self._plain:
            return self._whole_spans(text, first_only)
        found: list[tuple[int, int]] = []
        size = len(text)
        hits = 0
        m = self._heads.search(text)
        while m is not None:
            hits += 1
            if hits > MAX_HEAD_HITS:
                return self._whole_spans(text, first_only)
            start = m.start()
            end = next((start + n for n in self._lengths[m.group()]
                        if start + n <= size and text[start:start + n] in self._strings), None)
            if end is None:
                m = self._heads.search(text, start + 1)
                continue
            found.append((start, end))
            if first_only:
                break
            m = self._heads.search(text, end)
        return found


def redaction_key(secrets: Iterable[object]) -> frozenset[tuple[type, str]]:
    """What an unlabelled ``Redactor(secrets)`` depends on: equal keys, equal redactors
    (a cache of redactors is keyed on this). Each string with its type, as ``_forms``."""
    return frozenset((type(raw), raw) for value in secrets for raw in _secret_strings(value))


class Redactor:
    """Replaces every occurrence of known secret values (and their escaped forms).

    ``secrets`` is an iterable of values, or a mapping value -> label (for example
    the pillar key path) so that ``labels_in`` can say which secrets a text holds.
    Values shorter than 4 characters, booleans and None are ignored.
    """

    def __init__(self, secrets: Iterable[object] | Mapping[object, str] = ()) -> None:
        labelled = secrets.items() if isinstance(secrets, Mapping) else ((s, None) for s in secrets)
        # Each string escaped once, however often it is given (keyed with its type, as
        # ``_forms`` is).
        raw_labels: dict[tuple[type, str], tuple[str, set[str]]] = {}
        for value, label in labelled:
            for raw in _secret_strings(value):
                _, bucket = raw_labels.setdefault((type(raw), raw), (raw, set()))
                if label is not None:
                    bucket.add(str(label))
        self._labels: dict[str, set[str]] = {}
        for raw, labels in raw_labels.values():
            for form in _forms(raw):
                if len(form) >= MIN_SECRET_LENGTH:
                    self._labels.setdefault(form, set()).update(labels)
        self._matcher = _Matcher(self._labels) if self._labels else None
        # Masked call arguments, text -> masked text (``render_call_args``' memo): a pure
        # function of the text and these secrets, asked again by every render that
        # shares this redactor (one per pillar content in the hook daemon).
        self.masked_args: dict[str, str] = {}

    def __bool__(self) -> bool:
        return self._matcher is not None

    def __len__(self) -> int:
        """How many distinct strings (secrets and their escaped forms) are searched."""
        return len(self._labels)

    def _spans(self, text: str, first_only: bool = False) -> list[tuple[int, int]]:
        if self._matcher is None or not text:
            return []
        return self._matcher.spans(text, first_only)

    def redact(self, text: str) -> str:
        spans = self._spans(text)
        if not spans:
            if self._matcher is not None and text and type(text) is not str:
                # What ``re.sub`` gave when it did this: a plain str, also for a str
                # subclass (a Markup, a str enum), whenever there was anything to find.
                return str.__str__(text)
            return text
        out, last = [], 0
        for start, end in spans:
            out.append(text[last:start])
            out.append(MASK)
            last = end
        out.append(text[last:])
        return "".join(out)

    def contains_secret(self, text: str) -> bool:
        return bool(self._spans(text, first_only=True))

    def labels_in(self, text: str) -> tuple[str, ...]:
        """Sorted labels of the secrets found in ``text``."""
        found: set[str] = set()
        for start, end in self._spans(text):
            found |= self._labels.get(text[start:end], set())
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
