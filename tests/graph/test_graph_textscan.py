"""Env assignments, endpoints and ports found in text."""

from __future__ import annotations

import pytest

from saltscan.graph.textscan import (
    Endpoint,
    PortUse,
    endpoints_in_line,
    env_assignments,
    host_value,
    inline_env,
    is_env_file,
    ports_in_line,
)


@pytest.mark.parametrize("line, expected", [
    ("url = https://api.partner.example/v2?x=1", [Endpoint("api.partner.example", None, "https")]),
    ("DATABASE_URL=postgres://u:p@db01.corp.example:5432/ehr", [Endpoint("db01.corp.example", 5432, "postgres")]),
    ("upstream { server 10.0.0.5:8000; }", [Endpoint("10.0.0.5", 8000)]),
    ("git@git.corp.example:ehr/app.git", [Endpoint("git.corp.example", None, "ssh")]),
    ("redis_host: cache01.corp.example", [Endpoint("cache01.corp.example")]),
    ("server_name www.ehr.example;", []),           # our own vhost name, not another system
    ("include /etc/nginx/conf.d/app.conf;", []),
    ("host = settings.py", []),                     # a file, not a host
    ("allow 10.0.0.0/8;", []),                      # a network, not an endpoint
    ("listen 0.0.0.0:80; proxy_pass http://127.0.0.1:8000;", []),
    ("source: salt://ehr/files/app.conf", []),
    ("netmask 255.255.255.0", []),
    ("return 301 https://$host$request_uri;", []),  # a template variable, not a host
    ("proxy_pass http://ehr_app;", []),             # an nginx upstream name
])
def test_endpoints_in_line(line, expected):
    assert endpoints_in_line(line) == expected


@pytest.mark.parametrize("line, expected", [
    ("    listen 443 ssl;", [PortUse(443, True)]),
    ("Listen 8080", [PortUse(8080, True)]),
    ("EXPOSE 8000", [PortUse(8000, True)]),
    ('bind = "0.0.0.0:8001"', [PortUse(8001, True)]),
    ("http.port: 9200", [PortUse(9200, True)]),
    ("port 6379", [PortUse(6379, True)]),
    ("DB_PORT=5432", [PortUse(5432, False)]),
    ("# listen 80", []),
    ("port = 99999", []),
])
def test_ports_in_line(line, expected):
    assert ports_in_line(line) == expected


def test_env_assignments_by_file_kind():
    text = "A=1\nexport B='two'\n# C=3\nEnvironment=\"D=4\" E=5\nlower_case=x\n"
    assert env_assignments(text, env_file=True) == [
        (1, "A", "1"), (2, "B", "two"), (4, "D", "4"), (4, "E", "5"), (5, "lower_case", "x"),
    ]
    assert env_assignments(text, env_file=False) == [(2, "B", "two"), (4, "D", "4"), (4, "E", "5")]


def test_inline_env_and_env_files():
    assert inline_env("PGPASSWORD=x PGHOST=db psql -c 'select 1'") == [("PGPASSWORD", "x"), ("PGHOST", "db")]
    assert inline_env("psql A=1") == []
    assert [p for p in ("/etc/environment", "/etc/default/ehr", "/opt/ehr/.env", "/opt/ehr/prod.env",
                        "/etc/sysconfig/ehr", "/etc/profile.d/ehr.sh", "/etc/ehr/app.conf") if is_env_file(p)] == [
        "/etc/environment", "/etc/default/ehr", "/opt/ehr/.env", "/opt/ehr/prod.env", "/etc/sysconfig/ehr",
        "/etc/profile.d/ehr.sh",
    ]


def test_host_value():
    assert host_value("db01") == Endpoint("db01")
    assert host_value("db01.corp.example:5432") == Endpoint("db01.corp.example", 5432)
    assert host_value("localhost") is None
    assert host_value("__UNKNOWN_0123456789__") is None
    assert host_value("/var/run/postgresql") is None


def test_listening_ports_of_coturn_and_yaml_listen_lines():
    from saltscan.graph.textscan import PortUse, ports_in_line

    assert ports_in_line("listening-port=3478") == [PortUse(3478, True)]
    assert ports_in_line("tls-listening-port=5349") == [PortUse(5349, True)]
    assert ports_in_line("listen: 0.0.0.0:8443") == [PortUse(8443, True)]
    assert ports_in_line('listen: "0.0.0.0:9000"') == [PortUse(9000, True)]
    assert ports_in_line("db_port: 5432") == [PortUse(5432, False)]
    assert ports_in_line("# listen 80") == []
