"""The Redactor's fast paths give exactly what the plain computations give.

``saltscan.secret_redact`` finds secrets with an expression of their first characters
and tries the candidates in Python, escapes YAML without PyYAML, and skips the
escapers for strings no escaper changes. Each is checked here against the plain
computation it replaces, on tricky and random inputs.
"""

from __future__ import annotations

import json
import random
import re

import pytest
import yaml

from saltscan import secret_redact
from saltscan.secret_redact import (
    ESCAPERS,
    MASK,
    Redactor,
    _compile,
    _yaml_double,
    escaped_forms,
    redaction_key,
)

_ALPHABET = "ab'\"/\\&<> %\nc:@é+=~_.-\t"


def _yaml_reference(text: str) -> str:
    if text.isascii() and text.isprintable():
        return json.dumps(text)[1:-1]
    dumped = yaml.safe_dump(text, default_style='"', width=float("inf"), allow_unicode=True)
    return dumped.strip().removesuffix("...").strip()[1:-1]


def _forms_reference(secret: str) -> set[str]:
    once = {form for esc in ESCAPERS for form in esc(secret)}
    twice = {form for first in once for esc in ESCAPERS for form in esc(first)}
    return {secret} | once | twice


def _random_strings(seed: int, count: int, alphabet: str = _ALPHABET, longest: int = 12) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(count)]


def test_yaml_double_quoting_is_pyyaml_s():
    special = ['"', "\\", "\x85", "\u2028", "\u2029", "\ufeff", "\xa0", "\x7f", "\x00", "\t", "\n", "\r",
               "\x1b", "\ud800", "\udfff", "\U0001F600", "\ufffe", "\uffff", "\ue000", "\ud7ff", " ", "...",
               "\x9f", "\xff", "\u0100", "'", "#", ":", "- "]
    texts = special + [chr(c) for c in range(0x300)] + [f"x{c} y" for c in special]
    rnd = random.Random(7)
    texts += ["".join(rnd.choice(special + ["a", "é", chr(rnd.randint(0, 0x10FFFF))]) for _ in range(8))
              for _ in range(2000)]
    for text in texts:
        assert _yaml_double(text) == _yaml_reference(text), repr(text)


@pytest.mark.parametrize("secret", ["S3cretPass", "abc-DEF_12.3~x", "p@ss'w\"o/r\\d&<x>", "pässwört 1",
                                    "a+b=c/d", "line1\nline2", ""])
def test_escaped_forms_are_the_plain_escapings(secret):
    assert escaped_forms(secret) == _forms_reference(secret)


def test_escaped_forms_on_random_strings():
    for secret in _random_strings(11, 400):
        assert escaped_forms(secret) == _forms_reference(secret), repr(secret)


def _whole_expression(redactor: Redactor) -> re.Pattern[str] | None:
    """What the Redactor used to search with: one alternation of every form."""
    forms = set(redactor._labels)
    return _compile(forms) if forms else None


@pytest.mark.parametrize("max_head_hits", [0, 1, 3, secret_redact.MAX_HEAD_HITS])
def test_matching_is_one_alternation_s(monkeypatch, max_head_hits):
    # 0 and 1 force the whole expression early; the default mostly tries heads.
    monkeypatch.setattr(secret_redact, "MAX_HEAD_HITS", max_head_hits)
    rnd = random.Random(max_head_hits)
    for trial in range(150):
        secrets = _random_strings(trial, rnd.randint(1, 5), longest=9)
        labelled = {s: f"key{i}" for i, s in enumerate(secrets)}
        red = Redactor(labelled)
        whole = _whole_expression(red)
        for _ in range(8):
            parts = _random_strings(rnd.random(), 6, longest=3)
            for _ in range(rnd.randint(0, 3)):
                form = rnd.choice(sorted(escaped_forms(rnd.choice(secrets)) | {"abcd"}))
                parts.insert(rnd.randint(0, len(parts)), form[:rnd.randint(max(len(form) - 2, 0), len(form))])
            text = "".join(parts)
            expected = whole.sub(MASK, text) if whole else text
            assert red.redact(text) == expected, (secrets, text)
            assert red.contains_secret(text) == bool(whole and whole.search(text))
            labels = sorted({lab for m in (whole.finditer(text) if whole else ()) for lab in red._labels[m.group()]})
            assert red.labels_in(text) == tuple(labels)


def test_a_text_full_of_near_misses_stays_fast():
    red = Redactor(["aaaab-secret"])
    text = "a" * 300_000 + "aaaab-secret"
    assert red.redact(text) == "a" * 300_000 + MASK


def test_equal_keys_redact_alike():
    a = ["hunter22", " hunter22 ", 1234567]
    b = [1234567, "hunter22", " hunter22 ", "hunter22"]
    assert redaction_key(a) == redaction_key(b)
    text = "x hunter22 y 1234567 ' hunter22 '"
    shown = Redactor(a).redact(text)
    assert shown == Redactor(b).redact(text)
    assert "hunter22" not in shown and "1234567" not in shown
    assert redaction_key(["hunter22"]) != redaction_key(["hunter23"])


def test_str_subclasses_are_escaped_and_returned_as_before():
    from markupsafe import Markup

    # a Markup escapes on its own (replace, repr): its forms are its own, not the str's
    assert escaped_forms(Markup("hunter22")) == _forms_reference(Markup("hunter22")) != {"hunter22"}
    red = Redactor(["hunter22"])
    shown = red.redact(Markup("no secret here"))
    assert type(shown) is str and shown == "no secret here"  # as re.sub hands it back
    assert type(Redactor([]).redact(Markup("x"))) is Markup
    assert redaction_key([Markup("hunter22")]) != redaction_key(["hunter22"])
