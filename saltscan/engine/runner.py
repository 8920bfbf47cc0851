"""Run the rules on a model: select, check, ignore, dedupe, suppress, sort.

``run_rules`` is the one entry point. Source rules run once per original file, graph
rules' ``check_tree`` once per scan, state and graph rules once per minion; the
copies of a finding found on several minions are merged into one that lists them.
``RuleRun`` is the same in stages, for a caller that re-checks only the minions that
changed and reuses the others' findings (the pre-commit hook).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable, Mapping

from saltscan.engine.config import Config
from saltscan.engine.context import (
    RuleContext,
    SourceFile,
    SourceReader,
    TreeContext,
)
from saltscan.engine.dedupe import dedupe, sort_key
from saltscan.engine.finish_memo import FinishInputs
from saltscan.engine.memo import ScanMemo
from saltscan.engine.source_reads import recording_sources
from saltscan.engine.tree_memo import TreeInputs
from saltscan.engine.redaction import redacted
from saltscan.engine.rule import GraphRule, Rule, SourceKind, SourceRule, StateRule
from saltscan.engine.suppression import apply_suppressions, parse_suppressions
from saltscan.findings import Finding, Severity
from saltscan.model import MinionRender, Model, SourceLocation, State


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
    run = RuleRun(model, config, select_rules(config, rules, rules_dirs=rules_dirs,
                                              registry=registry), strict=strict)
    tree_found = run.tree_findings()
    by_render = []
    for render in model.renders:
        graph = _graph_for(render, graphs) if run.need_graph else None
        by_render.append((render.minion.id, run.render_findings(render, graph)))
    return run.finish(tree_found, by_render)


def select_rules(
    config: Config,
    rules: Iterable[type[Rule]] | None = None,
    *,
    rules_dirs: Iterable[Any] = (),
    registry: Any = None,
) -> tuple[Rule, ...]:
    """The rule instances ``run_rules`` runs, with their configured options, in order."""
    if rules is None:
        if registry is None:  # a caller that already loaded it passes it (run_scan)
            from saltscan.engine.registry import load_registry

            registry = load_registry(rules_dirs)
        config.check_against(registry.rules)
        selected = [r for r in registry.rules if config.is_enabled(r)]
    else:
        selected = sorted(set(rules), key=lambda r: r.code)
    return tuple(cls(options=config.options_for(cls)) for cls in selected)


class RuleRun:
    """One run of ``rules`` over ``model``, in stages a caller may drive itself:

    - ``tree_findings()``: source rules on every original file and graph rules'
      ``check_tree``, once per scan (they see the whole model); each finding holds
      on the minions it names;
    - ``render_findings(render, graph)``: state and graph rules on one minion's
      render, as the rules returned them (they hold on that minion: ``finish`` says so);
    - ``finish(tree_found, by_render)``: config ignores and severities, redaction,
      the merge of the copies found on several minions, inline suppressions, the
      final order. ``by_render`` is ``(minion id, render_findings(...))`` per render,
      in model order.

    ``run_rules`` is exactly that, over every render of the model. The run owns the
    scan's caches (original files, pure functions' results): make one per model.
    ``memo`` may be ``previous_run.memo.next_scan()``, to start from the pure
    results of an earlier scan (see ``saltscan.engine.memo``).
    """

    def __init__(self, model: Model, config: Config, rules: Iterable[Rule], *,
                 strict: bool = False, memo: ScanMemo | None = None) -> None:
        self.model = model
        self.config = config
        self.rules = tuple(rules)
        self.memo = memo if memo is not None else ScanMemo()
        # A memo carried from an earlier scan brings the texts of the files it read.
        self.reader = SourceReader(model.tree.root, self.memo.carried.texts if memo is not None else None)
        self._guard = _Guard(strict)
        self._state_rules = [r for r in self.rules if isinstance(r, StateRule)]
        self._graph_rules = [r for r in self.rules if isinstance(r, GraphRule)]
        self.need_graph = any(r.needs_graph for r in self._graph_rules)
        self._by_code = {type(r).code: type(r) for r in self.rules}

    def tree_findings(self) -> list[Finding]:
        """Source rules' and ``check_tree``'s findings, in rule order (the last run's,
        carried by the memo, when nothing they depend on changed)."""
        kept = self.memo.carried.tree
        inputs = TreeInputs(tuple((type(r), r.options) for r in self.rules), self.config,
                            self._guard.strict, self.model, ())
        found = kept.get(inputs, self.reader.look)
        if found is None:
            with recording_sources() as looked_at:
                found = self._tree_findings()
            kept.put(replace(inputs, looked_at=tuple((path, *self.reader.look(path)) for path in sorted(looked_at))),
                     found)
        return found

    def _tree_findings(self) -> list[Finding]:
        guard = self._guard
        found: list[Finding] = []
        tree_ctx = TreeContext(model=self.model, allowlist=self.config.allowlist,
                               reader=self.reader, memo=self.memo)
        wants_sources = any(isinstance(r, SourceRule) for r in self.rules)
        sources = collect_sources(self.model, self.reader) if wants_sources else ()
        for rule in self.rules:
            if isinstance(rule, SourceRule):
                for src in sources:
                    if src.kind in rule.source_kinds:
                        where = SourceLocation(src.path, 1)
                        for f in guard(rule, where, lambda: rule.check(src, tree_ctx)):
                            found.append(f.with_minions(src.minions))
            elif isinstance(rule, GraphRule):
                where = SourceLocation(".", 1)
                found.extend(guard(rule, where, lambda: rule.check_tree(tree_ctx)))
        return found

    def render_findings(self, render: MinionRender, graph: Any = None, states: tuple[State, ...] | None = None) -> list[Finding]:
        """The state and graph rules' findings on one render, in rule order then state
        order. ``graph`` is the render's graph (built here when a rule needs it and it
        is not given). They hold on the render's minion alone, whatever minions a rule
        set: ``finish`` gives them it (once per merged finding, not once per copy).
        ``states``: the state rules look at these of the render's states only."""
        if graph is None and self.need_graph:
            graph = _graph_for(render, None)
        ctx = RuleContext(
            model=self.model, render=render, allowlist=self.config.allowlist,
            reader=self.reader, graph=graph, memo=self.memo,
        )
        found: list[Finding] = []
        guard = self._guard
        for rule in self._state_rules:
            check = rule.check
            for state in (render.states if states is None else states):
                done = len(found)
                try:
                    found.extend(check(state, ctx) or ())
                except Exception as exc:
                    del found[done:]  # all or nothing: a rule failing midway reports the failure
                    found.extend(guard.failure(rule, state.location, exc))
        for rule in self._graph_rules:
            where = SourceLocation(render.minion.source, 1)
            found.extend(guard(rule, where, lambda: rule.check(graph, ctx)))
        return found

    def finish(
        self,
        tree_found: Iterable[Finding],
        by_render: Iterable[tuple[str, Iterable[Finding]]] = (),
    ) -> tuple[Finding, ...]:
        """Ignores, severities, redaction, dedupe, suppressions, order."""
        # All of it depends on these and the texts of the findings' files: the last
        # run's result, if they were the same (``saltscan.engine.finish_memo``).
        inputs = FinishInputs(
            rules=tuple(self._by_code.values()), config=self.config, renders=self.model.renders,
            tree_found=tuple(tree_found), by_render=tuple((minion, tuple(found)) for minion, found in by_render),
        )
        kept_before = self.memo.carried.finish
        reused = kept_before.get(inputs, self.reader.text)
        if reused is not None:
            return reused
        result = self._finish(*self._configured(inputs))
        kept_before.put(inputs, self.reader.text, result)
        return result

    def _configured(self, inputs: FinishInputs) -> tuple[list[Finding], list[tuple[str, ...]]]:
        """The findings the config does not ignore, with its severities, and the
        minions each holds on."""
        config, by_code = self.config, self._by_code
        tagged = [(f, f.minions) for f in inputs.tree_found]
        tagged += [(f, (minion,)) for minion, found in inputs.by_render for f in found]
        kept: list[Finding] = []
        minions: list[tuple[str, ...]] = []
        # The config's answers depend on the rule (and file) only: asked once each.
        ignored: dict[tuple[str, str], bool] = {}
        overrides: dict[str, Severity | None] = {}
        for f, held_on in tagged:
            place = (f.rule, f.location.file)
            if place not in ignored:
                ignored[place] = config.ignores(by_code[f.rule], f.location.file)
            if ignored[place]:
                continue
            if f.rule not in overrides:
                overrides[f.rule] = config.severity_override(by_code[f.rule])
            override = overrides[f.rule]
            kept.append(replace(f, severity=override) if override else f)
            minions.append(held_on)
        return kept, minions

    def _finish(self, kept: list[Finding], minions: list[tuple[str, ...]]) -> tuple[Finding, ...]:
        by_code = self._by_code
        merged = dedupe(redacted(kept, self.model, self.memo), minions)
        state_lines: list[dict[tuple, tuple[int, ...]]] = []  # made when first asked

        def extra_lines(f: Finding) -> tuple[int, ...]:
            if not state_lines:
                state_lines.append(_state_lines(self.model))
            return state_lines[0].get(_state_key(f, f.location.file), ())

        memo = self.memo
        suppressed = apply_suppressions(
            merged,
            read_text=self.reader.text,
            extra_lines=extra_lines,
            salt_lint_of=lambda code: tuple(getattr(by_code.get(code), "salt_lint", ())),
            parse=lambda text: memo[parse_suppressions, text],
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
            return self.failure(rule, where, exc)

    def failure(self, rule: Rule, where: SourceLocation, exc: Exception) -> list[Finding]:
        """The finding that says ``rule`` crashed at ``where`` (or ``exc`` again, if strict)."""
        if self.strict:
            raise exc
        # Only the exception type: its text could hold a value from the tree.
        return [rule.at(
            where,
            f"rule {rule.code} failed here ({type(exc).__name__}); its result is "
            "incomplete; please report this",
            severity=Severity.INFO,
            subject="rule-failure",
        )]


def _graph_for(render: Any, graphs: Mapping[str, Any] | None) -> Any:
    # Untargeted SLS are renders of one pseudo-minion: a graph by minion id is not theirs.
    if graphs is not None and render.minion.id in graphs and not render.untargeted:
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
