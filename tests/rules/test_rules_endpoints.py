"""hardcoded-endpoint rules: SS401 (states), SS402 (file contents); the extractor."""

from __future__ import annotations

import pytest
from rulekit import brief, model, render, run

from saltscan.engine.config import Allowlist, Config
from saltscan.rules import _endpoints
from saltscan.rules.state_hardcoded_endpoint import StateHardcodedEndpoint
from saltscan.rules.template_hardcoded_endpoint import TemplateHardcodedEndpoint


@pytest.mark.parametrize("text, labels", [
    ("postgresql://ehr:pw@db01.ehr.internal:5432/ehr", ["db01.ehr.internal:5432"]),
    ("git@git.ehr.internal:clinical/ehr.git", ["git.ehr.internal"]),
    ("server 169.254.169.123 prefer", ["169.254.169.123"]),
    ("-A INPUT -s 10.20.0.0/16 -j ACCEPT", []),
    ("bind 0.0.0.0; listen 127.0.0.1:8000; http://localhost/x", []),
    ("return 301 https://$host$request_uri; proxy_pass http://ehr_app;", []),
    ("turn_uri = turn:media01.ehr.internal:3478", ["media01.ehr.internal:3478"]),
    ("mllp_host = 10.20.6.25", ["10.20.6.25"]),
    ("host=db01 port=5432", ["db01"]),
    ("redis-cli -h cache01 ping", ["cache01"]),
    ("url = redis:6379", ["redis:6379"]),
    ("sftp -b batch acme@sftp.partner.com", ["sftp.partner.com"]),
    ("mail ops@ehr.example.com", []),
    ("vm.swappiness en_US.UTF-8 python3.10 ehr.settings.production nginx.conf", []),
    ("salt://ehr/files/app.ini file:///etc/x", []),
])
def test_endpoints_in(text, labels):
    assert [e.label for e in _endpoints.endpoints_in(text)] == labels


def test_kinds_by_scheme_and_port():
    kinds = {e.label: e.kind for e in _endpoints.endpoints_in(
        "postgres://h1.corp/x redis://h2.corp amqp://h3.corp nfs://10.1.1.1/x h4.corp:11211")}
    assert kinds == {"h1.corp": "database", "h2.corp": "cache", "h3.corp": "message broker",
                     "10.1.1.1": "NFS", "h4.corp:11211": "cache"}


SLS = """\
{%- set db_host = '10.20.1.15' %}
{%- set hosts = {'db01.ehr.internal': '10.20.1.15'} %}
wait-for-db:
  cmd.run:
    - name: pg_isready -h {{ db_host }}
migrate:
  cmd.run:
    - name: /opt/ehr/bin/migrate
    - env:
      - DB_HOST: {{ db_host }}
      - DB_URL: {{ pillar['ehr']['db']['url'] }}
hosts-db01.ehr.internal:
  host.present:
    - name: db01.ehr.internal
    - ip: 10.20.2.99
code:
  git.latest:
    - name: git@git.ehr.internal:clinical/ehr.git
    - target: /opt/ehr/app
mirror:
  pkgrepo.managed:
    - name: deb http://apt.ehr.internal/ubuntu jammy main
download:
  file.managed:
    - name: /opt/ehr/tool.tgz
    - source: https://downloads.vendor.com/tool.tgz
own:
  cmd.run:
    - name: curl http://192.0.2.10/health
"""
# What the renderer would produce from SLS (Jinja resolved by hand).
RENDERED = """\
wait-for-db:
  cmd.run:
    - name: pg_isready -h 10.20.1.15
migrate:
  cmd.run:
    - name: /opt/ehr/bin/migrate
    - env:
      - DB_HOST: 10.20.1.15
      - DB_URL: postgresql://db-prod.ehr.internal/ehr
hosts-db01.ehr.internal:
  host.present:
    - name: db01.ehr.internal
    - ip: 10.20.2.99
code:
  git.latest:
    - name: git@git.ehr.internal:clinical/ehr.git
    - target: /opt/ehr/app
mirror:
  pkgrepo.managed:
    - name: deb http://apt.ehr.internal/ubuntu jammy main
download:
  file.managed:
    - name: /opt/ehr/tool.tgz
    - source: https://downloads.vendor.com/tool.tgz
own:
  cmd.run:
    - name: curl http://192.0.2.10/health
"""


def test_ss401_states_shared_literals_pillar_and_own_address(tmp_path):
    r = render(tmp_path, {"salt/ehr/app.sls": RENDERED},
               pillar=("pillar/ehr.sls", "ehr:\n  db:\n    url: postgresql://db-prod.ehr.internal/ehr\n"),
               grains={"id": "app01", "ipv4": ["192.0.2.10"]})
    (tmp_path / "salt/ehr/app.sls").write_text(SLS)  # the original, with its Jinja
    r = _relocate(r, SLS)
    found = run(StateHardcodedEndpoint, model(tmp_path, [r]))
    assert brief(found) == [
        ("salt/ehr/app.sls", 1, None,
         "hardcoded endpoint 10.20.1.15 in a Jinja variable used by migrate, wait-for-db"),
        ("salt/ehr/app.sls", 14, "hosts-db01.ehr.internal",
         "hardcoded endpoint 10.20.2.99, endpoint db01.ehr.internal in host.present "
         "hosts-db01.ehr.internal"),
        ("salt/ehr/app.sls", 18, "code", "hardcoded git endpoint git.ehr.internal in git.latest code"),
        ("salt/ehr/app.sls", 22, "mirror",
         "hardcoded HTTP endpoint apt.ehr.internal in pkgrepo.managed mirror"),
    ]


def _relocate(render_, original):
    """Point the states at the lines of the original SLS (IDs keep their text)."""
    from dataclasses import replace

    from saltscan.model import SourceLocation

    lines = original.splitlines()
    out = []
    for st in render_.states:
        line = next(i for i, t in enumerate(lines, 1) if t.startswith(st.id + ":"))
        shift = line - st.location.line
        locs = {k: SourceLocation(v.file, v.line + shift, v.column) for k, v in st.arg_locations.items()}
        out.append(replace(st, location=SourceLocation(st.location.file, line), arg_locations=locs))
    return replace(render_, states=tuple(out))


def test_ss401_allowlist(tmp_path):
    r = render(tmp_path, {"salt/a.sls": "x:\n  cmd.run:\n    - name: curl http://api.partner.com/x\n"})
    config = Config(allowlist=Allowlist(hosts=("*.partner.com",)))
    assert run(StateHardcodedEndpoint, model(tmp_path, [r]), config) == ()
    assert len(run(StateHardcodedEndpoint, model(tmp_path, [r]))) == 1


def test_ss402_template_literals_only(tmp_path):
    sls = {"salt/ehr/init.sls": "ehr-settings:\n  file.managed:\n    - name: /etc/ehr/settings.ini\n"
           "    - source: salt://ehr/settings.ini.j2\n    - template: jinja\n"}
    original = ("[search]\nurl = http://10.20.3.11:9200\n; old: http://10.9.9.9\n"
                "[db]\nhost = {{ pillar['db_host'] }}\nserver_name = ehr.example.com\n"
                "backends = app1.ehr.internal:8000 app2.ehr.internal:8000\n")
    rendered = original.replace("{{ pillar['db_host'] }}", "db-prod.ehr.internal")
    r = render(tmp_path, sls, templates=[("ehr-settings", "salt://ehr/settings.ini.j2",
                                          "salt/ehr/settings.ini.j2", rendered)])
    (tmp_path / "salt/ehr/settings.ini.j2").write_text(original)
    found = run(TemplateHardcodedEndpoint, model(tmp_path, [r]))
    assert brief(found) == [
        ("salt/ehr/settings.ini.j2", 2, "ehr-settings",
         "hardcoded search endpoint 10.20.3.11:9200 in the contents of /etc/ehr/settings.ini"),
        ("salt/ehr/settings.ini.j2", 7, "ehr-settings",
         "hardcoded endpoint app1.ehr.internal:8000, endpoint app2.ehr.internal:8000 in the "
         "contents of /etc/ehr/settings.ini"),
    ]
