"""SS602: several long-running services in one role."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from saltscan import api


class MultipleServices(api.GraphRule):
    """Several long-running application services in one role.

    The minions of one role (the ``role`` grain; a minion without one is its
    own role) run more than one long-running service (a web server, an
    application server, a worker, a database...). A container runs one process:
    each service becomes its own container, and what they share on the host
    (files, sockets, localhost) becomes a volume or a network connection.
    Services that run the host itself (cron, sshd, syslog, time sync, MAC,
    monitoring agents, the Salt minion...) do not count (``host_services``).
    One finding per role, at the top file line that targets the role.

    Problematic::

        nginx:
          service.running: []

        ehr-app:
          service.running: []

    Correct::

        ehr-app:
          service.running: []

        sshd:
          service.running: []
    """

    code = "SS602"
    name = "multiple-services"
    category = api.Category.RUNTIME_COUPLING
    severity = api.Severity.MEDIUM
    tags = ("runtime",)
    hint = "run each service in its own container and connect them over the network or volumes"
    needs_graph = False

    @dataclass(frozen=True)
    class Options:
        role_grain: str = api.option("role", "The grain that names a minion's role.")
        host_services: tuple[str, ...] = api.option(
            ("cron", "crond", "cronie", "anacron", "atd", "ssh", "sshd", "rsyslog", "syslog",
             "syslog-ng", "systemd-*", "chrony", "chronyd", "ntp", "ntpd", "firewalld", "ufw",
             "iptables", "netfilter-persistent", "salt-minion", "auditd", "apparmor", "fail2ban",
             "postfix", "snmpd", "dbus", "irqbalance", "networking", "NetworkManager",
             "docker", "containerd", "node_exporter", "prometheus-node-exporter",
             "datadog-agent", "filebeat", "collectd", "zabbix-agent", "td-agent", "fluentd",
             "fluent-bit", "amazon-ssm-agent", "unattended-upgrades", "tuned"),
            "Services that run the host, not the application (fnmatch patterns).")

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        return iter(())

    def check_tree(self, ctx: api.TreeContext) -> Iterator[api.Finding]:
        roles: dict[str, list[api.MinionRender]] = {}
        host_services = self.options.host_services
        for render in ctx.model.renders:
            if not render.untargeted:
                roles.setdefault(self._role(render), []).append(render)
        for role, renders in sorted(roles.items()):
            # Counted by state ID: one state may name its service differently per OS
            # (postgresql / postgresql-15), and that is still one service.
            running = [st for r in renders for st in r.states
                       if st.fun == "service.running" and not ctx.memo[_host_service, st.name, host_services]]
            if len({(st.sls, st.id) for st in running}) < 2:
                continue
            services = sorted({st.name for st in running})
            minions = tuple(sorted(r.minion.id for r in renders))
            finding = self.at(
                _top_location(ctx, role, renders),
                f"role {role} runs {len(services)} long-running services ({', '.join(services)}): "
                "one long-running service per container",
                subject=f"role:{role}",
            )
            yield finding.with_minions(minions)

    def _role(self, render: api.MinionRender) -> str:
        value = render.minion.grains.get(self.options.role_grain)
        if isinstance(value, list) and value:
            value = value[0]
        return str(value) if isinstance(value, (str, int)) and value != "" else render.minion.id


def _host_service(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether service ``name`` runs the host (matches one of ``patterns``). Pure: asked
    through the scan memo, once per name (every minion of a role runs the same ones)."""
    base = name.removesuffix(".service").split("@", 1)[0]
    return any(fnmatch.fnmatchcase(base, p) for p in patterns)


def _top_location(ctx: api.TreeContext, role: str, renders) -> api.SourceLocation:
    """The line of the state top file that targets ``role`` (else its first line;
    else the first service state)."""
    top_name = str(ctx.model.tree.master_opts.get("state_top", "top.sls")).removeprefix("salt://")
    for root in ctx.model.tree.state_roots.get("base", ()):
        rel = ctx.model.tree.relpath(Path(root) / top_name)
        if ctx.is_file(rel):
            src = ctx.source(rel)
            if src is not None:
                for number, line in enumerate(src.lines, start=1):
                    if f"role:{role}" in line or line.strip().strip("'\":") == role:
                        return api.SourceLocation(rel, number)
            return api.SourceLocation(rel, 1)
    for render in renders:
        for st in render.states:
            if st.fun == "service.running":
                return st.location
    return api.SourceLocation(renders[0].minion.source, 1)
