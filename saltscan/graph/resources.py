"""What a state manages: its resource nodes (package, file, directory, service, ...).

Table-driven by state function; a function outside the tables manages no resource
node (it stays a state node with its endpoints, ports and env vars).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from saltscan.graph.ids import command_node_id, node_id
from saltscan.graph.kinds import NodeKind
from saltscan.model import State

PKG_FUNS = frozenset({"installed", "latest", "removed", "purged", "downloaded"})
FILE_FUNS = frozenset(
    {"managed", "append", "prepend", "replace", "line", "blockreplace", "absent", "serialize",
     "copy", "touch", "keyvalue", "comment", "uncomment", "symlink", "hardlink", "patch",
     "rename", "exists", "missing"}
)
DIRECTORY_FUNS = frozenset({"directory", "recurse"})
CMD_FUNS = frozenset({"run", "script", "wait", "shell", "wait_script", "mod_watch"})
MOUNT_FUNS = frozenset({"mounted", "swap", "unmounted", "fstab_present", "fstab_absent"})
CRON_FUNS = frozenset({"present", "absent", "file", "env_present", "env_absent"})
# States that put a tree in a directory: module.function -> the argument naming it.
DIRECTORY_TARGETS = {"archive.extracted": "name", "git.latest": "target", "git.cloned": "target"}


@dataclass(frozen=True)
class Resource:
    node: str
    kind: NodeKind
    label: str
    attrs: tuple[tuple[str, Any], ...] = ()


def normalize_path(path: str) -> str:
    """``/opt/ehr/`` and ``/opt//ehr`` -> ``/opt/ehr``; relative names stay as written."""
    if path.startswith("/"):
        normalized = posixpath.normpath(path)
        return "/" + normalized.lstrip("/")
    return path


def _path_resource(kind: NodeKind, path: str) -> Resource:
    path = normalize_path(path)
    return Resource(node_id(kind, path), kind, path, (("path", path),))


def _named(kind: NodeKind, name: str) -> Resource:
    return Resource(node_id(kind, name), kind, name, (("name", name),))


def package_names(state: State) -> list[str]:
    names: list[str] = []
    for arg in ("pkgs", "sources"):
        value = state.args.get(arg)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    names.extend(str(k) for k in item)
                elif isinstance(item, str):
                    names.append(item)
    return names or [state.name]


def cron_user(state: State) -> str:
    user = state.args.get("user")
    return str(user) if user else "root"


def resources_of(state: State, *, expanded: bool) -> list[Resource]:
    """Resource nodes ``state`` manages, in a stable order."""
    mod, fun = state.module, state.function
    if mod == "pkg" and fun in PKG_FUNS:
        return [_named(NodeKind.PACKAGE, n) for n in package_names(state)]
    if mod == "file":
        if fun in DIRECTORY_FUNS:
            return [_path_resource(NodeKind.DIRECTORY, state.name)]
        if fun == "accumulated":
            target = state.args.get("filename")
            return [_path_resource(NodeKind.FILE, str(target))] if target else []
        if fun in FILE_FUNS:
            return [_path_resource(NodeKind.FILE, state.name)]
        return []
    if mod == "service":
        return [_named(NodeKind.SERVICE, state.name)]
    if mod == "user" and fun in ("present", "absent"):
        return [_named(NodeKind.USER, state.name)]
    if mod == "group" and fun in ("present", "absent"):
        return [_named(NodeKind.GROUP, state.name)]
    if mod == "cmd" and fun in CMD_FUNS:
        node = command_node_id(state, expanded)
        return [Resource(node, NodeKind.COMMAND, state.id, (("name", state.name),))]
    if mod == "mount" and fun in MOUNT_FUNS:
        return [_path_resource(NodeKind.MOUNT, state.name)]
    if mod == "cron" and fun in CRON_FUNS:
        user = cron_user(state)
        ident = str(state.args.get("identifier") or state.name)
        node = node_id(NodeKind.CRON, user, ident)
        return [Resource(node, NodeKind.CRON, f"{user}: {ident}", (("user", user), ("identifier", ident)))]
    arg = DIRECTORY_TARGETS.get(state.fun)
    if arg:
        target = state.name if arg == "name" else state.args.get(arg)
        if isinstance(target, str) and target:
            return [_path_resource(NodeKind.DIRECTORY, target)]
    return []
