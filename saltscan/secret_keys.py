"""Does a key NAME say its value is a secret? (``ehr:db:password`` yes, ``password_min_length`` no)

A key name is split into lower-case words (``snake_case``, ``kebab-case``, dotted,
``camelCase`` and ``ALLCAPS_ENV`` names alike). A secret word (``password``,
``token``, ``api key`` ...) makes the name secret unless a word after it says the key
holds something *about* the secret rather than the secret itself (``_min_length``,
``_expiry``, ``_path``, ``_auth``, ``_file`` ...) or a word before it makes it a
switch (``permit_empty_passwords``, ``allow_password``).

A leaf whose own name is neutral is secret when it sits under a secret container
(``app:secrets:stripe``, ``api_tokens:0``), unless its name says it is not the
secret itself (``credentials:db:username``).
"""

from __future__ import annotations

import re

# Whole words that name a secret.
SECRET_WORDS = {
    "password": "password", "passwords": "password", "passwd": "password",
    "pass": "password", "pw": "password", "pwd": "password", "passphrase": "passphrase",
    "passcode": "passphrase", "secret": "secret", "secrets": "secret",
    "token": "token", "tokens": "token", "credential": "credentials",
    "credentials": "credentials", "creds": "credentials", "apikey": "API key",
    "apikeys": "API key", "privatekey": "private key", "secretkey": "secret key",
    "accesskey": "access key", "clientsecret": "client secret", "authtoken": "token",
    "psk": "pre-shared key",
}  # not "dsn": a DSN is secret only with credentials in it (see secret_values)
# "<word> key": names of key material (``api_key``, ``encryption_key``, ``appKey``).
KEY_QUALIFIERS = {
    "api": "API key", "access": "access key", "secret": "secret key",
    "private": "private key", "encryption": "encryption key", "signing": "signing key",
    "sign": "signing key", "master": "master key", "hmac": "HMAC key", "app": "app key",
    "auth": "auth key", "session": "session key", "shared": "shared key",
    "license": "license key", "crypt": "encryption key", "enc": "encryption key",
    "jwt": "JWT key", "cookie": "cookie key", "client": "client key", "service": "service key",
    "routing": "routing key", "integration": "integration key", "webhook": "webhook key",
}
# Suffixes that make a run-together word secret (``dbpassword``, ``bindpw``, ``rootpass``).
SECRET_SUFFIXES = (
    ("password", "password"), ("passwords", "password"), ("passwd", "password"),
    ("passphrase", "passphrase"), ("pass", "password"), ("pw", "password"),
    ("pwd", "password"), ("secret", "secret"), ("secrets", "secret"),
    ("token", "token"), ("tokens", "token"), ("apikey", "API key"),
    ("accesskey", "access key"), ("secretkey", "secret key"), ("privatekey", "private key"),
)
# Words ending like a secret suffix that are not secrets.
NOT_SECRET_WORDS = frozenset(
    {
        "bypass", "compass", "encompass", "overpass", "underpass", "surpass", "trespass",
        "passenger", "passage", "passive", "passthrough", "passthru", "compassion",
        "impasse", "subpass", "multipass", "firstpass", "onepass",
    }
)
# A word after the secret word that makes the key about the secret, not the secret.
ABOUT_WORDS = frozenset(
    {
        "length", "len", "minlen", "maxlen", "min", "max", "minimum", "maximum", "age",
        "expiry", "expires", "expire", "expiration", "expired", "ttl", "lifetime",
        "timeout", "policy", "policies", "complexity", "auth", "authentication",
        "enabled", "enable", "disabled", "disable", "required", "require", "file",
        "files", "filename", "path", "paths", "dir", "directory", "location", "name",
        "names", "type", "format", "algorithm", "algo", "hash", "hashing", "hint",
        "prompt", "reset", "rotation", "rotate", "interval", "days", "count", "retries",
        "attempts", "strength", "history", "warn", "warning", "inactive", "lock",
        "lockout", "mode", "url", "uri", "endpoint", "host", "port", "method", "backend",
        "provider", "store", "env", "var", "header", "param", "field", "through", "thru",
        "command", "cmd", "script", "user", "username", "owner", "group", "perms",
        "permissions", "enforce", "check", "validation", "validator", "regex", "pattern",
        "chars", "characters", "special", "digits", "label", "description", "desc",
        "comment", "version", "size", "bits", "cache", "generate", "generator", "source",
        "ref", "reference", "manager", "engine", "login", "prefix", "suffix",
        "mount", "role", "roles", "scope", "scopes", "audience", "issuer", "kind",
        "encrypted", "encrypt", "sync", "set", "changed", "change", "flag", "bool",
        "renew", "renewal", "sent", "lookup", "keyring", "keyfile", "encryption",
    }
)
# Whole names (words joined by ``_``) of settings that read like secrets: apache's
# ``ServerTokens`` and nginx's ``server_tokens`` say how much of the version to show.
SETTING_NAMES = frozenset({"server_tokens"})
# A word before the secret word that makes the key a switch about secrets.
SWITCH_WORDS = frozenset(
    {"permit", "allow", "use", "require", "requires", "has", "is", "no", "empty", "min",
     "max", "disable", "enable", "show", "hide", "ask", "prompt", "save", "remember"}
)
# Leaf names that are never the secret, even under a secret container.
NEUTRAL_LEAVES = ABOUT_WORDS | frozenset(
    {"user", "username", "login", "email", "mail", "host", "hostname", "server", "port",
     "url", "uri", "name", "id", "enabled", "description", "comment", "owner", "group",
     "mode", "source", "template", "database", "db", "schema", "region", "account",
     "client_id", "tenant", "realm", "domain", "address", "protocol", "driver"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def key_words(name: str) -> list[str]:
    """``dbPassword`` -> ``['db', 'password']``; ``AWS_SECRET_ACCESS_KEY`` -> 4 words."""
    words: list[str] = []
    for part in _SEPARATORS.split(str(name)):
        if part:
            words.extend(w.lower() for w in _CAMEL.split(part) if w)
    return words


def _word_kind(word: str) -> str | None:
    if word in NOT_SECRET_WORDS:
        return None
    if word in SECRET_WORDS:
        return SECRET_WORDS[word]
    for suffix, kind in SECRET_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return kind
    if word.startswith("password") or word.startswith("passwd"):
        return "password"  # password2, passwordhash handled by ABOUT words below
    return None


# nginx's upstream directives (``proxy_pass``, ``fastcgi_pass``) name addresses, not secrets.
PASS_DIRECTIVE_PREFIXES = frozenset({"proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"})


def name_kind(name: str) -> str | None:
    """The kind of secret a single key name denotes, or None."""
    words = key_words(name)
    if "_".join(words) in SETTING_NAMES:
        return None
    for i, word in enumerate(words):
        if word == "pass" and i > 0 and words[i - 1] in PASS_DIRECTIVE_PREFIXES:
            continue
        kind = _word_kind(word)
        if kind is None and word in ("key", "keys") and i > 0 and words[i - 1] in KEY_QUALIFIERS:
            kind = KEY_QUALIFIERS[words[i - 1]]
            start = i - 1
        else:
            start = i
        if kind is None:
            continue
        after = words[i + 1:]
        if any(w in ABOUT_WORDS for w in after):
            continue
        if any(w in SWITCH_WORDS for w in words[:start]):
            continue
        return kind
    return None


def _is_index(component: str) -> bool:
    return component.isdigit()


def classify_key(key_path: str) -> str | None:
    """Why the key at colon path ``key_path`` holds a secret (``"key name: password"``), else None.

    List indexes (``api_tokens:0``) are skipped to reach the named key.
    """
    components = [c for c in str(key_path).split(":") if c != ""]
    named = [c for c in components if not _is_index(c)]
    if not named:
        return None
    leaf = named[-1]
    kind = name_kind(leaf)
    if kind is not None:
        return f"key name: {kind}"
    leaf_words = key_words(leaf)
    if "_".join(leaf_words) in NEUTRAL_LEAVES or any(w in NEUTRAL_LEAVES for w in leaf_words):
        return None
    for ancestor in reversed(named[:-1]):
        kind = name_kind(ancestor)
        if kind is not None:
            return f"key name: under {kind}"
    return None
