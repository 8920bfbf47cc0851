"""Correctness rules that report render errors of some kinds, as Salt would."""

from __future__ import annotations

import re
from typing import ClassVar, Iterator

from saltscan import api

from ._content import KEY_LINE_RE

FUNCTION_RE = re.compile(r"^\s+([A-Za-z_][\w]*)\.([A-Za-z_]\w*)\s*:")
NOT_STATES = frozenset({"include", "extend", "exclude"})


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


def enclosing_state(error: api.RenderError, ctx) -> api.StateRef | None:
    """The state ID (as written) whose block holds the error's line, if any: a
    render error has no rendered state to point at, but its SLS line has one."""
    if not error.sls or not error.location.file.endswith(".sls"):
        return None
    src = ctx.source(error.location.file)
    if src is None:
        return None
    for number in range(min(error.location.line, len(src.lines)), 0, -1):
        line = src.line(number)
        if KEY_LINE_RE.match(line):
            sid = line.split("#", 1)[0].rstrip().rstrip(":").strip("'\"")
            if sid in NOT_STATES or "{" in sid:
                return None
            m = FUNCTION_RE.match(src.line(number + 1))
            function = f"{m.group(1)}.{m.group(2)}" if m else ""
            return api.StateRef(id=sid, function=function, sls=error.sls)
    return None
