"""``to_json``: the inventory as a deterministic JSON document (DESIGN.md section 7).

Field order is the dataclasses' declaration order, lists are the inventory's sorted
tuples, locations are ``{"file", "line"}``; the same inventory gives the same bytes.
"""

from __future__ import annotations

import enum
import json
from dataclasses import fields, is_dataclass
from typing import Any

from saltscan import __version__
from saltscan.inventory.model import Endpoint, Inventory, RoleInventory
from saltscan.inventory.plan import Plan, inventory_plan
from saltscan.model import SourceLocation

SCHEMA_VERSION = 1
SECTIONS = ("packages", "services", "files", "env_vars", "secrets", "ports", "endpoints", "volumes", "cron",
            "users", "groups", "commands", "blockers")


def plain(value: Any) -> Any:
    """Dataclasses, enums, tuples -> JSON data."""
    if isinstance(value, SourceLocation):
        return {"file": value.file, "line": value.line}
    if isinstance(value, enum.Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Endpoint):
            out = {"key": value.key, **out}
        return out
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in sorted(value.items())}
    return value


def role_counts(role: RoleInventory) -> dict[str, int]:
    return {name: len(getattr(role, name)) for name in SECTIONS}


def _role(role: RoleInventory) -> dict[str, Any]:
    data = plain(role)
    primary = role.primary_os
    return {
        "name": data.pop("name"),
        "role_source": data.pop("role_source"),
        "minions": data.pop("minions"),
        "primary_os": primary.label if primary else None,
        "counts": role_counts(role),
        **data,
    }


def _plan(plan: Plan) -> dict[str, Any]:
    return {"config": plain(plan.config), "secrets": plain(plan.secrets)}


def to_dict(inventory: Inventory) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "saltscan", "version": __version__},
        "root": inventory.root,
        "role_grains": list(inventory.role_grains),
        "roles": [_role(r) for r in inventory.roles],
        "untargeted_sls": list(inventory.untargeted_sls),
        "unassigned_blockers": plain(inventory.unassigned_blockers),
        "externalize": _plan(inventory_plan(inventory)),
    }


def to_json(inventory: Inventory) -> str:
    return json.dumps(to_dict(inventory), indent=2, ensure_ascii=False) + "\n"
