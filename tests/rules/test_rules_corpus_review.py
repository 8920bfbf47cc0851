"""Regressions from docs/corpus-review.md: the wrong findings on public Salt formulas.

Each test rebuilds the shape of a formula that gave a wrong finding (the pattern
number of the review is in the test name), asserts that exact finding is gone, and
that a true finding of the same rule next to it stays. SS502 and SS505 are in
test_rules_ordering.py, the secret classifiers in tests/test_secrets.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rulekit import brief, model, render, run

from saltscan.engine.config import Config
from saltscan.engine.runner import run_rules
from saltscan.model import RenderError, RenderErrorKind, SourceLocation
from saltscan.rules import _endpoints
from saltscan.rules.duplicate_id import DuplicateId
from saltscan.rules.file_plaintext_secret import FilePlaintextSecret
from saltscan.rules.firewall import Firewall
from saltscan.rules.host_path_argument import HostPathArgument
from saltscan.rules.host_path_content import HostPathContent
from saltscan.rules.pillar_plaintext_secret import PillarPlaintextSecret
from saltscan.rules.render_error import RenderFailure
from saltscan.rules.state_hardcoded_endpoint import StateHardcodedEndpoint
from saltscan.rules.state_plaintext_secret import StatePlaintextSecret
from saltscan.rules.template_hardcoded_endpoint import TemplateHardcodedEndpoint


def _run_all(m, rules):
    return run_rules(m, None, Config(), rules=rules, strict=True)


# -- pattern 2: SS401 reads template inputs, dict keys, labels and test states ----------

APACHE = """\
apache-config-file-managed:
  file.managed:
    - name: /etc/apache2/apache2.conf
    - source: salt://apache/files/apache-2.4.config.jinja
    - template: jinja
    - context:
        apache:
          sites:
            8084-proxyexample.com:
              ServerName: 8084-proxyexample.com
          mod_pagespeed_source: https://dl-ssl.google.com/dl/linux/mod-pagespeed.deb
    - defaults:
        upstream: http://api.partner.com/v1
apache-config-file-managed-Debian-env:
  file.managed:
    - name: /etc/apache2/envvars
    - source: salt://apache/files/Debian/envvars-2.4.jinja
    - template: jinja
    - apache:
        mod_pagespeed_source: https://dl-ssl.google.com/dl/linux/mod-pagespeed.deb
vhosts-list:
  file.serialize:
    - name: /etc/apache2/vhosts.json
    - dataset:
        www.example.com:
          docroot: /srv/www
letsencrypt-crontab-www-example.com:
  cron.present:
    - name: /usr/bin/certbot renew
    - identifier: letsencrypt-www-example.com
    - comment: see https://wiki.ehr.internal/certbot
docker-fail-notify:
  test.fail_without_changes:
    - name: See https://github.com/saltstack-formulas/docker-formula/issues/1
java-package-archive-install:
  cmd.run:
    - name: curl -Lo /opt/java.tgz https://github.com/adoptium/jdk/releases/jdk8.tgz
salt-pkgrepo:
  pkgrepo.managed:
    - name: deb https://packages.broadcom.com/artifactory/saltproject-deb stable main
"""


def test_pattern2_ss401_skips_template_inputs_dict_keys_labels_and_test_states(tmp_path):
    r = render(tmp_path, {"salt/apache/config/file.sls": APACHE})
    # The curl download (second review #27) is a build input, like source:.
    assert brief(run(StateHardcodedEndpoint, model(tmp_path, [r]))) == [
        ("salt/apache/config/file.sls", 40, "salt-pkgrepo",
         "hardcoded HTTP endpoint packages.broadcom.com in pkgrepo.managed salt-pkgrepo"),
    ]


# -- pattern 3: the _mapdata dump in /tmp is nothing an application needs ------------

MAPDATA = """\
java-mapdata-dump:
  file.managed:
    - name: /tmp/salt_mapdata_dump.yaml
    - source: salt://java/_mapdata/_mapdata.jinja
    - template: jinja
    - context:
        map:
          values:
            java_home: /srv/java/jdk8
            log_dir: /var/log/java
            source: https://cdn.azul.com/zulu/bin/zulu8.46.0.19-ca-jdk8.0.252.tar.gz
            db_url: postgresql://db01.ehr.internal/ehr
            keystore:
              password: Zq8-wX2-pLm4
java-log-dir:
  file.directory:
    - name: /var/log/java
"""
MAPDATA_TEXT = "values:\n  log_dir: /var/log/java\n  db_url: postgresql://db01.ehr.internal/ehr\n"


def test_pattern3_files_written_under_tmp_are_not_reported(tmp_path):
    r = render(tmp_path, {"salt/java/_mapdata/init.sls": MAPDATA},
               templates=[("java-mapdata-dump", "salt://java/_mapdata/_mapdata.jinja",
                           "salt/java/_mapdata/_mapdata.jinja", MAPDATA_TEXT)])
    (tmp_path / "salt/java/_mapdata/_mapdata.jinja").write_text(MAPDATA_TEXT)
    found = _run_all(model(tmp_path, [r]), [HostPathArgument, HostPathContent, StateHardcodedEndpoint,
                                            TemplateHardcodedEndpoint, StatePlaintextSecret])
    assert brief(found) == [
        ("salt/java/_mapdata/init.sls", 17, "java-log-dir",
         "log path /var/log/java in file.directory name: log to stdout/stderr and let the platform "
         "collect the logs"),
    ]


def test_pattern3_the_same_state_outside_tmp_is_still_reported(tmp_path):
    sls = MAPDATA.replace("/tmp/salt_mapdata_dump.yaml", "/etc/java/map.yaml")
    r = render(tmp_path, {"salt/java/config.sls": sls},
               templates=[("java-mapdata-dump", "salt://java/_mapdata/_mapdata.jinja",
                           "salt/java/_mapdata/_mapdata.jinja", MAPDATA_TEXT)])
    (tmp_path / "salt/java/_mapdata/_mapdata.jinja").write_text(MAPDATA_TEXT)
    found = _run_all(model(tmp_path, [r]), [HostPathArgument, HostPathContent, StateHardcodedEndpoint,
                                            TemplateHardcodedEndpoint, StatePlaintextSecret])
    # the context's log_dir reaches the rendered file: SS102 reports it there, not
    # SS101 on the context too (second review, pattern 1)
    assert sorted((f.rule, f.state.id) for f in found) == [
        ("SS101", "java-log-dir"), ("SS102", "java-mapdata-dump"),
        ("SS302", "java-mapdata-dump"), ("SS402", "java-mapdata-dump"),
    ]


# -- pattern 4: versions and Salt matcher specs are not hosts ------------------------

@pytest.mark.parametrize("text, labels", [
    ("zulu 8.46.0.19-ca-jdk8.0.252", []),
    ("jdk-8.46.0.19 v1.2.3.4", []),
    ("/opt/prometheus/clientlibs/haskell/0.1.2.0", []),
    ("{%- set map = salt['slsutil.merge'](C@java:lookup) %}", []),
    ("G@os:Debian and I@role:db", []),
    ("git@git.ehr.internal:clinical/ehr.git", ["git.ehr.internal"]),
    ("//10.20.5.40/scans", ["10.20.5.40"]),
    ("server 10.20.1.15:5432", ["10.20.1.15:5432"]),
])
def test_pattern4_endpoints_are_not_versions_or_matchers(text, labels):
    assert [e.label for e in _endpoints.endpoints_in(text)] == labels


# -- pattern 5: SS402 reports documents (systemd docs, XML namespaces, licences) ------

WEB_XML = """\
<?xml version="1.0" encoding="ISO-8859-1"?>
<!--
  Licensed under the Apache License, Version 2.0 (the "License").
  You may obtain a copy of the License at

      http://www.apache.org/licenses/LICENSE-2.0
-->
<web-app xmlns="http://java.sun.com/xml/ns/javaee"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://java.sun.com/xml/ns/javaee
                      http://java.sun.com/xml/ns/javaee/web-app_3_0.xsd"
  version="3.0">
  <mime-mapping>
    <extension>c4g</extension>
    <mime-type>application/vnd.clonk.c4group</mime-type>
  </mime-mapping>
  <context-param><param-value>jdbc:postgresql://db01.ehr.internal:5432/ehr</param-value></context-param>
  <context-param><param-value>x7Gk2LmQ9vR4tY8pZ3wN5bC1</param-value></context-param>
  <context-param><password>Hunter2-Master</password></context-param>
  <context-param><param-value>http://www.apache.org/licenses/LICENSE-2.0</param-value></context-param>
  <context-param><param-value>http://license.ehr.internal:27000</param-value></context-param>
</web-app>
"""
UNIT = """\
[Unit]
Description=Docker
Documentation=https://docs.docker.com
[Service]
ExecStart=/usr/bin/dockerd --registry-mirror=http://10.20.3.11:5000
"""
TOMCAT_SLS = """\
tomcat web_xml:
  file.managed:
    - name: /etc/tomcat9/web.xml
    - source: salt://tomcat/files/web.xml
docker-service:
  file.managed:
    - name: /usr/lib/systemd/system/docker.service
    - source: salt://docker/files/systemd.ini
"""


def _tomcat(tmp_path):
    return render(tmp_path, {"salt/tomcat/init.sls": TOMCAT_SLS},
                  extra_files={"salt/tomcat/files/web.xml": WEB_XML, "salt/docker/files/systemd.ini": UNIT})


def test_pattern5_ss402_skips_documentation_namespaces_and_xml_comment_blocks(tmp_path):
    found = run(TemplateHardcodedEndpoint, model(tmp_path, [_tomcat(tmp_path)]))
    assert brief(found) == [
        ("salt/docker/files/systemd.ini", 5, "docker-service",
         "hardcoded HTTP endpoint 10.20.3.11:5000 in the contents of /usr/lib/systemd/system/docker.service"),
        ("salt/tomcat/files/web.xml", 17, "tomcat web_xml",
         "hardcoded database endpoint db01.ehr.internal:5432 in the contents of /etc/tomcat9/web.xml"),
        ("salt/tomcat/files/web.xml", 21, "tomcat web_xml",
         "hardcoded HTTP endpoint license.ehr.internal:27000 in the contents of /etc/tomcat9/web.xml"),
    ]


# -- pattern 6: SS303 scores values, not whole XML lines ---------------------------

def test_pattern6_ss303_classifies_xml_values_not_lines(tmp_path):
    found = run(FilePlaintextSecret, model(tmp_path, [_tomcat(tmp_path)]))
    assert brief(found) == [
        ("salt/tomcat/files/web.xml", 18, "tomcat web_xml",
         "param-value is written in clear in the contents of /etc/tomcat9/web.xml (high-entropy string)"),
        ("salt/tomcat/files/web.xml", 19, "tomcat web_xml",
         "password is written in clear in the contents of /etc/tomcat9/web.xml (key name: password)"),
    ]


# -- pattern 8: a duplicate key in a pillar file is a pillar key, not a state ID -------

NTP_PILLAR = "ntp:\n  ng:\n    servers: [a]\n\nntp:\n  ng:\n    servers: [b]\n"


def test_pattern8_duplicate_pillar_key_names_the_pillar_key(tmp_path):
    errors = [
        RenderError(RenderErrorKind.DUPLICATE_KEY, "found conflicting ID 'ntp'",
                    SourceLocation("pillar/ntp.sls", 5), sls="ntp"),
        RenderError(RenderErrorKind.DUPLICATE_KEY, "found conflicting ID 'ntp'",
                    SourceLocation("salt/ntp/init.sls", 4), sls="ntp"),
        RenderError(RenderErrorKind.YAML, "YAML error: mapping values are not allowed in this context",
                    SourceLocation("pillar/ntp.sls", 3), sls="ntp"),
    ]
    sls = "ntp:\n  pkg.installed: []\n\nntp:\n  service.running: []\n"
    r = render(tmp_path, {"salt/other.sls": "x:\n  test.nop: []\n"}, errors=errors,
               extra_files={"pillar/ntp.sls": NTP_PILLAR, "salt/ntp/init.sls": sls})
    found = _run_all(model(tmp_path, [r]), [DuplicateId, RenderFailure])
    assert [(f.rule, f.location.file, f.location.line, f.state.id if f.state else None, f.pillar_key,
             f.message) for f in found] == [
        ("SS801", "pillar/ntp.sls", 3, None, None,
         "YAML error: mapping values are not allowed in this context"),
        ("SS806", "pillar/ntp.sls", 5, None, "ntp",
         "pillar key ntp is defined twice in one pillar file: Salt fails rendering it "
         "(found conflicting ID 'ntp')"),
        ("SS806", "salt/ntp/init.sls", 4, "ntp", None, "found conflicting ID 'ntp'"),
    ]
    assert found[1].hint.startswith("merge the blocks of the key")
    assert found[2].hint == DuplicateId.hint


def test_pattern8_nested_duplicate_pillar_key_path(tmp_path):
    pillar = "ntp:\n  ng:\n    servers: [a]\n    servers: [b]\n"
    errors = [RenderError(RenderErrorKind.DUPLICATE_KEY, "found conflicting ID 'servers'",
                          SourceLocation("pillar/ntp.sls", 4), sls="ntp")]
    r = render(tmp_path, {"salt/other.sls": "x:\n  test.nop: []\n"}, errors=errors,
               extra_files={"pillar/ntp.sls": pillar})
    assert [f.pillar_key for f in run(DuplicateId, model(tmp_path, [r]))] == ["ntp:ng:servers"]


# -- pattern 9: installing the iptables tool is not managing firewall rules --------

def test_pattern9_ss706_iptables_tool_package_is_not_a_firewall(tmp_path):
    sls = """\
docker-compose-software-binary-install:
  pkg.installed:
    - pkgs:
      - iptables
      - git
firewalld:
  service.running: []
"""
    r = render(tmp_path, {"salt/docker/install.sls": sls})
    assert brief(run(Firewall, model(tmp_path, [r]))) == [
        ("salt/docker/install.sls", 6, "firewalld",
         "service.running firewalld manages firewall rules of the host: service firewalld"),
    ]


# -- pattern 10: the OS's login accounting files are not application logs ----------

def test_pattern10_ss102_skips_wtmp_btmp_in_logrotate_conf(tmp_path):
    sls = ("logrotate-config:\n  file.managed:\n    - name: /etc/logrotate.conf\n"
           "    - source: salt://logrotate/templates/logrotate.conf.tmpl\n    - template: jinja\n")
    text = ("/var/log/wtmp {\n    monthly\n}\n/var/log/btmp {\n    missingok\n}\n"
            "/var/log/lastlog /var/log/faillog {\n}\n/var/log/nginx/*.log {\n}\n")
    r = render(tmp_path, {"salt/logrotate/config.sls": sls},
               templates=[("logrotate-config", "salt://logrotate/templates/logrotate.conf.tmpl",
                           "salt/logrotate/templates/logrotate.conf.tmpl", text)])
    assert brief(run(HostPathContent, model(tmp_path, [r]))) == [
        ("salt/logrotate/templates/logrotate.conf.tmpl", 9, "logrotate-config",
         "log path /var/log/nginx/ in the contents of /etc/logrotate.conf: log to stdout/stderr "
         "and let the platform collect the logs"),
    ]


# -- pattern 11: settings that read like secrets; well-known defaults -------------

APACHE_PILLAR = """\
apache:
  security:
    ServerTokens: Prod
  mod_ssl:
    SSLCipherSuite: EDH+CAMELLIA:EDH+aRSA:EECDH+aRSA+AESGCM:EECDH+aRSA+SHA384:!aNULL:!eNULL:!LOW:AES256-SHA
salt:
  cloud:
    gce_service_account_email_address: 867543072364-orl4h2tpp8jcn1tr9ipj@developer.gserviceaccount.com
    aws_secret: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
java:
  cacert_keystore_password: changeit
"""


def test_pattern11_ss301_settings_are_not_secrets_and_defaults_say_so(tmp_path):
    r = render(tmp_path, {"salt/a.sls": "x:\n  test.nop: []\n"}, pillar=("pillar/p.sls", APACHE_PILLAR))
    assert brief(run(PillarPlaintextSecret, model(tmp_path, [r]))) == [
        ("pillar/p.sls", 9, "salt:cloud:aws_secret",
         "pillar key salt:cloud:aws_secret holds a secret in clear (high-entropy string)"),
        ("pillar/p.sls", 11, "java:cacert_keystore_password",
         "pillar key java:cacert_keystore_password holds a well-known default credential in clear "
         "(key name: password)"),
    ]


def test_pattern11_ss302_well_known_default_in_a_state(tmp_path):
    sls = ("java-cacerts:\n  cmd.run:\n    - name: /opt/java/bin/import-certs\n"
           "    - keystore_password: changeit\n    - trust_password: Zq8-wX2-pLm4\n")
    r = render(tmp_path, {"salt/java/certs.sls": sls})
    assert brief(run(StatePlaintextSecret, model(tmp_path, [r]))) == [
        ("salt/java/certs.sls", 4, "java-cacerts",
         "cmd.run argument keystore_password holds a well-known default credential in clear "
         "(key name: password)"),
        ("salt/java/certs.sls", 5, "java-cacerts",
         "cmd.run argument trust_password holds a secret in clear (key name: password)"),
    ]
