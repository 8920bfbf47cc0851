"""Inferred dependencies: state -> state edges with inferred=True, reason and via."""

from __future__ import annotations

from graphkit import edges, render, req, state

from saltscan.graph import build_minion_graph, has_requisite_path
from saltscan.graph.inferred import config_paths_match, package_patterns, service_base


def inferred(g):
    return sorted((u, v, k, d["reason"], d["via"]) for u, v, k, d in g.edges(keys=True, data=True)
                  if d.get("inferred"))


def test_path_parent_nearest_managed_ancestor_and_mount_point():
    g = build_minion_graph(render([
        state("root", "file.directory", name="/opt/ehr", line=1),
        state("conf-dir", "file.directory", name="/opt/ehr/conf", line=2),
        state("conf", "file.managed", name="/opt/ehr/conf/app.ini", line=3),
        state("bin", "file.managed", name="/opt/ehr/bin/run", line=4),
        state("mnt-dir", "file.directory", name="/mnt/scans", line=5),
        state("scans", "mount.mounted", name="/mnt/scans", line=6, args={"device": "/dev/sdb1", "fstype": "ext4"}),
        state("scan-index", "file.managed", name="/mnt/scans/index.db", line=7),
        state("migrate", "cmd.run", name="./manage migrate", line=8, args={"cwd": "/opt/ehr"}),
        state("gone", "file.absent", name="/srv/old", line=9),
        state("under-gone", "file.managed", name="/srv/old/x", line=10),
    ]))
    assert inferred(g) == [
        ("state:cmd:migrate", "state:file:root", "path_parent", "cwd /opt/ehr", "directory:/opt/ehr"),
        ("state:file:bin", "state:file:root", "path_parent", "/opt/ehr/bin/run is under /opt/ehr", "directory:/opt/ehr"),
        ("state:file:conf", "state:file:conf-dir", "path_parent", "/opt/ehr/conf/app.ini is under /opt/ehr/conf",
         "directory:/opt/ehr/conf"),
        ("state:file:conf-dir", "state:file:root", "path_parent", "/opt/ehr/conf is under /opt/ehr", "directory:/opt/ehr"),
        ("state:file:scan-index", "state:file:mnt-dir", "path_parent", "/mnt/scans/index.db is under /mnt/scans",
         "directory:/mnt/scans"),
        ("state:file:scan-index", "state:mount:scans", "path_parent", "/mnt/scans/index.db is under /mnt/scans",
         "mount:/mnt/scans"),
        ("state:mount:scans", "state:file:mnt-dir", "path_parent", "mount point /mnt/scans",
         "directory:/mnt/scans"),
    ]


def test_runs_as_user_and_group_created_by_other_states():
    g = build_minion_graph(render([
        state("ehr-group", "group.present", name="ehr", line=1),
        state("ehr-user", "user.present", name="ehr", line=2, args={"groups": ["ehr", "wheel"]}),
        state("conf", "file.managed", name="/etc/ehr.conf", line=3, args={"user": "ehr", "group": "ehr"}),
        state("migrate", "cmd.run", name="./manage migrate", line=4, args={"runas": "ehr"}),
        state("root-owned", "file.managed", name="/etc/motd", line=5, args={"user": "root"}),
    ]))
    assert inferred(g) == [
        ("state:cmd:migrate", "state:user:ehr-user", "runs_as", "runas ehr", "user:ehr"),
        ("state:file:conf", "state:group:ehr-group", "runs_as", "group ehr", "group:ehr"),
        ("state:file:conf", "state:user:ehr-user", "runs_as", "user ehr", "user:ehr"),
        ("state:user:ehr-user", "state:group:ehr-group", "inferred", "group membership", "group:ehr"),
    ]


def test_provided_by_and_config_of_a_service():
    g = build_minion_graph(render([
        state("pg", "pkg.installed", name="postgresql-14", line=1),
        state("redis", "pkg.installed", name="redis-server", line=2),
        state("pg-conf", "file.managed", name="/etc/postgresql/14/main/postgresql.conf", line=3),
        state("redis-conf", "file.managed", name="/etc/redis/redis.conf", line=4),
        state("unit", "file.managed", name="/etc/systemd/system/ehr-web.service", line=5),
        state("ehr-default", "file.managed", name="/etc/default/ehr-web", line=6),
        state("pg-svc", "service.running", name="postgresql", line=7),
        state("redis-svc", "service.running", name="redis-server", line=8),
        state("ehr-web", "service.running", line=9),
        state("stopped", "service.dead", name="redis-server", line=10),
    ]))
    assert inferred(g) == [
        ("state:service:ehr-web", "state:file:ehr-default", "inferred", "config", "file:/etc/default/ehr-web"),
        ("state:service:ehr-web", "state:file:unit", "inferred", "config", "file:/etc/systemd/system/ehr-web.service"),
        ("state:service:pg-svc", "state:file:pg-conf", "inferred", "config",
         "file:/etc/postgresql/14/main/postgresql.conf"),
        ("state:service:pg-svc", "state:pkg:pg", "provided_by", "package postgresql-14", "package:postgresql-14"),
        ("state:service:redis-svc", "state:file:redis-conf", "inferred", "config", "file:/etc/redis/redis.conf"),
        ("state:service:redis-svc", "state:pkg:redis", "provided_by", "package redis-server", "package:redis-server"),
    ]


def test_inferred_dependency_covered_by_requisites_or_not():
    g = build_minion_graph(render([
        state("nginx", "pkg.installed", line=1),
        state("nginx-conf", "file.managed", name="/etc/nginx/nginx.conf", line=2, reqs=[req("require", "pkg", "nginx")]),
        state("nginx", "service.running", line=3, reqs=[req("watch", "file", "nginx-conf")]),
    ]))
    assert ("state:service:nginx", "state:pkg:nginx", "provided_by") in edges(g, "provided_by")
    # watch conf -> conf requires pkg: the service's package is covered transitively
    assert has_requisite_path(g, "state:service:nginx", "state:pkg:nginx")
    g2 = build_minion_graph(render([
        state("nginx", "pkg.installed", line=1),
        state("nginx", "service.running", line=3),
    ]))
    assert edges(g2, "provided_by") == [("state:service:nginx", "state:pkg:nginx", "provided_by")]
    assert not has_requisite_path(g2, "state:service:nginx", "state:pkg:nginx")


def test_service_name_tables():
    assert service_base("postgresql@14-main.service") == "postgresql"
    assert service_base("postgresql-14") == "postgresql"
    assert "postgresql-*" in package_patterns("postgresql@14-main")
    assert package_patterns("httpd") == ("httpd", "apache2")
    assert config_paths_match("nginx", "/etc/nginx/sites-enabled/ehr")
    assert config_paths_match("mysql", "/etc/mysql.cnf")
    assert config_paths_match("ehr-web", "/lib/systemd/system/ehr-web.service")
    assert config_paths_match("ehr-web", "/etc/systemd/system/ehr-web.service.d/override.conf")
    assert not config_paths_match("nginx", "/etc/nginxfoo/x")
    assert not config_paths_match("nginx", "/opt/nginx/conf")


def test_path_parent_not_needed_by_removals_makedirs_and_git_checkouts():
    """Corpus review pattern 1: salt-formula, apache-formula, prometheus-formula."""
    g = build_minion_graph(render([
        state("minion-d", "file.directory", name="/etc/salt/minion.d", line=1),
        # file.absent of a missing file succeeds: no need for the directory first
        state("remove-old-minion-conf-file", "file.absent", name="/etc/salt/minion.d/_defaults.conf", line=2),
        state("prom-var", "file.directory", name="/var/lib/prometheus", line=3),
        # makedirs: True creates /var/lib/prometheus itself
        state("exporter-dir", "file.directory", name="/var/lib/prometheus/consul_exporter", line=4,
              args={"makedirs": True, "user": "consul_exporter"}),
        state("formulas", "file.directory", name="/srv/formulas", line=5),
        # git clone creates the leading directories of its target
        state("/srv/formulas/salt-formula_production", "git.latest", line=6,
              name="https://github.com/saltstack-formulas/salt-formula.git",
              args={"target": "/srv/formulas/salt-formula_production"}),
        # without makedirs, a file still needs its directory
        state("pub-key", "file.managed", name="/srv/formulas/keys/foobar.pub", line=7),
    ]))
    assert inferred(g) == [
        ("state:file:pub-key", "state:file:formulas", "path_parent",
         "/srv/formulas/keys/foobar.pub is under /srv/formulas", "directory:/srv/formulas"),
    ]


def test_path_parent_kept_under_a_mount_and_for_git_run_as_a_created_user():
    g = build_minion_graph(render([
        state("recordings-dir", "file.directory", name="/srv/recordings", line=1),
        state("recordings-mount", "mount.mounted", name="/srv/recordings", line=2,
              args={"device": "10.20.5.40:/exports/media", "fstype": "nfs4"}),
        # makedirs before the mount would create it on the disk the mount hides
        state("incoming", "file.directory", name="/srv/recordings/incoming/new", line=3,
              args={"makedirs": True}),
        state("deploy-user", "user.present", name="deploy", line=4),
        state("code-root", "file.directory", name="/srv/code", line=5, args={"user": "deploy"}),
        # git clone as deploy cannot create /srv/code in root's /srv
        state("code", "git.latest", name="git@git.ehr.internal:ehr.git", line=6,
              args={"target": "/srv/code/ehr", "user": "deploy"}),
    ]))
    assert [e for e in inferred(g) if e[2] == "path_parent"] == [
        ("state:file:incoming", "state:mount:recordings-mount", "path_parent",
         "/srv/recordings/incoming/new is under /srv/recordings", "mount:/srv/recordings"),
        ("state:git:code", "state:file:code-root", "path_parent", "/srv/code/ehr is under /srv/code",
         "directory:/srv/code"),
        ("state:mount:recordings-mount", "state:file:recordings-dir", "path_parent",
         "mount point /srv/recordings", "directory:/srv/recordings"),
    ]


def test_scripts_beside_a_services_config_are_not_its_config():
    """Third corpus review: keepalived's check script under /etc/keepalived."""
    assert config_paths_match("keepalived", "/etc/keepalived/keepalived.conf")
    assert not config_paths_match("keepalived", "/etc/keepalived/check_sshd.sh")
    g = build_minion_graph(render([
        state("ka-conf", "file.managed", name="/etc/keepalived/keepalived.conf", line=1),
        state("ka-check", "file.managed", name="/etc/keepalived/check_sshd.sh", line=2),
        state("keepalived", "service.running", line=3),
    ]))
    assert inferred(g) == [
        ("state:service:keepalived", "state:file:ka-conf", "inferred", "config", "file:/etc/keepalived/keepalived.conf"),
    ]


def test_every_requisite_kind_is_an_edge_kind():
    """EdgeKind repeats the requisite vocabulary of the model: keep them in step."""
    from saltscan.graph.kinds import EdgeKind
    from saltscan.model import RequisiteKind

    assert {k.value for k in RequisiteKind} <= {k.value for k in EdgeKind}
