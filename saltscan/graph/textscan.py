"""Finding environment variables, endpoints and ports in text (file contents, templates).

Pure functions over strings; each hit carries its 1-based line number in the text. They
return values (an env var's value) for the caller to search for secrets: callers never
put those values on the graph.

What counts, deliberately narrow to keep the graph free of noise:
- env assignments: ``export NAME=...`` and systemd ``Environment=NAME=...`` in any file;
  bare ``NAME=...`` lines only in env files (``/etc/environment``, ``/etc/default/*``,
  ``/etc/sysconfig/*``, ``/etc/profile.d/*``, ``*.env``, ``.env``, ``*environment``);
- endpoints: URLs (not ``salt://`` or ``file://``), IPv4 addresses, ``user@host:path``
  (git over ssh) and dotted host names written after a host-like key (``host``,
  ``server``, ``address``, ``url``, ``broker``, ``upstream``, ``*_host``, ...); never
  loopback, ``0.0.0.0``, wildcard or unknown-value tokens;
- ports: ``listen``/``Listen``, ``EXPOSE``, ``bind host:port`` and ``port``-like keys.
  A port is *listening* unless its key names another system (``db_port``,
  ``redis_port``), or it comes from a URL or ``host:port``.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_EXPORT = re.compile(rf"^\s*export\s+({ENV_NAME})=(.*)$")
_BARE = re.compile(rf"^\s*({ENV_NAME})=(.*)$")
_SYSTEMD = re.compile(r"^\s*Environment\s*=\s*(.+)$")
_INLINE_PREFIX = re.compile(rf"^\s*((?:{ENV_NAME}=\S*\s+)+)\S")

_URL = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*)://([^\s'\"<>()\[\]{}|,;]+)")
# What a URL's host must look like to be a host: no template variables (``$host``,
# ``{{ x }}``), no underscores (nginx upstream names such as ``http://app_backend``).
_HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_IPV4 = re.compile(r"(?<![\w.])((?:\d{1,3}\.){3}\d{1,3})(?::(\d{1,5}))?(?![\w.]|/\d)")
_SCP = re.compile(r"\b[\w.-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):(?!\d+\b)[\w./~-]")
_HOST_KEY = re.compile(
    r"(?i)(?:^|[\s{,\"'])(?:[\w.-]*[_.-])?(host|server|servers|address|addr|endpoint|url|uri|broker|upstream)"
    r"[\"']?\s*(?:[:=]|\s)\s*[\"']?([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z][A-Za-z0-9-]*)(?::(\d{1,5}))?"
)
_LISTEN = re.compile(r"^\s*(?:listen|Listen)\s+(?:\S*:)?(\d{1,5})\b")
_EXPOSE = re.compile(r"^\s*EXPOSE\s+(\d{1,5})\b")
_BIND = re.compile(r"(?i)^\s*bind\s*[=:]?\s*[\"']?[\w.*\[\]-]*:(\d{1,5})\b")
_PORT_KEY = re.compile(r"(?i)^\s*(?:export\s+)?([\w.-]*port)[\"']?\s*(?:[:=]|\s)\s*[\"']?(\d{1,5})\b")

# Port keys whose prefix still means "this service listens here".
_LISTENING_PORT_PREFIXES = frozenset(
    {"", "http", "https", "listen", "bind", "server", "app", "web", "ssl", "tls", "local", "admin", "api"}
)
LISTENING_ARG_KEYS = frozenset({"port", "listen", "listen_port", "dport", "http_port", "bind_port"})
HOST_ARG_KEYS = frozenset(
    {"host", "server", "address", "addr", "endpoint", "url", "uri", "broker", "upstream", "remote", "master"}
)
_NOT_TLDS = frozenset(
    {"conf", "cfg", "ini", "sls", "py", "pyc", "sh", "log", "txt", "json", "yml", "yaml", "xml", "j2",
     "jinja", "tmpl", "service", "socket", "timer", "pem", "crt", "key", "pid", "sock", "d", "db",
     "html", "js", "css", "war", "jar", "tar", "gz", "tgz", "zip", "rpm", "deb", "so", "local", "lock"}
)
_EXCLUDED_SCHEMES = frozenset({"salt", "file"})


@dataclass(frozen=True, order=True)
class Endpoint:
    host: str  # lower case
    port: int | None = None
    scheme: str | None = None


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


def _is_remote_host(host: str) -> bool:
    host = host.lower().strip("[]")
    if not host or "__unknown_" in host or host in ("localhost", "0.0.0.0", "::1", "*", "::"):
        return False
    return not host.startswith("127.")


def _valid_ip(ip: str) -> bool:
    octets = [int(o) for o in ip.split(".")]
    return all(o <= 255 for o in octets) and octets[0] not in (0, 255)


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def plausible_hostname(host: str) -> bool:
    """A dotted name whose last label is not a file extension."""
    labels = host.lower().rstrip(".").split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and labels[-1] not in _NOT_TLDS


def endpoints_in_line(line: str) -> list[Endpoint]:
    found: list[Endpoint] = []
    taken: list[tuple[int, int]] = []
    for m in _URL.finditer(line):
        scheme = m.group(1).lower()
        if scheme in _EXCLUDED_SCHEMES:
            continue
        taken.append(m.span())
        try:
            parts = urlsplit(f"{scheme}://{m.group(2)}")
            host, port = parts.hostname, parts.port
        except ValueError:
            continue
        if host and _HOSTNAME.fullmatch(host) and _is_remote_host(host):
            found.append(Endpoint(host.lower(), port, scheme))

    def free(span: tuple[int, int]) -> bool:
        return not any(a <= span[0] < b for a, b in taken)

    for m in _IPV4.finditer(line):
        if free(m.span()) and _valid_ip(m.group(1)) and _is_remote_host(m.group(1)):
            found.append(Endpoint(m.group(1), _port(m.group(2))))
    for m in _SCP.finditer(line):
        if free(m.span()) and _is_remote_host(m.group(1)):
            found.append(Endpoint(m.group(1).lower(), None, "ssh"))
    for m in _HOST_KEY.finditer(line):
        host = m.group(2)
        if free(m.span(2)) and plausible_hostname(host) and _is_remote_host(host):
            if not re.fullmatch(r"[\d.]+", host):
                found.append(Endpoint(host.lower(), _port(m.group(3))))
    return found


def endpoints_in_text(text: str) -> list[tuple[int, Endpoint]]:
    return [
        (number, ep)
        for number, line in enumerate(text.splitlines(), start=1)
        for ep in endpoints_in_line(line)
    ]


def host_value(value: str) -> Endpoint | None:
    """The value of a host-like argument (``host: db01``, ``server: db01:5432``)."""
    value = value.strip()
    if "://" in value:
        eps = endpoints_in_line(value)
        return eps[0] if eps else None
    host, _, port = value.partition(":")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", host) or not _is_remote_host(host):
        return None
    if not port.isdigit() and port:
        return None
    if "." in host and not re.fullmatch(r"[\d.]+", host) and not plausible_hostname(host):
        return None
    if re.fullmatch(r"[\d.]+", host) and not (host.count(".") == 3 and _valid_ip(host)):
        return None
    return Endpoint(host.lower(), _port(port) if port else None)


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
