"""One scan, end to end: model -> graphs -> rules -> findings -> reports.

The command line, the pre-commit hook and the benchmarks all go through ``run_scan``,
so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from saltscan.findings import Finding, Severity
from saltscan.model import Model
from saltscan.pipeline import ScanOptions, load_model


@dataclass(frozen=True)
class ScanRequest:
    options: ScanOptions
    config_file: Path | None = None
    rules_dirs: tuple[Path, ...] = ()
    baseline: Path | None = None
    only_files: tuple[str, ...] = ()  # report filter: paths relative to the scanned root
    cache: Any = None  # saltscan.cache.RenderCache: reuse unchanged minions' renders
    warm: Any = None  # saltscan.warm.WarmState: what a long-running process keeps between scans


@dataclass(frozen=True)
class ScanResult:
    model: Model
    findings: tuple[Finding, ...]  # after baseline and the only_files filter
    # Before them (what a new baseline records); with only_files and no baseline, the
    # findings of those files (the rest were never finished).
    all_findings: tuple[Finding, ...]
    rules: tuple[Any, ...]  # RuleInfo of every rule that ran
    baseline: Any = None  # BaselineResult
    secret_values: tuple[str, ...] = field(default=(), repr=False)

    def describe(self) -> list[str]:
        tree = self.model.tree
        lines = [f"root: {tree.root}"]
        lines += [f"  {reason}" for reason in tree.detection]
        for env, roots in sorted(tree.state_roots.items()):
            lines.append(f"state roots [{env}]: " + ", ".join(tree.relpath(r) or "." for r in roots))
        for env, roots in sorted(tree.pillar_roots.items()):
            lines.append(f"pillar roots [{env}]: " + ", ".join(tree.relpath(r) or "." for r in roots))
        lines.append(f"{len(tree.sls_files)} SLS files, {len(tree.minions)} minions")
        for r in self.model.renders:
            if r.untargeted:
                label = "untargeted SLS " + ", ".join(sls for names in r.top.values() for sls in names)
            else:
                label = f"minion {r.minion.id} ({r.minion.source})"
            lines.append(f"  {label}: {len(r.states)} states, {len(r.errors)} render errors, {len(r.unknowns)} unknown values")
        return lines

    def report_input(self):
        from saltscan.report import ReportInput

        tree = self.model.tree
        return ReportInput(
            findings=self.findings,
            errors=self.model.errors,
            tree_root=".",
            state_roots=tuple(tree.relpath(p) for roots in tree.state_roots.values() for p in roots),
            pillar_roots=tuple(tree.relpath(p) for roots in tree.pillar_roots.values() for p in roots),
            minions=tuple(m.id for m in tree.minions),
            rules=self.rules,
            baseline=self.baseline,
            source_root=tree.root,
            secret_values=self.secret_values,
        )

    def render(self, fmt: str, *, color: bool = False) -> str:
        from saltscan.report import render_report

        return render_report(fmt, self.report_input(), color=color)

    def write_baseline(self, path: Path) -> None:
        from saltscan.report.baseline import write_baseline

        write_baseline(self.all_findings, path)

    def exit_code(self, fail_on: Severity | None) -> int:
        from saltscan.report import exit_code

        return exit_code(self.findings, fail_on)


def secret_values(model: Model) -> tuple[str, ...]:
    """Every secret value the scan knows of, for the reporters' masking."""
    values: set[str] = set()
    for render in model.renders:
        for pv in render.pillar_values:
            if not pv.secret:
                continue
            items = pv.value if isinstance(pv.value, list) else [pv.value]
            values.update(str(v) for v in items if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    return tuple(sorted(values))


def _focus(model: Model, wanted: set[str], request: ScanRequest):
    """What the hook's reply needs the state rules to see of each render, when that can
    be told (saltscan.engine.focus); the rest is checked after the reply."""
    from saltscan.engine.focus import Focus

    focus = Focus.of(model.tree, wanted) if request.cache is not None else None
    if focus is None:
        return None
    return lambda render: focus.states(render, request.cache.trace_of(render))


def run_scan(request: ScanRequest, progress: Any = None) -> ScanResult:
    """``progress`` (a ``saltscan.progress.Progress``) is told how far the scan got;
    the caller closes it."""
    from saltscan.cache import cached_graph
    from saltscan.engine.config import resolve_config
    from saltscan.engine.registry import load_registry
    from saltscan.engine.runner import RuleRun, select_rules
    from saltscan.graph import GraphMemo, build_minion_graph

    warm = request.warm
    model = load_model(request.options, cache=request.cache, compiled_templates=warm.compiled_templates if warm else None,
                       progress=progress, loader=warm.loader if warm else None)
    config = resolve_config(Path(request.options.path), request.config_file)
    registry = warm.builtin_registry() if warm is not None and not request.rules_dirs else load_registry(request.rules_dirs)
    graph_memo = warm.graph_memo() if warm is not None else GraphMemo()
    build = partial(build_minion_graph, memo=graph_memo)
    if progress is not None:
        progress.stage("graphing and checking", 2 * len(model.renders))
    graphs = []  # one per render (the untargeted SLS are renders of one pseudo-minion)
    for r in model.renders:
        graphs.append(cached_graph(request.cache, r, build))
        if progress is not None:
            progress.advance()
    run = RuleRun(model, config, select_rules(config, registry=registry), memo=warm.rule_memo() if warm else None)
    tree_found = run.tree_findings()
    wanted = {Path(f).as_posix().removeprefix("./") for f in request.only_files}
    if warm is not None and not request.rules_dirs:
        context = warm.findings_context(model, config, run.rules, request.cache)
        focus = _focus(model, wanted, request) if request.baseline is None else None
        by_render = [(r.minion.id, warm.kept.render_findings(run, r, g, context, focus))
                     for r, g in zip(model.renders, graphs)]
        warm.after_rules(run, model)
    else:
        by_render = []
        for r, g in zip(model.renders, graphs):
            by_render.append((r.minion.id, run.render_findings(r, g)))
            if progress is not None:
                progress.advance()
    if wanted and request.baseline is None:
        # Merging, suppressing and sorting never relate findings of different files, so
        # the findings of the other files can be left out before, not after: the hook
        # then finishes the few findings of the files it was given.
        tree_found = [f for f in tree_found if f.location.file in wanted]
        by_render = [(minion, [f for f in found if f.location.file in wanted]) for minion, found in by_render]
    findings = run.finish(tree_found, by_render)
    enabled = tuple(info for info in registry.infos() if config.is_enabled(registry.get(info.code)))
    all_findings = findings
    baseline_result = None
    if request.baseline is not None:
        from saltscan.report.baseline import apply_baseline, load_baseline

        findings, baseline_result = apply_baseline(findings, load_baseline(request.baseline))
    if wanted:
        findings = tuple(f for f in findings if f.location.file in wanted)
    return ScanResult(model, findings, all_findings, enabled, baseline_result, secret_values(model))
