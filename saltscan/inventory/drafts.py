"""What the Dockerfile and Kubernetes drafts share: which service is a role's main
process, which env vars reach which process, how a service runs in the foreground,
how a package manager installs, and how a blocker reads as a TODO.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from saltscan.graph.inferred import service_base
from saltscan.inventory.model import (
    Blocker,
    CommandPhase,
    EnvVar,
    EnvVia,
    OsInfo,
    Package,
    RoleInventory,
    Service,
)

# Services with a well-known foreground command (used when no unit file says how).
FOREGROUND: Mapping[str, tuple[str, ...]] = {
    "nginx": ("nginx", "-g", "daemon off;"),
    "redis-server": ("redis-server", "/etc/redis/redis.conf"),
    "redis": ("redis-server", "/etc/redis/redis.conf"),
    "memcached": ("memcached", "-u", "memcache"),
    "coturn": ("turnserver", "-c", "/etc/turnserver.conf"),
    "apache2": ("apache2ctl", "-D", "FOREGROUND"),
    "httpd": ("httpd", "-D", "FOREGROUND"),
    "grafana-server": ("grafana-server", "--homepath=/usr/share/grafana", "--config=/etc/grafana/grafana.ini"),
    "prometheus": ("prometheus", "--config.file=/etc/prometheus/prometheus.yml"),
}
# Services an official image already packages: a better start than installing the package.
OFFICIAL_IMAGES: Mapping[str, str] = {
    "nginx": "nginx", "postgresql": "postgres", "redis-server": "redis", "redis": "redis",
    "elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch", "grafana-server": "grafana/grafana",
    "prometheus": "prom/prometheus", "coturn": "coturn/coturn", "memcached": "memcached",
    "rabbitmq-server": "rabbitmq", "mysql": "mysql", "mysqld": "mysql", "mariadb": "mariadb",
    "mongod": "mongo", "apache2": "httpd", "httpd": "httpd",
}
PROCESS_ENV = (EnvVia.ENV_FILE, EnvVia.SYSTEMD)


_ITEM_SECTIONS = ("packages", "services", "files", "env_vars", "secrets", "ports", "endpoints", "volumes", "cron",
                  "users", "groups", "commands")


def primary_role(role: RoleInventory) -> RoleInventory:
    """The role as its main OS's minions have it: a draft builds one image, and minions
    on another OS name packages, services and paths differently."""
    primary = role.primary_os
    if primary is None or len(role.os) < 2:
        return role
    keep = set(primary.minions)
    changes = {name: tuple(item for item in getattr(role, name) if keep & set(item.minions))
               for name in _ITEM_SECTIONS}
    return replace(role, **changes)


def left_out(role: RoleInventory, drafted: RoleInventory) -> list[str]:
    """What ``primary_role`` dropped, as one line per other OS."""
    lines = []
    primary = role.primary_os
    for other in role.os:
        if primary is None or other.label == primary.label:
            continue
        mine = set(other.minions)
        missing = [f"service {s.name}" for s in role.services if mine & set(s.minions) and s not in drafted.services
                   and s.long_running and not s.host_agent]
        missing += [f"command {c.state_id}" for c in role.commands if mine & set(c.minions)
                    and c not in drafted.commands and c.phase is CommandPhase.DEPLOY]
        missing += [f"cron job {c.identifier}" for c in role.cron if mine & set(c.minions) and c not in drafted.cron]
        lines.append(f"TODO: {other.label} on {', '.join(other.minions)}; these drafts follow {primary.label} "
                     f"({', '.join(primary.minions)})" + (f"; not drafted: {', '.join(missing)}" if missing else "")
                     + ". Settle on one base image for the role.")
    return lines


def app_services(role: RoleInventory) -> list[Service]:
    """Long-running application services, the main one first: a service with its own
    unit file (the application's), then with more ports, then restarted by more changes."""
    services = [s for s in role.services if s.long_running and not s.host_agent]
    return sorted(services, key=lambda s: (s.unit_file is None, -len(s.ports), -len(s.restarted_by), s.name))


def official_image(service: Service) -> str | None:
    return OFFICIAL_IMAGES.get(service.name) or OFFICIAL_IMAGES.get(service_base(service.name))


def main_service(role: RoleInventory) -> Service | None:
    services = app_services(role)
    return services[0] if services else None


@dataclass(frozen=True)
class ProcessEnv:
    """The env vars one process gets, one per name; ``conflicts``: names set twice."""

    variables: tuple[EnvVar, ...]
    conflicts: tuple[str, ...]


def process_env(role: RoleInventory, service: Service) -> ProcessEnv:
    chosen: dict[str, EnvVar] = {}
    conflicts = set()
    for var in role.env_vars:
        if var.via not in PROCESS_ENV:
            continue
        if not ((var.via is EnvVia.SYSTEMD and var.target == service.unit_file)
                or (var.via is EnvVia.ENV_FILE and var.target in service.env_files)):
            continue
        if var.name in chosen:
            if (chosen[var.name].value, chosen[var.name].secret_keys) != (var.value, var.secret_keys):
                conflicts.add(var.name)
            # systemd applies Environment= after EnvironmentFile=: the unit's value wins.
            if var.via is EnvVia.SYSTEMD:
                chosen[var.name] = var
            continue
        chosen[var.name] = var
    return ProcessEnv(tuple(chosen[n] for n in sorted(chosen)), tuple(sorted(conflicts)))


def loopback_bind(command: str | None) -> bool:
    """The process listens on loopback only: other pods could not reach it."""
    return bool(command) and any(h in command for h in ("127.0.0.1:", "localhost:", "[::1]:"))


def foreground_command(service: Service) -> tuple[tuple[str, ...] | None, str]:
    """(argv, where it comes from); argv None when nothing says how the service runs."""
    if service.command:
        try:
            return tuple(shlex.split(service.command)), f"ExecStart of {service.unit_file}"
        except ValueError:
            return ("/bin/sh", "-c", service.command), f"ExecStart of {service.unit_file} (through a shell)"
    known = FOREGROUND.get(service.name) or FOREGROUND.get(service_base(service.name))
    if known:
        return known, f"the usual foreground command of {service.name}"
    return None, ""


# -- packages ------------------------------------------------------------------------

def _pinned(pkg: Package, family: str) -> str:
    if not pkg.version:
        return pkg.name
    sep = "-" if family in ("RedHat", "Suse") else "="
    return f"{pkg.name}{sep}{pkg.version}"


def install_command(os: OsInfo, packages: Sequence[Package]) -> list[str]:
    """RUN lines (continuations included) installing ``packages`` in one layer."""
    names = [_pinned(p, os.os_family) for p in packages]
    body = [f"      {n} \\" for n in names]
    if os.os_family == "Debian":
        return ["RUN apt-get update \\",
                " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\",
                *body, " && rm -rf /var/lib/apt/lists/*"]
    if os.os_family == "RedHat":
        tool = "yum" if os.release in ("6", "7") else "dnf"
        return [f"RUN {tool} install -y \\", *body, f" && {tool} clean all"]
    if os.os_family == "Suse":
        return ["RUN zypper --non-interactive install \\", *body, " && zypper clean --all"]
    if os.os_family == "Alpine":
        return ["RUN apk add --no-cache \\", *[f"      {n} \\" for n in names[:-1]], f"      {names[-1]}"]
    if os.os_family == "Arch":
        return ["RUN pacman -Sy --noconfirm \\", *body, " && pacman -Scc --noconfirm"]
    return ["# TODO: unknown package manager for os_family " + os.os_family,
            "RUN echo 'install: " + " ".join(names) + "' && false"]


# -- blockers ------------------------------------------------------------------------

def todo(blocker: Blocker) -> str:
    """One line: ``TODO SS601 restart-on-change salt/ehr/app.sls:43 [ehr-gunicorn]: ...``."""
    anchor = blocker.state_id or blocker.pillar_key
    where = f"{blocker.location.file}:{blocker.location.line}" + (f" [{anchor}]" if anchor else "")
    message = " ".join(blocker.message.split())
    return f"TODO {blocker.rule} {blocker.name} ({blocker.severity}) {where}: {message}"


def todos(blockers: Sequence[Blocker]) -> list[str]:
    return list(dict.fromkeys(todo(b) for b in blockers))


def comment(lines: Sequence[str], prefix: str = "# ") -> list[str]:
    """Lines as comments; a multi-line entry becomes several comment lines."""
    return [(prefix + part).rstrip() for line in lines for part in (line.splitlines() or [""])]
