"""Salt's own state-compiler steps, called without Salt's loader.

``salt.state.BaseHighState`` and ``salt.state.State`` hold the semantics we must match
(state declaration padding, ``state_auto_order``, ``extend``/``exclude``, ``_in``
requisites, ``names`` expansion, chunk ordering). Their constructors load execution
modules for *this* machine, which saltscan never does, so the subclasses below skip
``__init__`` and set only the attributes those pure data methods read (``opts`` and
two counters). Nothing here renders or runs anything.
"""

from __future__ import annotations

from typing import Any

import salt.state

# The minion options the compile steps consult (salt.config.DEFAULT_MINION_OPTS values).
COMPILER_OPTS: dict[str, Any] = {
    "state_auto_order": True,
    "state_top_saltenv": None,
    "saltenv": None,
    "disabled_requisites": [],
    "failhard": False,
    "state_aggregate": False,
    "renderer": "jinja|yaml",
    "renderer_blacklist": [],
    "renderer_whitelist": [],
    "test": False,
}


class _Steps(salt.state.BaseHighState):
    def __init__(self, opts: dict[str, Any]):  # noqa: D107 - deliberately no super().__init__
        self.opts = opts
        self.iorder = 10000
        self.building_highstate = {}


class _Compiler(salt.state.State):
    def __init__(self, opts: dict[str, Any]):  # noqa: D107 - deliberately no super().__init__
        self.opts = opts
        self._processed_sls_files = set()


class HighStateSteps:
    """One minion's compile: Salt's steps over the high data the walk produced."""

    def __init__(self, opts: dict[str, Any] | None = None):
        merged = {**COMPILER_OPTS, **(opts or {})}
        self._steps = _Steps(merged)
        self._compiler = _Compiler(merged)

    # -- walking (BaseHighState) -------------------------------------------------
    def handle_decls(self, state: dict, sls: str, saltenv: str, errors: list[str]) -> None:
        self._steps._handle_extend(state, sls, saltenv, errors)
        self._steps._handle_exclude(state, sls, saltenv, errors)
        self._steps._handle_state_decls(state, sls, saltenv, errors)

    def iorder(self, state: dict) -> bool:
        """Salt's ``_handle_iorder``; False when it stopped half-way."""
        try:
            self._steps._handle_iorder(state)
        except TypeError:
            return False  # Salt logs "Syntax error detected" and goes on; verify_high reports it
        return True

    def merge_included(self, high: dict, state: dict, errors: list[str]) -> None:
        self._steps.merge_included_states(high, state, errors)

    def clean_extends(self, high: dict) -> None:
        self._steps.clean_duplicate_extends(high)

    def processed_sls(self, sls: str) -> None:
        self._compiler._processed_sls_files.add(sls)

    # -- compiling (State) -------------------------------------------------------
    def compile(self, high: dict, highstate: bool) -> tuple[dict, list[dict], list[dict], list[str]]:
        """Salt's compile over the high data; consumes ``high`` (it is changed in place).

        Returns ``(high, shown_low, chunks, errors)``: ``high`` and ``shown_low`` are what
        Salt shows (``state.show_lowstate`` runs reconcile_extend, verify_high,
        requisite_in and apply_exclude before compile_high_data; ``state.show_low_sls``
        only verify_high); ``chunks`` always has extend and exclude applied: what the
        states would run as, and what saltscan's model is built from.
        """
        from saltscan.render.unknown import to_plain

        shown_high = to_plain(high)
        shown = None
        if not highstate:
            try:
                # compile_high_data only reads the high data (it copies each chunk).
                shown = self._compiler.compile_high_data(_drop_invalid(high))
            except Exception:  # noqa: BLE001 - reported by the full compile below
                shown = []
        errors: list[str] = []
        try:
            work, ext_errors = self._compiler.reconcile_extend(high)
            errors += ext_errors
            errors += self._compiler.verify_high(work)
            work, req_errors = self._compiler.requisite_in(work)
            errors += req_errors
            work = self._compiler.apply_exclude(work)
            chunks = self._compiler.compile_high_data(_drop_invalid(work))
        except Exception as exc:  # noqa: BLE001 - malformed data Salt would also reject
            errors.append(f"compile failed: {type(exc).__name__}: {exc}")
            chunks = []
        return shown_high, chunks if shown is None else shown, chunks, errors


def _drop_invalid(high: dict) -> dict:
    """Remove bodies compile_high_data cannot walk (verify_high already reported them).

    ``high`` itself when there is nothing to remove (compile_high_data only reads it)."""
    if _walkable(high):
        return high
    out = {}
    for name, body in high.items():
        if not isinstance(name, str):
            continue
        if name.startswith("__"):
            out[name] = body
            continue
        if not isinstance(body, dict):
            continue
        clean = {}
        for key, run in body.items():
            if key.startswith("__"):
                clean[key] = run
            elif isinstance(run, list):
                clean[key] = [a for a in run if isinstance(a, (str, dict))]
        out[name] = clean
    return out


def _walkable(high: dict) -> bool:
    """Whether ``_drop_invalid`` would keep all of ``high`` (then its copy is not needed)."""
    for name, body in high.items():
        if type(name) is not str:
            return False
        if name.startswith("__"):
            continue
        if not isinstance(body, dict):
            return False
        for key, run in body.items():
            if type(key) is not str:
                return False  # _drop_invalid fails on it as before
            if key.startswith("__"):
                continue
            if not isinstance(run, list):
                return False
            for arg in run:
                if not isinstance(arg, (str, dict)):
                    return False
    return True
