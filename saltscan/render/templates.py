"""Templates that states render onto the host (``file.managed`` with ``template: jinja``).

Their rendered text is where endpoints, paths and secrets hide (``ehr.env``, unit files,
``settings.ini``); rules and the graph search it. A ``salt://`` source that does not
exist is reported the way Salt would fail on it at apply time.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
from typing import TYPE_CHECKING, Any

from saltscan.model import RenderedTemplate, RenderError, RenderErrorKind, SourceLocation, State

if TYPE_CHECKING:
    from saltscan.render.tree import MinionRenderer

SOURCED_FUNCTIONS = frozenset({"managed", "recurse", "blockreplace", "append", "prepend", "serialize"})
JINJA_TEMPLATES = frozenset({"jinja", "jinja2"})


def _managed_parameters() -> frozenset[str]:
    import inspect

    import salt.states.file

    return frozenset(inspect.signature(salt.states.file.managed).parameters) - {"kwargs"}


def _accumulators(states: tuple[State, ...]) -> dict[str, dict[str, list]]:
    """file.accumulated data by target filename, as file.managed hands it to templates."""
    out: dict[str, dict[str, list]] = {}
    for st in states:
        if st.module == "file" and st.function == "accumulated":
            target = str(st.args.get("filename", ""))
            text = st.args.get("text", [])
            items = text if isinstance(text, list) else [text]
            out.setdefault(target, {}).setdefault(st.name, []).extend(items)
    return out


def template_variables(st: State, accumulators: dict[str, dict[str, list]], known: frozenset[str] | None = None) -> dict[str, Any]:
    """What ``file.get_managed`` passes a template besides salt/grains/pillar/opts:
    ``defaults`` then ``context``, the state's own arguments (name, source, user, group,
    mode, attrs, saltenv), any extra keyword argument of the state, and ``accumulator``.
    ``known``: ``_managed_parameters()``, when the caller has it already."""
    variables: dict[str, Any] = {}
    known = _managed_parameters() if known is None else known
    for key, value in st.args.items():
        if key not in known and not key.startswith("__"):
            variables[key] = value  # **kwargs of file.managed reach the template
    variables.update(
        name=st.name, source=st.args.get("source"), user=st.args.get("user"), group=st.args.get("group"),
        mode=st.args.get("mode"), attrs=st.args.get("attrs"), saltenv=st.saltenv,
    )
    if st.name in accumulators:
        variables["accumulator"] = accumulators[st.name]
    for key in ("defaults", "context"):
        extra = st.args.get(key)
        if isinstance(extra, dict):
            variables.update(extra)
    return variables


def _sources(state: State) -> list[str]:
    src = state.args.get("source") if state.function != "append" else state.args.get("sources", state.args.get("source"))
    if isinstance(src, str):
        return [src]
    if isinstance(src, list):
        out = []
        for item in src:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict) and item:
                out.append(str(next(iter(item))))
        return out
    return []


def _resolve(renderer: "MinionRenderer", url: str, saltenv: str) -> tuple[str, str] | None:
    rel = url[len("salt://"):].split("?", 1)[0].lstrip("/")
    for root in renderer.state_roots.get(saltenv, ()):
        path = os.path.join(root, rel)
        if os.path.exists(path):
            return path, rel
    return None


def render_templates(renderer: "MinionRenderer", states: tuple[State, ...], pillar: dict) -> tuple[tuple[RenderedTemplate, ...], list[RenderError]]:
    from saltscan.render.sls import render_file

    out: list[RenderedTemplate] = []
    errors: list[RenderError] = []
    accumulators = _accumulators(states)
    # Templates get the pillar as it is now; reused renders must have seen the same.
    pillar_key = renderer.trace.pillar_key(pillar) if renderer.trace is not None else None
    for st in states:
        if st.module != "file" or st.function not in SOURCED_FUNCTIONS:
            continue
        urls = [u for u in _sources(st) if isinstance(u, str) and u.startswith("salt://")]
        if not urls:
            continue
        hit = next((r for r in (_resolve(renderer, u, st.saltenv) for u in urls) if r), None)
        if hit is None:
            if any("__UNKNOWN_" in u for u in urls):
                continue  # the path itself is unknown; not Salt's error to predict
            errors.append(RenderError(
                RenderErrorKind.MISSING_SOURCE,
                f"source file {urls[0]} of state '{st.id}' not found in the state roots",
                st.location_of("source"), st.sls, st.saltenv,
            ))
            continue
        path, rel = hit
        if os.path.isdir(path) or str(st.args.get("template", "")).lower() not in JINJA_TEMPLATES:
            continue
        variables = template_variables(st, accumulators, renderer.session.managed_parameters())
        relfile = renderer.session.relpath(path)

        def render(st=st, path=path, rel=rel, variables=variables, relfile=relfile):
            ctx: dict[str, Any] = renderer.jinja_context(path, st.sls, st.saltenv, pillar)
            # A copy: what a template does to its context ({% do defaults.update() %})
            # must not change the state's arguments, which Salt compiled before it runs.
            ctx.update(copy.deepcopy(variables))
            result = render_file(renderer.ctx, path, renderer.state_roots[st.saltenv], name=rel, sls=st.sls, context=ctx, pipe="jinja|text")
            if result.text is None or result.source_map is None:
                return None, result.errors
            return (result.text, result.source_map.line_numbers(relfile)), result.errors

        key = _memo_key(pillar_key, path, rel, st, variables)
        # Kept as objects: text, line numbers and errors are immutable, and nothing
        # changes what the render recorded (unpickling them was most of a re-render).
        rendered, file_errors = render() if key is None else renderer.memoized(key, render, copy=False)
        errors.extend(file_errors)
        if rendered is None:
            continue
        out.append(RenderedTemplate(
            state_id=st.id, source=rel if not urls else urls[0], location=SourceLocation(relfile, 1),
            text=rendered[0], line_map=rendered[1],
        ))
    return tuple(out), errors


def _memo_key(pillar_key: str | None, path: str, rel: str, st: State, variables: dict) -> tuple | None:
    """What a template's render depends on besides the minion and the files it reads;
    None when it cannot be fingerprinted (it is then rendered every time)."""
    if pillar_key is None:
        return None
    try:
        blob = pickle.dumps(variables, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001
        return None
    return ("template", pillar_key, path, rel, st.sls, st.saltenv, hashlib.sha256(blob).hexdigest())
