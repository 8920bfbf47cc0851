"""Finding environment variables, endpoints and ports in text (file contents, templates).

Pure functions over strings; each hit carries its 1-based line number in the text. They
return values (an env var's value) for the caller to search for secrets: callers never
put those values on the graph.

What counts, deliberately narrow to keep the graph free of noise:
- env assignments: ``export NAME=...`` and systemd ``Environment=NAME=...`` in any file;
  bare ``NAME=...`` lines only in env files (``/etc/environment``, ``/etc/default/*``,
  ``/etc/sysconfig/*``, ``/etc/profile.d/*``, ``*.env``, ``.env``, ``*environment``);
- endpoints: what ``saltscan.endpoints`` finds (the extractor the hardcoded-endpoint
  rules use too), line by line, lines naming the machine itself left out;
- ports: ``listen``/``Listen``, ``EXPOSE``, ``bind host:port`` and ``port``-like keys.
  A port is *listening* unless its key names another system (``db_port``,
  ``redis_port``), or it comes from a URL or ``host:port``.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from typing import Callable, TypeVar

from saltscan.endpoints import Endpoint, endpoints_by_line, endpoints_in, host_value, names_self

ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPORT = re.compile(rf"^\s*export\s+({ENV_NAME})=(.*)$")
_BARE = re.compile(rf"^\s*({ENV_NAME})=(.*)$")
_SYSTEMD = re.compile(r"^\s*Environment\s*=\s*(.+)$")
_INLINE_PREFIX = re.compile(rf"^\s*((?:{ENV_NAME}=\S*\s+)+)\S")

# ``listen 8080`` (nginx), ``Listen 443`` (apache), ``listen: 0.0.0.0:8443`` (YAML config)
_LISTEN = re.compile(r"^\s*(?:listen|Listen)(?:\s+|\s*:\s*[\"']?)(?:\S*:)?(\d{1,5})\b")
_EXPOSE = re.compile(r"^\s*EXPOSE\s+(\d{1,5})\b")
_BIND = re.compile(r"(?i)^\s*bind\s*[=:]?\s*[\"']?[\w.*\[\]-]*:(\d{1,5})\b")
_PORT_KEY = re.compile(r"(?i)^\s*(?:export\s+)?([\w.-]*port)[\"']?\s*(?:[:=]|\s)\s*[\"']?(\d{1,5})\b")

# Port keys whose prefix still means "this service listens here".
_LISTENING_PORT_PREFIXES = frozenset(
    {"", "http", "https", "listen", "listening", "bind", "server", "app", "web", "ssl", "tls", "local",
     "admin", "api", "tls-listening", "alt-listening"}
)
LISTENING_ARG_KEYS = frozenset({"port", "listen", "listen_port", "dport", "http_port", "bind_port"})
HOST_ARG_KEYS = frozenset(
    {"host", "server", "address", "addr", "endpoint", "url", "uri", "broker", "upstream", "remote", "master"}
)

# ``Endpoint`` and ``host_value`` (the host a host-like argument names) belong to the
# shared extractor; the graph's callers import them from here with the rest.
__all__ = [
    "Endpoint", "HOST_ARG_KEYS", "LISTENING_ARG_KEYS", "PortUse", "endpoints_in_line",
    "endpoints_in_text", "env_assignments", "host_value", "inline_env", "is_env_file",
    "ports_in_line", "ports_in_text", "TextHits", "TextScans",
]


_T = TypeVar("_T")


@dataclass(frozen=True, order=True)
class PortUse:
    port: int
    listening: bool


def is_env_file(path: str) -> bool:
    base = posixpath.basename(path)
    parent = posixpath.dirname(path)
    return (
        path == "/etc/environment"
        or parent in ("/etc/default", "/etc/sysconfig", "/etc/profile.d")
        or base == ".env"
        or base.endswith(".env")
        or base.endswith("environment")
    )


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def env_assignments(text: str, *, env_file: bool) -> list[tuple[int, str, str]]:
    """(line, NAME, value) for every environment assignment in ``text``."""
    out: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        m = _SYSTEMD.match(line)
        if m:
            try:
                words = shlex.split(m.group(1))
            except ValueError:
                words = m.group(1).split()
            for word in words:
                name, sep, value = word.partition("=")
                if sep and re.fullmatch(ENV_NAME, name):
                    out.append((number, name, value))
            continue
        m = _EXPORT.match(line) or (_BARE.match(line) if env_file else None)
        if m:
            out.append((number, m.group(1), _unquote(m.group(2))))
    return out


def inline_env(command: str) -> list[tuple[str, str]]:
    """``PGPASSWORD=x psql ...`` -> [("PGPASSWORD", "x")]: assignments before the command."""
    m = _INLINE_PREFIX.match(command)
    if not m:
        return []
    pairs = []
    for word in m.group(1).split():
        name, _, value = word.partition("=")
        pairs.append((name, _unquote(value)))
    return pairs


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def endpoints_in_line(line: str) -> list[Endpoint]:
    """The endpoints of other systems in one line (none if it names the machine itself)."""
    return [] if names_self(line) else list(endpoints_in(line))


def endpoints_in_text(text: str) -> list[tuple[int, Endpoint]]:
    """``(1-based line, endpoint)`` for every line of ``text``."""
    return endpoints_by_line(text)


def ports_in_line(line: str) -> list[PortUse]:
    if line.lstrip().startswith(("#", ";", "//")):
        return []
    for pattern in (_LISTEN, _EXPOSE, _BIND):
        m = pattern.match(line)
        if m and _port(m.group(1)):
            return [PortUse(int(m.group(1)), True)]
    m = _PORT_KEY.match(line)
    if m and _port(m.group(2)):
        prefix = re.sub(r"[_.-]?port$", "", m.group(1).lower())
        return [PortUse(int(m.group(2)), prefix in _LISTENING_PORT_PREFIXES)]
    return []


def ports_in_text(text: str) -> list[tuple[int, PortUse]]:
    return [
        (number, use)
        for number, line in enumerate(text.splitlines(), start=1)
        for use in ports_in_line(line)
    ]


@dataclass(frozen=True)
class TextHits:
    """Everything ``env_assignments``, ``endpoints_in_text`` and ``ports_in_text`` find
    in one text, as tuples: one result is shared by every state that renders it."""

    env: tuple[tuple[int, str, str], ...]
    endpoints: tuple[tuple[int, Endpoint], ...]
    ports: tuple[tuple[int, PortUse], ...]


class TextScans:
    """The scans above, each run once per distinct text.

    A formula renders the same template for many states (and many minions): the text
    is what the scans depend on (and ``env_file`` for env assignments), so it is the
    key. Owned by one graph build, or shared by the builds of one scan
    (``saltscan.graph.memo.GraphMemo``); it grows with the distinct texts scanned.
    """

    def __init__(self) -> None:
        self._env: dict[tuple[str, bool], tuple[tuple[int, str, str], ...]] = {}
        self._endpoints: dict[str, tuple[tuple[int, Endpoint], ...]] = {}
        self._ports: dict[str, tuple[tuple[int, PortUse], ...]] = {}

    @staticmethod
    def _memo(table: dict, key, compute: Callable[[], _T]) -> _T:
        found = table.get(key)
        if found is None:
            found = table[key] = compute()
        return found

    def endpoints(self, text: str) -> tuple[tuple[int, Endpoint], ...]:
        """``endpoints_in_text(text)`` as a tuple."""
        found = self._endpoints.get(text)  # inline: called for every argument of every state
        if found is None:
            found = self._endpoints[text] = tuple(endpoints_in_text(text))
        return found

    def env(self, text: str, *, env_file: bool) -> tuple[tuple[int, str, str], ...]:
        """``env_assignments(text, env_file=env_file)`` as a tuple."""
        return self._memo(self._env, (text, env_file), lambda: tuple(env_assignments(text, env_file=env_file)))

    def hits(self, text: str, *, env_file: bool) -> TextHits:
        return TextHits(
            self.env(text, env_file=env_file),
            self.endpoints(text),
            self._memo(self._ports, text, lambda: tuple(ports_in_text(text))),
        )
