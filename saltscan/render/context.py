"""Per-minion render context: what every file render of one minion shares."""

from __future__ import annotations

import fnmatch
import os
import stat
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


# What an environment compiles a template with besides its source: its syntax.
_SYNTAX_OPTIONS = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline",
)


class CompiledTemplateCache(jinja2.BytecodeCache):
    """Compiled templates keyed by template path, the environment's syntax options and
    extensions, and source checksum.

    One per scan by default; a caller that renders many trees in one process (the
    fidelity benchmark, a long-running service) may pass one to ``load_model`` to share
    it. A changed file has another checksum, so a stale entry is never used; a changed
    ``jinja_env``/``jinja_sls_env`` in the master config compiles anew.
    """

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str):
        syntax = tuple(getattr(environment, option, None) for option in _SYNTAX_OPTIONS)
        extensions = tuple(sorted(environment.extensions))
        return super().get_bucket(environment, f"{name}\0{syntax!r}\0{extensions!r}", filename, source)

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


_UNSET: Any = object()


def _resolved(path: Path) -> str | None:
    """``str(path.resolve())``; None where it fails (a symbolic link loop)."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return None


@dataclass
class ScanSession:
    """Owned by one ``render_tree`` call: caches that are safe to share across minions."""

    tree: Tree
    limits: Limits = field(default_factory=Limits)
    bytecode_cache: jinja2.BytecodeCache = field(default_factory=lambda: CompiledTemplateCache())
    host_facts: HostFacts = field(default_factory=HostFacts)

    _relpaths: dict[str, str] = field(default_factory=dict, repr=False)
    parsed_yaml: ParsedYaml = field(default_factory=ParsedYaml, repr=False)
    _sls_avail: dict[str, list[str]] | None = field(default=None, repr=False)
    _sls_globs: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    _managed_params: frozenset[str] | None = field(default=None, repr=False)
    _root_real: str | None = field(default=None, repr=False)  # "" when it did not resolve
    _real_dirs: dict[str, str | None] = field(default_factory=dict, repr=False)
    _sls_paths: dict[tuple[tuple[str, ...], str], tuple[str, str] | None] = field(default_factory=dict, repr=False)

    def available_sls(self) -> dict[str, list[str]]:
        """saltenv -> every SLS name of the tree, in file order (not to be changed)."""
        if self._sls_avail is None:
            avail: dict[str, list[str]] = {}
            for f in self.tree.sls_files:
                avail.setdefault(f.saltenv, []).append(f.sls)
            self._sls_avail = avail
        return self._sls_avail

    def sls_glob(self, saltenv: str, pattern: str) -> list[str]:
        """``fnmatch.filter(available_sls()[saltenv], pattern)``: every include and top
        entry of every minion asks (not to be changed)."""
        key = (saltenv, pattern)
        found = self._sls_globs.get(key)
        if found is None:
            found = self._sls_globs[key] = fnmatch.filter(self.available_sls().get(saltenv, []), pattern)
        return found

    def sls_path(self, roots: tuple[str, ...], sls: str) -> tuple[str, str] | None:
        """(absolute path, "file" or "init") of an SLS in ``roots``: ``a/b.sls`` before
        ``a/b/init.sls``, root by root. Once per scan, like the listing ``sls_glob``
        uses: every minion's walk asks for every file it includes."""
        key = (roots, sls)
        if key in self._sls_paths:
            return self._sls_paths[key]
        found = None
        base = sls.replace(".", "/")
        for root in roots:
            for cand, kind in ((f"{base}.sls", "file"), (f"{base}/init.sls", "init")):
                path = os.path.join(root, cand)
                if os.path.isfile(path):
                    found = (path, kind)
                    break
            if found is not None:
                break
        self._sls_paths[key] = found
        return found

    def managed_parameters(self) -> frozenset[str]:
        """``templates._managed_parameters()`` (an ``inspect.signature``), once per scan."""
        if self._managed_params is None:
            from saltscan.render.templates import _managed_parameters

            self._managed_params = _managed_parameters()
        return self._managed_params

    def relpath(self, path: str | Path) -> str:
        # Asked for every state, template and error: resolving is a syscall per part.
        key = str(path)
        found = self._relpaths.get(key)
        if found is None:
            found = self._relpaths[key] = self._relpath(key)
        return found

    def _relpath(self, path: str) -> str:
        """``tree.relpath(path)``, resolving the root and each directory once per scan.

        ``Path(d/name).resolve()`` is ``resolve(d)/name`` when ``name`` is a file that
        is not a symbolic link; anything else is left to ``tree.relpath``."""
        directory, name = os.path.split(path)
        if os.sep != "/" or not os.path.isabs(path) or name in ("", ".", ".."):
            return self.tree.relpath(path)
        if self._root_real is None:
            self._root_real = _resolved(self.tree.root) or ""
        real_dir = self._real_dirs.get(directory, _UNSET)
        if real_dir is _UNSET:
            real_dir = self._real_dirs[directory] = _resolved(Path(directory))
        if not self._root_real or real_dir is None:
            return self.tree.relpath(path)
        full = os.path.join(real_dir, name)
        try:
            if stat.S_ISLNK(os.lstat(full).st_mode):
                return self.tree.relpath(path)
        except OSError:
            return self.tree.relpath(path)
        root = self._root_real
        if full == root:
            return "."
        prefix = root if root.endswith("/") else root + "/"
        if full.startswith(prefix):
            return full[len(prefix):]
        return Path(path).as_posix()  # outside the root, as tree.relpath says it


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
