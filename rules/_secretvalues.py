"""Secret values written literally: what counts as a literal, a reference, a secret."""

from __future__ import annotations

import re

from saltscan import api

# Values that point somewhere else instead of being the secret.
REFERENCE_RE = re.compile(
    r"^(\$\{?\w|%\(\w+\)s|\{\{|\{%|<%|@@?\w|ENV\[|os\.environ|getenv\(|env\(|vault:|sdb://|"
    r"file:|/|~/|!\w)"
)
# ``--password=x`` and friends on a command line; mysql's ``-px`` is handled apart.
FLAG_RE = re.compile(
    r"(?<![\w-])--?(password|passwd|pass|token|secret|api-key|apikey|access-key|secret-key)"
    r"(?:=|\s+)(?P<value>'[^']*'|\"[^\"]*\"|[^\s;|&]+)", re.I
)
MYSQL_P_RE = re.compile(r"\bmysql(?:dump|admin|import|check)?\b.*?\s-p(?P<value>[^\s;|&]+)")


# Keys whose name mentions a secret word but that are settings, not secrets:
# nginx's ``*_pass`` directives (upstream addresses), PostgreSQL's hashing scheme.
NOT_SECRET_KEYS = re.compile(
    r"(?i)^((proxy|fastcgi|uwsgi|scgi|grpc|memcached)_pass|password_encryption|"
    r"password_hash(ing)?_algorithm|pass_(max|min|warn)_days)$"
)
# A URL without credentials, or a path, is where a secret is, not the secret.
NOT_SECRET_VALUE = re.compile(r"^([a-z][a-z0-9+.-]*://[^@\s]*|/\S*)$", re.I)


# Default passwords that ship with software and that everyone knows (Java's keystore
# password, RabbitMQ's guest...): still secrets in clear, worse ones, as anyone can
# guess them; the message says so, without the value.
WELL_KNOWN_DEFAULTS = frozenset({
    "changeit", "changeme", "password", "passw0rd", "admin", "guest", "secret", "default",
    "root", "toor",
})


def what_secret(value: object) -> str:
    """``"a well-known default credential"`` for one of ``WELL_KNOWN_DEFAULTS``, else
    ``"a secret"``: how a message names the value it never shows."""
    text = str(value).strip().strip("'\"").lower() if isinstance(value, (str, int)) else ""
    return "a well-known default credential" if text in WELL_KNOWN_DEFAULTS else "a secret"


def secret_key(key: str) -> str | None:
    """Why a key in file contents names a secret (None for known settings)."""
    if NOT_SECRET_KEYS.match(key):
        return None
    return api.secret_key_reason(key)


def is_reference(value: str) -> bool:
    return bool(REFERENCE_RE.match(value.strip())) or api.secret_storage(value) is not \
        api.SecretStorage.PLAINTEXT


def literal_secret(value: str, ctx: api.RuleContext) -> bool:
    """``value`` is a non-empty literal, not a reference, not injected from pillar."""
    text = ctx.memo[literal_text, value]
    if text is None:
        return False
    return not ctx.secrets_in(text) and not ctx.from_pillar(text)


def literal_text(value: str) -> str | None:
    """``value`` unquoted, when it reads as a literal that may be a secret (not empty,
    neutral, a reference, unknown, a URL without credentials or a path); else None."""
    text = value.strip().strip("'\"")
    if not text or api.is_neutral(text) or is_reference(text) or api.UNKNOWN_RE.search(text):
        return None
    if NOT_SECRET_VALUE.match(text):
        return None
    return text


def flag_values(command: str) -> tuple[tuple[str, str], ...]:
    """``(flag, value)`` for secret-carrying flags on a command line."""
    out = [(m.group(1).lower(), m.group("value").strip("'\"")) for m in FLAG_RE.finditer(command)]
    out += [("p", m.group("value").strip("'\"")) for m in MYSQL_P_RE.finditer(command)]
    return tuple(out)
