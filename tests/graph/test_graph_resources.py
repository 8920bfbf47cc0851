"""Resource nodes, env vars, endpoints and ports a state brings."""

from __future__ import annotations

from graphkit import edges, render, state, template

from saltscan.graph import build_minion_graph


def managed(g, node):
    return sorted(v for _, v, k in g.out_edges(node, keys=True) if k == "manages")


def test_packages_from_pkgs_sources_and_name():
    g = build_minion_graph(render([
        state("base-pkgs", "pkg.installed", line=1, args={"pkgs": ["curl", {"jq": "1.6"}]}),
        state("agent", "pkg.installed", line=4, args={"sources": [{"agent": "https://repo.example.com/agent.deb"}]}),
        state("telnet", "pkg.removed", line=7),
    ]))
    assert managed(g, "state:pkg:base-pkgs") == ["package:curl", "package:jq"]
    assert managed(g, "state:pkg:agent") == ["package:agent"]
    assert managed(g, "state:pkg:telnet") == ["package:telnet"]
    assert g.nodes["package:jq"] == {"kind": "package", "label": "jq", "name": "jq",
                                     "file": "salt/app.sls", "line": 1}
    assert edges(g, "connects_to") == [("state:pkg:agent", "endpoint:repo.example.com", "connects_to")]


def test_file_and_directory_resources_by_function():
    g = build_minion_graph(render([
        state("conf", "file.managed", name="/etc/ehr/app.conf", line=1),
        state("data", "file.directory", name="/var/lib/ehr/", line=2),
        state("static", "file.recurse", name="/opt/ehr/static", line=3),
        state("link", "file.symlink", name="/opt/ehr/current", line=4),
        state("old", "file.absent", name="/etc/ehr/old.conf", line=5),
        state("frag", "file.accumulated", name="ehr-frag", line=6, args={"filename": "/etc/ehr/frag.conf"}),
        state("line", "file.line", name="/etc/hosts", line=7),
    ]))
    assert managed(g, "state:file:conf") == ["file:/etc/ehr/app.conf"]
    assert managed(g, "state:file:data") == ["directory:/var/lib/ehr"]
    assert managed(g, "state:file:static") == ["directory:/opt/ehr/static"]
    assert managed(g, "state:file:link") == ["file:/opt/ehr/current"]
    assert managed(g, "state:file:old") == ["file:/etc/ehr/old.conf"]
    assert managed(g, "state:file:frag") == ["file:/etc/ehr/frag.conf"]
    assert managed(g, "state:file:line") == ["file:/etc/hosts"]
    assert g.get_edge_data("state:file:old", "file:/etc/ehr/old.conf", key="manages")["fun"] == "file.absent"


def test_service_user_group_command_mount_cron():
    g = build_minion_graph(render([
        state("ehr-svc", "service.running", name="ehr-web", line=1),
        state("ehr-user", "user.present", name="ehr", line=2),
        state("ehr-group", "group.present", name="ehr", line=3),
        state("migrate", "cmd.run", name="/opt/ehr/bin/manage migrate", line=4),
        state("scans", "mount.mounted", name="/mnt/scans", line=5,
              args={"device": "nfs01.corp.example:/export/scans", "fstype": "nfs"}),
        state("swap", "mount.swap", name="/swapfile", line=6),
        state("backup", "cron.present", name="/opt/ehr/bin/backup", line=7,
              args={"user": "ehr", "identifier": "ehr-backup"}),
        state("cleanup", "cron.present", name="/usr/bin/cleanup", line=8),
    ]))
    assert managed(g, "state:service:ehr-svc") == ["service:ehr-web"]
    assert managed(g, "state:user:ehr-user") == ["user:ehr"]
    assert managed(g, "state:group:ehr-group") == ["group:ehr"]
    assert managed(g, "state:cmd:migrate") == ["command:migrate"]
    assert g.nodes["command:migrate"]["name"] == "/opt/ehr/bin/manage migrate"
    assert managed(g, "state:mount:scans") == ["mount:/mnt/scans"]
    assert managed(g, "state:mount:swap") == ["mount:/swapfile"]
    assert managed(g, "state:cron:backup") == ["cron:ehr:ehr-backup"]
    assert managed(g, "state:cron:cleanup") == ["cron:root:/usr/bin/cleanup"]
    assert ("state:mount:scans", "endpoint:nfs01.corp.example", "connects_to") in edges(g, "connects_to")


def test_sls_nodes_declare_states():
    g = build_minion_graph(render([
        state("a", "pkg.installed", sls="ehr.app", line=1),
        state("b", "pkg.installed", sls="ehr.db", line=1),
    ]))
    assert edges(g, "declares") == [("sls:ehr.app", "state:pkg:a", "declares"),
                                    ("sls:ehr.db", "state:pkg:b", "declares")]
    assert g.nodes["sls:ehr.app"] == {"kind": "sls", "label": "ehr.app", "sls": "ehr.app",
                                      "file": "salt/ehr/app.sls", "line": 1}
    assert g.nodes["state:pkg:a"] == {
        "kind": "state", "label": "a", "state_id": "a", "sls": "ehr.app", "fun": "pkg.installed",
        "name": "a", "saltenv": "base", "file": "salt/ehr/app.sls", "line": 1,
    }


def test_env_vars_from_setenv_cmd_env_inline_and_files():
    g = build_minion_graph(render([
        state("celery-env", "environ.setenv", name="CELERY_BROKER_URL", line=1,
              args={"value": "redis://cache01.corp.example:6379/0"}),
        state("many-env", "environ.setenv", name="ignored", line=3, args={"value": {"A_ONE": "1", "B_TWO": "2"}}),
        state("migrate", "cmd.run", name="PGHOST=db01 ./manage migrate", line=5,
              args={"env": [{"DJANGO_SETTINGS_MODULE": "ehr.settings"}]}),
        state("defaults", "file.managed", name="/etc/default/ehr", line=8,
              args={"contents": "EHR_HOME=/opt/ehr\n# COMMENTED=1\nexport EHR_MODE=prod\n"}),
        state("unit", "file.managed", name="/etc/systemd/system/ehr.service", line=10, args={"source": "salt://u"}),
        state("nginx-conf", "file.managed", name="/etc/nginx/nginx.conf", line=12,
              args={"contents": "NOT_ENV=1\n"}),
    ], templates=[template("unit", "[Service]\nEnvironment=\"EHR_PORT=8000\" EHR_DEBUG=0\nExecStart=/opt/ehr/run\n",
                           line_map=(1, 4, 5))]))
    assert edges(g, "sets_env") == [
        ("state:cmd:migrate", "env_var:DJANGO_SETTINGS_MODULE", "sets_env"),
        ("state:cmd:migrate", "env_var:PGHOST", "sets_env"),
        ("state:environ:celery-env", "env_var:CELERY_BROKER_URL", "sets_env"),
        ("state:environ:many-env", "env_var:A_ONE", "sets_env"),
        ("state:environ:many-env", "env_var:B_TWO", "sets_env"),
        ("state:file:defaults", "env_var:EHR_HOME", "sets_env"),
        ("state:file:defaults", "env_var:EHR_MODE", "sets_env"),
        ("state:file:unit", "env_var:EHR_DEBUG", "sets_env"),
        ("state:file:unit", "env_var:EHR_PORT", "sets_env"),
    ]
    unit_edge = g.get_edge_data("state:file:unit", "env_var:EHR_PORT", key="sets_env")
    assert (unit_edge["file"], unit_edge["line"]) == ("salt/app/files/app.conf.j2", 4)
    # values never reach the graph
    assert all("value" not in d for _, d in g.nodes(data=True))


def test_endpoints_and_ports_from_args_and_templates():
    g = build_minion_graph(render([
        state("app-conf", "file.managed", name="/etc/ehr/settings.ini", line=1,
              args={"source": "salt://ehr/settings.ini.j2", "template": "jinja"}),
        state("db-user", "postgres_user.present", name="ehr", line=5,
              args={"db_host": "db01.corp.example", "db_port": 5432}),
        state("fw", "iptables.append", name="allow-http", line=8, args={"dport": 8080}),
        state("local", "cmd.run", name="curl http://127.0.0.1:8000/health", line=10),
    ], templates=[template("app-conf", "[db]\nhost = db02.corp.example\n[server]\nport = 5433\n[cache]\n"
                                       "url = redis://10.1.2.3:6379/1\nlisten 8443\nsalt = salt://not/an/endpoint\n")]))
    assert sorted(n for n in g if n.startswith("endpoint:")) == [
        "endpoint:10.1.2.3", "endpoint:db01.corp.example", "endpoint:db02.corp.example",
    ]
    assert g.nodes["endpoint:10.1.2.3"] == {
        "kind": "endpoint", "label": "10.1.2.3", "host": "10.1.2.3", "ports": [6379], "schemes": ["redis"],
        "file": "salt/app/files/app.conf.j2", "line": 1,
    }
    assert sorted((u, v) for u, v, k in g.edges(keys=True) if k == "connects_to") == [
        ("state:file:app-conf", "endpoint:10.1.2.3"),
        ("state:file:app-conf", "endpoint:db02.corp.example"),
        ("state:file:app-conf", "port:6379"),
        ("state:postgres_user:db-user", "endpoint:db01.corp.example"),
        ("state:postgres_user:db-user", "port:5432"),
    ]
    listening = sorted((u, v) for u, v, k in g.edges(keys=True) if k == "manages" and v.startswith("port:"))
    assert listening == [
        ("state:file:app-conf", "port:5433"),
        ("state:file:app-conf", "port:8443"),
        ("state:iptables:fw", "port:8080"),
    ]


def test_the_minions_own_addresses_are_not_endpoints():
    g = build_minion_graph(render(
        [state("agent-env", "file.managed", name="/etc/default/agent", line=1,
                args={"contents": "API=https://10.20.2.21:8000/api\nPEER=https://app02.ehr.internal/\n"
                                  "SELF=http://app01.ehr.internal:9100/\n"})],
        grains={"id": "app01", "fqdn": "app01.ehr.internal", "ip4_interfaces": {"eth0": ["10.20.2.21"]}},
    ))
    assert sorted(n for n in g if n.startswith("endpoint:")) == ["endpoint:app02.ehr.internal"]
    assert [n for n in g if n.startswith("port:")] == []


def test_arguments_naming_the_machine_itself_are_not_endpoints():
    from graphkit import render, state

    from saltscan.graph import build_minion_graph

    g = build_minion_graph(render([
        state("vhost", "file.serialize", name="/etc/app/vhost.json", line=1,
              args={"dataset": {"server_name": "www.ehr.example", "upstream": "api01.ehr.example"}}),
    ]))
    endpoints = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "endpoint")
    assert endpoints == ["endpoint:api01.ehr.example"]
