"""Dependencies that hold without a requisite, as state -> state edges (``inferred=True``).

Direction as for requisites: ``A -> B`` means A needs B first. Each edge carries
``reason`` (short text) and ``via`` (the resource node that links the two states);
``has_requisite_path(G, A, B)`` tells whether requisites already cover it.

- ``path_parent``: a file, directory or mount under a directory (or mount point)
  another state manages, or a command whose ``cwd`` is one; the nearest such
  ancestor only (it depends on its own parent in turn). A mount also depends on a
  directory state for its mount point. States that do not need their parent
  directory to exist depend only on a mount above them (what
  they create before the mount is hidden by it): removals, ``makedirs: True``, and
  ``git.latest``/``git.cloned`` targets (``git clone`` creates the leading
  directories), unless git runs as a user another state creates (that user may not
  write where the parent should be).
- ``runs_as``: a state whose ``user``/``runas`` (or ``group``) names a user (group)
  another state creates with ``user.present`` (``group.present``).
- ``provided_by``: a service state and the package state that installs it: same name,
  or a name in ``SERVICE_PACKAGES``.
- ``inferred`` (``reason='config'``): a service and a file it reads: the file sits
  in the service's config directory (``/etc/<name>/``, ``CONFIG_DIRS``) or is its
  unit file, ``/etc/default/<name>`` or ``/etc/sysconfig/<name>``.
  ``inferred`` (``reason='group membership'``): ``user.present`` with ``groups``/``gid``
  naming a group another state creates.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections import defaultdict
from typing import Any, Mapping, Sequence

from saltscan.graph.builder import GraphBuilder
from saltscan.graph.ids import StateIds
from saltscan.graph.kinds import EdgeKind, NodeKind
from saltscan.graph.resources import Resource, normalize_path
from saltscan.model import State

# Service name -> package name patterns (fnmatch) that provide it, besides its own name.
SERVICE_PACKAGES: Mapping[str, tuple[str, ...]] = {
    "apache2": ("apache2",),
    "httpd": ("httpd", "apache2"),
    "nginx": ("nginx", "nginx-*"),
    "postgresql": ("postgresql", "postgresql-*", "postgresql*-server"),
    "redis": ("redis", "redis-server"),
    "redis-server": ("redis-server", "redis"),
    "memcached": ("memcached",),
    "elasticsearch": ("elasticsearch", "elasticsearch-oss"),
    "mysql": ("mysql-server", "mysql-server-*", "mysql-community-server"),
    "mysqld": ("mysql-server", "mysql-community-server"),
    "mariadb": ("mariadb-server",),
    "rabbitmq-server": ("rabbitmq-server",),
    "mongod": ("mongodb-org", "mongodb-server"),
    "ssh": ("openssh-server",),
    "sshd": ("openssh-server",),
    "cron": ("cron",),
    "crond": ("cronie",),
    "chronyd": ("chrony",),
    "ntpd": ("ntp",),
    "docker": ("docker-ce", "docker.io"),
    "php-fpm": ("php-fpm", "php*-fpm"),
    "supervisor": ("supervisor",),
    "supervisord": ("supervisor",),
    "tomcat": ("tomcat", "tomcat[0-9]*"),
    "named": ("bind", "bind9"),
    "slapd": ("slapd", "openldap-servers"),
}

# Service name -> directories under /etc (and /etc/<x>.conf) holding its configuration.
CONFIG_DIRS: Mapping[str, tuple[str, ...]] = {
    "apache2": ("apache2",),
    "httpd": ("httpd",),
    "postgresql": ("postgresql",),
    "redis-server": ("redis",),
    "mysql": ("mysql",),
    "mysqld": ("mysql", "my.cnf.d"),
    "mariadb": ("mysql", "my.cnf.d"),
    "rabbitmq-server": ("rabbitmq",),
    "mongod": ("mongod",),
    "ssh": ("ssh",),
    "sshd": ("ssh",),
    "php-fpm": ("php",),
    "supervisord": ("supervisor",),
    "named": ("bind", "named"),
}

# Functions that need nothing on disk first: removing a missing path succeeds.
_REMOVALS = frozenset({"absent", "removed", "purged"})
# States whose target is a tree ``git clone`` creates together with its parents.
_GIT_TARGETS = frozenset({"git.latest", "git.cloned"})

_UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
_VERSION_SUFFIX = re.compile(r"-\d+(?:\.\d+)*$")
_USER_ARGS = ("user", "runas")


def _truthy(value: object) -> bool:
    """A Salt boolean argument: ``True``, or a string Salt reads as true."""
    return value is True or isinstance(value, str) and value.strip().lower() in ("true", "yes", "1")


def service_base(name: str) -> str:
    """``postgresql@14-main.service`` -> ``postgresql``; ``postgresql-14`` -> ``postgresql``."""
    base = name.removesuffix(".service").split("@", 1)[0]
    return _VERSION_SUFFIX.sub("", base)


def package_patterns(service: str) -> tuple[str, ...]:
    base = service_base(service)
    return tuple(dict.fromkeys((service, base, *SERVICE_PACKAGES.get(base, ()))))


# Scripts kept beside a service's configuration (keepalived's check scripts) are run by
# the service only if its config names them; they are not what it reads at start.
SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".pl", ".rb")


def config_paths_match(service: str, path: str) -> bool:
    if path.endswith(SCRIPT_SUFFIXES):
        return False
    base = service_base(service)
    unit = service.removesuffix(".service")
    dirs = {base, base.removesuffix("-server"), *CONFIG_DIRS.get(base, ())}
    for d in dirs:
        root = f"/etc/{d}"
        if path == root or path.startswith(root + "/") or path in (f"{root}.conf", f"{root}.cnf"):
            return True
        if path.startswith(f"{root}.d/"):
            return True
    unit_files = {f"{u}/{unit}.service" for u in _UNIT_DIRS}
    if path in unit_files or any(path.startswith(f + ".d/") for f in unit_files):
        return True
    return path in (f"/etc/default/{unit}", f"/etc/sysconfig/{unit}", f"/etc/init.d/{unit}",
                    f"/etc/init/{unit}.conf")


def parent_dirs(path: str) -> tuple[str, ...]:
    """The directories above an absolute ``path``, nearest first, ``/`` last."""
    found = []
    while path != "/":
        path = posixpath.dirname(path)
        found.append(path)
    return tuple(found)


class InferenceMemo:
    """``package_patterns`` and ``config_paths_match`` answers by (service, name), and
    ``parent_dirs`` by path: a fleet repeats the same services, packages and files.
    Pure, so shareable by builds."""

    MAX_ENTRIES = 500_000

    def __init__(self) -> None:
        self._provides: dict[tuple[str, str], bool] = {}
        self._reads: dict[tuple[str, str], bool] = {}
        self._parents: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def _answer(table: dict, key: Any, compute) -> Any:
        found = table.get(key)
        if found is None:
            if len(table) >= InferenceMemo.MAX_ENTRIES:
                table.clear()
            found = table[key] = compute()
        return found

    def parents(self, path: str) -> tuple[str, ...]:
        """``parent_dirs(path)``."""
        return self._answer(self._parents, path, lambda: parent_dirs(path))

    def provides(self, service: str, package: str) -> bool:
        """Whether ``package`` may install ``service`` (``package_patterns``)."""
        return self._answer(self._provides, (service, package),
                            lambda: any(fnmatch.fnmatchcase(package, p) for p in package_patterns(service)))

    def reads(self, service: str, path: str) -> bool:
        """``config_paths_match(service, path)``."""
        return self._answer(self._reads, (service, path), lambda: config_paths_match(service, path))


class InferenceContext:
    def __init__(self, builder: GraphBuilder, states: Sequence[State], ids: StateIds,
                 resources: Mapping[str, list[Resource]], memo: InferenceMemo | None = None) -> None:
        self.builder = builder
        self.memo = memo if memo is not None else InferenceMemo()
        self.states = states
        self.ids = ids
        self.resources = resources  # state node -> resources it manages
        self.by_kind: dict[NodeKind, dict[str, list[tuple[str, Resource]]]] = defaultdict(lambda: defaultdict(list))
        for st in states:
            node = ids.of(st)
            if st.function in ("absent", "removed", "purged", "dead"):
                continue  # removing a thing provides nothing to depend on
            for res in resources.get(node, ()):
                self.by_kind[res.kind][res.label].append((node, res))

    def _edge(self, source: str, target: str, kind: EdgeKind, reason: str, via: str) -> None:
        if source != target:
            self.builder.edge(source, target, kind, inferred=True, reason=reason, via=via)

    def path_parents(self) -> None:
        containers: dict[str, list[tuple[str, Resource]]] = defaultdict(list)
        for kind in (NodeKind.DIRECTORY, NodeKind.MOUNT):
            for path, owners in self.by_kind[kind].items():
                containers[path].extend(owners)
        for st in self.states:
            node = self.ids.of(st)
            paths = [(r.label, r.kind) for r in self.resources.get(node, ()) if r.label.startswith("/")
                     and r.kind in (NodeKind.FILE, NodeKind.DIRECTORY, NodeKind.MOUNT)]
            cwd = st.args.get("cwd") if st.module == "cmd" else None
            if isinstance(cwd, str) and cwd.startswith("/"):
                paths.append((normalize_path(cwd), None))
            self_parenting = self._makes_own_parents(st)
            for path, kind in paths:
                # A command's cwd is needed as such, whatever the state does.
                mounts_only = self_parenting and kind is not None
                self._nearest_container(node, path, kind, containers, mounts_only=mounts_only)

    def _makes_own_parents(self, st: State) -> bool:
        """Whether ``st`` does without a state for its parent directory: it removes,
        creates missing parents itself (``makedirs``), or is a git checkout whose
        clone creates them, run as root or a user no state creates."""
        if st.function in _REMOVALS or _truthy(st.args.get("makedirs")):
            return True
        if st.fun in _GIT_TARGETS:
            user = st.args.get("user")
            return not (isinstance(user, str) and user in self.by_kind[NodeKind.USER])
        return False

    def _nearest_container(self, node: str, path: str, kind: NodeKind | None,
                           containers: Mapping[str, list[tuple[str, Resource]]],
                           *, mounts_only: bool = False) -> None:
        # A command's cwd, and a mount's mount point, need the path itself first.
        parents = self.memo.parents(path)
        candidates = (path, *parents) if kind in (None, NodeKind.MOUNT) else parents
        for candidate in candidates:
            found = containers.get(candidate)
            if not found:
                continue
            owners = [(n, r) for n, r in found if n != node]
            if kind == NodeKind.MOUNT and candidate == path:
                owners = [(n, r) for n, r in owners if r.kind == NodeKind.DIRECTORY]
            if mounts_only:
                owners = [(n, r) for n, r in owners if r.kind == NodeKind.MOUNT]
            if owners:
                if candidate != path:
                    reason = f"{path} is under {candidate}"
                else:
                    reason = f"{'cwd' if kind is None else 'mount point'} {path}"
                for owner, res in sorted(owners, key=lambda o: o[0]):
                    self._edge(node, owner, EdgeKind.PATH_PARENT, reason, res.node)
                return

    def runs_as(self) -> None:
        users = self.by_kind[NodeKind.USER]
        groups = self.by_kind[NodeKind.GROUP]
        for st in self.states:
            node = self.ids.of(st)
            if st.module in ("user", "group"):
                continue
            for arg in _USER_ARGS:
                name = st.args.get(arg)
                for owner, res in users.get(str(name), ()) if isinstance(name, str) else ():
                    self._edge(node, owner, EdgeKind.RUNS_AS, f"{arg} {name}", res.node)
            group = st.args.get("group")
            for owner, res in groups.get(str(group), ()) if isinstance(group, str) else ():
                self._edge(node, owner, EdgeKind.RUNS_AS, f"group {group}", res.node)
        for st in self.states:
            if st.fun != "user.present":
                continue
            wanted = st.args.get("groups") or []
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            gid = st.args.get("gid")
            if isinstance(gid, str) and not gid.isdigit():
                wanted.append(gid)
            for group in sorted({str(g) for g in wanted}):
                for owner, res in groups.get(group, ()):
                    self._edge(self.ids.of(st), owner, EdgeKind.INFERRED, "group membership", res.node)

    def services(self) -> None:
        services = sorted(self.by_kind[NodeKind.SERVICE].items())
        if not services:
            return
        by_package = sorted(self.by_kind[NodeKind.PACKAGE].items())
        config = sorted((path, owners) for kind in (NodeKind.FILE, NodeKind.DIRECTORY)
                        for path, owners in self.by_kind[kind].items())
        for name, owners in services:
            provided = [(pkg, pairs) for pkg, pairs in by_package if self.memo.provides(name, pkg)]
            read = [pairs for path, pairs in config if self.memo.reads(name, path)]
            for service_node, _ in owners:
                for pkg, pairs in provided:
                    for pkg_node, res in pairs:
                        self._edge(service_node, pkg_node, EdgeKind.PROVIDED_BY, f"package {pkg}", res.node)
                for pairs in read:
                    for file_node, res in pairs:
                        self._edge(service_node, file_node, EdgeKind.INFERRED, "config", res.node)


def add_inferred_edges(builder: GraphBuilder, states: Sequence[State], ids: StateIds,
                       resources: Mapping[str, list[Resource]], memo: InferenceMemo | None = None) -> None:
    """``memo``: answers shared with other builds (``GraphMemo.inference``), else fresh."""
    ctx = InferenceContext(builder, states, ids, resources, memo)
    ctx.path_parents()
    ctx.runs_as()
    ctx.services()
