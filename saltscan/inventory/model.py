"""The containerization inventory: frozen dataclasses, every collection a sorted tuple.

One ``RoleInventory`` per role (or per minion with ``--minion``): what the role's
minions run and configure, merged. Every item lists the ``minions`` it holds on and
points at its source (``SourceLocation``, relative to the scanned root).

No field ever holds a secret value: secrets appear by pillar key path only, command
lines and messages are redacted when the inventory is built, and ``EnvVar.value`` is
kept only for values that are neither secret nor secret-looking.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from saltscan.model import SourceLocation


class ValueSource(str, enum.Enum):
    """Where an environment variable's value comes from."""

    LITERAL = "literal"  # written in the state or template (or a formula default)
    PILLAR = "pillar"  # holds the value of one or more pillar keys
    UNKNOWN = "unknown"  # saltscan could not compute it (cmd.run, missing pillar, ...)


class EnvVia(str, enum.Enum):
    """How an environment variable is set on the host."""

    ENVIRON = "environ.setenv"  # the minion's own environment
    COMMAND_ENV = "command env"  # cmd.run env:
    COMMAND_LINE = "command line"  # NAME=value before a command
    ENV_FILE = "env file"  # /etc/default/x, *.env, EnvironmentFile=
    SYSTEMD = "systemd unit"  # Environment= in a unit file
    SHELL = "shell export"  # export NAME=value in a script or profile


class FilePurpose(str, enum.Enum):
    CONFIG = "config"  # application configuration: ConfigMap or image
    ENV_FILE = "env-file"  # becomes container env
    SYSTEMD_UNIT = "systemd-unit"  # replaced by the container's command
    HOST = "host"  # configures the host, not the application
    APP = "app"  # application content (code, static pages, keys)
    DATA = "data"  # run-time data directory (also listed as a volume)


class VolumeKind(str, enum.Enum):
    MOUNT = "mount"  # mount.mounted: a file system (NFS, EBS) the host mounts
    DATA = "data"  # a data, spool, cache or backup directory
    LOG = "log"  # a log directory: stdout, or a volume if files must be kept


class CommandPhase(str, enum.Enum):
    BUILD = "build"  # can run while building the image
    DEPLOY = "deploy"  # needs live services: a Job or an initContainer
    HOST = "host"  # manages the host (systemctl, sysctl, /sys): drop or move to the node


@dataclass(frozen=True, order=True)
class OsInfo:
    label: str  # "Ubuntu 22.04"
    os: str
    os_family: str
    release: str  # the release used in the label and the image tag
    base_image: str  # "ubuntu:22.04"
    minions: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Use:
    """One place an item is used: a source location and the state there, if any."""

    location: SourceLocation
    state_id: str = ""
    origin: str = ""  # for endpoints: pillar | state | template


@dataclass(frozen=True)
class Package:
    name: str
    os: tuple[str, ...]  # OS labels of the minions that install it
    state_id: str
    location: SourceLocation
    version: str | None = None
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    name: str
    state_id: str
    function: str  # "service.running"
    location: SourceLocation
    long_running: bool  # service.running: a process that must keep running
    host_agent: bool  # runs the host (chrony, node exporter): a DaemonSet or nothing
    enabled: bool | None = None
    packages: tuple[str, ...] = ()  # packages that provide it
    unit_file: str | None = None  # managed systemd unit, when there is one
    command: str | None = None  # ExecStart of that unit, redacted
    user: str | None = None
    workdir: str | None = None
    ports: tuple[int, ...] = ()  # listening ports found in its configuration
    env_files: tuple[str, ...] = ()  # EnvironmentFile= of its unit
    uses: tuple[str, ...] = ()  # files, directories and mounts its state depends on
    restarted_by: tuple[str, ...] = ()  # state IDs that restart or reload it on change
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManagedFile:
    path: str
    kind: str  # "file" or "directory"
    state_id: str
    function: str
    location: SourceLocation
    purpose: FilePurpose
    source: str | None = None  # salt:// URL as written
    template: str | None = None  # template engine ("jinja")
    template_location: SourceLocation | None = None
    pillar_keys: tuple[str, ...] = ()  # pillar keys the state or its template reads
    secret_keys: tuple[str, ...] = ()  # secrets whose value ends up in the file
    plaintext_secret: bool = False  # a secret written in clear in the state or template itself
    user: str | None = None
    group: str | None = None
    mode: str | None = None
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvVar:
    name: str
    via: EnvVia
    state_id: str
    location: SourceLocation
    source: ValueSource
    secret: bool
    target: str | None = None  # the file it is written to, if any
    pillar_keys: tuple[str, ...] = ()
    secret_keys: tuple[str, ...] = ()
    # The whole value is exactly this secret (a direct Secret reference is enough).
    whole_secret: str | None = None
    value: str | None = None  # only for values neither secret nor secret-looking
    minions: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class SecretFlow:
    kind: str  # "state", "file" or "env_var"
    target: str  # state ID, file path or variable name
    location: SourceLocation
    function: str = ""  # the state function, for kind "state"


@dataclass(frozen=True)
class SecretRef:
    key_path: str
    storage: str  # plaintext, gpg, nacl, sdb, vault, reference
    location: SourceLocation  # where the pillar defines it
    reason: str | None = None
    flows: tuple[SecretFlow, ...] = ()
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Port:
    number: int
    uses: tuple[Use, ...]
    services: tuple[str, ...] = ()
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Endpoint:
    host: str  # host name or IP, lower case
    ports: tuple[int, ...]
    schemes: tuple[str, ...]
    origins: tuple[str, ...]  # pillar, state, template
    uses: tuple[Use, ...]
    pillar_keys: tuple[str, ...] = ()
    minions: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``host`` or ``host:port`` when it is always reached on one port."""
        return f"{self.host}:{self.ports[0]}" if len(self.ports) == 1 else self.host


@dataclass(frozen=True)
class Volume:
    path: str
    kind: VolumeKind
    state_id: str
    location: SourceLocation
    device: str | None = None
    fstype: str | None = None
    owner: str | None = None
    subpaths: tuple[str, ...] = ()  # managed directories under it
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CronJob:
    identifier: str
    user: str
    schedule: str  # five fields, or a @special
    command: str  # redacted
    state_id: str
    location: SourceLocation
    secret_keys: tuple[str, ...] = ()
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    name: str
    state_id: str
    location: SourceLocation
    uid: int | None = None
    gid: str | None = None
    home: str | None = None
    shell: str | None = None
    system: bool = False
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    name: str
    state_id: str
    location: SourceLocation
    gid: int | None = None
    system: bool = False
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    state_id: str
    command: str  # redacted
    phase: CommandPhase
    location: SourceLocation
    cwd: str | None = None
    runas: str | None = None
    secret_keys: tuple[str, ...] = ()
    minions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blocker:
    """A finding, as the inventory shows it (message redacted)."""

    rule: str
    name: str
    category: str
    severity: str
    message: str
    location: SourceLocation
    state_id: str | None = None
    pillar_key: str | None = None
    minions: tuple[str, ...] = ()

    @property
    def severity_rank(self) -> int:
        return {"critical": 4, "high": 3, "medium": 2, "low": 1}.get(self.severity, 0)


@dataclass(frozen=True)
class RoleInventory:
    name: str
    role_source: str  # "grain:role", "top", "minion" or "untargeted"
    minions: tuple[str, ...]
    os: tuple[OsInfo, ...]
    sls: tuple[str, ...]
    packages: tuple[Package, ...] = ()
    services: tuple[Service, ...] = ()
    files: tuple[ManagedFile, ...] = ()
    env_vars: tuple[EnvVar, ...] = ()
    secrets: tuple[SecretRef, ...] = ()
    ports: tuple[Port, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    volumes: tuple[Volume, ...] = ()
    cron: tuple[CronJob, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    commands: tuple[Command, ...] = ()
    blockers: tuple[Blocker, ...] = ()

    @property
    def primary_os(self) -> OsInfo | None:
        """The OS most of the role's minions run (ties: the first minion's)."""
        if not self.os:
            return None
        return sorted(self.os, key=lambda o: (-len(o.minions), o.minions[:1], o.label))[0]


@dataclass(frozen=True)
class Inventory:
    root: str  # the scanned root as given (for titles only)
    role_grains: tuple[str, ...]
    roles: tuple[RoleInventory, ...]
    untargeted_sls: tuple[str, ...] = ()  # SLS files no top file reaches
    unassigned_blockers: tuple[Blocker, ...] = ()  # findings no role's minions hold

    def role(self, name: str) -> RoleInventory | None:
        return next((r for r in self.roles if r.name == name), None)
