"""Low chunks -> model ``State`` objects, with requisites normalised and source lines.

Requisites written on a state keep their own location. ``_in`` requisites (``watch_in``
on A naming B) are turned around here, for every kind including ``listen_in``: B gets
``Requisite(WATCH, A.module, A.id, from_in=True)`` located at A's ``watch_in`` line.
The forward copies Salt's ``requisite_in`` adds are skipped so nothing counts twice.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping  # not typing's: its isinstance is several calls deep
from typing import Any, Iterable

from saltscan.model import (
    RenderError,
    RenderErrorKind,
    Requisite,
    RequisiteKind,
    SourceLocation,
    State,
)
from saltscan.render.yaml_load import MarkedMap

REQUISITE_KINDS = {k.value: k for k in RequisiteKind}
IN_KINDS = {f"{k.value}_in": k for k in RequisiteKind}
_GLOB = re.compile(r"[*?\[]")
INTERNAL_KEYS = frozenset({"state", "fun", "name", "__id__", "__sls__", "__env__", "__sls_included_from__", "order", "name_order", "__orchestration_jid__"})


def arg_index(high: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, SourceLocation]]:
    """(state id, module) -> {argument: where it is written}, from marked high data.

    ``extend`` blocks win over the state's own lines: the extended value is the one
    that runs, so a finding about it belongs where it is written.
    """
    return index_high(high)[0]


def written_requisites(high: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(state id, module) -> the requisite items written in the SLS (and its extends).

    Salt's ``requisite_in`` appends the forward copy of every ``_in`` requisite to its
    target; build_states turns ``_in`` around itself (with the ``_in`` line as location),
    so it keeps only what was written, whatever renderer produced it.
    """
    return index_high(high)[1]


def index_high(high: Mapping[str, Any]) -> tuple[dict[tuple[str, str], dict[str, SourceLocation]], dict[tuple[str, str], set[str]]]:
    """``(arg_index(high), written_requisites(high))``, in one pass over the high data
    (a re-rendered minion's every state, before each compile)."""
    index: dict[tuple[str, str], dict[str, SourceLocation]] = {}
    written: dict[tuple[str, str], set[str]] = {}
    _index_bodies(high.items(), index, written, override=False)
    for ext in high.get("__extend__", []) or []:
        if isinstance(ext, Mapping):
            _index_bodies(ext.items(), index, written, override=True)
    return index, written


def _index_bodies(items, index, written, override: bool) -> None:
    for sid, body in items:
        # A dict first (typing's Mapping isinstance is several calls deep): this runs
        # for every state of every re-rendered minion.
        if not (isinstance(body, dict) or isinstance(body, Mapping)) or str(sid).startswith("__"):
            continue
        for module, run in body.items():
            if str(module).startswith("__") or not isinstance(run, list):
                continue
            key = (str(sid), str(module).split(".")[0])
            locs = index.setdefault(key, {})
            bucket = written.setdefault(key, set())
            for arg in run:
                if isinstance(arg, MarkedMap):
                    for name, loc in arg.key_locs.items():
                        if override:
                            locs[str(name)] = loc
                        elif type(name) is str:
                            if name not in locs:
                                locs[name] = loc
                        else:
                            locs.setdefault(str(name), loc)
                elif not (isinstance(arg, dict) or isinstance(arg, Mapping)):
                    continue
                for kind, items_ in arg.items():
                    if kind not in REQUISITE_KINDS:
                        continue
                    # build_states looks up dict items only (a string item has no key).
                    if isinstance(items_, dict):
                        items_ = [items_]
                    elif not isinstance(items_, list):
                        continue
                    for item in items_:
                        if isinstance(item, dict) and _has_target(item):
                            bucket.add(_item_key(kind, item))


def _has_target(item: Mapping) -> bool:
    """Whether ``_targets`` yields anything for this dict item."""
    return any(isinstance(target, (str, int, float)) for target in item.values())


# What json.dumps writes for a str (ensure_ascii, its default).
_json_str = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def _item_key(kind: str, item: Any) -> str:
    """``json.dumps([kind, item], sort_keys=True, default=str)``, written directly for
    the usual item (one string key, one string value): it is asked for every
    requisite item of every state, twice."""
    if type(kind) is str and isinstance(item, dict) and len(item) == 1:
        ((key, value),) = dict.items(item)
        if type(key) is str and type(value) is str:
            return f"[{_json_str(kind)}, {{{_json_str(key)}: {_json_str(value)}}}]"
    return json.dumps([kind, item], sort_keys=True, default=str)


def _targets(items: Any) -> Iterable[tuple[str, str, Any]]:
    """Requisite list items -> (target type, target, the raw item)."""
    if isinstance(items, (str, dict)):
        items = [items]
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, str):
            yield "id", item, item
        elif isinstance(item, Mapping):
            for ttype, target in item.items():
                if isinstance(target, (str, int, float)):
                    yield str(ttype), str(target), item


def _item_loc(item: Any, ttype: str, fallback: SourceLocation) -> SourceLocation:
    if isinstance(item, MarkedMap):
        return item.key_locs.get(ttype, fallback)
    return fallback


def _matches(state: State, ttype: str, target: str) -> bool:
    # Without *, ? or [ a pattern matches only itself: tested for every state per _in item.
    match = fnmatch.fnmatchcase if _GLOB.search(target) else str.__eq__
    if ttype == "sls":
        return match(state.sls, target)
    if ttype != "id" and state.module != ttype:
        return False
    return match(state.id, target) or match(state.name, target)


def build_states(
    chunks: list[dict],
    index: Mapping[tuple[str, str], Mapping[str, SourceLocation]],
    id_locations: Mapping[tuple[str, str], SourceLocation],
    sls_files: Mapping[str, str],
    written: Mapping[tuple[str, str], set[str]] | None = None,
) -> tuple[tuple[State, ...], tuple[RenderError, ...]]:
    """``sls_files`` maps SLS names to their relative file, for fallback locations."""
    base: list[tuple[State, dict]] = []
    with_in: list[tuple[State, dict]] = []  # the states that have _in requisites
    no_locs: dict = {}
    no_items: set[str] = set()
    for chunk in chunks:
        sid = str(chunk.get("__id__", chunk.get("name", "")))
        sls = str(chunk.get("__sls__", ""))
        module = str(chunk.get("state", ""))
        loc = id_locations.get((sls, sid)) or SourceLocation(sls_files.get(sls, ""), 1)
        arg_locs = dict(index.get((sid, module), no_locs))
        own = no_items if written is None else written.get((sid, module), no_items)
        reqs: list[Requisite] = []
        args: dict[str, Any] = {}
        has_in = False
        for key, value in chunk.items():
            if key in INTERNAL_KEYS:
                continue
            if key in REQUISITE_KINDS:
                kind = REQUISITE_KINDS[key]
                fallback = arg_locs.get(key, loc)
                for ttype, target, item in _targets(value):
                    if written is not None and isinstance(item, dict) and _item_key(key, item) not in own:
                        continue  # the forward copy of an _in requisite, added by Salt
                    reqs.append(Requisite(kind, ttype, target, _item_loc(item, ttype, fallback)))
                continue
            has_in = has_in or key in IN_KINDS
            args[key] = value
        order = chunk.get("order")
        st = State(
            id=sid, sls=sls, module=module, function=str(chunk.get("fun", "")),
            name=str(chunk.get("name", sid)), args=args, requisites=tuple(reqs),
            location=loc, arg_locations=arg_locs, saltenv=str(chunk.get("__env__", "base")),
            order=order if isinstance(order, (int, float)) else None,
        )
        base.append((st, chunk))
        if has_in:
            with_in.append((st, chunk))
    states = [st for st, _ in base]
    added: dict[int, list[Requisite]] = {}
    errors: list[RenderError] = []
    seen_in: set[tuple] = set()
    for st, chunk in with_in:
        for key, kind in IN_KINDS.items():
            if key not in chunk:
                continue
            fallback = st.arg_locations.get(key, st.location)
            for ttype, target, item in _targets(chunk[key]):
                sig = (st.id, st.module, key, ttype, target)
                if sig in seen_in:
                    continue  # names expansion repeats the declaration per name
                seen_in.add(sig)
                where = _item_loc(item, ttype, fallback)
                hits = [i for i, other in enumerate(states) if _matches(other, ttype, target)]
                if not hits:
                    errors.append(RenderError(
                        RenderErrorKind.MISSING_REQUISITE,
                        f"{key} of state '{st.id}' names {ttype}: {target}, which is not in the highstate",
                        where, st.sls, st.saltenv,
                    ))
                for i in hits:
                    added.setdefault(i, []).append(Requisite(kind, st.module, st.id, where, from_in=True))
    if not added:
        return tuple(states), tuple(errors)
    out = []
    for i, st in enumerate(states):
        extra = tuple(r for r in added.get(i, ()) if r not in st.requisites)
        out.append(st if not extra else _with_requisites(st, st.requisites + extra))
    return tuple(out), tuple(errors)


def _with_requisites(st: State, reqs: tuple[Requisite, ...]) -> State:
    from dataclasses import replace

    return replace(st, requisites=reqs)
