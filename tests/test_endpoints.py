"""The shared endpoint extractor (saltscan.endpoints): rules SS401/SS402 and the graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from saltscan import api
from saltscan.endpoints import Endpoint, endpoints_by_line, endpoints_in, excluded_host, host_value, names_self
from saltscan.graph import textscan


def _found(text: str) -> list[tuple[str, int | None, str | None, str, str]]:
    return [(e.host, e.port, e.scheme, e.kind, e.written) for e in endpoints_in(text)]


@pytest.mark.parametrize("text, expected", [
    # URLs: host, port, scheme and the kind the scheme (or the port) gives
    # a URL's host is written as urlsplit gives it: lower case
    ("postgresql://ehr:pw@DB01.ehr.internal:5432/ehr",
     [("db01.ehr.internal", 5432, "postgresql", "database", "db01.ehr.internal")]),
    ("url = https://api.partner.example/v2?x=1",
     [("api.partner.example", None, "https", "HTTP", "api.partner.example")]),
    ("http://search01.corp:9200/_bulk", [("search01.corp", 9200, "http", "search", "search01.corp")]),
    ("proxy_pass http://ehr-app:8000/;", [("ehr-app", 8000, "http", "HTTP", "ehr-app")]),
    # git over ssh and ssh targets on a command line
    ("git@git.ehr.internal:clinical/ehr.git", [("git.ehr.internal", None, "ssh", "git", "git.ehr.internal")]),
    ("sftp -b batch acme@sftp.partner.com", [("sftp.partner.com", None, "ssh", "SSH", "sftp.partner.com")]),
    # IPv4 with and without a port; link-local is another system (a cloud time service)
    ("upstream { server 10.0.0.5:8000; }", [("10.0.0.5", 8000, None, "", "10.0.0.5")]),
    ("server 169.254.169.123 prefer", [("169.254.169.123", None, None, "", "169.254.169.123")]),
    ("//10.20.5.40/scans", [("10.20.5.40", None, None, "", "10.20.5.40")]),
    # dotted names with a known top-level domain, anywhere
    ("backends = app1.ehr.internal:8000 app2.ehr.internal:8000",
     [("app1.ehr.internal", 8000, None, "", "app1.ehr.internal"),
      ("app2.ehr.internal", 8000, None, "", "app2.ehr.internal")]),
    ("turn_uri = turn:media01.ehr.internal:3478", [("media01.ehr.internal", 3478, None, "", "media01.ehr.internal")]),
    # after a host-like key: single labels, and dotted names whose last label is no file extension
    ("host=db01 port=5432", [("db01", None, None, "", "db01")]),
    ("redis_host: cache01.corp.example", [("cache01.corp.example", None, None, "", "cache01.corp.example")]),
    ("url = db01.acme:5432", [("db01.acme", 5432, None, "database", "db01.acme")]),
    ("endpoint: api.partner", [("api.partner", None, None, "", "api.partner")]),
    ("redis-cli -h cache01 ping", [("cache01", None, None, "", "cache01")]),
    ("--hostname=ldap01", [("ldap01", None, None, "", "ldap01")]),
    # a single label with a well-known service port; an unknown port is no evidence
    ("url = redis:6379 app:1234", [("redis", 6379, None, "cache", "redis")]),
    # each (host, port) once per text, the first way it is written wins
    ("http://db01.corp/x db01.corp", [("db01.corp", None, "http", "HTTP", "db01.corp")]),
])
def test_endpoints_found(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    # versions are not IP addresses
    "zulu 8.46.0.19-ca-jdk8.0.252",
    "jdk-8.46.0.19 v1.2.3.4",
    "/opt/prometheus/clientlibs/haskell/0.1.2.0",
    "ip 10.1.1.300 or 010.1.1.1",
    # Salt matcher specs are not ssh targets
    "{%- set map = salt['slsutil.merge'](C@java:lookup) %}",
    "G@os:Debian and I@role:db",
    # networks, masks, the machine itself, multicast, "this network"
    "-A INPUT -s 10.20.0.0/16 -j ACCEPT",
    "netmask 255.255.255.0",
    "bind 0.0.0.0; listen 127.0.0.1:8000; http://localhost/x; ping 127.0.0.53",
    "http://localhost.localdomain/x db.localdomain ::1",
    "mcast 224.0.0.1 and 0.1.2.3",
    # not host names: template variables, nginx upstream names, files, modules, locales
    "return 301 https://$host$request_uri; proxy_pass http://ehr_app;",
    "host = settings.py",
    "include /etc/nginx/conf.d/app.conf;",
    "vm.swappiness en_US.UTF-8 python3.10 ehr.settings.production nginx.conf",
    "db01.acme",  # an unknown top-level domain needs a host-like key
    # an e-mail address without an ssh tool; a bare "host db01" (pg_hba.conf, prose)
    "mail ops@ehr.example.com",
    "host all all db01 md5",
    # excluded schemes
    "salt://ehr/files/app.ini file:///etc/x unix:///run/app.sock sdb://vault/db vault://x",
    # words that are no hosts after a host-like key
    "host: none server = default address: all",
])
def test_not_endpoints(text):
    assert _found(text) == []


def test_lines_naming_the_machine_itself_are_left_out_by_line():
    text = "a = 1\nserver_name www.ehr.example;\nproxy_pass http://app01.corp:8000;\n"
    assert names_self("server_name www.ehr.example;") and names_self("ALLOWED_HOSTS")
    # a DNS domain or a realm as a setting is the site's own; a command joining one is not
    assert names_self("realm=ehr.internal") and names_self("default_realm = EHR.INTERNAL")
    assert names_self("domain: corp.example") and not names_self("realm join ad.corp.example")
    assert not names_self("AD_DOMAIN_CONTROLLER=dc01.corp")
    assert not names_self("proxy_pass http://app01.corp:8000;")
    assert endpoints_by_line(text) == [(3, Endpoint("app01.corp", 8000, "http"))]
    # endpoints_in leaves that to its caller (SS401 also checks the argument's name)
    assert [e.host for e in endpoints_in("server_name www.ehr.example;")] == ["www.ehr.example"]


@pytest.mark.parametrize("value, expected", [
    ("db01", Endpoint("db01")),
    ("DB01.Corp.Example:5432", Endpoint("db01.corp.example", 5432)),
    ("10.0.0.5", Endpoint("10.0.0.5")),
    ("https://api.partner.com/x", Endpoint("api.partner.com", None, "https")),
    ("1.2.3", None),
    ("settings.py", None),
    ("localhost", None),
    ("127.0.0.1", None),
    ("none", None),
    ("__UNKNOWN_0123456789__", None),
    ("/var/run/postgresql", None),
    ("db01:abc", None),
])
def test_host_value(value, expected):
    assert host_value(value) == expected


def test_host_value_keeps_kind_and_written():
    ep = host_value("DB01.Corp.Example:5432")
    assert (ep.kind, ep.written, ep.label, ep.what) == (
        "database", "DB01.Corp.Example", "db01.corp.example:5432", "database endpoint")


def test_identity_is_host_port_and_scheme():
    # kind and written describe how it was found, not which endpoint it is
    assert Endpoint("db01", 5432, None, "database", "DB01") == Endpoint("db01", 5432)
    assert Endpoint("db01", 5432) != Endpoint("db01", 5432, "postgres")
    assert Endpoint("db01").what == "endpoint" and Endpoint("db01", None, None, "cache").what == "cache endpoint"


@pytest.mark.parametrize("host, excluded", [
    ("localhost", True), ("LOCALHOST.", True), ("app.localdomain", True), ("127.0.0.2", True),
    ("0.0.0.0", True), ("::1", True), ("[::1]", True), ("224.0.0.1", True), ("255.255.255.0", True),
    ("0.10.0.1", True), ("*", True), ("$host", True), ("ehr_app", True), ("true", True),
    ("169.254.169.254", False), ("fe80::1", False), ("10.0.0.5", False), ("db01", False),
    ("db01.corp.example", False),
])
def test_excluded_host(host, excluded):
    assert excluded_host(host) is excluded


def test_one_implementation_behind_rules_and_graph():
    assert api.endpoints_in is endpoints_in and api.Endpoint is Endpoint and api.names_self is names_self
    assert textscan.Endpoint is Endpoint and textscan.host_value is host_value
    assert textscan.endpoints_in_text("x\nredis-cli -h cache01 ping\n") == [(2, Endpoint("cache01"))]


# --- the prefilter: one search that every pattern needs --------------------------------
_TOKENS = [
    "db01", "DB01", "app.corp", "x.Example", "api.partner.com", "10.0.0.5", "1.2.3.4:5432", "8.46.0.19",
    "git@git.corp", "ops@mail.ehr.example", "ssh", "rsync", "-h", "--host", "--hostname=", "host",
    "Host", "server", "SERVER", "addr", "broker", "endpoint", "url", "uri", "upstream", "redis:6379",
    "app:1234", "http://", "https://x.y/", "salt://a/b", "=", ":", "=>", " ", " ", "\t", "'", '"',
    "{", "(", ",", ";", "/", "//", ".", "..", "-", "_", "0", "99", "com", ".com", ".comx", ".local",
    ".K", ".conf", "settings.py", "ſ", "K", "é", "©",
]


def _lines():
    import random

    rnd = random.Random(20240601)
    for _ in range(6000):
        yield "".join(rnd.choice(_TOKENS) for _ in range(rnd.randint(1, 7)))
    for path in sorted((Path(__file__).resolve().parents[1] / "fixtures" / "ehr-platform").rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            yield from path.read_text(errors="replace").splitlines()


def test_a_line_the_prefilter_passes_over_holds_no_endpoint():
    from saltscan import endpoints as ep

    patterns = [ep.URL_RE, ep.SCP_RE, ep.USER_AT_HOST_RE, ep.IPV4_RE, ep.HOST_PORT_RE, ep.HOST_KEY_RE,
                ep.DOTTED_KEY_RE, ep.FLAG_HOST_RE]
    skipped = 0
    for line in _lines():
        if ep.MAY_HOLD_ENDPOINT_RE.search(line):
            continue
        skipped += 1
        assert list(ep._endpoints_in(line)) == [], line
        # stronger than needed: no pattern matches at all (DOTTED_RE: with a known TLD)
        assert not any(p.search(line) for p in patterns), line
        assert not any(m.group(1).rsplit(".", 1)[-1].lower() in ep.TLDS for m in ep.DOTTED_RE.finditer(line)), line
    assert skipped > 1000  # the property is not vacuous


def test_endpoints_by_line_is_the_plain_line_by_line_scan():
    from saltscan import endpoints as ep

    lines = list(_lines())
    for start in range(0, len(lines), 50):
        text = "\n".join(lines[start:start + 50])
        expected = [
            (number, found)
            for number, line in enumerate(text.splitlines(), start=1)
            if not names_self(line)
            for found in ep._endpoints_in(line)
        ]
        assert endpoints_by_line(text) == expected
