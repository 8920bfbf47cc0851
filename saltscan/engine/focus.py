"""Which states the hook's reply needs the state rules to look at.

The hook reports only the findings located in the files it was given. A state rule
locates a finding of a state in the state's own file, in a file one of its
arguments was written in (``extend``), in a template the state renders, or in a
pillar file, or where a requisite of it was written (``tests/engine/test_focus.py``
holds every rule to that). So when each given file is read, if at all, by its own
state file render only (no other state file's render, no template, no pillar, no
top file), a state with nothing written in a given file cannot have a finding in
one: its state rules can wait until after the reply
(``KeptFindings.complete_pending``). Graph rules always see everything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from saltscan.model import MinionRender, State, Tree
from saltscan.render.trace import RenderTrace


@dataclass(frozen=True)
class Focus:
    """The files the reply is about: paths relative to the tree's ``root`` (posix)."""

    root: str  # absolute, as the render traces spell their paths
    wanted: frozenset[str]

    @classmethod
    def of(cls, tree: Tree, wanted: set[str]) -> "Focus | None":
        """None unless every file is one of the tree's SLS files (a template, a map.jinja
        or a file outside the tree: every state is checked)."""
        sls = {f.path for f in tree.sls_files}
        if not wanted or not wanted <= sls:
            return None
        return cls(str(tree.root), frozenset(wanted))

    def states(self, render: MinionRender, trace: RenderTrace | None) -> tuple[State, ...] | None:
        """The states of ``render`` the state rules must see for the reply, or None:
        all of them (no trace, or a given file was read by more than its own render)."""
        if trace is None:
            return None
        prefix = self.root.rstrip(os.sep) + os.sep
        if not all(item.path.startswith(prefix) for item in trace.items):
            return None  # spelled unlike the root: what was read cannot be told
        spelled = {rel: prefix + os.path.join(*rel.split("/")) for rel in self.wanted}
        absolute = set(spelled.values())
        read = {item.path for item in trace.items}
        if any(rel in render.sls_files and path not in read for rel, path in spelled.items()):
            return None  # rendered, yet not in the trace: do not trust it
        if absolute & trace.outside_reads:
            return None  # read outside state file renders: a pillar, top, template...
        for item in trace.items:
            if absolute.intersection(item.reads) - {item.path}:
                return None  # another file's render read it (an import, import_yaml...)
        return tuple(st for st in render.states if self._touches(st))

    def _touches(self, state: State) -> bool:
        """Whether something of ``state`` is written in a given file: its ID, an
        argument (``extend``), a requisite (an ``_in`` on another state)."""
        wanted = self.wanted
        return (state.location.file in wanted
                or any(loc.file in wanted for loc in state.arg_locations.values())
                or any(req.location.file in wanted for req in state.requisites))
