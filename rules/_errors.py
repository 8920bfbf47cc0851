"""Correctness rules that report render errors of some kinds, as Salt would."""

from __future__ import annotations

import re
from typing import ClassVar, Iterator, Mapping

from saltscan import api

from ._content import KEY_LINE_RE

FUNCTION_RE = re.compile(r"^\s+([A-Za-z_][\w]*)\.([A-Za-z_]\w*)\s*:")
NOT_STATES = frozenset({"include", "extend", "exclude"})
# ``  key:`` or ``  "key": value`` on one YAML line: its indentation and the key.
YAML_KEY_RE = re.compile(r"""^(?P<indent> *)(?:-\s+)?(?P<q>["']?)(?P<key>[^\s#"'][^#"']*?)(?P=q)\s*:(?:\s|$)""")


class RenderErrorRule(api.GraphRule):
    """Base: one finding per render error of ``kinds`` (per minion, and tree-level)."""

    category = api.Category.CORRECTNESS
    severity = api.Severity.HIGH
    needs_graph = False
    kinds: ClassVar[frozenset[api.RenderErrorKind]] = frozenset()

    def check(self, graph, ctx: api.RuleContext) -> Iterator[api.Finding]:
        for error in ctx.render.errors:
            if error.kind in self.kinds:
                yield self.report(error, ctx)

    def check_tree(self, ctx: api.TreeContext) -> Iterator[api.Finding]:
        for error in ctx.model.errors:
            if error.kind in self.kinds:
                yield self.report(error, ctx)

    def report(self, error: api.RenderError, ctx) -> api.Finding:
        return self.at_error(error, error.message, state=enclosing_state(error, ctx),
                             subject=error.kind.value)


def in_pillar_roots(path: str, ctx) -> bool:
    """Whether ``path`` (relative to the scanned root) is a file of the pillar roots."""
    tree = ctx.model.tree
    for roots in tree.pillar_roots.values():
        for root in roots:
            rel = tree.relpath(root)
            if rel in (".", ""):
                continue  # a pillar root at the scanned root tells nothing apart
            if path == rel or path.startswith(rel.rstrip("/") + "/"):
                return True
    return False


def enclosing_state(error: api.RenderError, ctx) -> api.StateRef | None:
    """The state ID (as written) whose block holds the error's line, if any: a
    render error has no rendered state to point at, but its SLS line has one.
    A pillar file has no states: its top-level keys are pillar keys."""
    if not error.sls:
        return None
    return state_at(error.location, error.sls, ctx)


RenderedIds = Mapping[tuple[str, int], tuple[api.StateRef, ...]]


def rendered_state_index(model: api.Model) -> RenderedIds:
    """``(file, ID line) -> the states rendered from that line`` over every minion."""
    index: dict[tuple[str, int], set[api.StateRef]] = {}
    for render in model.renders:
        for st in render.states:
            key = (st.location.file, st.location.line)
            index.setdefault(key, set()).add(api.StateRef(id=st.id, function=st.fun, sls=st.sls))
    return {k: tuple(sorted(v, key=lambda r: (r.id, r.function, r.sls))) for k, v in index.items()}


def state_at(location: api.SourceLocation, sls: str, ctx,
             rendered: RenderedIds | None = None) -> api.StateRef | None:
    """The state of the SLS block holding ``location``: the nearest top-level key
    above it, unless that is ``include``/``extend``/``exclude``; its function is
    the ``<module>.<function>:`` line of the block the location is under (an ID
    with several functions has several such lines), blank when none is (or, at
    the ID line itself, when the block has more than one). With ``rendered``
    (``rendered_state_index``), the state rendered from that ID line with that
    function when there is exactly one: it gives the ID of a Jinja expression
    (``{{ name }}-conf:``); otherwise the ID as written, None for a Jinja
    expression (a loop renders several IDs from it). None in a pillar file, whose
    keys are pillar keys."""
    if not location.file.endswith(".sls") or in_pillar_roots(location.file, ctx):
        return None
    src = ctx.source(location.file)
    if src is None:
        return None
    for number in range(min(location.line, len(src.lines)), 0, -1):
        line = src.line(number)
        if KEY_LINE_RE.match(line):
            sid = line.split("#", 1)[0].rstrip().rstrip(":").strip("'\"")
            if sid in NOT_STATES:
                return None
            function = _function_of(src, number, location.line)
            known = (rendered or {}).get((location.file, number), ())
            if function:
                known = tuple(r for r in known if r.function == function) or known
            if len(known) == 1 and (not function or known[0].function == function):
                return known[0]
            if len({r.id for r in known}) == 1:
                return api.StateRef(id=known[0].id, function=function, sls=known[0].sls)
            if "{" in sid:
                return None
            return api.StateRef(id=sid, function=function, sls=sls)
    return None


def _function_of(src: api.SourceFile, id_line: int, line: int) -> str:
    """The ``<module>.<function>`` of the block at ``id_line`` that ``line`` is
    under: the nearest function line above it, at the block's function indentation
    (deeper ``a.b:`` keys are argument data). At the ID line itself, the block's
    only function, else blank."""
    found: list[tuple[int, int, str]] = []  # (line, indentation, function)
    number = id_line + 1
    while number <= len(src.lines) and not KEY_LINE_RE.match(src.line(number)):
        m = FUNCTION_RE.match(src.line(number))
        if m:
            indent = len(src.line(number)) - len(src.line(number).lstrip())
            found.append((number, indent, f"{m.group(1)}.{m.group(2)}"))
        number += 1
    if not found:
        return ""
    level = min(indent for _, indent, _ in found)
    functions = [(n, f) for n, indent, f in found if indent == level]
    if line <= id_line:
        names = {f for _, f in functions}
        return names.pop() if len(names) == 1 else ""
    above = [f for n, f in functions if n <= line]
    return above[-1] if above else ""


def yaml_key_path(error: api.RenderError, ctx) -> str | None:
    """The colon path of the YAML key written at the error's line (``ntp`` for a
    top-level ``ntp:``, ``ntp:ng:settings`` for a nested one), from the indentation
    of the lines above it; None when that line holds no plain key."""
    src = ctx.source(error.location.file, api.SourceKind.PILLAR)
    if src is None:
        return None
    m = YAML_KEY_RE.match(src.line(error.location.line))
    if m is None or "{" in m.group("key"):
        return None
    path, indent = [m.group("key")], len(m.group("indent"))
    for number in range(error.location.line - 1, 0, -1):
        if indent == 0:
            break
        above = YAML_KEY_RE.match(src.line(number))
        if above is not None and len(above.group("indent")) < indent:
            path.insert(0, above.group("key"))
            indent = len(above.group("indent"))
    return ":".join(path)
