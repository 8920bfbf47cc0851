"""Templates that states render onto the host (``file.managed`` with ``template: jinja``).

Their rendered text is where endpoints, paths and secrets hide (``ehr.env``, unit files,
``settings.ini``); rules and the graph search it. A ``salt://`` source that does not
exist is reported the way Salt would fail on it at apply time.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from saltscan.model import RenderedTemplate, RenderError, RenderErrorKind, State

if TYPE_CHECKING:
    from saltscan.render.tree import MinionRenderer

SOURCED_FUNCTIONS = frozenset({"managed", "recurse", "blockreplace", "append", "prepend", "serialize"})
JINJA_TEMPLATES = frozenset({"jinja", "jinja2"})


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
        ctx: dict[str, Any] = renderer.jinja_context(path, st.sls, st.saltenv, pillar)
        for key in ("defaults", "context"):
            extra = st.args.get(key)
            if isinstance(extra, dict):
                ctx.update(extra)
        result = render_file(renderer.ctx, path, renderer.state_roots[st.saltenv], name=rel, sls=st.sls, context=ctx, pipe="jinja|text")
        errors.extend(result.errors)
        if result.text is None or result.source_map is None:
            continue
        relfile = renderer.session.relpath(path)
        from saltscan.model import SourceLocation

        out.append(RenderedTemplate(
            state_id=st.id, source=rel if not urls else urls[0], location=SourceLocation(relfile, 1),
            text=result.text, line_map=result.source_map.line_numbers(relfile),
        ))
    return tuple(out), errors
