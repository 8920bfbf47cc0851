"""Per-minion render context: what every file render of one minion shares."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any, Mapping

import jinja2

from saltscan.model import Minion, Tree
from saltscan.render.host_facts import HostFacts
from saltscan.render.recorder import Recorder
from saltscan.render.yaml_load import ParsedYaml


@dataclass(frozen=True)
class Limits:
    """Per-file limits; a breach is a finding on that file, the rest goes on."""

    max_file_bytes: int = 2 * 1024 * 1024
    max_output_chars: int = 16 * 1024 * 1024
    seconds_per_file: float = 10.0
    max_include_depth: int = 64


class CompiledTemplateCache(jinja2.BytecodeCache):
    """Compiled templates keyed by template path and source checksum.

    One per scan by default; a caller that renders many trees in one process (the
    fidelity benchmark, a long-running service) may pass one to ``load_model`` to share
    it. A changed file has another checksum, so a stale entry is never used.
    """

    def __init__(self) -> None:
        # key -> (source checksum, code object): code objects are immutable, so they are
        # kept as they are, not marshalled (every file render makes a new environment).
        self._store: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        found = self._store.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self._store[bucket.key] = (bucket.checksum, bucket.code)


@dataclass
class ScanSession:
    """Owned by one ``render_tree`` call: caches that are safe to share across minions."""

    tree: Tree
    limits: Limits = field(default_factory=Limits)
    bytecode_cache: jinja2.BytecodeCache = field(default_factory=lambda: CompiledTemplateCache())
    host_facts: HostFacts = field(default_factory=HostFacts)

    _relpaths: dict[str, str] = field(default_factory=dict, repr=False)
    parsed_yaml: ParsedYaml = field(default_factory=ParsedYaml, repr=False)

    def relpath(self, path: str | Path) -> str:
        # Asked for every state, template and error: resolving is a syscall per part.
        key = str(path)
        found = self._relpaths.get(key)
        if found is None:
            found = self._relpaths[key] = self.tree.relpath(path)
        return found


@dataclass
class MinionContext:
    """Everything one minion's file renders share (grains, pillar, opts, recorder)."""

    session: ScanSession
    minion: Minion
    opts: Mapping[str, Any]
    pillar: Mapping[str, Any]
    recorder: Recorder

    @property
    def grains(self) -> Mapping[str, Any]:
        return self.minion.grains

    def deadline(self) -> float:
        return time.monotonic() + self.session.limits.seconds_per_file
