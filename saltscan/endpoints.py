"""Endpoints of other systems written in text: URLs, IP addresses, host names.

The one extractor behind the hardcoded-endpoint rules (SS401, SS402, through
``saltscan.api``) and the graph's ``endpoint`` nodes (``saltscan.graph.textscan``).

Deliberately conservative, because every hit is a migration task:
- URLs of any scheme but ``salt://``/``file://``/``unix://``/``sdb://``/``vault://``;
  ``user@host:path`` (git over ssh; not a Salt compound matcher such as ``C@java:lookup``);
  ``user@host`` after an ssh tool (``ssh``, ``sftp``, ``scp``, ``rsync``);
- IPv4 addresses (not CIDR networks, masks, ``0.0.0.0`` or loopback, nor a
  four-part version: ``8.46.0.19-ca-jdk``, ``v1.2.3.4``, a path segment ``/0.1.2.0``);
- dotted host names whose last label is a real or internal top-level domain;
- after a host-like key (``db_host: ...``, ``url = ...``, ``upstream ...``): a dotted
  name whose last label is not a file extension (``db01.acme``, not ``settings.py``);
- single-label names only after a host-like key (``host=db01``, ``-h db01``) or with
  a well-known service port (``redis:6379``).
Never ``localhost``, loopback, unspecified or multicast addresses, nor a name with
characters no host name has (``$host``, ``ehr_app``, ``{{ x }}``). Link-local stays:
``169.254.169.123`` is a cloud time or metadata service the host depends on.
The caller decides what is literal, what is allowed and which lines name the
machine itself (``names_self``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urlsplit

URL_RE = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*)://([^\s'\"<>()\[\]{}|,;`]+)")
# A single upper-case letter before ``@`` is a Salt matcher (``G@``, ``I@``, ``C@``...).
SCP_RE = re.compile(r"(?<![\w/])(?![A-Z]@)[\w.-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*):(?!\d+\b)[\w./~-]")
# Not after a letter or ``-`` (``v1.2.3.4``, ``jdk-8.46.0.19``), nor before ``-``
# (``8.46.0.19-ca-jdk``): those are versions. A path segment is refused in code.
IPV4_RE = re.compile(r"(?<![\w.-])((?:\d{1,3}\.){3}\d{1,3})(?::(\d{1,5}))?(?![\w.-]|/\d)")
DOTTED_RE = re.compile(
    r"(?<![\w.@/-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?::(\d{1,5}))?(?![\w-])"
)
HOST_PORT_RE = re.compile(r"(?<![\w.@/:-])([A-Za-z][A-Za-z0-9-]{0,62}):(\d{2,5})\b")
# ``host = db01``, ``db_host: db01``, ``server db01:5432`` (nginx upstreams, NTP
# servers); a bare ``host db01`` is not one (a pg_hba.conf record type, prose).
HOST_KEY_RE = re.compile(
    r"(?i)(?:^|[\s\"'{,;(])(?:(?:[\w.-]*[_.-])?(?:host|server|address|addr|broker)"
    r"[\"']?\s*(?:=>|[:=])|server\s)\s*[\"']?"
    r"([A-Za-z][A-Za-z0-9-]{1,62}(?:\.[A-Za-z0-9-]+)*)(?::(\d{1,5}))?(?![\w.-])"
)
# A dotted name after any host-like key, a space being separator enough
# (``url = db01.acme``, ``upstream backend.corp``, ``endpoint: api.partner``): the key
# vouches for a last label that is no known top-level domain. Single labels after
# ``url``/``uri`` are schemes (``turn:media01...``), so only dotted names count here.
DOTTED_KEY_RE = re.compile(
    r"(?i)(?:^|[\s\"'{,;(])(?:[\w.-]*[_.-])?"
    r"(?:host|server|servers|address|addr|endpoint|url|uri|broker|upstream)"
    r"[\"']?\s*(?:=>|[:=]|\s)\s*[\"']?"
    r"([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+)(?::(\d{1,5}))?(?![\w.-])"
)
# ``user@host`` is an ssh/sftp/rsync target on a command line (an e-mail address elsewhere).
USER_AT_HOST_RE = re.compile(r"(?<![\w.@-])[\w.-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w.@-])")
SSH_TOOLS_RE = re.compile(r"(?<![\w-])(ssh|sftp|scp|rsync|sshpass)(?![\w-])")
HOSTNAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
FLAG_HOST_RE = re.compile(r"(?:^|\s)(?:-h|--host(?:name)?)(?:\s+|=)([A-Za-z0-9][A-Za-z0-9.-]*)")
# The whole value of a host-like key: ``db01``, ``10.0.0.5``, ``db01.corp:5432``.
HOST_VALUE_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9.-]*)(?::(\d{1,5}))?")

TLDS = frozenset({
    "com", "net", "org", "io", "edu", "gov", "mil", "int", "info", "biz", "co", "us", "uk",
    "de", "fr", "eu", "ch", "nl", "be", "at", "se", "no", "dk", "fi", "es", "it", "pl",
    "cz", "ru", "ca", "au", "nz", "jp", "cn", "kr", "br", "mx", "za", "ie", "il", "health",
    "cloud", "aws", "azure",
    # internal and reserved names used on private networks and in examples
    "local", "lan", "internal", "intranet", "intra", "corp", "home", "private", "priv",
    "test", "example", "invalid", "svc", "cluster", "consul",
})
# Last labels that make a dotted word a file, not a host (``settings.py``, ``app.conf``).
FILE_SUFFIXES = frozenset({
    "conf", "cfg", "ini", "sls", "py", "pyc", "sh", "log", "txt", "json", "yml", "yaml", "xml",
    "j2", "jinja", "tmpl", "service", "socket", "timer", "pem", "crt", "key", "pid", "sock", "d",
    "db", "html", "js", "css", "war", "jar", "tar", "gz", "tgz", "zip", "rpm", "deb", "so", "lock",
})
# Well-known service ports: a single-label name with one is another system.
SERVICE_PORTS: dict[int, str] = {
    21: "FTP", 22: "SSH", 25: "mail", 80: "HTTP", 110: "mail", 143: "mail", 389: "LDAP",
    443: "HTTP", 465: "mail", 587: "mail", 636: "LDAP", 1433: "database", 1521: "database",
    2049: "NFS", 2181: "ZooKeeper", 3306: "database", 4222: "message broker",
    5432: "database", 5671: "message broker", 5672: "message broker", 6379: "cache",
    8080: "HTTP", 8443: "HTTP", 9092: "message broker", 9200: "search", 9300: "search",
    11211: "cache", 15672: "message broker", 27017: "database", 8500: "Consul",
    8200: "Vault", 6432: "database", 7000: "database", 9042: "database",
}
SCHEME_KINDS: dict[str, str] = {
    "postgres": "database", "postgresql": "database", "mysql": "database",
    "mariadb": "database", "mongodb": "database", "mongodb+srv": "database",
    "mssql": "database", "sqlserver": "database", "oracle": "database", "jdbc": "database",
    "redis": "cache", "rediss": "cache", "memcached": "cache", "amqp": "message broker",
    "amqps": "message broker", "kafka": "message broker", "nats": "message broker",
    "stomp": "message broker", "ldap": "LDAP", "ldaps": "LDAP", "smtp": "mail",
    "smtps": "mail", "http": "HTTP", "https": "HTTP", "ftp": "FTP", "sftp": "FTP",
    "ssh": "SSH", "git": "git", "git+ssh": "git", "svn": "svn", "nfs": "NFS",
    "s3": "object storage", "ws": "HTTP", "wss": "HTTP", "tcp": "TCP", "udp": "UDP",
}
EXCLUDED_SCHEMES = frozenset({"salt", "file", "unix", "sdb", "vault"})
NOT_HOSTS = frozenset({
    "localhost", "localhost.localdomain", "ip6-localhost", "true", "false", "none", "null",
    "yes", "no", "on", "off", "all", "any", "default", "unix", "local", "auto", "name",
    "port", "self", "host", "server", "listen", "bind", "127.0.0.1", "0.0.0.0", "::", "::1",
})


@dataclass(frozen=True, order=True)
class Endpoint:
    """One endpoint. Its identity is host, port and scheme: ``kind`` follows from
    them (and from how it was written: ``git@host:path`` is git), ``written`` is
    where it came from, so neither takes part in equality or ordering."""

    host: str  # lower case, IPv6 without brackets
    port: int | None = None
    scheme: str | None = None  # lower case: "https", "postgres", "ssh" for scp-like targets
    kind: str = field(default="", compare=False)  # "database", "HTTP", ... or "" when unknown
    written: str = field(default="", compare=False)  # the host as written (for literal checks)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host

    @property
    def what(self) -> str:
        return f"{self.kind} endpoint" if self.kind else "endpoint"


def _port(text: str | None) -> int | None:
    if text and text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def excluded_host(host: str) -> bool:
    """Whether ``host`` is no other system: the machine itself, a wildcard, a word
    that is no host name (``none``, ``all``), or not a host name at all."""
    host = host.lower().strip("[]").rstrip(".")
    if not host or host in NOT_HOSTS or host.endswith(".localdomain"):
        return True
    if _is_ip(host):
        addr = ipaddress.ip_address(host)
        # 0.0.0.0/8 is "this network" and 255.x a mask, never a peer.
        return addr.is_loopback or addr.is_unspecified or addr.is_multicast or \
            host.startswith(("255.", "0."))
    return not HOSTNAME_RE.fullmatch(host)


def plausible_hostname(host: str) -> bool:
    """A dotted name whose last label can end a host name: a known top-level
    domain, else letters that are no file extension (``db01.acme``, not ``app.conf``)."""
    labels = host.lower().rstrip(".").split(".")
    last = labels[-1]
    return len(labels) >= 2 and (last in TLDS or (last.isalpha() and last not in FILE_SUFFIXES))


def _valid_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and (p == "0" or not p.startswith("0"))
                                   for p in parts)


def _path_segment(text: str, start: int) -> bool:
    """Whether the match at ``start`` follows one ``/`` (``/opt/lib/0.1.2.0``), not
    ``//`` (an SMB share ``//10.1.1.1/x`` names a host)."""
    return start > 0 and text[start - 1] == "/" and (start < 2 or text[start - 2] != "/")


def _kind(port: int | None, scheme: str | None = None) -> str:
    """What the endpoint is, by scheme (a generic transport yields to the port)."""
    by_port = SERVICE_PORTS.get(port or 0, "")
    if scheme:
        scheme = scheme.lower()
        by_scheme = SCHEME_KINDS.get(scheme, SCHEME_KINDS.get(scheme.split("+")[0], ""))
        if by_scheme and not (by_scheme in ("HTTP", "TCP", "UDP") and by_port):
            return by_scheme
    return by_port


# What every pattern of ``endpoints_in`` needs somewhere in the text, all in one
# search: ``://`` (URL_RE), ``@`` (SCP_RE, USER_AT_HOST_RE), digit-dot-digit (IPV4_RE),
# a dot before a top-level domain that ends the letter run (DOTTED_RE: the TLD check
# is on that whole run), ``:`` and two digits (HOST_PORT_RE), a host-like key word
# (HOST_KEY_RE, DOTTED_KEY_RE) or ``-h`` (FLAG_HOST_RE). Most lines of a config file
# have none, and one search is much cheaper than the nine. A text it misses holds no
# endpoint: tests/test_endpoints.py checks that against every pattern.
MAY_HOLD_ENDPOINT_RE = re.compile(
    r"://|@|\d\.\d|:\d\d|-h"
    r"|(?i:host|server|addr|endpoint|url|uri|broker|upstream)"
    r"|(?i:\.(?:" + "|".join(sorted(TLDS, key=lambda t: (-len(t), t))) + r")(?![a-z]))"
)


def endpoints_in(text: str) -> Iterator[Endpoint]:
    """Endpoints written in ``text``, each (host, port) once: URLs first, then
    scp-like targets, IPs, dotted names, ``name:port``, host-like keys, ``-h`` flags."""
    if MAY_HOLD_ENDPOINT_RE.search(text):
        yield from _endpoints_in(text)


def _endpoints_in(text: str) -> Iterator[Endpoint]:
    seen: set[tuple[str, int | None]] = set()
    taken: list[tuple[int, int]] = []  # spans already explained by an earlier match

    def emit(host: str, port: int | None, kind: str, start: int, end: int,
             scheme: str | None = None) -> Iterator[Endpoint]:
        taken.append((start, end))
        if excluded_host(host):
            return
        key = (host.lower(), port)
        if key in seen:
            return
        seen.add(key)
        yield Endpoint(host.lower().strip("[]"), port, scheme, kind, host)

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in taken)

    for m in URL_RE.finditer(text):
        scheme = m.group(1).lower()
        if scheme in EXCLUDED_SCHEMES:
            taken.append(m.span())
            continue
        try:
            parts = urlsplit(f"{scheme}://{m.group(2)}")
            host, port = parts.hostname, parts.port
        except ValueError:
            continue
        if host:
            yield from emit(host, port, _kind(port, scheme), *m.span(), scheme=scheme)
        else:
            taken.append(m.span())
    for m in SCP_RE.finditer(text):
        if free(m.start()):
            yield from emit(m.group(1), None, "git", *m.span(), scheme="ssh")
    if SSH_TOOLS_RE.search(text):
        for m in USER_AT_HOST_RE.finditer(text):
            if free(m.start()):
                yield from emit(m.group(1), None, "SSH", *m.span(), scheme="ssh")
    for m in IPV4_RE.finditer(text):
        if free(m.start()) and _valid_ipv4(m.group(1)) and not _path_segment(text, m.start()):
            port = _port(m.group(2))
            yield from emit(m.group(1), port, _kind(port), *m.span())
    for m in DOTTED_RE.finditer(text):
        host = m.group(1)
        if free(m.start()) and host.rsplit(".", 1)[-1].lower() in TLDS:
            port = _port(m.group(2))
            yield from emit(host, port, _kind(port), *m.span())
    for m in HOST_PORT_RE.finditer(text):
        port = _port(m.group(2))
        if free(m.start()) and port in SERVICE_PORTS:
            yield from emit(m.group(1), port, _kind(port), *m.span())
    for m in HOST_KEY_RE.finditer(text):
        host = m.group(1)
        if free(m.start(1)) and ("." not in host or plausible_hostname(host)):
            port = _port(m.group(2))
            yield from emit(host, port, _kind(port), m.start(1), m.end())
    for m in DOTTED_KEY_RE.finditer(text):
        host = m.group(1)
        if free(m.start(1)) and plausible_hostname(host):
            port = _port(m.group(2))
            yield from emit(host, port, _kind(port), m.start(1), m.end())
    for m in FLAG_HOST_RE.finditer(text):
        host = m.group(1)
        if free(m.start(1)) and not host[0].isdigit():
            yield from emit(host, None, "", m.start(1), m.end())


def endpoints_by_line(text: str) -> list[tuple[int, Endpoint]]:
    """``(1-based line, endpoint)`` for every endpoint of every line of ``text``,
    lines that name the machine itself (``names_self``) left out."""
    if not MAY_HOLD_ENDPOINT_RE.search(text):
        return []
    return [
        (number, ep)
        for number, line in enumerate(text.splitlines(), start=1)
        if MAY_HOLD_ENDPOINT_RE.search(line) and not names_self(line)
        for ep in _endpoints_in(line)
    ]


def host_value(value: str) -> Endpoint | None:
    """The endpoint a host-like key's whole value names: ``db01``, ``10.0.0.5``,
    ``db01.corp.example:5432`` or a URL; None for anything else (a path, a template
    variable, ``localhost``). The key vouches for a single-label name here."""
    value = value.strip()
    if "://" in value:
        return next(endpoints_in(value), None)
    m = HOST_VALUE_RE.fullmatch(value)
    if not m or excluded_host(m.group(1)):
        return None
    host, port = m.group(1), _port(m.group(2))
    if re.fullmatch(r"[\d.]+", host):
        if not _valid_ipv4(host):
            return None
    elif "." in host and not plausible_hostname(host):
        return None
    return Endpoint(host.lower(), port, None, _kind(port), host)


# A line or argument that names the machine itself or the site it serves (a
# virtual host, an allowed Host header, a public base URL, a mail sender, its DNS
# domain or authentication realm), not another system it depends on.
OWN_NAME_RE = re.compile(
    r"(?i)\b(server_?name|serveralias|allowed_hosts|hostname|set-hostname|fqdn|"
    r"cookie_domain|session_cookie_domain|csrf_trusted_origins|cors_allowed_origins|"
    r"site_?url|base_?url|public_?url|external_?url|redirect_uri|callback_url|"
    r"from_email|email_from|mail_from|server_email|default_from|"
    r"common_?name|subjectaltname)\b"
    # a DNS domain or an authentication realm as a setting (``realm=ehr.internal``,
    # ``domain: corp.example``); not the words in a command (``realm join ad.corp``)
    r"|\b(?:(?:default_|dns_?|search_?)?(?:realm|domain(?:_?name)?)[\"']?\s*[=:])"
)


def names_self(text: str) -> bool:
    """Whether ``text`` (a line, an argument name) names the machine or its site."""
    return bool(OWN_NAME_RE.search(text))
