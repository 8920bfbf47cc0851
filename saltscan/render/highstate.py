"""From top matches (or an SLS list) to Salt's high data, include by include.

The walk follows ``BaseHighState.render_highstate``/``render_state``: depth-first
includes (relative ``.x``/``..x``, ``{saltenv: sls}``, globs), ``__sls_included_from__``,
``extend``/``exclude``, and ``state_auto_order`` numbering after each file's includes.
The data steps themselves (``_handle_extend``, ``_handle_state_decls``, ``_handle_iorder``,
``merge_included_states``, ...) are Salt's own methods (``salt_steps``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from saltscan.model import RenderError, RenderErrorKind, SourceLocation
from saltscan.render.context import MinionContext
from saltscan.render.salt_steps import HighStateSteps
from saltscan.render.sls import FileRender


@dataclass
class HighWalk:
    """One minion's walk over its SLS files (mutable while walking, owned by one call)."""

    ctx: MinionContext
    roots: dict[str, tuple[str, ...]]  # saltenv -> absolute state roots
    render: Callable[[str, str, str], FileRender]  # (path, sls, saltenv) -> FileRender
    steps: HighStateSteps
    errors: list[RenderError] = field(default_factory=list)
    rendered_files: list[str] = field(default_factory=list)
    id_locations: dict[tuple[str, str], SourceLocation] = field(default_factory=dict)
    mods: set[str] = field(default_factory=set)
    # Whether every state returned so far went through a whole _handle_iorder (see iorder).
    _all_ordered: bool = True

    @property
    def avail(self) -> dict[str, list[str]]:
        """saltenv -> every SLS name."""
        return self.ctx.session.available_sls()

    def _glob(self, saltenv: str, pattern: str) -> list[str]:
        return self.ctx.session.sls_glob(saltenv, pattern)

    def resolve(self, sls: str, saltenv: str) -> tuple[str, str] | None:
        """(absolute path, source kind) of an SLS: ``a/b.sls`` before ``a/b/init.sls``."""
        return self.ctx.session.sls_path(self.roots.get(saltenv, ()), sls)

    def render_state(self, sls: str, saltenv: str, matches: list[str], origin: SourceLocation, depth: int = 0) -> dict:
        if depth > self.ctx.session.limits.max_include_depth:
            self.errors.append(RenderError(RenderErrorKind.LIMIT, f"include depth over {self.ctx.session.limits.max_include_depth} at SLS {sls}", origin, sls, saltenv))
            return {}
        found = self.resolve(sls, saltenv)
        self.mods.add(f"{saltenv}:{sls}")
        if found is None:
            self.errors.append(RenderError(
                RenderErrorKind.MISSING_INCLUDE,
                f"Specified SLS {sls} in saltenv {saltenv} is not available on the salt master or through a configured fileserver",
                origin, sls, saltenv,
            ))
            return {}
        path, kind = found
        result = self.render(path, sls, saltenv)
        relfile = self.ctx.session.relpath(path)
        self.rendered_files.append(relfile)
        self.errors.extend(result.errors)
        self.steps.processed_sls(sls)
        state = result.data
        if not state:
            return {}
        if not isinstance(state, dict):
            self.errors.append(RenderError(RenderErrorKind.NOT_A_DICT, f"SLS {sls} does not render to a dictionary", SourceLocation(relfile, 1), sls, saltenv))
            return {}
        key_locs = getattr(state, "key_locs", {})
        for key, loc in key_locs.items():
            if key not in ("include", "extend", "exclude"):
                self.id_locations.setdefault((sls, str(key)), loc)
        include = []
        if "include" in state:
            if not isinstance(state["include"], list):
                self.errors.append(RenderError(RenderErrorKind.INVALID_STATE, f"Include Declaration in SLS {sls} is not formed as a list", key_locs.get("include", origin), sls, saltenv))
                state.pop("include")
            else:
                include = state.pop("include")
        salt_errors: list[str] = []
        self.steps.handle_decls(state, sls, saltenv, salt_errors)
        file_loc = SourceLocation(relfile, 1)
        self._salt_errors(salt_errors, sls, saltenv, file_loc)
        item_locs = getattr(include, "item_locs", [])
        own = list(state) if include else None
        for i, inc in enumerate(include):
            loc = item_locs[i] if i < len(item_locs) else key_locs.get("include", file_loc)
            self._include(state, inc, sls, saltenv, kind, matches, loc, depth)
        self.iorder(state, own)
        return state

    def iorder(self, state: dict, own: list | None) -> None:
        """Salt's ``_handle_iorder`` of a file's state, whose ``own`` keys (None: all) are
        those it had before its includes were merged in.

        Salt scans the included states again at every level, where every state
        declaration already has its ``order`` (the included file's own scan gave it one):
        the scan passes over them. So, while every scan so far went to the end, only the
        file's own keys are scanned, in the same order: the same states get the same
        numbers. A scan that stopped half-way (``TypeError`` on a malformed state) leaves
        declarations without ``order``; from then on whole states are scanned, as Salt does.
        """
        if own is None or not self._all_ordered:
            view = state
        else:
            view = {key: state[key] for key in own if key in state}
        if not self.steps.iorder(view):
            self._all_ordered = False

    def _include(self, state: dict, inc: Any, sls: str, saltenv: str, kind: str, matches: list[str], loc: SourceLocation, depth: int) -> None:
        env_key = saltenv
        if isinstance(inc, dict) and len(inc) == 1:
            env_key, inc = next(iter(inc.items()))
        if not isinstance(inc, str):
            self.errors.append(RenderError(RenderErrorKind.INVALID_STATE, f"include item {inc!r} in SLS {sls} is not a string", loc, sls, saltenv))
            return
        if env_key not in self.avail and env_key != "_xenv":
            self.errors.append(RenderError(RenderErrorKind.MISSING_INCLUDE, f"Nonexistent saltenv '{env_key}' found in include of '{inc}' within SLS '{saltenv}:{sls}'", loc, sls, saltenv))
            return
        if inc.startswith("."):
            m = re.match(r"^(\.+)(.*)$", inc)
            levels, rest = m.groups() if m else ("", inc)
            parts = sls.split(".") + (["init"] if kind == "init" else [])
            if len(levels) > len(parts):
                self.errors.append(RenderError(RenderErrorKind.MISSING_INCLUDE, f"Attempted relative include of '{inc}' within SLS '{saltenv}:{sls}' goes beyond top level package", loc, sls, saltenv))
                return
            inc = ".".join(parts[: -len(levels)] + [rest])
        if env_key == "_xenv":
            envs = [e for e in matches if self._glob(e, inc)]
        else:
            envs = [env_key] if (env_key in matches or self._glob(env_key, inc)) else []
        if not (len(envs) == 1 or saltenv in envs):
            self.errors.append(RenderError(RenderErrorKind.MISSING_INCLUDE, f"Unknown include: Specified SLS {env_key}: {inc} is not available on the salt master in saltenv(s): {env_key}", loc, sls, saltenv))
            return
        r_env = envs[0] if len(envs) == 1 else saltenv
        for target in self._glob(saltenv, inc) or [inc]:
            if f"{r_env}:{target}" in self.mods:
                continue
            nstate = self.render_state(target, r_env, matches, loc, depth + 1)
            if not nstate:
                continue
            for item in nstate:
                if item.startswith("__"):
                    continue
                if isinstance(nstate[item], dict):
                    nstate[item].setdefault("__sls_included_from__", []).append(sls)
            salt_errors: list[str] = []
            self.steps.merge_included(state, nstate, salt_errors)
            self._salt_errors(salt_errors, sls, saltenv, loc)
            state.update(nstate)

    def _salt_errors(self, messages: list[str], sls: str, saltenv: str, loc: SourceLocation) -> None:
        for msg in messages:
            kind = RenderErrorKind.DUPLICATE_ID if "conflicting ID" in msg else RenderErrorKind.INVALID_STATE
            where = loc
            m = re.search(r"conflicting ID is '(.+?)' and is found in SLS '.+?:(.+?)' and SLS '.+?:(.+?)'", msg)
            if m:
                where = self.id_locations.get((m.group(3), m.group(1)), loc)
            self.errors.append(RenderError(kind, msg.replace("\n    ", " "), where, sls, saltenv))

    def render_highstate(self, matches: dict[str, list]) -> dict:
        """``matches``: saltenv -> [(sls, top location)]; returns Salt's high data."""
        high: dict = {}
        envs = list(matches)
        for saltenv, entries in matches.items():
            for sls_match, loc in entries:
                files = self._glob(saltenv, sls_match) or [sls_match]
                for sls in files:
                    if f"{saltenv}:{sls}" in self.mods:
                        continue
                    state = self.render_state(sls, saltenv, envs, loc)
                    if state:
                        salt_errors: list[str] = []
                        self.steps.merge_included(high, state, salt_errors)
                        self._salt_errors(salt_errors, sls, saltenv, loc)
        self.steps.clean_extends(high)
        return high
