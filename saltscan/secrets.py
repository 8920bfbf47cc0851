"""What is a secret, and how it is hidden: the one module rules and the renderer import.

- ``classify_key(key_path)``: does the key name say secret (``secret_keys``)?
- ``classify_value(value)``: is the value a known credential format, random key
  material, or a reference to a secret kept elsewhere (``secret_values``)?
- ``is_secret(key_path, value)``: both combined, the decision for one pillar leaf.
- ``mask``, ``mask_text``, ``Redactor``: hiding values (``secret_redact``).
- ``secret_values_of(data)``: the plaintext secret leaves of a pillar, for a Redactor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Iterator

from saltscan.model import SecretStorage
from saltscan.secret_keys import classify_key, key_words, name_kind
from saltscan.secret_redact import MASK, Redactor, escaped_forms, mask, mask_text
from saltscan.secret_values import (
    classify_value,
    externalised,
    is_neutral,
    is_password_hash,
    is_placeholder,
    looks_random,
    shannon_entropy,
)

__all__ = [
    "MASK", "Redactor", "SecretStorage", "classify_key", "classify_value", "escaped_forms",
    "externalised", "is_neutral", "is_password_hash", "is_placeholder", "is_secret",
    "iter_leaves", "key_words", "looks_random", "mask", "mask_text", "name_kind",
    "secret_values_of", "shannon_entropy",
]

MIN_NUMERIC_SECRET_DIGITS = 6
# ``password: /run/secrets/db``: where the secret is read from, not the secret.
_SECRET_FILE = re.compile(r"(?:/[\w.@-]+){2,}/?")


def is_secret(key_path: str, value: Any) -> tuple[bool, SecretStorage, str | None]:
    """``(secret, storage, reason)`` for the pillar leaf ``key_path`` holding ``value``.

    - a known credential format or random key material is a secret wherever it is;
    - ciphertext (GPG, NACL) and secret-store references (SDB, Vault) are secrets kept
      outside the tree, whatever the key is called;
    - a template expression, ``${VAR}`` or unknown value is a secret by REFERENCE when
      the key name says secret, else nothing;
    - under a secret key name, an absolute file path is a REFERENCE (the secret is read
      from that file); any other non-empty value is a PLAINTEXT secret (also
      ``changeme`` and crypt hashes), except booleans, numbers under 6 digits and
      placeholders (``****``, ``<password>``, ``REPLACE_ME``).

    ``reason`` never contains the value.
    """
    key_reason = classify_key(key_path) if key_path else None
    if value is None or isinstance(value, (bool, float)):
        return False, SecretStorage.PLAINTEXT, None
    if isinstance(value, int):
        if key_reason and len(str(abs(value))) >= MIN_NUMERIC_SECRET_DIGITS:
            return True, SecretStorage.PLAINTEXT, key_reason
        return False, SecretStorage.PLAINTEXT, None
    if not isinstance(value, str):
        return False, SecretStorage.PLAINTEXT, None
    found = classify_value(value)
    if found is not None:
        storage, reason = found
        if storage is SecretStorage.PLAINTEXT:
            return True, storage, reason
        if storage is SecretStorage.REFERENCE:
            return (True, storage, key_reason) if key_reason else (False, storage, None)
        return True, storage, reason
    if key_reason is None or is_neutral(value):
        return False, SecretStorage.PLAINTEXT, None
    if _SECRET_FILE.fullmatch(value.strip()):
        return True, SecretStorage.REFERENCE, f"{key_reason} (path to a secret file)"
    if is_password_hash(value):
        return True, SecretStorage.PLAINTEXT, f"{key_reason} (password hash)"
    return True, SecretStorage.PLAINTEXT, key_reason


def iter_leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(colon key path, value)`` of every leaf; list items get their index as a key.

    Reads mappings with ``dict.items`` when they are dicts, so tracked pillar views
    do not record these reads.
    """
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, Mapping):
            pairs = dict.items(item) if isinstance(item, dict) else item.items()
            children = [(f"{path}:{k}" if path else str(k), v) for k, v in pairs]
        elif isinstance(item, (list, tuple)):
            children = [(f"{path}:{i}" if path else str(i), v) for i, v in enumerate(item)]
        else:
            yield path, item
            continue
        stack.extend(reversed(children))


def secret_values_of(data: Any) -> dict[str, str]:
    """Plaintext secret values in ``data`` (a pillar), mapped to their key path.

    Values seen under several keys keep the first key path in sorted order.
    """
    found: dict[str, str] = {}
    for path, value in sorted(iter_leaves(data), key=lambda pv: pv[0]):
        secret, storage, _ = is_secret(path, value)
        if secret and storage is SecretStorage.PLAINTEXT:
            found.setdefault(str(value), path)
    return found
