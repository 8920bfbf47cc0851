"""runtime-coupling (SS601-SS603) and host-level (SS701-SS708) rules."""

from __future__ import annotations

from rulekit import brief, model, render, run

from saltscan.engine.config import parse_config
from saltscan.engine.runner import run_rules
from saltscan.rules.foreign_service_requisite import ForeignServiceRequisite
from saltscan.rules.multiple_services import MultipleServices
from saltscan.rules.restart_on_change import RestartOnChange

RUNTIME = """\
nginx-conf:
  file.managed:
    - name: /etc/nginx/nginx.conf
    - watch_in:
      - service: nginx-service
nginx-service:
  service.running:
    - name: nginx
    - reload: True
    - require:
      - service: ehr-gunicorn
ehr-gunicorn:
  service.running:
    - watch:
      - file: ehr-env
    - require:
      - service: postgresql
coturn-restart:
  cmd.run:
    - name: systemctl restart coturn
    - onchanges:
      - file: coturn-conf
daemon-reload:
  cmd.run:
    - name: systemctl daemon-reload
    - onchanges:
      - file: unit
chrony:
  service.running: []
"""


def test_ss601_restart_and_reload_on_change(tmp_path):
    r = render(tmp_path, {"salt/web.sls": RUNTIME})
    assert brief(run(RestartOnChange, model(tmp_path, [r]))) == [
        ("salt/web.sls", 6, "nginx-service", "service nginx reloads when file nginx-conf change (watch)"),
        ("salt/web.sls", 12, "ehr-gunicorn", "service ehr-gunicorn restarts when file ehr-env change (watch)"),
        ("salt/web.sls", 18, "coturn-restart",
         "cmd.run coturn-restart restarts or signals a process when file coturn-conf change (onchanges)"),
    ]


def test_ss603_requisite_on_a_service_of_another_host(tmp_path):
    r = render(tmp_path, {"salt/web.sls": RUNTIME})
    assert brief(run(ForeignServiceRequisite, model(tmp_path, [r]))) == [
        ("salt/web.sls", 17, "ehr-gunicorn",
         "service.running ehr-gunicorn has a require on service postgresql, which this minion does not run"),
    ]


def test_ss602_one_finding_per_role_at_the_top_file(tmp_path):
    top = "base:\n  'role:web':\n    - match: grain\n    - web\n  'role:db':\n    - match: grain\n    - db\n"
    web = [render(tmp_path, {"salt/web.sls": RUNTIME}, minion=m, grains={"id": m, "role": "web"},
                  extra_files={"salt/top.sls": top}) for m in ("web02", "web01")]
    db = render(tmp_path, {"salt/db.sls": "postgresql:\n  service.running: []\nsshd:\n  service.running: []\n"},
                minion="db01", grains={"id": "db01", "role": "db"})
    found = run(MultipleServices, model(tmp_path, [*web, db]))
    assert [(f.location.file, f.location.line, f.minions, f.message) for f in found] == [
        ("salt/top.sls", 2, ("web01", "web02"),
         "role web runs 2 long-running services (ehr-gunicorn, nginx): one long-running service per container"),
    ]


HOST = """\
sysctl-vm.swappiness:
  sysctl.present:
    - name: vm.swappiness
    - value: 10
thp:
  cmd.run:
    - name: echo never > /sys/kernel/mm/transparent_hugepage/enabled
tuned:
  cmd.run:
    - name: tuned-adm profile throughput-performance
nfs-client:
  pkg.installed:
    - name: nfs-common
scans:
  mount.mounted:
    - name: /mnt/scans
    - device: nfs01:/export
cleanup:
  cron.present:
    - name: /opt/ehr/bin/cleanup
tz:
  timezone.system:
    - name: America/Chicago
chrony-pkg:
  pkg.installed:
    - name: chrony
chrony-conf:
  file.managed:
    - name: /etc/chrony/chrony.conf
hosts-db01:
  host.present:
    - name: db01.ehr.internal
    - ip: 10.20.1.15
fw-pkgs:
  pkg.installed:
    - pkgs:
      - iptables
      - iptables-persistent
fw-restore:
  cmd.run:
    - name: iptables-restore < /etc/iptables/rules.v4
enforcing:
  selinux.mode: []
apparmor:
  service.running: []
app-user:
  user.present:
    - name: ehr
    - shell: /bin/bash
app-dir:
  file.directory:
    - name: /opt/ehr
    - user: ehr
ops:
  group.present:
    - gid: 2000
ops-jdoe:
  user.present:
    - name: jdoe
    - gid: 2000
    - shell: /bin/bash
ops-jdoe-key:
  ssh_auth.present:
    - name: AAAAC3NzaC1lZDI1NTE5AAAAIH3q
    - user: jdoe
sudo:
  file.managed:
    - name: /etc/sudoers.d/ops
    - contents: '%ops ALL=(ALL) ALL'
nginx:
  pkg.installed: []
"""


def test_host_level_rules(tmp_path):
    r = render(tmp_path, {"salt/common.sls": HOST})
    config = parse_config({"disable": ["all"], "enable": ["host-level"]})
    found = run_rules(model(tmp_path, [r]), None, config, strict=True)
    assert [(f.rule, f.state.id, f.message) for f in found] == [
        ("SS701", "sysctl-vm.swappiness",
         "sysctl.present sysctl-vm.swappiness manages kernel tunables of the host: vm.swappiness"),
        ("SS701", "thp", "cmd.run thp manages kernel tunables of the host: command > "
         "/sys/kernel/mm/transparent_hugepage/enabled"),
        ("SS701", "tuned", "cmd.run tuned manages kernel tunables of the host: command tuned-adm profile"),
        ("SS702", "nfs-client", "pkg.installed nfs-client manages mounts and swap of the host: package nfs-common"),
        ("SS702", "scans", "mount.mounted scans manages mounts and swap of the host: /mnt/scans"),
        ("SS703", "cleanup", "cron.present cleanup manages scheduled jobs of the host: /opt/ehr/bin/cleanup"),
        ("SS704", "tz", "timezone.system tz manages time and locale settings of the host: America/Chicago"),
        ("SS704", "chrony-pkg", "pkg.installed chrony-pkg manages time and locale settings of the host: package chrony"),
        ("SS704", "chrony-conf",
         "file.managed chrony-conf manages time and locale settings of the host: file /etc/chrony/chrony.conf"),
        ("SS705", "hosts-db01",
         "host.present hosts-db01 manages the hosts file, name resolution or network of the host: db01.ehr.internal"),
        ("SS706", "fw-pkgs",
         "pkg.installed fw-pkgs manages firewall rules of the host: package iptables-persistent"),
        ("SS706", "fw-restore", "cmd.run fw-restore manages firewall rules of the host: command iptables-restore"),
        ("SS707", "enforcing", "selinux.mode enforcing manages mandatory access control of the host"),
        ("SS707", "apparmor", "service.running apparmor manages mandatory access control of the host: service apparmor"),
        ("SS708", "ops", "group.present ops manages the login group ops of the host"),
        ("SS708", "ops-jdoe", "user.present ops-jdoe manages the login account jdoe of the host"),
        ("SS708", "ops-jdoe-key", "ssh_auth.present ops-jdoe-key manages an ssh login key of user jdoe of the host"),
        ("SS708", "sudo", "file.managed sudo manages the sudo rules /etc/sudoers.d/ops of the host"),
    ]


def test_ss602_host_services_answered_once_per_name_and_patterns(tmp_path):
    """Whether a service runs the host is asked through the scan memo, keyed on the
    name and the configured patterns: a scan that carries the memo of one with other
    patterns gets its own answers."""
    from saltscan.engine.memo import ScanMemo
    from saltscan.engine.runner import RuleRun
    from saltscan.rules.multiple_services import _host_service

    web = [render(tmp_path, {"salt/web.sls": RUNTIME}, minion=m, grains={"id": m, "role": "web"})
           for m in ("web02", "web01")]
    m = model(tmp_path, web)
    default = MultipleServices()
    memo = ScanMemo()
    first = RuleRun(m, parse_config({}), (default,), strict=True, memo=memo)
    assert [(f.minions, f.extra) for f in first.tree_findings()] == [(("web01", "web02"), (("subject", "role:web"),))]
    patterns = default.options.host_services
    assert {k[1]: v for k, v in memo.items() if k[0] is _host_service and k[2] == patterns} == {
        "chrony": True, "ehr-gunicorn": False, "nginx": False}
    nginx = MultipleServices(options=type(default.options)(host_services=("nginx", "chrony")))
    second = RuleRun(m, parse_config({}), (nginx,), strict=True, memo=memo.next_scan())
    assert second.tree_findings() == []  # one service left (ehr-gunicorn)
