"""The model: what the renderer hands to the graph, the rules and the inventory.

Every stage after rendering reads these frozen dataclasses and nothing else. Values
that come from Salt data (state arguments, pillar values) are plain JSON-like Python
data (dict, list, str, int, float, bool, None) and are treated as read-only.

A value saltscan could not evaluate safely (a ``salt['cmd.run']`` call, a pillar key
missing from the scanned tree) appears inside rendered data as a string holding an
*unknown token* (see ``saltscan.render.unknown``); ``Unknown`` records describe them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in the original source: ``file`` is posix, relative to the scanned root."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class RenderErrorKind(str, enum.Enum):
    """Why a file, or part of it, could not be rendered the way Salt renders it."""

    JINJA_SYNTAX = "jinja-syntax"
    JINJA_RUNTIME = "jinja-runtime"
    UNDEFINED_PILLAR = "undefined-pillar"
    UNDEFINED_VARIABLE = "undefined-variable"
    YAML = "yaml"
    DUPLICATE_KEY = "duplicate-key"
    MISSING_INCLUDE = "missing-include"
    MISSING_SOURCE = "missing-source"
    MISSING_TEMPLATE = "missing-template"
    NOT_A_DICT = "not-a-dict"
    INVALID_STATE = "invalid-state"
    DUPLICATE_ID = "duplicate-id"
    MISSING_REQUISITE = "missing-requisite"
    REQUISITE_CYCLE = "requisite-cycle"
    UNSAFE_RENDERER = "unsafe-renderer"
    UNKNOWN_RENDERER = "unknown-renderer"
    SANDBOX = "sandbox"
    LIMIT = "limit"
    TOP_FILE = "top-file"
    IO = "io"


@dataclass(frozen=True)
class RenderError:
    """What Salt would fail on (or what saltscan refused to evaluate), at file and line."""

    kind: RenderErrorKind
    message: str
    location: SourceLocation
    sls: str | None = None
    saltenv: str = "base"
    pillar_key: str | None = None


class UnknownOrigin(str, enum.Enum):
    """Where a value saltscan refused or could not compute came from."""

    EXECUTION_MODULE = "execution-module"  # salt['cmd.run'] and friends: never executed
    MISSING_PILLAR = "missing-pillar"  # key the scanned pillar does not define
    MISSING_GRAIN = "missing-grain"
    CROSS_HOST = "cross-host"  # mine.get, publish.publish: data from other minions
    HOST_FILTER = "host-filter"  # a Jinja filter that would read this machine
    ENCRYPTED = "encrypted"  # gpg / nacl ciphertext: kept, never decrypted


@dataclass(frozen=True)
class Unknown:
    """A value rendering could not know. ``token`` is the string standing in for it."""

    token: str
    origin: UnknownOrigin
    description: str  # e.g. "salt['cmd.run']('hostname -f')" with secrets masked
    location: SourceLocation


@dataclass(frozen=True)
class SaltCall:
    """A ``salt['mod.fun'](...)`` call made while rendering, evaluated or not."""

    function: str
    args: tuple[str, ...]  # rendered as short text, secrets masked
    location: SourceLocation
    evaluated: bool  # True for the pure functions saltscan computes (pillar.get, ...)
    sls: str | None = None


class RequisiteKind(str, enum.Enum):
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

    @property
    def base(self) -> str:
        """``watch_any`` -> ``watch``."""
        return self.value.removesuffix("_any").removesuffix("_all")


@dataclass(frozen=True)
class Requisite:
    """One requisite, normalised to the forward direction.

    ``watch_in: [{service: nginx}]`` on state A becomes, on state ``nginx``, a
    ``Requisite(kind=WATCH, target_type="<A's module>", target=<A's id>, from_in=True)``.
    ``target_type`` is the state module (``pkg``), ``sls``, or ``id`` for the
    ``- id`` short form; ``target`` may be a glob.
    """

    kind: RequisiteKind
    target_type: str
    target: str
    location: SourceLocation
    from_in: bool = False  # written as the _in form on the other state


@dataclass(frozen=True)
class State:
    """One low chunk: a state ID, one function, one name (``names`` already expanded)."""

    id: str
    sls: str
    module: str  # "file"
    function: str  # "managed"
    name: str
    args: Mapping[str, Any]  # every argument except name/state/fun/__*__ and requisites
    requisites: tuple[Requisite, ...]
    location: SourceLocation  # the line of the state ID
    arg_locations: Mapping[str, SourceLocation] = field(default_factory=dict)
    saltenv: str = "base"
    order: float | None = None

    @property
    def fun(self) -> str:
        return f"{self.module}.{self.function}"

    def location_of(self, arg: str) -> SourceLocation:
        """Where argument ``arg`` is written, else the state ID line."""
        return self.arg_locations.get(arg, self.location)


class SecretStorage(str, enum.Enum):
    PLAINTEXT = "plaintext"
    GPG = "gpg"
    NACL = "nacl"
    SDB = "sdb"
    VAULT = "vault"
    REFERENCE = "reference"  # a template expression or env lookup, not a value


@dataclass(frozen=True)
class PillarValue:
    """One leaf of a minion's pillar. ``value`` must never reach any output."""

    key_path: str  # colon path: "ehr:db:password"
    value: Any
    location: SourceLocation
    secret: bool = False
    storage: SecretStorage = SecretStorage.PLAINTEXT
    secret_reason: str | None = None  # "key name", "AWS access key", ... never the value


@dataclass(frozen=True)
class RenderedTemplate:
    """A file a state renders from a template (``file.managed`` with ``template:``).

    ``text`` is the rendered content; it may hold secret values, so it is for rules
    and the graph to search, never to print. ``line_map[i]`` is the source line of
    rendered line ``i + 1``.
    """

    state_id: str
    source: str  # salt:// URL as written
    location: SourceLocation  # the template file itself, line 1
    text: str
    line_map: tuple[int, ...] = ()

    def source_line(self, rendered_line: int) -> int:
        if 0 < rendered_line <= len(self.line_map):
            return self.line_map[rendered_line - 1]
        return 1


@dataclass(frozen=True)
class Minion:
    id: str
    grains: Mapping[str, Any]
    source: str  # grains file (relative) or "builtin:<profile>"


@dataclass(frozen=True)
class SlsFile:
    sls: str  # dotted name
    saltenv: str
    path: str  # relative to the scanned root
    renderer: str  # the pipe, e.g. "jinja|yaml"


@dataclass(frozen=True)
class Tree:
    """What the tree loader found: roots, top files, minions, master options."""

    root: Path
    state_roots: Mapping[str, tuple[Path, ...]]  # saltenv -> roots, first wins
    pillar_roots: Mapping[str, tuple[Path, ...]]
    minions: tuple[Minion, ...]
    sls_files: tuple[SlsFile, ...]
    master_opts: Mapping[str, Any] = field(default_factory=dict)
    detection: tuple[str, ...] = ()  # human-readable reasons, for ``scan -v``

    def relpath(self, path: Path | str) -> str:
        """A path relative to the scanned root, posix style; absolute if outside it."""
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return p.as_posix()


@dataclass(frozen=True)
class MinionRender:
    """Everything rendering produced for one minion."""

    minion: Minion
    top: Mapping[str, tuple[str, ...]]  # saltenv -> SLS names the top file assigns
    high: Mapping[str, Any]  # Salt's high data, as state.show_highstate shows it
    low: tuple[Mapping[str, Any], ...]  # Salt's low chunks, as state.show_lowstate
    states: tuple[State, ...]
    pillar: Mapping[str, Any]
    pillar_values: tuple[PillarValue, ...]
    errors: tuple[RenderError, ...]
    unknowns: tuple[Unknown, ...]
    salt_calls: tuple[SaltCall, ...]
    templates: tuple[RenderedTemplate, ...]
    sls_files: tuple[str, ...]  # relative paths of the SLS files rendered for this minion
    pillar_reads: Mapping[str, tuple[SourceLocation, ...]] = field(default_factory=dict)
    untargeted: bool = False  # rendered standalone: no top file reaches it

    def state(self, state_id: str, module: str | None = None) -> State | None:
        for st in self.states:
            if st.id == state_id and (module is None or st.module == module):
                return st
        return None

    def secret_values(self) -> tuple[PillarValue, ...]:
        return tuple(pv for pv in self.pillar_values if pv.secret)


@dataclass(frozen=True)
class Model:
    """The rendered tree: the input of the graph, the rules and the inventory."""

    tree: Tree
    renders: tuple[MinionRender, ...]
    errors: tuple[RenderError, ...] = ()  # tree-level (loader, top file) errors

    def render_for(self, minion_id: str) -> MinionRender | None:
        for r in self.renders:
            if r.minion.id == minion_id:
                return r
        return None

    def renders_for(self, minion_id: str) -> tuple[MinionRender, ...]:
        """Every render of ``minion_id``: one for a minion, one per SLS for ``(untargeted)``."""
        return tuple(r for r in self.renders if r.minion.id == minion_id)
