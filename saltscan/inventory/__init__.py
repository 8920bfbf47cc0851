"""The containerization inventory (issue 7, DESIGN.md section 7).

``build_inventory(model, graphs, findings)`` -> ``Inventory`` (per role: env vars,
secrets, packages, services, files, ports, endpoints, volumes, cron jobs, accounts,
commands, blockers), then ``to_json``, ``to_markdown``, ``emit_dockerfiles`` and
``emit_kubernetes``. See ``docs/inventory.md``.
"""

from saltscan.inventory.build import build_inventory, select
from saltscan.inventory.dockerfile import dockerfile_for, emit_dockerfiles
from saltscan.inventory.jsonout import to_dict, to_json
from saltscan.inventory.kubernetes import emit_kubernetes, manifests_for
from saltscan.inventory.markdown import to_markdown
from saltscan.inventory.model import (
    Blocker,
    Command,
    CommandPhase,
    CronJob,
    Endpoint,
    EnvVar,
    EnvVia,
    FilePurpose,
    Group,
    Inventory,
    ManagedFile,
    OsInfo,
    Package,
    Port,
    RoleInventory,
    SecretFlow,
    SecretRef,
    Service,
    Use,
    User,
    ValueSource,
    Volume,
    VolumeKind,
)
from saltscan.inventory.roles import DEFAULT_ROLE_GRAINS, group_roles, os_info

__all__ = [
    "Blocker", "Command", "CommandPhase", "CronJob", "DEFAULT_ROLE_GRAINS", "Endpoint", "EnvVar", "EnvVia",
    "FilePurpose", "Group", "Inventory", "ManagedFile", "OsInfo", "Package", "Port", "RoleInventory",
    "SecretFlow", "SecretRef", "Service", "Use", "User", "ValueSource", "Volume", "VolumeKind",
    "build_inventory", "dockerfile_for", "emit_dockerfiles", "emit_kubernetes", "group_roles",
    "manifests_for", "os_info", "select", "to_dict", "to_json", "to_markdown",
]
