"""Run the rules on a model: select, check, ignore, dedupe, suppress, sort.

``run_rules`` is the one entry point. Source rules run once per original file, graph
rules' ``check_tree`` once per scan, state and graph rules once per minion; the
copies of a finding found on several minions are merged into one that lists them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from saltscan.engine.config import Config
from saltscan.engine.context import RuleContext, SourceFile, SourceReader, TreeContext
from saltscan.engine.dedupe import dedupe, sort_key
from saltscan.engine.rule import GraphRule, Rule, SourceKind, SourceRule, StateRule
from saltscan.engine.suppression import apply_suppressions
from saltscan.findings import Finding, Severity
from saltscan.model import Model, SourceLocation


def run_rules(
    model: Model,
    graphs: Mapping[str, Any] | None = None,
    config: Config | None = None,
    rules: Iterable[type[Rule]] | None = None,
    *,
    rules_dirs: Iterable[Any] = (),
    strict: bool = False,
    registry: Any = None,
) -> tuple[Finding, ...]:
    """Every finding of the selected rules on ``model``, deduplicated and sorted.

    ``graphs`` maps minion ids to their graph; missing ones are built with
    ``saltscan.graph.build_minion_graph`` when a graph rule needs them. ``rules``
    replaces the registry's selection (the config still sets severities, options,
    ignores). A rule that raises becomes an ``info`` finding saying its result is
    incomplete, unless ``strict`` (tests), where the exception propagates.
    """
    config = config or Config()
    if rules is None:
        if registry is None:  # a caller that already loaded it passes it (run_scan)
            from saltscan.engine.registry import load_registry

            registry = load_registry(rules_dirs)
        config.check_against(registry.rules)
        selected = [r for r in registry.rules if config.is_enabled(r)]
    else:
        selected = sorted(set(rules), key=lambda r: r.code)
    instances = [cls(options=config.options_for(cls)) for cls in selected]
    reader = SourceReader(model.tree.root)
    guard = _Guard(strict)
    found: list[Finding] = []

    tree_ctx = TreeContext(model=model, allowlist=config.allowlist, reader=reader)
    wants_sources = any(isinstance(r, SourceRule) for r in instances)
    sources = collect_sources(model, reader) if wants_sources else ()
    for rule in instances:
        if isinstance(rule, SourceRule):
            for src in sources:
                if src.kind in rule.source_kinds:
                    where = SourceLocation(src.path, 1)
                    for f in guard(rule, where, lambda: rule.check(src, tree_ctx)):
                        found.append(f.with_minions(src.minions))
        elif isinstance(rule, GraphRule):
            where = SourceLocation(".", 1)
            found.extend(guard(rule, where, lambda: rule.check_tree(tree_ctx)))

    state_rules = [r for r in instances if isinstance(r, StateRule)]
    graph_rules = [r for r in instances if isinstance(r, GraphRule)]
    need_graph = any(r.needs_graph for r in graph_rules)
    for render in model.renders:
        graph = _graph_for(render, graphs) if need_graph else None
        ctx = RuleContext(
            model=model, render=render, allowlist=config.allowlist, reader=reader, graph=graph
        )
        minion = (render.minion.id,)
        for rule in state_rules:
            for state in render.states:
                for f in guard(rule, state.location, lambda: rule.check(state, ctx)):
                    found.append(f.with_minions(minion))
        for rule in graph_rules:
            where = SourceLocation(render.minion.source, 1)
            for f in guard(rule, where, lambda: rule.check(graph, ctx)):
                found.append(f.with_minions(minion))

    by_code = {type(r).code: type(r) for r in instances}
    kept = []
    for f in found:
        rule_cls = by_code[f.rule]
        if config.ignores(rule_cls, f.location.file):
            continue
        override = config.severity_override(rule_cls)
        kept.append(replace(f, severity=override) if override else f)

    merged = dedupe(_redacted(kept, model))
    state_lines = _state_lines(model)
    suppressed = apply_suppressions(
        merged,
        read_text=reader.text,
        extra_lines=lambda f: state_lines.get(_state_key(f, f.location.file), ()),
        salt_lint_of=lambda code: tuple(getattr(by_code.get(code), "salt_lint", ())),
    )
    return tuple(sorted(suppressed, key=sort_key))


class _Guard:
    """Runs one rule call; turns a crash into an ``info`` finding unless strict."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def __call__(
        self, rule: Rule, where: SourceLocation, call: Callable[[], Iterable[Finding]]
    ) -> list[Finding]:
        try:
            return list(call() or ())
        except Exception as exc:
            if self.strict:
                raise
            # Only the exception type: its text could hold a value from the tree.
            return [rule.at(
                where,
                f"rule {rule.code} failed here ({type(exc).__name__}); its result is "
                "incomplete; please report this",
                severity=Severity.INFO,
                subject="rule-failure",
            )]


def _graph_for(render: Any, graphs: Mapping[str, Any] | None) -> Any:
    if graphs is not None and render.minion.id in graphs:
        return graphs[render.minion.id]
    from saltscan.graph import build_minion_graph

    return build_minion_graph(render)


def collect_sources(model: Model, reader: SourceReader) -> tuple[SourceFile, ...]:
    """The original files of the scan with the minions that use them, by path."""
    kinds: dict[str, SourceKind] = {}
    minions: dict[str, set[str]] = {}

    def add(path: str, kind: SourceKind, minion: str | None) -> None:
        if not path:
            return
        kinds.setdefault(path, kind)
        bucket = minions.setdefault(path, set())
        if minion:
            bucket.add(minion)

    for sls in model.tree.sls_files:
        add(sls.path, SourceKind.SLS, None)
    for render in model.renders:
        mid = render.minion.id
        for path in render.sls_files:
            add(path, SourceKind.SLS, mid)
        for pv in render.pillar_values:
            add(pv.location.file, SourceKind.PILLAR, mid)
        for tpl in render.templates:
            add(tpl.location.file, SourceKind.TEMPLATE, mid)
    out = []
    for path in sorted(kinds):
        text = reader.text(path)
        if text is not None:
            out.append(SourceFile(path, text, kinds[path], tuple(sorted(minions[path]))))
    return tuple(out)


def _state_key(f: Finding, file: str) -> tuple:
    return (f.state.id, f.state.sls, f.state.function, file) if f.state else ()


def _state_lines(model: Model) -> dict[tuple, tuple[int, ...]]:
    """(state id, sls, function, file) -> the state ID lines in that file."""
    lines: dict[tuple, set[int]] = {}
    for render in model.renders:
        for st in render.states:
            key = (st.id, st.sls, st.fun, st.location.file)
            lines.setdefault(key, set()).add(st.location.line)
    return {k: tuple(sorted(v)) for k, v in lines.items()}


def _redacted(findings: list[Finding], model: Model) -> list[Finding]:
    """Defence in depth: rules never put a value in a message, and this masks any
    known secret value that slipped in anyway (message, hint, subject)."""
    from saltscan.secrets import Redactor, is_secret

    values = {
        str(pv.value)
        for render in model.renders
        for pv in render.pillar_values
        if isinstance(pv.value, (str, int)) and not isinstance(pv.value, bool)
        and (pv.secret or is_secret(pv.key_path, pv.value)[0])
    }
    redactor = Redactor(sorted(values))
    if not redactor:
        return findings
    out = []
    for f in findings:
        text = "\x1f".join([f.message, f.hint or "", *(v for _, v in f.extra)])
        if redactor.contains_secret(text):
            f = replace(
                f, message=redactor.redact(f.message),
                hint=redactor.redact(f.hint) if f.hint else f.hint,
                extra=tuple((k, redactor.redact(v)) for k, v in f.extra),
            )
        out.append(f)
    return out
