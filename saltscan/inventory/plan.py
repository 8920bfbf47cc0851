"""The externalization plan: what moves into container env / ConfigMaps, and what into a
secrets manager. Shared by the JSON and markdown outputs and the Kubernetes drafts, so
they name things the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from saltscan.inventory.model import EnvVar, FilePurpose, Inventory, RoleInventory

_DNS_INVALID = re.compile(r"[^a-z0-9-]+")
MAX_NAME = 63


def k8s_name(*parts: str, limit: int = MAX_NAME) -> str:
    """A DNS-1123 label made of ``parts``: lower case, ``-`` separated, at most 63 chars."""
    text = "-".join(p for p in parts if p)
    name = _DNS_INVALID.sub("-", text.lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name)[:limit].strip("-")
    return name or "unnamed"


def secret_manager_key(key_path: str) -> str:
    """Where a pillar secret goes in the secrets manager: ``ehr:db:password`` -> ``ehr/db/password``."""
    return "/".join(part for part in key_path.split(":") if part)


def env_secret_key(role: str, name: str) -> str:
    """Secrets-manager key for an env var whose value is composed around secrets."""
    return f"{k8s_name(role)}/env/{name}"


@dataclass(frozen=True, order=True)
class ConfigItem:
    kind: str  # "env", "endpoint" or "file"
    name: str
    roles: tuple[str, ...]
    detail: str  # value source, origins, or template


@dataclass(frozen=True, order=True)
class SecretItem:
    kind: str  # "pillar" (a pillar key), "env" (composed env var), "literal" (written in a state)
    name: str  # key path or env var name
    roles: tuple[str, ...]
    storage: str
    manager_keys: tuple[str, ...]  # where to store it in the secrets manager


@dataclass(frozen=True)
class Plan:
    config: tuple[ConfigItem, ...]
    secrets: tuple[SecretItem, ...]


def env_needs_own_secret(var: EnvVar) -> bool:
    """An env var carrying a secret that is not just one pillar secret as is."""
    return var.secret and var.whole_secret is None


def plan_for(roles: tuple[RoleInventory, ...]) -> Plan:
    config: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    secrets: dict[tuple[str, str], tuple[set[str], str, set[str]]] = {}

    def add_config(kind: str, name: str, role: str, details: Iterable[str]) -> None:
        roles, known = config.setdefault((kind, name), (set(), set()))
        roles.add(role)
        known.update(details)

    def add_secret(kind: str, name: str, role: str, storage: str, key: str) -> None:
        entry = secrets.setdefault((kind, name), (set(), storage, set()))
        entry[0].add(role)
        entry[2].add(key)

    for role in roles:
        for var in role.env_vars:
            if var.via.value in ("command line",) and not var.secret:
                continue
            if not var.secret:
                add_config("env", var.name, role.name, [var.source.value])
            elif env_needs_own_secret(var):
                kind = "env" if var.secret_keys else "literal"
                add_secret(kind, var.name, role.name, "composed" if var.secret_keys else "plaintext",
                           env_secret_key(role.name, var.name))
        for ep in role.endpoints:
            add_config("endpoint", ep.host, role.name, ep.origins)
        for f in role.files:
            if f.purpose is FilePurpose.CONFIG and f.kind == "file" and not f.secret_keys:
                add_config("file", f.path, role.name, [f.template or "static"])
        for s in role.secrets:
            add_secret("pillar", s.key_path, role.name, s.storage, secret_manager_key(s.key_path))
    return Plan(
        tuple(sorted(ConfigItem(k, n, tuple(sorted(r)), ", ".join(sorted(d))) for (k, n), (r, d) in config.items())),
        tuple(sorted(SecretItem(k, n, tuple(sorted(r)), st, tuple(sorted(keys)))
                     for (k, n), (r, st, keys) in secrets.items())),
    )


def inventory_plan(inventory: Inventory) -> Plan:
    return plan_for(inventory.roles)
