"""Resources one minion's states manage: packages, services, files, volumes, cron jobs,
users, groups and commands, read off the graph's resource nodes (``manages`` edges).

Each function returns items for one minion (``minions=(minion,)``); ``build`` merges
them per role.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from typing import Any, Mapping

from saltscan.findings import Category
from saltscan.graph.textscan import is_env_file
from saltscan.inventory.model import (
    Command,
    CommandPhase,
    CronJob,
    FilePurpose,
    Group,
    ManagedFile,
    Package,
    Service,
    User,
    Volume,
    VolumeKind,
)
from saltscan.inventory.view import MinionView
from saltscan.model import State

INSTALL_FUNS = frozenset({"installed", "latest", "downloaded"})
FILE_FUNS_ABSENT = frozenset({"absent", "missing"})
UNIT_DIRS = ("/etc/systemd/system/", "/lib/systemd/system/", "/usr/lib/systemd/system/")
LOG_PREFIXES = ("/var/log/",)
CONFIG_SUFFIXES = (".conf", ".cnf", ".cfg", ".ini", ".yml", ".yaml", ".json", ".xml", ".properties", ".toml")
DATA_PREFIXES = ("/var/lib/", "/var/spool/", "/var/backups/", "/var/cache/", "/srv/", "/data/",
                 "/mnt/", "/media/", "/var/opt/", "/export/")
HOST_FILES = (
    "/etc/hosts", "/etc/sudoers", "/etc/sysctl", "/etc/security/", "/etc/chrony", "/etc/ntp",
    "/etc/apt/", "/etc/yum", "/etc/dnf/", "/etc/profile.d/", "/etc/profile", "/etc/bash.bashrc",
    "/etc/iptables", "/etc/sysconfig/iptables", "/etc/cron", "/etc/logrotate", "/etc/ssh/",
    "/etc/resolv.conf", "/etc/fstab", "/etc/tuned/", "/etc/modprobe.d/", "/etc/modules",
    "/etc/selinux/", "/etc/timezone", "/etc/localtime", "/etc/motd", "/etc/environment",
    "/etc/pam.d/", "/etc/audit/", "/etc/rsyslog", "/etc/ufw/", "/etc/firewalld/", "/etc/netplan/",
    "/etc/network/", "/etc/sysconfig/network", "/etc/locale", "/etc/default/locale", "/etc/issue",
    # configuration of host agents (HOST_AGENTS)
    "/etc/datadog-agent/", "/etc/dd-agent/", "/etc/filebeat/", "/etc/td-agent/", "/etc/fluent-bit/",
    "/etc/zabbix/", "/etc/collectd", "/etc/salt/", "/etc/default/prometheus-node-exporter",
    "/etc/amazon/ssm/", "/etc/audit",
)
# Services that run the host rather than the application: on Kubernetes a DaemonSet
# or the node's own configuration, never the role's container.
HOST_AGENTS = (
    "cron", "crond", "anacron", "ssh", "sshd", "rsyslog", "syslog*", "systemd-*", "chrony",
    "chronyd", "ntp", "ntpd", "firewalld", "ufw", "salt-minion", "auditd", "fail2ban", "postfix",
    "snmpd", "atd", "dbus", "irqbalance", "networking", "network", "NetworkManager", "docker",
    "containerd", "node_exporter", "prometheus-node-exporter", "filebeat", "collectd",
    "zabbix-agent", "td-agent", "fluentd", "fluent-bit", "apparmor", "unattended-upgrades",
    "datadog-agent", "amazon-ssm-agent", "tuned", "iptables", "netfilter-persistent",
)
_HOST_COMMAND = re.compile(
    r"\b(systemctl|service|sysctl|modprobe|mount|umount|swapon|swapoff|iptables|ufw|firewall-cmd|"
    r"setenforce|setsebool|timedatectl|hostnamectl|update-grub|tuned-adm)\b|/sys/|/proc/"
)
_DEPLOY_COMMAND = re.compile(
    r"\bmigrat|\bcreatedb\b|\bdropdb\b|\bpsql\b|\bpg_isready\b|\bpg_basebackup\b|\bpg_restore\b|"
    r"\bmysql\b|\bcurl\b|\bwget\b|\brake db:|\balembic\b|\bflyway\b|\bliquibase\b"
)
_TREE_FROM_NAME = frozenset({"git.latest", "git.cloned", "hg.latest", "svn.latest"})
_DEPENDS = ("require", "watch", "listen", "require_any", "watch_any", "inferred", "onchanges", "path_parent")
# Findings that say a command needs live services or other hosts.
_DEPLOY_RULE_NAMES = frozenset({"live-service-command", "cross-host-dependency"})


def _str(value: Any) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def packages(view: MinionView) -> list[Package]:
    out = []
    for node, data in view.nodes("package"):
        for _, st in view.managers(node, INSTALL_FUNS)[:1]:
            version = _str(st.args.get("version"))
            out.append(Package(str(data.get("name", data["label"])), (view.os_label,), st.id, st.location,
                               version, (view.minion,)))
    return out


def is_host_agent(name: str) -> bool:
    base = name.removesuffix(".service")
    return any(fnmatch.fnmatchcase(base, pattern) for pattern in HOST_AGENTS)


def _unit_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key in ("ExecStart", "User", "WorkingDirectory", "EnvironmentFile") and key not in fields:
            fields[key] = value.strip().lstrip("-@+!:")
    return fields


def _unit_text(view: MinionView, state: State) -> str:
    tpl = view.template_of(state)
    if tpl is not None:
        return tpl.text
    contents = state.args.get("contents")
    return contents if isinstance(contents, str) else ""


def _unit_of(view: MinionView, name: str) -> tuple[str, dict[str, str]] | None:
    unit = name if name.endswith(".service") else f"{name}.service"
    for directory in UNIT_DIRS:
        node = f"file:{directory}{unit}"
        if node in view.graph:
            for _, st in view.managers(node)[:1]:
                return directory + unit, _unit_fields(_unit_text(view, st))
    return None


def _related(view: MinionView, node: str, unit_path: str | None) -> set[str]:
    """The service's state, the states it depends on directly, and its unit's state."""
    related = {node}
    related.update(v for v, _ in view.out_edges(node, *_DEPENDS))
    if unit_path:
        related.update(n for n, _ in view.managers(f"file:{unit_path}"))
    return related


def _managed_by(view: MinionView, states: set[str], kinds: tuple[str, ...]) -> list[Mapping]:
    return [
        view.graph.nodes[target]
        for state_node in states
        for target, _ in view.out_edges(state_node, "manages")
        if view.graph.nodes[target].get("kind") in kinds
    ]


def _service_uses(view: MinionView, related: set[str], unit_path: str | None) -> tuple[str, ...]:
    paths = {str(d.get("path", d.get("label"))) for d in _managed_by(view, related, ("file", "directory", "mount"))}
    paths.discard(unit_path or "")
    return tuple(sorted(paths))


_BIND_OPTION = re.compile(
    r"(?:--[\w.-]*(?:bind|listen|addr|address|port)[\w.-]*|-b|-p)[ =]+[\"']?(?:[\w.\[\]*-]*:)?(\d{1,5})\b")


def command_ports(command: str | None) -> set[int]:
    """Ports a command line binds (``--bind 127.0.0.1:8000``, ``--port 9000``)."""
    return {int(p) for p in _BIND_OPTION.findall(command or "") if 0 < int(p) < 65536}


def services(view: MinionView) -> list[Service]:
    out = []
    for node, data in view.nodes("service"):
        managing = view.managers(node)
        if not managing:
            continue
        state_node, st = next(((n, s) for n, s in managing if s.function == "running"), managing[0])
        name = str(data.get("name", data["label"]))
        unit = _unit_of(view, name)
        fields = unit[1] if unit else {}
        packages_of = set()
        for pkg_state, _ in view.out_edges(state_node, "provided_by"):
            packages_of.update(view.graph.nodes[t].get("name", "") for t, _ in view.out_edges(pkg_state, "manages"))
        restarted_by = sorted({view.state_id(t) for t, _ in view.out_edges(state_node, "watch", "watch_any", "listen")})
        enable = st.args.get("enable")
        command = fields.get("ExecStart")
        related = _related(view, state_node, unit[0] if unit else None)
        env_file = fields.get("EnvironmentFile")
        out.append(Service(
            name=name, state_id=st.id, function=st.fun, location=st.location,
            long_running=st.function == "running", host_agent=is_host_agent(name),
            enabled=enable if isinstance(enable, bool) else None,
            packages=tuple(sorted(p for p in packages_of if p)),
            unit_file=unit[0] if unit else None,
            command=view.clean(command) if command else None,
            user=view.clean.known(fields["User"]) if "User" in fields else None,
            workdir=view.clean.known(fields["WorkingDirectory"]) if "WorkingDirectory" in fields else None,
            ports=tuple(sorted({int(d["port"]) for d in _managed_by(view, related, ("port",))}
                               | command_ports(command))),
            env_files=(env_file,) if env_file else (),
            uses=_service_uses(view, related, unit[0] if unit else None),
            restarted_by=tuple(restarted_by), minions=(view.minion,),
        ))
    return out


def volume_kind(path: str) -> VolumeKind | None:
    path = path.rstrip("/") + "/"
    if path.startswith(LOG_PREFIXES) and path not in LOG_PREFIXES:
        return VolumeKind.LOG
    if path.startswith(DATA_PREFIXES) and path not in DATA_PREFIXES:
        return VolumeKind.DATA
    return None


def file_purpose(path: str, kind: str) -> FilePurpose:
    if kind == "directory":
        if volume_kind(path):
            return FilePurpose.DATA
        return FilePurpose.CONFIG if path.startswith("/etc/") else FilePurpose.APP
    if path.startswith(UNIT_DIRS):
        return FilePurpose.SYSTEMD_UNIT
    if path.startswith(HOST_FILES) or path in ("/etc/hosts",):
        return FilePurpose.HOST
    if is_env_file(path):
        return FilePurpose.ENV_FILE
    if path.startswith("/etc/") or path.endswith(CONFIG_SUFFIXES):
        return FilePurpose.CONFIG  # (a postgresql.conf in the data directory is still configuration)
    return FilePurpose.DATA if volume_kind(posixpath.dirname(path)) else FilePurpose.APP


def files(view: MinionView) -> list[ManagedFile]:
    out = []
    for kind in ("file", "directory"):
        for node, data in view.nodes(kind):
            managing = [(n, s) for n, s in view.managers(node) if s.function not in FILE_FUNS_ABSENT]
            if not managing:
                continue
            state_node, st = managing[0]
            path = str(data.get("path", data["label"]))
            tpl = view.template_of(st)
            keys = set(view.pillar_read_by(state_node))
            if isinstance(st.args.get("contents_pillar"), str):
                keys.add(st.args["contents_pillar"])
            source = st.args.get("source")
            if isinstance(source, list):
                source = source[0] if source else None
            if source is None and st.fun in _TREE_FROM_NAME:
                source = st.name  # git.latest: the repository URL
            out.append(ManagedFile(
                path=path, kind=kind, state_id=st.id, function=st.fun, location=st.location,
                purpose=file_purpose(path, kind),
                source=view.clean.known(str(source)) if isinstance(source, str) else None,
                template=_str(st.args.get("template")),
                template_location=tpl.location if tpl is not None else None,
                pillar_keys=tuple(sorted(keys)),
                secret_keys=tuple(sorted({*view.secrets_into(node, state_node), *view.contents_pillar_secrets(st)})),
                plaintext_secret=any(f.category is Category.PLAINTEXT_SECRET for f in view.findings_on(st)),
                user=_str(st.args.get("user")), group=_str(st.args.get("group")), mode=_str(st.args.get("mode")),
                minions=(view.minion,),
            ))
    return out


def volumes(view: MinionView) -> list[Volume]:
    out = []
    for node, data in view.nodes("mount"):
        for _, st in view.managers(node, frozenset({"mounted"}))[:1]:
            out.append(Volume(str(data.get("path", data["label"])), VolumeKind.MOUNT, st.id, st.location,
                              device=view.clean(str(st.args["device"])) if st.args.get("device") else None,
                              fstype=_str(st.args.get("fstype")),
                              minions=(view.minion,)))
    for node, data in view.nodes("directory"):
        path = str(data.get("path", data["label"]))
        kind = volume_kind(path)
        if kind is None:
            continue
        for _, st in view.managers(node, frozenset({"directory", "recurse"}))[:1]:
            out.append(Volume(path, kind, st.id, st.location, owner=_str(st.args.get("user")),
                              minions=(view.minion,)))
    return out


def schedule(state: State) -> str:
    special = state.args.get("special")
    if special:
        return str(special)
    fields = ("minute", "hour", "daymonth", "month", "dayweek")
    return " ".join(str(state.args.get(f, "*")) for f in fields)


def cron_jobs(view: MinionView) -> list[CronJob]:
    out = []
    for node, data in view.nodes("cron"):
        for state_node, st in view.managers(node, frozenset({"present"}))[:1]:
            out.append(CronJob(
                identifier=str(data.get("identifier", st.id)), user=str(data.get("user", "root")),
                schedule=schedule(st), command=view.clean(st.name), state_id=st.id, location=st.location,
                secret_keys=view.secrets_into(state_node), minions=(view.minion,),
            ))
    return out


def users(view: MinionView) -> list[User]:
    out = []
    for node, data in view.nodes("user"):
        for _, st in view.managers(node, frozenset({"present"}))[:1]:
            out.append(User(
                str(data.get("name", data["label"])), st.id, st.location, uid=_int(st.args.get("uid")),
                gid=_str(st.args.get("gid")), home=_str(st.args.get("home")), shell=_str(st.args.get("shell")),
                system=bool(st.args.get("system", False)), minions=(view.minion,),
            ))
    return out


def groups(view: MinionView) -> list[Group]:
    out = []
    for node, data in view.nodes("group"):
        for _, st in view.managers(node, frozenset({"present"}))[:1]:
            out.append(Group(str(data.get("name", data["label"])), st.id, st.location,
                             gid=_int(st.args.get("gid")), system=bool(st.args.get("system", False)),
                             minions=(view.minion,)))
    return out


def command_phase(view: MinionView, state: State) -> CommandPhase:
    if _HOST_COMMAND.search(state.name):
        return CommandPhase.HOST
    if any(f.name in _DEPLOY_RULE_NAMES for f in view.findings_on(state)) or _DEPLOY_COMMAND.search(state.name):
        return CommandPhase.DEPLOY
    return CommandPhase.BUILD


def commands(view: MinionView) -> list[Command]:
    out = []
    for node, _ in view.nodes("command"):
        for state_node, st in view.managers(node)[:1]:
            out.append(Command(
                state_id=st.id, command=view.clean(st.name), phase=command_phase(view, st), location=st.location,
                cwd=_str(st.args.get("cwd")), runas=_str(st.args.get("runas") or st.args.get("user")),
                secret_keys=view.secrets_into(state_node), minions=(view.minion,),
            ))
    return out
