"""Pillar per minion: the pillar top file, SLS order, ``include``, merge strategies.

Mirrors ``salt.pillar.Pillar.render_pillar``/``render_pstate``; merging is Salt's own
``salt.utils.dictupdate.merge`` with ``pillar_source_merging_strategy`` and
``pillar_merge_lists``. A pillar SLS that fails to render is reported at its file
and line and skipped; the rest of the pillar is still compiled (Salt would refuse
the whole pillar; saltscan says so and goes on).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import salt.utils.dictupdate

from saltscan.model import PillarValue, RenderError, RenderErrorKind, SourceLocation
from saltscan.render.context import MinionContext
from saltscan.render.sls import FileRender
from saltscan.render.top import top_matches

KEY_DELIM = ":"


@dataclass
class PillarResult:
    pillar: dict
    values: tuple[PillarValue, ...]
    errors: list[RenderError]
    files: list[str] = field(default_factory=list)


def _flatten_locs(data: Any, prefix: str, out: dict[str, SourceLocation], default: SourceLocation) -> None:
    if not isinstance(data, Mapping):
        return
    locs = getattr(data, "key_locs", {})
    for key, value in data.items():
        path = f"{prefix}{KEY_DELIM}{key}" if prefix else str(key)
        out[path] = locs.get(key, out.get(path, default))
        _flatten_locs(value, path, out, out[path])


def _leaves(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Leaf values by colon path; lists are leaves (their items are not keyed)."""
    if isinstance(data, Mapping) and data:
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            path = f"{prefix}{KEY_DELIM}{key}" if prefix else str(key)
            out.extend(_leaves(value, path))
        return out
    return [(prefix, data)] if prefix else []


def pillar_values(pillar: Mapping, locs: Mapping[str, SourceLocation]) -> tuple[PillarValue, ...]:
    from saltscan.secrets import is_secret

    values = []
    for path, value in _leaves(pillar):
        loc = locs.get(path) or SourceLocation("", 1)
        items = value if isinstance(value, list) else [value]
        secret, storage, reason = False, None, None
        for item in items:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                s, st, why = is_secret(path, str(item))
                if s or storage is None:
                    secret, storage, reason = s or secret, st, why if s else reason
                if s:
                    break
        kwargs = {"storage": storage} if storage is not None else {}
        values.append(PillarValue(path, value, loc, secret, secret_reason=reason, **kwargs))
    return tuple(sorted(values, key=lambda v: v.key_path))


class PillarCompiler:
    def __init__(self, ctx: MinionContext, roots: dict[str, tuple[str, ...]], render: Callable[..., FileRender]):
        self.ctx = ctx
        self.roots = roots
        self.render = render  # (path, sls, saltenv, roots) -> FileRender
        opts = ctx.opts
        self.strategy = opts.get("pillar_source_merging_strategy", "smart")
        self.merge_lists = bool(opts.get("pillar_merge_lists", False))
        self.renderer = opts.get("renderer", "jinja|yaml")
        self.errors: list[RenderError] = []
        self.locs: dict[str, SourceLocation] = {}
        self.files: list[str] = []
        self.avail = {
            env: sorted({n for root in rs for n in _sls_names(root)}) for env, rs in roots.items()
        }

    def merge(self, a: Any, b: Any) -> Any:
        return salt.utils.dictupdate.merge(a, b, self.strategy, self.renderer, self.merge_lists)

    def resolve(self, sls: str, saltenv: str) -> tuple[str, str] | None:
        base = sls.replace(".", "/")
        for root in self.roots.get(saltenv, ()):
            for cand, kind in ((f"{base}.sls", "file"), (f"{base}/init.sls", "init")):
                if os.path.isfile(os.path.join(root, cand)):
                    return os.path.join(root, cand), kind
        return None

    def render_pstate(self, sls: str, saltenv: str, mods: dict, origin: SourceLocation) -> Any:
        found = self.resolve(sls, saltenv)
        if found is None:
            self.errors.append(RenderError(RenderErrorKind.MISSING_INCLUDE, f"Specified SLS '{sls}' in environment '{saltenv}' is not available on the salt master", origin, sls, saltenv))
            mods[sls] = None
            return None
        path, kind = found
        result = self.render(path, sls, saltenv, self.roots[saltenv])
        self.files.append(self.ctx.session.relpath(path))
        self.errors.extend(result.errors)
        state = result.data
        mods[sls] = state
        if not state:
            return state
        if not isinstance(state, dict):
            self.errors.append(RenderError(RenderErrorKind.NOT_A_DICT, f"SLS '{sls}' does not render to a dictionary", SourceLocation(self.ctx.session.relpath(path), 1), sls, saltenv))
            return None
        own_locs = SourceLocation(self.ctx.session.relpath(path), 1)
        if "include" not in state:
            _flatten_locs(state, "", self.locs, own_locs)
            return state
        include = state.pop("include")
        if not isinstance(include, list):
            self.errors.append(RenderError(RenderErrorKind.INVALID_STATE, f"Include Declaration in SLS '{sls}' is not formed as a list", origin, sls, saltenv))
            return state
        item_locs = getattr(include, "item_locs", [])
        included = []
        for i, sub in enumerate(include):
            loc = item_locs[i] if i < len(item_locs) else origin
            key = None
            if isinstance(sub, dict) and sub:
                sub, opts = next(iter(sub.items()))
                key = opts.get("key") if isinstance(opts, dict) else None
            if not isinstance(sub, str):
                continue
            matched = fnmatch.filter(self.avail.get(saltenv, []), sub.lstrip(".").replace("/", "."))
            if sub.startswith("."):
                parts = sls.split(".") if kind == "init" else sls.split(".")[:-1]
                sub = ".".join(parts + [sub[1:]])
            matched += fnmatch.filter(self.avail.get(saltenv, []), sub)
            for target in matched or [sub]:
                nstate = mods[target] if target in mods else self.render_pstate(target, saltenv, mods, loc)
                if nstate:
                    if key:
                        for frag in reversed(str(key).split(":")):
                            nstate = {frag: nstate}
                    included.append(nstate)
        # The including file's own keys win over what it includes: record them last.
        _flatten_locs(state, "", self.locs, own_locs)
        out = None
        for piece in included + [state]:
            out = piece if out is None else self.merge(out, piece)
        return out

    def compile(self, top_data: Any, top_file: str, nodegroups: Mapping) -> dict:
        matches, errors = top_matches(
            top_data, top_data, self.ctx.minion.id, self.ctx.grains, {}, nodegroups, set(self.roots), top_file
        )
        self.errors.extend(errors)
        pillar: dict = {}
        mods: dict = {}
        for saltenv, entries in matches.items():
            for entry in entries:
                targets = fnmatch.filter(self.avail.get(saltenv, []), entry.sls) or [entry.sls]
                for sls in targets:
                    if sls in mods:
                        continue
                    state = self.render_pstate(sls, saltenv, mods, entry.location)
                    if state and isinstance(state, dict):
                        pillar = self.merge(pillar, state)
        return pillar


def _sls_names(root: str) -> list[str]:
    names = []
    for dirpath, _, files in os.walk(root):
        for fn in files:
            if fn.endswith(".sls"):
                rel = os.path.relpath(os.path.join(dirpath, fn), root)[:-4].replace(os.sep, "/")
                if rel.endswith("/init"):
                    rel = rel[: -len("/init")]
                names.append(rel.replace("/", "."))
    return names
