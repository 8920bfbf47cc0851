"""The fixed vocabulary of the graph (DESIGN.md section 5): node kinds and edge kinds.

Edge direction convention, for every dependency-like edge: ``A -> B`` means
*A depends on B* (A needs B first). A ``require`` edge ``A -> B`` means state A
requires state B, whether it was written as ``require`` on A or as ``require_in`` on
B. Inferred edges (``path_parent``, ``runs_as``, ``provided_by``, ``inferred``) follow
the same direction between state nodes.
"""

from __future__ import annotations

import enum

from saltscan.model import RequisiteKind


class NodeKind(str, enum.Enum):
    SLS = "sls"
    STATE = "state"
    PACKAGE = "package"
    FILE = "file"
    DIRECTORY = "directory"
    SERVICE = "service"
    USER = "user"
    GROUP = "group"
    COMMAND = "command"
    MOUNT = "mount"
    CRON = "cron"
    SECRET = "secret"
    PILLAR_KEY = "pillar_key"
    ENV_VAR = "env_var"
    ENDPOINT = "endpoint"
    PORT = "port"


class EdgeKind(str, enum.Enum):
    REQUIRE = "require"
    WATCH = "watch"
    PREREQ = "prereq"
    ONCHANGES = "onchanges"
    ONFAIL = "onfail"
    LISTEN = "listen"
    USE = "use"
    REQUIRE_ANY = "require_any"
    WATCH_ANY = "watch_any"
    ONCHANGES_ANY = "onchanges_any"
    ONFAIL_ANY = "onfail_any"
    ONFAIL_ALL = "onfail_all"
    INCLUDES = "includes"
    DECLARES = "declares"
    MANAGES = "manages"
    USES_PILLAR = "uses_pillar"
    FLOWS_TO = "flows_to"
    SETS_ENV = "sets_env"
    CONNECTS_TO = "connects_to"
    PATH_PARENT = "path_parent"
    RUNS_AS = "runs_as"
    PROVIDED_BY = "provided_by"
    INFERRED = "inferred"


REQUISITE_EDGE_KINDS: frozenset[str] = frozenset(k.value for k in RequisiteKind)

# Requisites that make Salt run the target first. ``listen`` and ``use`` do not
# order anything (listen fires mod_watch at the end of the run, use copies
# arguments at compile time) and ``prereq`` runs its source *before* its target,
# so none of them enters cycle detection or the forward ordering relation.
ORDERING_REQUISITE_KINDS: frozenset[str] = frozenset(
    k.value
    for k in RequisiteKind
    if k not in (RequisiteKind.LISTEN, RequisiteKind.USE, RequisiteKind.PREREQ)
)

INFERRED_EDGE_KINDS: frozenset[str] = frozenset(
    k.value
    for k in (EdgeKind.PATH_PARENT, EdgeKind.RUNS_AS, EdgeKind.PROVIDED_BY, EdgeKind.INFERRED)
)

# Resource kinds: what a state ``manages``.
RESOURCE_KINDS: frozenset[str] = frozenset(
    k.value
    for k in (
        NodeKind.PACKAGE,
        NodeKind.FILE,
        NodeKind.DIRECTORY,
        NodeKind.SERVICE,
        NodeKind.USER,
        NodeKind.GROUP,
        NodeKind.COMMAND,
        NodeKind.MOUNT,
        NodeKind.CRON,
    )
)


def parse_node_kinds(text: str) -> tuple[NodeKind, ...]:
    """``"package,service"`` -> kinds; raises ValueError naming the unknown kinds."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    valid = {k.value: k for k in NodeKind}
    unknown = sorted(n for n in names if n not in valid)
    if unknown:
        raise ValueError(
            f"unknown node kind(s): {', '.join(unknown)}; "
            f"known kinds: {', '.join(sorted(valid))}"
        )
    return tuple(sorted({valid[n] for n in names}, key=lambda k: k.value))
