"""``build_inventory``: the model, its graphs and the scan's findings -> ``Inventory``.

Per minion, items are read off the graph (``resources``, ``flows``); per role they are
merged by identity (a package by name, a file by path, an env var by name and place),
each merged item listing the minions it holds on. Everything is sorted; nothing
depends on dict or set iteration order.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

import networkx as nx

from saltscan.findings import Category, Finding
from saltscan.graph import build_minion_graph
from saltscan.inventory import flows, resources
from saltscan.inventory.model import (
    Blocker,
    EnvVar,
    Inventory,
    ManagedFile,
    Port,
    RoleInventory,
    SecretFlow,
    SecretRef,
    Use,
    ValueSource,
    Volume,
    VolumeKind,
)
from saltscan.inventory.roles import DEFAULT_ROLE_GRAINS, RoleGroup, group_roles, os_info, role_os, top_sls
from saltscan.inventory.view import Cleaner, MinionView, SourceTexts
from saltscan.model import Model

T = TypeVar("T")
NOT_BLOCKERS = frozenset({Category.STYLE})


def _union(a: tuple, b: tuple) -> tuple:
    return tuple(sorted(set(a) | set(b)))


def merge(items: Iterable[T], key: Callable[[T], Any], union: Sequence[str] = ()) -> tuple[T, ...]:
    """Items with the same key merged: the first (in minion order) wins, except for
    ``minions`` and the ``union`` fields, whose values are joined."""
    merged: dict[Any, T] = {}
    for item in items:
        k = key(item)
        if k not in merged:
            merged[k] = item
            continue
        first = merged[k]
        changes = {name: _union(getattr(first, name), getattr(item, name)) for name in ("minions", *union)}
        merged[k] = replace(first, **changes)
    return tuple(merged[k] for k in sorted(merged))


def _merge_env(items: Iterable[EnvVar]) -> tuple[EnvVar, ...]:
    grouped: dict[tuple, list[EnvVar]] = defaultdict(list)
    for item in items:
        grouped[(item.name, item.location, item.state_id)].append(item)
    out = []
    for key in sorted(grouped):
        group = grouped[key]
        sources = {e.source for e in group}
        source = next((s for s in (ValueSource.UNKNOWN, ValueSource.PILLAR) if s in sources), ValueSource.LITERAL)
        secret_keys = tuple(sorted({k for e in group for k in e.secret_keys}))
        values = {e.value for e in group}
        secret = any(e.secret for e in group)
        wholes = {e.whole_secret for e in group}
        out.append(replace(
            group[0], source=source, secret=secret,
            pillar_keys=tuple(sorted({k for e in group for k in e.pillar_keys})), secret_keys=secret_keys,
            whole_secret=wholes.pop() if len(wholes) == 1 else None,
            value=values.pop() if len(values) == 1 and not secret else None,
            minions=tuple(sorted({m for e in group for m in e.minions})),
        ))
    return tuple(out)


def _with_env_flows(secrets: tuple[SecretRef, ...], env_vars: tuple[EnvVar, ...]) -> tuple[SecretRef, ...]:
    """Secrets also flow to the env vars found carrying them (the graph searches values;
    the inventory also reads the expressions, which finds multi-line secrets)."""
    extra: dict[str, set[SecretFlow]] = defaultdict(set)
    for var in env_vars:
        for key in var.secret_keys:
            extra[key].add(SecretFlow("env_var", var.name, var.location))
    out = []
    for s in secrets:
        known = {(f.kind, f.target) for f in s.flows}
        more = {f for f in extra.get(s.key_path, ()) if (f.kind, f.target) not in known}
        out.append(replace(s, flows=tuple(sorted(set(s.flows) | more))) if more else s)
    return tuple(out)


def _with_file_reads(files: tuple[ManagedFile, ...], secrets: tuple[SecretRef, ...]
                     ) -> tuple[tuple[ManagedFile, ...], tuple[SecretRef, ...]]:
    """A file whose state or template reads a secret key that cannot be searched for by
    value (ciphertext, an ``sdb://`` or Vault reference) holds that secret. Plaintext
    values are searched for by the graph; a read alone would over-report them (reads are
    attributed per state block)."""
    secret_keys = {s.key_path for s in secrets if s.storage != "plaintext"}
    extra: dict[str, set[SecretFlow]] = defaultdict(set)
    out_files = []
    for f in files:
        read = secret_keys & set(f.pillar_keys)
        for key in read:
            extra[key].add(SecretFlow("file", f.path, f.template_location or f.location))
        out_files.append(replace(f, secret_keys=_union(f.secret_keys, tuple(read))) if read else f)
    out_secrets = []
    for s in secrets:
        known = {(f.kind, f.target) for f in s.flows}
        more = {f for f in extra.get(s.key_path, ()) if (f.kind, f.target) not in known}
        out_secrets.append(replace(s, flows=tuple(sorted(set(s.flows) | more))) if more else s)
    return tuple(out_files), tuple(out_secrets)


def _nest_volumes(volumes: tuple[Volume, ...]) -> tuple[Volume, ...]:
    """A volume under another one becomes a subpath of it (one claim, not two)."""
    paths = sorted(volumes, key=lambda v: (v.path.count("/"), v.kind != VolumeKind.MOUNT, v.path))
    kept: list[Volume] = []
    for vol in paths:
        parent = next((i for i, k in enumerate(kept) if vol.path.startswith(k.path.rstrip("/") + "/")), None)
        if parent is None:
            kept.append(vol)
        else:
            outer = kept[parent]
            kept[parent] = replace(outer, subpaths=_union(outer.subpaths, (vol.path, *vol.subpaths)),
                                   minions=_union(outer.minions, vol.minions))
    return tuple(sorted(kept, key=lambda v: v.path))


def _blocker(finding: Finding, clean: Cleaner) -> Blocker:
    return Blocker(
        rule=finding.rule, name=finding.name, category=finding.category.value, severity=finding.severity.value,
        message=clean(finding.message), location=finding.location,
        state_id=finding.state.id if finding.state else None, pillar_key=finding.pillar_key,
        minions=tuple(sorted(finding.minions)),
    )


def _blocker_order(b: Blocker) -> tuple:
    return (b.location.file, b.location.line, b.location.column, b.rule, b.state_id or "", b.pillar_key or "",
            b.message)


def _role(group: RoleGroup, views: Sequence[MinionView], findings: Sequence[Finding], clean: Cleaner) -> RoleInventory:
    def collect(fn):
        return [item for view in views for item in fn(view)]

    services = merge(collect(resources.services), lambda s: s.name,
                     ("ports", "restarted_by", "packages", "env_files", "uses"))
    bound = [Port(port, (Use(svc.location, svc.state_id),), (), svc.minions)
             for svc in services for port in svc.ports]  # ports of unit commands (--bind)
    ports = merge([*collect(flows.listening_ports), *bound], lambda p: p.number, ("uses",))
    ports = tuple(replace(p, services=tuple(sorted(s.name for s in services if p.number in s.ports)))
                  for p in ports)
    env_vars = _merge_env(collect(flows.env_vars))
    secrets = _with_env_flows(merge(collect(flows.secrets), lambda s: s.key_path, ("flows",)), env_vars)
    files, secrets = _with_file_reads(
        merge(collect(resources.files), lambda f: (f.path, f.kind), ("pillar_keys", "secret_keys")), secrets)
    minions = set(group.minions)
    blockers = sorted(
        (_blocker(f, clean) for f in findings
         if f.category not in NOT_BLOCKERS and not f.suppressed and minions & set(f.minions)),
        key=_blocker_order,
    )
    return RoleInventory(
        name=group.name, role_source=group.source, minions=group.minions, os=role_os(group.renders),
        sls=tuple(sorted({sls for r in group.renders for sls in top_sls(r)})),
        packages=merge(collect(resources.packages), lambda p: p.name, ("os",)),
        services=services,
        files=files,
        env_vars=env_vars,
        secrets=secrets,
        ports=ports,
        endpoints=merge(collect(flows.endpoints), lambda e: e.host,
                        ("ports", "schemes", "origins", "uses", "pillar_keys")),
        volumes=_nest_volumes(merge(collect(resources.volumes), lambda v: v.path)),
        cron=merge(collect(resources.cron_jobs), lambda c: (c.user, c.identifier), ("secret_keys",)),
        users=merge(collect(resources.users), lambda u: u.name),
        groups=merge(collect(resources.groups), lambda g: g.name),
        commands=merge(collect(resources.commands), lambda c: (c.location, c.state_id), ("secret_keys",)),
        blockers=tuple(blockers),
    )


def scrub(obj: Any, clean: Callable[[str], str]) -> Any:
    """``obj`` with every string inside passed through ``clean``: the last defence, so that
    no secret value in a state ID, a path or a name reaches any output."""
    if isinstance(obj, enum.Enum):
        return obj
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, tuple):
        return tuple(scrub(item, clean) for item in obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return replace(obj, **{f.name: scrub(getattr(obj, f.name), clean) for f in fields(obj)})
    return obj


def secret_values(model: Model) -> tuple[object, ...]:
    """Every secret pillar value of the model (for masking, never for output)."""
    return tuple(pv.value for r in model.renders for pv in r.pillar_values if pv.secret)


def build_inventory(model: Model, graphs: Mapping[str, nx.MultiDiGraph] | None, findings: Sequence[Finding],
                    role_grains: Sequence[str] = DEFAULT_ROLE_GRAINS, *, by_minion: bool = False,
                    root_label: str = ".") -> Inventory:
    """The inventory of ``model``: one ``RoleInventory`` per role (or per minion)."""
    graphs = dict(graphs or {})
    clean = Cleaner(secret_values(model))
    sources = SourceTexts(Path(model.tree.root))
    role_grains = tuple(role_grains) or DEFAULT_ROLE_GRAINS
    roles = []
    for group in group_roles(model.renders, role_grains, by_minion=by_minion):
        views = []
        for render in group.renders:
            graph = graphs.get(render.minion.id)
            if graph is None:
                graph = build_minion_graph(render)
            mine = tuple(f for f in findings if render.minion.id in f.minions)
            views.append(MinionView(render, graph, os_info(render.minion.grains).label, mine, sources, clean))
        roles.append(scrub(_role(group, views, findings, clean), clean.known))
    targeted = {m for r in roles for m in r.minions}
    unassigned = sorted(
        (_blocker(f, clean) for f in findings
         if f.category not in NOT_BLOCKERS and not f.suppressed and not targeted & set(f.minions)),
        key=_blocker_order,
    )
    unassigned = [scrub(b, clean.known) for b in unassigned]
    untargeted = sorted({sls for r in model.renders if r.untargeted for sls in top_sls(r)})
    return Inventory(root_label, role_grains, tuple(roles), tuple(untargeted), tuple(unassigned))


def select(inventory: Inventory, role: str | None = None) -> Inventory:
    """Only the role named ``role`` (or whose name has it as a ``+`` part); KeyError if none."""
    if role is None:
        return inventory
    chosen = tuple(r for r in inventory.roles if r.name == role) or tuple(
        r for r in inventory.roles if role in r.name.split("+"))
    if not chosen:
        raise KeyError(role)
    return replace(inventory, roles=chosen, unassigned_blockers=())
