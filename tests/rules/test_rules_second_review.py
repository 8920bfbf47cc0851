"""Regressions from the second review of docs/corpus-review.md ("Second review, after
the fixes"): each test rebuilds the formula shape of a wrong finding (its table number
in the test name), asserts that exact finding is gone and that the true finding next
to it stays.
"""

from __future__ import annotations

from dataclasses import replace

from rulekit import brief, model, render, run

from saltscan.engine.config import Config
from saltscan.engine.context import RuleContext, SourceReader
from saltscan.engine.runner import run_rules
from saltscan.model import SlsFile
from saltscan.rules import _paths
from saltscan.rules.host_path_argument import HostPathArgument
from saltscan.rules.host_path_content import HostPathContent
from saltscan.rules.implicit_ordering import ImplicitOrdering
from saltscan.rules.kernel_tunable import KernelTunable
from saltscan.rules.missing_source import MissingSource
from saltscan.rules.state_hardcoded_endpoint import StateHardcodedEndpoint
from saltscan.rules.unquoted_file_mode import UnquotedFileMode

LOG = "log to stdout/stderr and let the platform collect the logs"
DATA = "keep the data on a volume, path set by an env var"

# -- pattern 1 (#2): SS101 reads what only feeds a template that rendered ------------

APACHE = """\
apache-config-manage-security-Debian:
  file.managed:
    - name: /etc/apache2/conf-available/security.conf
    - source: salt://apache/files/ssl/security.conf.jinja
    - template: jinja
    - apache:
        logdir: /var/log/apache2
        wwwdir: /srv
apache-config-file-managed:
  file.managed:
    - name: /etc/apache2/apache2.conf
    - source: salt://apache/files/apache-2.4.config.jinja
    - template: jinja
    - context:
        apache:
          logdir: /var/log/apache2
apache-config-vhost-broken:
  file.managed:
    - name: /etc/apache2/sites-available/broken.conf
    - source: salt://apache/vhosts/missing.tmpl
    - template: jinja
    - context:
        logdir: /var/log/apache2/broken
apache-config-file-directory-logdir:
  file.directory:
    - name: /var/log/apache2
"""


def test_pattern1_no2_ss101_leaves_template_inputs_to_the_rendered_file(tmp_path):
    r = render(tmp_path, {"salt/apache/config/file.sls": APACHE}, templates=[
        ("apache-config-manage-security-Debian", "salt://apache/files/ssl/security.conf.jinja",
         "salt/apache/files/ssl/security.conf.jinja", "ServerTokens Prod\nServerSignature Off\n"),
        ("apache-config-file-managed", "salt://apache/files/apache-2.4.config.jinja",
         "salt/apache/files/apache-2.4.config.jinja", 'ServerRoot "/etc/apache2"\nErrorLog /var/log/apache2/error.log\n'),
    ])
    found = run_rules(model(tmp_path, [r]), None, Config(), rules=(HostPathArgument, HostPathContent), strict=True)
    assert [(f.rule, *b) for f, b in zip(found, brief(found))] == [
        # the template did not render: its context is all there is to judge
        ("SS101", "salt/apache/config/file.sls", 23, "apache-config-vhost-broken",
         f"log path /var/log/apache2/broken in file.managed context: {LOG}"),
        ("SS101", "salt/apache/config/file.sls", 26, "apache-config-file-directory-logdir",
         f"log path /var/log/apache2 in file.directory name: {LOG}"),
        # the template renders the context's log dir: reported once, in the file
        ("SS102", "salt/apache/files/apache-2.4.config.jinja", 2, "apache-config-file-managed",
         f"log path /var/log/apache2/error.log in the contents of /etc/apache2/apache2.conf: {LOG}"),
    ]


# -- pattern 2 (#4, #19): the OS's own logs are not application logs ----------------

SYSLOG_JOB = """\
/var/log/cron
/var/log/maillog
/var/log/messages
/var/log/secure
/var/log/spooler
/var/log/slapd.log
{
    sharedscripts
}
"""
LOGS = """\
logrotate-syslog:
  file.managed:
    - name: /etc/logrotate.d/syslog
    - contents: |
        /var/log/messages /var/log/secure /var/log/auth.log
        /var/log/slapd.log
sudoers:
  file.managed:
    - name: /etc/sudoers
    - contents: |
        Defaults@www1 log_year, logfile=/var/log/sudo.log
apache-service-diagnose:
  cmd.run:
    - name: tail -20 /var/log/messages; tail -20 /var/log/ehr/app.log
"""


def test_pattern2_no4_no19_syslog_and_sudo_logs_are_the_hosts(tmp_path):
    r = render(tmp_path, {"salt/logrotate/jobs.sls": LOGS})
    found = run_rules(model(tmp_path, [r]), None, Config(), rules=(HostPathArgument, HostPathContent), strict=True)
    assert [(f.rule, *b) for f, b in zip(found, brief(found))] == [
        ("SS102", "salt/logrotate/jobs.sls", 6, "logrotate-syslog",
         f"log path /var/log/slapd.log in the contents of /etc/logrotate.d/syslog: {LOG}"),
        ("SS101", "salt/logrotate/jobs.sls", 14, "apache-service-diagnose",
         f"log path /var/log/ehr/app.log in cmd.run name: {LOG}"),
    ]


def test_pattern2_os_log_files_classify_as_the_hosts_but_their_neighbours_do_not():
    for path in ("/var/log/messages", "/var/log/secure", "/var/log/auth.log", "/var/log/syslog",
                 "/var/log/kern.log", "/var/log/sudo.log", "/var/log/cron", "/var/log/maillog",
                 "/var/log/journal/abc/system.journal", "/var/log/wtmp"):
        assert _paths.classify(path) is None, path
    for path in ("/var/log/cron.d/ehr.log", "/var/log/messages-ehr", "/var/log/ehr/secure"):
        assert _paths.classify(path) is _paths.PathKind.LOG, path


# -- pattern 3 (#5, #12): an application's install or instance dir is its own --------

HAPROXY = """\
haproxy-chroot-directory:
  file.directory:
    - name: /var/lib/haproxy
haproxy-stats-directory:
  file.directory:
    - name: /var/lib/haproxy-stats
haproxy.config:
  file.managed:
    - name: /etc/haproxy/haproxy.cfg
    - source: salt://haproxy/templates/haproxy.jinja
    - template: jinja
"""
HAPROXY_CFG = "global\n    chroot  /var/lib/haproxy\n    stats socket /var/lib/haproxy/stats\n"


def test_pattern3_no5_a_chroot_the_render_sets_is_the_applications(tmp_path):
    r = render(tmp_path, {"salt/haproxy/config.sls": HAPROXY}, templates=[
        ("haproxy.config", "salt://haproxy/templates/haproxy.jinja",
         "salt/haproxy/templates/haproxy.jinja", HAPROXY_CFG)])
    found = run_rules(model(tmp_path, [r]), None, Config(), rules=(HostPathArgument, HostPathContent), strict=True)
    assert brief(found) == [
        ("salt/haproxy/config.sls", 6, "haproxy-stats-directory",
         f"data directory /var/lib/haproxy-stats in file.directory name: {DATA}"),
    ]


TOMCAT = """\
tomcat tomcat_conf:
  file.managed:
    - name: /etc/default/tomcat9
    - source: salt://tomcat/files/tomcat-default-Debian.template
    - template: jinja
tomcat /var/lib/tomcat9/webapps/../webapps/myapp:
  file.directory:
    - name: /var/lib/tomcat9/webapps/../webapps/myapp
tomcat uploads:
  file.directory:
    - name: /srv/tomcat/uploads
"""
TOMCAT_DEFAULT = """\
JAVA_HOME=/usr/lib/jvm/default-java
#CATALINA_BASE="/srv/tomcat"
CATALINA_BASE="/var/lib/tomcat9"
CATALINA_TMPDIR="/var/cache/tomcat9/temp"
"""


def test_pattern3_no12_catalina_base_is_the_applications_per_render(tmp_path):
    templated = render(tmp_path, {"salt/tomcat/config.sls": TOMCAT}, templates=[
        ("tomcat tomcat_conf", "salt://tomcat/files/tomcat-default-Debian.template",
         "salt/tomcat/files/tomcat-default-Debian.template", TOMCAT_DEFAULT)])
    # another minion whose render sets no CATALINA_BASE (its template did not render)
    bare = replace(templated, templates=(), minion=replace(templated.minion, id="app02"))
    found = run_rules(model(tmp_path, [templated, bare]), None, Config(),
                      rules=(HostPathArgument, HostPathContent), strict=True)
    assert sorted((f.rule, *b, f.minions) for f, b in zip(found, brief(found))) == [
        ("SS101", "salt/tomcat/config.sls", 8, "tomcat /var/lib/tomcat9/webapps/../webapps/myapp",
         f"data directory /var/lib/tomcat9/webapps/../webapps/myapp in file.directory name: {DATA}",
         ("app02",)),
        ("SS101", "salt/tomcat/config.sls", 11, "tomcat uploads",
         "upload directory /srv/tomcat/uploads in file.directory name: keep uploads on a volume "
         "or in object storage, path set by an env var", ("app01", "app02")),
        ("SS102", "salt/tomcat/files/tomcat-default-Debian.template", 4, "tomcat tomcat_conf",
         "cache directory /var/cache/tomcat9/temp in the contents of /etc/default/tomcat9: "
         "use an ephemeral volume (emptyDir/tmpfs) for the cache", ("app01",)),
    ]


def test_pattern3_install_keys_in_state_arguments_count_but_not_shallow_ones(tmp_path):
    sls = """\
tomcat-env:
  environ.setenv:
    - value:
        CATALINA_HOME: /srv/tomcat9
        chroot: /srv
tomcat-webapps:
  file.directory:
    - name: /srv/tomcat9/webapps
tomcat-data:
  file.directory:
    - name: /srv/ehr-data
"""
    r = render(tmp_path, {"salt/tomcat/env.sls": sls})
    assert [(f.location.line, f.state.id) for f in run(HostPathArgument, model(tmp_path, [r]))] == [
            (4, "tomcat-env"), (11, "tomcat-data")]


# -- pattern 4 (#30): a host from a pillar key is from pillar -------------------------

HOSTS_JINJA = """\
{%- for host, ip in salt['pillar.get']('hosts', {}).items() %}
{{ host }}:
  host.present:
    - ip: {{ ip }}
{%- endfor %}
db01.ehr.internal:
  host.present:
    - ip: 10.20.1.15
"""


def test_pattern4_no30_ss401_host_from_a_pillar_key_is_from_pillar(tmp_path):
    rendered = ("apiserver2.example.com:\n  host.present:\n    - ip: 127.0.0.1\n"
                "db01.ehr.internal:\n  host.present:\n    - ip: 10.20.1.15\n")
    r = render(tmp_path, {"salt/hosts/init.sls": rendered},
               pillar=("pillar/hosts.sls", "hosts:\n  apiserver2.example.com: 127.0.0.1\n"))
    # each state at its ID line in the original file
    lines = {"apiserver2.example.com": 2, "db01.ehr.internal": 6}
    states = tuple(replace(st, location=replace(st.location, line=lines[st.id])) for st in r.states)
    r = replace(r, states=states)
    (tmp_path / "salt/hosts/init.sls").write_text(HOSTS_JINJA)
    assert [(f.location.line, f.state.id) for f in run(StateHardcodedEndpoint, model(tmp_path, [r]))] == [
        (6, "db01.ehr.internal")]


def test_pillar_strings_hold_keys_and_values(tmp_path):
    r = render(tmp_path, {"salt/top.sls": "noop:\n  test.nop: []\n"},
               pillar=("pillar/hosts.sls", "hosts:\n  apiserver2.example.com: 127.0.0.1\n"
                       "  web1: [10.0.0.1]\n"))
    ctx = RuleContext(model(tmp_path, [r]), r, Config().allowlist, SourceReader(tmp_path))
    assert ctx.pillar_strings == frozenset({"hosts", "apiserver2.example.com", "127.0.0.1", "web1", "10.0.0.1"})
    assert ctx.from_pillar("apiserver2.example.com") and not ctx.from_pillar("apiserver3.example.com")


# -- pattern 6 (#39): unmasking or enabling a service reads no config file -------------

PROMETHEUS = """\
prometheus-package:
  pkg.installed:
    - name: prometheus
prometheus-environ_file:
  file.managed:
    - name: /etc/default/prometheus
    - contents: ARGS=""
prometheus-unmasked:
  service.unmasked:
    - name: prometheus
prometheus-enabled:
  service.enabled:
    - name: prometheus
    - require:
      - pkg: prometheus-package
prometheus-running:
  service.running:
    - name: prometheus
    - require:
      - pkg: prometheus-package
"""


def test_pattern6_no39_ss502_unmasked_needs_the_package_not_the_config(tmp_path):
    r = render(tmp_path, {"salt/prometheus/service.sls": PROMETHEUS})
    assert brief(run(ImplicitOrdering, model(tmp_path, [r]))) == [
        ("salt/prometheus/service.sls", 8, "prometheus-unmasked",
         "service.unmasked prometheus-unmasked needs package prometheus from pkg.installed "
         "prometheus-package (package prometheus) but has no requisite on it"),
        ("salt/prometheus/service.sls", 16, "prometheus-running",
         "service.running prometheus-running needs file /etc/default/prometheus from file.managed "
         "prometheus-environ_file (config) but has no requisite on it"),
    ]


# -- pattern 7 (#79): SS902 names the function whose block holds the mode ---------------

MOD_SSL = """\
apache-config-modules-ssl-cmd-run:
  cmd.run:
    - name: a2enmod ssl
    - mode: 600
  file.managed:
    - name: /etc/apache2/mods-available/ssl.conf
    - context:
        apache.conf: {}
    - mode: 644
resolved:
  {%- if resolved.pkg %}
  pkg.installed:
    - name: systemd-resolved
  {%- endif %}
  {%- if resolved.config_source == 'file' %}
  file.managed:
    - name: /etc/systemd/resolved.conf
    - mode: 644
  {%- endif %}
"""


def test_pattern7_no79_ss902_names_the_function_of_the_modes_block(tmp_path):
    rendered = "\n".join(line for line in MOD_SSL.splitlines() if "{%" not in line) + "\n"
    r = render(tmp_path, {"salt/apache/mod_ssl.sls": rendered})
    # the renderer places every state of an ID at its ID line in the original file
    lines = {"apache-config-modules-ssl-cmd-run": 1, "resolved": 10}
    r = replace(r, states=tuple(replace(st, location=replace(st.location, line=lines[st.id]))
                                for st in r.states))
    (tmp_path / "salt/apache/mod_ssl.sls").write_text(MOD_SSL)
    m = model(tmp_path, [r])
    m = replace(m, tree=replace(m.tree, sls_files=(
        SlsFile("apache.mod_ssl", "base", "salt/apache/mod_ssl.sls", "jinja|yaml"),)))
    found = run_rules(m, None, Config(), rules=(UnquotedFileMode,), strict=True)
    assert [(f.location.line, f.state.id, f.state.function) for f in found] == [
        (4, "apache-config-modules-ssl-cmd-run", "cmd.run"),
        (9, "apache-config-modules-ssl-cmd-run", "file.managed"),
        (18, "resolved", "file.managed"),
    ]


# -- noise: SS804 on an absent function, SS701 on PAM limits ----------------------------

def test_ss804_absent_does_not_fail_on_a_missing_source(tmp_path):
    sls = ("users_ssh_auth_source_delete_buser_0:\n  ssh_auth.absent:\n    - user: buser\n"
           "    - source: salt://keys/deleteduser.id_rsa.pub\n"
           "users_ssh_auth_source_buser_0:\n  ssh_auth.present:\n    - user: buser\n"
           "    - source: salt://keys/buser.id_rsa.pub\n")
    r = render(tmp_path, {"salt/users/init.sls": sls})
    assert brief(run(MissingSource, model(tmp_path, [r]))) == [
        ("salt/users/init.sls", 4, "users_ssh_auth_source_delete_buser_0",
         "source salt://keys/deleteduser.id_rsa.pub of ssh_auth.absent users_ssh_auth_source_delete_buser_0 "
         "is not in the state roots: Salt does not fail, it silently removes nothing"),
        ("salt/users/init.sls", 8, "users_ssh_auth_source_buser_0",
         "source salt://keys/buser.id_rsa.pub of ssh_auth.present users_ssh_auth_source_buser_0 "
         "is not in the state roots"),
    ]


def test_ss701_limits_d_are_process_resource_limits(tmp_path):
    sls = ("tomcat limits_conf:\n  file.managed:\n    - name: /etc/security/limits.d/tomcat9.conf\n"
           "    - contents: 'tomcat9 soft nofile 65536'\n"
           "redis_overcommit_memory:\n  sysctl.present:\n    - name: vm.overcommit_memory\n    - value: 1\n")
    r = render(tmp_path, {"salt/tomcat/config.sls": sls})
    found = run(KernelTunable, model(tmp_path, [r]))
    assert [(f.category.value, f.message) for f in found] == [
        ("host-level", "file.managed tomcat limits_conf manages process resource limits of the host: "
         "file /etc/security/limits.d/tomcat9.conf"),
        ("host-level", "sysctl.present redis_overcommit_memory manages kernel tunables of the host: "
         "vm.overcommit_memory"),
    ]


def test_download_commands_are_build_inputs_not_endpoints():
    """second review #27: java-formula downloads its archive with curl -Lo."""
    from saltscan.rules.state_hardcoded_endpoint import _DOWNLOAD_CMD

    assert _DOWNLOAD_CMD.match("curl -Lo /tmp/jdk.tgz https://github.com/adoptium/x.tgz")
    assert _DOWNLOAD_CMD.match("wget -q https://example.org/a.tgz")
    assert _DOWNLOAD_CMD.match("curl --output /tmp/a https://example.org/a")
    assert not _DOWNLOAD_CMD.match("curl -fsS -X POST https://hooks.slack.com/services/x")
    assert not _DOWNLOAD_CMD.match("psql -h db01.internal")
