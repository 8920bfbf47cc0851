"""Does a VALUE look like a secret, or like a reference to one kept elsewhere?

``classify_value`` first recognises externalised forms (GPG and NACL ciphertext,
``sdb://``, Vault, template expressions, environment references, unknown tokens),
which are not plaintext secrets but say where the secret really lives; then known
credential formats (cloud keys, service tokens, private keys, JWTs, URLs with a
password); then, for a single token, randomness (Shannon entropy with shape rules that
keep hashes, UUIDs, paths, URLs, host names and version strings out).

Reasons are fixed phrases; they never quote the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from saltscan.model import SecretStorage

UNKNOWN_TOKEN_RE = re.compile(r"__UNKNOWN_[0-9a-f]{10}__")


@dataclass(frozen=True)
class SecretPattern:
    """A credential format; ``secret`` group (else the whole match) is what to mask."""

    reason: str
    regex: re.Pattern[str]

    def spans(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in self.regex.finditer(text):
            group = "secret" if "secret" in self.regex.groupindex else 0
            if m.group(group) and not _is_reference(m.group(group)):
                out.append(m.span(group))
        return out


def _p(reason: str, pattern: str, flags: int = 0) -> SecretPattern:
    return SecretPattern(reason, re.compile(pattern, flags))


# Plaintext credential formats, most specific first.
PLAINTEXT_PATTERNS: tuple[SecretPattern, ...] = (
    _p(
        "private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    ),
    _p("AWS access key ID", r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _p(
        "AWS secret access key",
        r"(?i:aws)[\w.-]{0,24}(?i:secret)[\w.-]{0,24}[\"']?\s*[:=]\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
    ),
    _p("Stripe live secret key", r"(?<![\w])(?:sk|rk)_live_[0-9A-Za-z]{10,}"),
    _p("Stripe test key", r"(?<![\w])(?:sk|rk)_test_[0-9A-Za-z]{10,}"),
    _p("Slack webhook URL", r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{10,}"),
    _p("Slack token", r"(?<![\w-])xox[abposr]-[0-9A-Za-z-]{10,}"),
    _p("GitHub token", r"(?<![\w])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
    _p("GitLab token", r"(?<![\w-])glpat-[A-Za-z0-9_-]{20,}"),
    _p("Google API key", r"(?<![\w-])AIza[0-9A-Za-z_-]{35}"),
    _p("SendGrid API key", r"(?<![\w.])SG\.[\w-]{16,32}\.[\w-]{16,64}"),
    _p("JWT", r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    _p(
        "URL with credentials",
        r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:'\"]*:(?P<secret>[^\s/?#@'\"]+)@[^\s/?#'\"]+",
    ),
    _p(
        "HTTP authorization credentials",
        r"(?i:authorization)[\"']?\s*[:=]\s*[\"']?(?i:basic|bearer|token)\s+(?P<secret>[A-Za-z0-9._~+/=-]{8,})",
    ),
)

_PGP = re.compile(r"-----BEGIN PGP MESSAGE-----")
_NACL = re.compile(r"^\s*(?:NACL\[[^\]]*\]|nacl:\S+)", re.IGNORECASE)
_SDB = re.compile(r"\bsdb://|\bsdb\.get\b")
_VAULT = re.compile(r"^\s*vault:|\bvault\.(?:read_secret|read|get)\b|salt\[['\"]vault\.")
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}|^\$[A-Za-z_][A-Za-z0-9_]*$")
_INTERPOLATION = re.compile(r"%\([A-Za-z_][\w.-]*\)[sdr]")


def _is_reference(text: str) -> bool:
    """A credential slot filled by a reference, not a value (``:{{ pw }}@``, ``${PW}``)."""
    return bool(
        UNKNOWN_TOKEN_RE.search(text) or _TEMPLATE.search(text) or _ENV_REF.search(text)
        or _INTERPOLATION.search(text) or "{{" in text or "${" in text
        or set(text) <= set("*xX.?-_<>")
    )


def externalised(value: str) -> tuple[SecretStorage, str] | None:
    """Where a value that is not itself a secret says the secret is kept."""
    if UNKNOWN_TOKEN_RE.search(value):
        return SecretStorage.REFERENCE, "unknown value"
    if _PGP.search(value):
        return SecretStorage.GPG, "PGP message"
    if _NACL.search(value):
        return SecretStorage.NACL, "NACL ciphertext"
    if _SDB.search(value):
        return SecretStorage.SDB, "sdb reference"
    if _VAULT.search(value):
        return SecretStorage.VAULT, "Vault reference"
    if _TEMPLATE.search(value):
        return SecretStorage.REFERENCE, "template expression"
    if _ENV_REF.search(value):
        return SecretStorage.REFERENCE, "environment variable reference"
    if _INTERPOLATION.search(value):
        return SecretStorage.REFERENCE, "interpolation"
    return None


# --- randomness ------------------------------------------------------------------------
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# hashes, digests, commit ids, cloud resource ids (``sha256:...``, ``ami-0abc...``)
_HEX = re.compile(r"(?:[a-z][a-z0-9]*[:=-])?[0-9a-fA-F]+")
_DOTTED = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+\.?")
_VERSION = re.compile(r"(?:\d+:)?[vV]?\d+(?:\.\d+)+(?:[-+~_][0-9A-Za-z.+~_-]*)?")
_SSH_PUBLIC_BLOB = re.compile(r"AAAA[A-Za-z0-9+/]+=*")
_PATHISH = re.compile(r"(?:[A-Za-z0-9_.-]*\.[A-Za-z0-9_.-]*/|\.{0,2}/|~/?|[A-Za-z]:\\)\S*")
_WORDY = re.compile(r"(?:[a-z]{2,}|[A-Z][a-z]+|[A-Z]{2,})\d{0,4}|\d{1,4}")
_RUN = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]|\d+|[^A-Za-z0-9]+")
_CANDIDATE = re.compile(r"[A-Za-z0-9+/=_.~-]{20,}")
# A media type (``application/x-7z-compressed``, web.xml's mime-mapping list).
_MEDIA_TYPE = re.compile(
    r"(?:application|audio|chemical|font|image|message|model|multipart|text|video|x-[a-z]+)"
    r"/[a-z0-9][a-z0-9.+_-]*"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# An OpenSSL cipher list: ``HIGH:!aNULL:!MD5``, ``EECDH+AESGCM:EDH+AESGCM:AES256+EECDH``.
_CIPHER = r"[!+-]?(?:@[A-Z]+(?:=\d+)?|[A-Za-z0-9]+(?:[-+_.][A-Za-z0-9]+)*)"
_CIPHER_LIST = re.compile(rf"{_CIPHER}(?::{_CIPHER})+")
MIN_RANDOM_LENGTH = 20


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text`` (0 for the empty string)."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


ENTROPY_FACTOR = 0.84
MAX_ENTROPY_THRESHOLD = 4.3


def _entropy_threshold(token: str) -> float:
    """Bits per character a random token of this length and alphabet would reach.

    n characters drawn from an alphabet of A symbols show at most log2(min(n, A))
    bits; a generated token gets close, words and identifiers fall well short.
    """
    alphabet = (
        26 * any(c.islower() for c in token) + 26 * any(c.isupper() for c in token)
        + 10 * any(c.isdigit() for c in token) + 4
    )
    return min(MAX_ENTROPY_THRESHOLD, ENTROPY_FACTOR * math.log2(min(len(token), alphabet)))


def _is_camel_identifier(token: str) -> bool:
    """CamelCase or ALLCAPS words run together: ``EhrBackend2023PatientPortal``."""
    if not any(c.isupper() for c in token) or not token.isalnum():
        return False
    runs = _RUN.findall(token)
    if any(len(r) == 1 and not r.isdigit() or (r.isdigit() and len(r) > 4) for r in runs):
        return False  # a lone letter between others, or a long number: generated
    return sum(1 for r in runs if r.isalpha() and len(r) >= 4) >= 2


def _is_cipher_list(token: str) -> bool:
    """Colon-separated cipher names, mostly upper case (``aRSA``, ``SSLv3`` have a
    lower-case letter or two); key material has no colons in it."""
    if not _CIPHER_LIST.fullmatch(token):
        return False
    return sum(c.isupper() for c in token) > 2 * sum(c.islower() for c in token)


_PACKAGE_LIKE = re.compile(r"[a-z]{2,}[0-9]{0,3}(?:[-_.+][a-z]{2,}[0-9]{0,3})+")


def looks_random(token: str) -> bool:
    """A single token (no spaces) that reads like generated key material."""
    if len(token) < MIN_RANDOM_LENGTH or len(token) > 1024 or any(c.isspace() for c in token):
        return False
    if UNKNOWN_TOKEN_RE.search(token) or "://" in token or "<" in token or ">" in token:
        return False  # markup (a whole XML line has no spaces), not key material
    for shape in (_UUID, _HEX, _DOTTED, _VERSION, _SSH_PUBLIC_BLOB, _PATHISH, _EMAIL,
                  _MEDIA_TYPE):
        if shape.fullmatch(token):
            return False
    if _is_cipher_list(token):
        return False
    if "=" in token.rstrip("="):
        return False  # key=value, not key material (base64 pads only at the end)
    segments = [s for s in re.split(r"[_.\-/:,]+", token) if s]
    wordy = sum(1 for s in segments if _WORDY.fullmatch(s))
    if len(segments) >= 3 and 3 * wordy >= 2 * len(segments):
        return False  # an identifier made of words: ehr-api-deployment-7d9f8c6b5
    if _is_camel_identifier(token):
        return False
    if _PACKAGE_LIKE.fullmatch(token):
        return False  # postgresql15-contrib, python3-venv: words with a version digit
    has_digit = any(c.isdigit() for c in token)
    has_lower = any(c.islower() for c in token)
    has_upper = any(c.isupper() for c in token)
    if not has_digit or not (has_lower or has_upper):
        return False
    return shannon_entropy(token) >= _entropy_threshold(token)


def random_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of random-looking tokens inside free text."""
    return [m.span() for m in _CANDIDATE.finditer(text) if looks_random(m.group(0).strip("=.-_"))]


# --- what a value is ---------------------------------------------------------------------
_CRYPT_HASH = re.compile(
    r"\$(?:1|2[abxy]?|5|6|y|gy|7|sha1|md5|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?)\$[./A-Za-z0-9$=,+-]{8,}"
)
_PLACEHOLDER = re.compile(
    r"\s*(?:[*xX.?_#-]+|<[^<>]*>|\[[^\[\]]*\]|(?i:redacted|todo|fixme|tbd|n/?a|none|null|nil|"
    r"undefined|replace[_ -]?me|placeholder|your[_ -]?\w+[_ -]?here|set[_ -]?me|dummy))\s*"
)
_BOOLEANISH = frozenset({"yes", "no", "true", "false", "on", "off", "y", "n", "~", "enabled", "disabled"})


def is_password_hash(value: str) -> bool:
    """A crypt(3)-style hash (``$6$...``, bcrypt ``$2b$...``): not plaintext, still sensitive."""
    return bool(_CRYPT_HASH.fullmatch(value.strip()))


def is_placeholder(value: str) -> bool:
    """``****``, ``<password>``, ``REPLACE_ME``: a slot someone must fill, not a value."""
    return bool(_PLACEHOLDER.fullmatch(value))


def is_neutral(value: str) -> bool:
    """Values no key name turns into a secret: booleans, short numbers, placeholders."""
    text = value.strip()
    if text == "" or text.lower() in _BOOLEANISH or is_placeholder(text):
        return True
    return text.isdigit() and len(text) < 6


def classify_value(value: object) -> tuple[SecretStorage, str] | None:
    """``(storage, reason)`` if ``value`` is, or points to, a secret; else None.

    Externalised forms (GPG, NACL, SDB, VAULT, REFERENCE) come first: a template
    expression inside a URL is a reference, not a credential. Only strings are
    classified; a number or a boolean says nothing by itself.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    external = externalised(value)
    if external is not None:
        return external
    for pattern in PLAINTEXT_PATTERNS:
        if pattern.spans(value):
            return SecretStorage.PLAINTEXT, pattern.reason
    if looks_random(value.strip()):
        return SecretStorage.PLAINTEXT, "high-entropy string"
    return None
