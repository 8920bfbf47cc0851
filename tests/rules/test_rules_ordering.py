"""ordering rules: SS501 order:, SS502 implicit, SS503 live services, SS504 cross-host,
SS505 cycles."""

from __future__ import annotations

from rulekit import brief, model, render, run

from saltscan.model import SaltCall, SourceLocation
from saltscan.rules.cross_host_dependency import CrossHostDependency
from saltscan.rules.explicit_order import ExplicitOrder
from saltscan.rules.implicit_ordering import ImplicitOrdering
from saltscan.rules.live_service_command import LiveServiceCommand
from saltscan.rules.requisite_cycle import RequisiteCycle


def test_ss501_explicit_order(tmp_path):
    sls = ("base-pkgs:\n  pkg.installed:\n    - pkgs: [curl]\n    - order: 1\n"
           "notify:\n  cmd.run:\n    - name: echo done\n    - order: last\n"
           "plain:\n  cmd.run:\n    - name: echo\n")
    r = render(tmp_path, {"salt/common.sls": sls})
    assert [(f.location.line, f.state.id) for f in run(ExplicitOrder, model(tmp_path, [r]))] == [
        (4, "base-pkgs"), (8, "notify")]


def test_ss502_implicit_ordering_only_without_requisites(tmp_path):
    sls = """\
recordings-mount:
  mount.mounted:
    - name: /srv/media/recordings
    - device: 10.20.5.40:/exports/media
    - fstype: nfs4
incoming:
  file.directory:
    - name: /srv/media/recordings/incoming
media-user:
  user.present:
    - name: media
media-log:
  file.directory:
    - name: /var/log/media
    - user: media
    - require:
      - user: media-user
nginx-site:
  file.managed:
    - name: /etc/nginx/sites-enabled/ehr.conf
nginx:
  service.running:
    - listen:
      - file: nginx-site
"""
    r = render(tmp_path, {"salt/media.sls": sls})
    assert brief(run(ImplicitOrdering, model(tmp_path, [r]))) == [
        ("salt/media.sls", 6, "incoming",
         "file.directory incoming needs mount /srv/media/recordings from mount.mounted "
         "recordings-mount (/srv/media/recordings/incoming is under /srv/media/recordings) "
         "but has no requisite on it"),
    ]


def test_ss502_no_parent_directory_needed_by_absent_makedirs_or_git(tmp_path):
    """Corpus review #36-39, #43-46: salt-formula, apache-formula, prometheus-formula."""
    sls = """\
salt-minion-d:
  file.directory:
    - name: /etc/salt/minion.d
remove-old-minion-conf-file:
  file.absent:
    - name: /etc/salt/minion.d/_defaults.conf
prometheus-var:
  file.directory:
    - name: /var/lib/prometheus
prometheus-archive-install-consul_exporter-file-directory:
  file.directory:
    - name: /var/lib/prometheus/consul_exporter
    - makedirs: True
/srv/formulas:
  file.directory:
    - makedirs: True
/srv/formulas/salt-formula_production:
  git.latest:
    - name: https://github.com/saltstack-formulas/salt-formula.git
    - target: /srv/formulas/salt-formula_production
users_buser_foobar.pub_key:
  file.managed:
    - name: /srv/formulas/keys/foobar.pub
"""
    r = render(tmp_path, {"salt/salt/formulas.sls": sls})
    assert brief(run(ImplicitOrdering, model(tmp_path, [r]))) == [
        ("salt/salt/formulas.sls", 21, "users_buser_foobar.pub_key",
         "file.managed users_buser_foobar.pub_key needs directory /srv/formulas from file.directory "
         "/srv/formulas (/srv/formulas/keys/foobar.pub is under /srv/formulas) but has no requisite on it"),
    ]


def test_ss503_live_service_steps(tmp_path):
    sls = """\
migrate:
  cmd.run:
    - name: /opt/ehr/venv/bin/python manage.py migrate --noinput
collectstatic:
  cmd.run:
    - name: /opt/ehr/venv/bin/python manage.py collectstatic --noinput
wait-db:
  cmd.run:
    - name: /usr/bin/pg_isready -h 10.20.1.15
initdb:
  cmd.run:
    - name: /usr/pgsql-15/bin/postgresql-15-setup initdb
createdb:
  cmd.run:
    - name: createdb -O ehr ehr
role:
  postgres_user.present:
    - name: ehr
broker:
  cmd.run:
    - name: rabbitmqctl add_vhost ehr
reindex:
  cmd.run:
    - name: curl -XPOST http://10.20.3.11:9200/_reindex
seed:
  cmd.run:
    - name: /opt/ehr/bin/seed
    - env:
      - DATABASE_URL: postgresql://db/ehr
daily:
  cron.present:
    - name: psql -c 'vacuum'
"""
    r = render(tmp_path, {"salt/ehr.sls": sls})
    assert [(f.state.id, f.message) for f in run(LiveServiceCommand, model(tmp_path, [r]))] == [
        ("migrate", "cmd.run migrate runs database migrations at deploy time: it needs a live database"),
        ("wait-db", "cmd.run wait-db waits for the database (pg_isready) at deploy time: it needs a live database"),
        ("createdb", "cmd.run createdb runs createdb against a database at deploy time: it needs a live database"),
        ("role", "postgres_user.present role needs a live database at deploy time"),
        ("broker", "cmd.run broker configures the message broker with rabbitmqctl at deploy time: "
                   "it needs a live message broker"),
        ("reindex", "cmd.run reindex calls the search service at deploy time: it needs a live search service"),
        ("seed", "cmd.run seed runs with database settings (DATABASE_URL) at deploy time: it needs a live database"),
    ]


def test_ss504_cross_host_calls_and_orchestration(tmp_path):
    sls = {"salt/mon.sls": "prom-config:\n  file.managed:\n    - name: /etc/prometheus/prometheus.yml\n"
           "    - source: salt://mon/prometheus.yml.j2\n    - template: jinja\n"
           "deploy:\n  salt.state:\n    - tgt: 'role:db'\n    - sls: postgres\n"}
    calls = [
        SaltCall("mine.get", ("'*'", "'network.ip_addrs'"), SourceLocation("salt/mon/prometheus.yml.j2", 10), False),
        SaltCall("mine.get", ("'*'", "'network.ip_addrs'"), SourceLocation("salt/mon/prometheus.yml.j2", 10), False),
        SaltCall("mine.get", ("'role:db'",), SourceLocation("salt/ehr/app.sls", 3), False),
        SaltCall("pillar.get", ("'x'",), SourceLocation("salt/ehr/app.sls", 4), True),
    ]
    r = render(tmp_path, sls, salt_calls=calls,
               templates=[("prom-config", "salt://mon/prometheus.yml.j2", "salt/mon/prometheus.yml.j2", "x\n")])
    assert brief(run(CrossHostDependency, model(tmp_path, [r]))) == [
        ("salt/ehr/app.sls", 3, None,
         "mine.get makes this minion's configuration depend on data from other minions"),
        ("salt/mon.sls", 6, "deploy", "salt.state deploy orchestrates other minions on role:db"),
        ("salt/mon/prometheus.yml.j2", 10, "prom-config",
         "mine.get makes this minion's configuration depend on data from other minions"),
    ]


def test_ss505_one_finding_per_cycle_at_its_smallest_node(tmp_path):
    sls = {"salt/billing/user.sls": "billing-user:\n  user.present:\n    - name: billing\n"
           "    - require:\n      - file: billing-spool\n",
           "salt/billing/spool.sls": "billing-spool:\n  file.directory:\n    - name: /var/spool/billing\n"
           "    - require:\n      - user: billing-user\n"}
    r = render(tmp_path, sls)
    assert brief(run(RequisiteCycle, model(tmp_path, [r]))) == [
        ("salt/billing/spool.sls", 1, "billing-spool",
         "requisite cycle: file:billing-spool -> user:billing-user -> file:billing-spool"),
    ]


def test_ss505_overlapping_cycles_reported_once(tmp_path):
    """Corpus review noise: apache-formula's service/running.sls gave one finding per
    state per rotation of every cycle (93 in one case). The graph gives one shortest
    cycle per group of states that require each other; the rule reports it once."""
    sls = """\
apache-service-running:
  cmd.run:
    - name: apachectl configtest
    - require:
      - service: apache-service-running
  service.running:
    - name: apache2
    - watch:
      - cmd: apache-service-running
      - module: apache-service-running-restart
apache-service-running-restart:
  module.wait:
    - name: apache.signal
    - watch:
      - cmd: apache-service-running
"""
    r = render(tmp_path, {"salt/apache/service/running.sls": sls})
    assert brief(run(RequisiteCycle, model(tmp_path, [r]))) == [
        ("salt/apache/service/running.sls", 1, "apache-service-running",
         "requisite cycle: cmd:apache-service-running -> service:apache-service-running "
         "-> cmd:apache-service-running"),
    ]
