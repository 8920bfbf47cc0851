"""The three rule kinds, their metadata, and the helpers rules report through.

A rule is a class. Its metadata lives in class attributes (``code``, ``name``,
``category``, ``severity``, ``tags``, ``hint``, ``salt_lint``), its options in one
frozen dataclass ``Options`` (defaults in one place), its documentation and its
examples in its docstring (see ``saltscan.engine.examples``). The kind of rule is
chosen by base class:

- ``SourceRule.check(source, ctx)``: the raw text of one original file;
- ``StateRule.check(state, ctx)``: one rendered state, with its minion's render;
- ``GraphRule.check(graph, ctx)``: one minion's whole graph and render, and
  ``GraphRule.check_tree(ctx)``: once per scan, for what belongs to no minion.

Rules build findings with ``at_state``, ``at_pillar``, ``at_template``, ``at_error``
or ``at``: every one points at the original source, never at rendered text.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator

from saltscan.findings import Category, Finding, Severity, StateRef
from saltscan.model import (
    PillarValue,
    RenderError,
    RenderedTemplate,
    SourceLocation,
    State,
)

if TYPE_CHECKING:
    import networkx as nx

    from saltscan.engine.context import RuleContext, SourceFile, TreeContext

CODE_RE = re.compile(r"^SS[1-9]\d\d$")
# Third-party rules bring their own prefix (``ACME101``); only ``SS`` is ours.
PLUGIN_CODE_RE = re.compile(r"^[A-Z]{2,6}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# The hundreds of a built-in code say its category (DESIGN.md section 4).
CATEGORY_BY_HUNDRED: dict[int, Category] = {
    1: Category.HARDCODED_PATH,
    2: Category.ENV_CREDENTIAL,
    3: Category.PLAINTEXT_SECRET,
    4: Category.HARDCODED_ENDPOINT,
    5: Category.ORDERING,
    6: Category.RUNTIME_COUPLING,
    7: Category.HOST_LEVEL,
    8: Category.CORRECTNESS,
    9: Category.STYLE,
}


class RuleKind(str, enum.Enum):
    SOURCE = "source"
    STATE = "state"
    GRAPH = "graph"


class SourceKind(str, enum.Enum):
    """What an original file is to the tree."""

    SLS = "sls"
    PILLAR = "pillar"
    TEMPLATE = "template"


@dataclass(frozen=True)
class NoOptions:
    """The options of a rule that has none."""


@dataclass(frozen=True)
class OptionDoc:
    name: str
    default: Any
    doc: str


def option(default: Any, doc: str) -> Any:
    """A documented rule option: ``app_dirs: tuple[str, ...] = option((), "...")``."""
    return dataclasses.field(default=default, metadata={"doc": doc})


class Rule:
    """Base of the three rule kinds. Subclass ``SourceRule``, ``StateRule`` or ``GraphRule``."""

    kind: ClassVar[RuleKind]
    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    tags: ClassVar[tuple[str, ...]] = ()
    hint: ClassVar[str] = ""  # one line: the container-world fix
    # salt-lint rule numbers this rule also answers to (for ``# noqa: 207``).
    salt_lint: ClassVar[tuple[str, ...]] = ()
    Options: ClassVar[type] = NoOptions

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    # -- metadata -------------------------------------------------------------------

    @classmethod
    def summary(cls) -> str:
        return doc_parts(cls)[0]

    @classmethod
    def description(cls) -> str:
        return doc_parts(cls)[1]

    @classmethod
    def option_docs(cls) -> tuple[OptionDoc, ...]:
        if not dataclasses.is_dataclass(cls.Options):
            return ()
        return tuple(
            OptionDoc(f.name, f.default, f.metadata.get("doc", ""))
            for f in dataclasses.fields(cls.Options)
        )

    # -- building findings ----------------------------------------------------------

    def at(
        self,
        location: SourceLocation,
        message: str,
        *,
        state: State | StateRef | None = None,
        pillar_key: str | None = None,
        subject: str = "",
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding at ``location`` (a place in an original file)."""
        ref = _state_ref(state)
        extra = (("subject", subject),) if subject else ()
        return Finding(
            rule=self.code,
            name=self.name,
            category=self.category,
            severity=severity or self.severity,
            message=message,
            location=location,
            state=ref,
            pillar_key=pillar_key,
            hint=hint if hint is not None else (self.hint or None),
            extra=extra,
        )

    def at_state(
        self, state: State, message: str, *, arg: str | None = None, **kw: Any
    ) -> Finding:
        """At the line of argument ``arg`` of ``state`` (its ID line without one)."""
        location = state.location_of(arg) if arg else state.location
        return self.at(location, message, state=state, **kw)

    def at_pillar(self, value: PillarValue, message: str, **kw: Any) -> Finding:
        """At the pillar file line of ``value``'s key; sets ``pillar_key``."""
        kw.setdefault("subject", value.key_path)
        return self.at(value.location, message, pillar_key=value.key_path, **kw)

    def at_template(
        self,
        template: RenderedTemplate,
        rendered_line: int,
        message: str,
        *,
        state: State | None = None,
        **kw: Any,
    ) -> Finding:
        """At the template source line that produced rendered line ``rendered_line``."""
        loc = template.location
        location = SourceLocation(loc.file, template.source_line(rendered_line), 1)
        return self.at(location, message, state=state, **kw)

    def at_error(self, error: RenderError, message: str | None = None, **kw: Any) -> Finding:
        """A render error as Salt would report it, at its file and line."""
        if error.pillar_key and "pillar_key" not in kw:
            kw["pillar_key"] = error.pillar_key
        return self.at(error.location, message or error.message, **kw)


class SourceRule(Rule):
    """Reads the raw text of original files (SLS, pillar, templates)."""

    kind = RuleKind.SOURCE
    # Which files this rule reads.
    source_kinds: ClassVar[frozenset[SourceKind]] = frozenset({SourceKind.SLS})

    def check(self, source: "SourceFile", ctx: "TreeContext") -> Iterable[Finding]:
        raise NotImplementedError


class StateRule(Rule):
    """Looks at one rendered state at a time, in one minion's context."""

    kind = RuleKind.STATE

    def check(self, state: State, ctx: "RuleContext") -> Iterable[Finding]:
        raise NotImplementedError


class GraphRule(Rule):
    """Looks at one minion's whole graph and render; ``check_tree`` runs once per scan."""

    kind = RuleKind.GRAPH
    needs_graph: ClassVar[bool] = True  # False: only ctx.render is read, no graph built

    def check(self, graph: "nx.MultiDiGraph", ctx: "RuleContext") -> Iterable[Finding]:
        raise NotImplementedError

    def check_tree(self, ctx: "TreeContext") -> Iterable[Finding]:
        return ()


def _state_ref(state: State | StateRef | None) -> StateRef | None:
    if state is None or isinstance(state, StateRef):
        return state
    return StateRef(id=state.id, function=state.fun, sls=state.sls)


# -- docstrings -------------------------------------------------------------------------

EXAMPLE_HEADER_RE = re.compile(
    r"^(?P<head>Problematic|Correct|Pillar|File|Grains)"
    r"(?: (?P<sub>pillar|file|grains))?(?: (?P<path>\S+))?::\s*$"
)


def doc_parts(cls: type) -> tuple[str, str]:
    """``(summary, description)``: the docstring without its example sections."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    prose = "\n".join(_prose_lines(doc.splitlines())).strip()
    summary, _, rest = prose.partition("\n")
    return summary.strip(), rest.strip()


def _prose_lines(lines: list[str]) -> Iterator[str]:
    in_block = False
    for line in lines:
        if EXAMPLE_HEADER_RE.match(line):
            in_block = True
            continue
        if in_block and (not line.strip() or line.startswith((" ", "\t"))):
            continue
        in_block = False
        yield line
