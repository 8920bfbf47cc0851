"""render_tree: Tree -> Model. One minion at a time, each a pure function of its inputs."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from saltscan.model import (
    MinionRender,
    Minion,
    Model,
    RenderError,
    RenderErrorKind,
    SourceLocation,
    Tree,
)
from saltscan.render.context import CompiledTemplateCache, Limits, MinionContext, ScanSession
from saltscan.render.highstate import HighWalk
from saltscan.render.minion_opts import minion_opts
from saltscan.render.pillar import PillarCompiler, pillar_values
from saltscan.render.recorder import Recorder
from saltscan.render.salt_steps import HighStateSteps
from saltscan.render.sls import FileRender, render_file
from saltscan.render.states import build_states, index_high
from saltscan.render.templates import render_templates
from saltscan.render.top import top_matches
from saltscan.render.unknown import to_plain

if TYPE_CHECKING:
    from saltscan.cache import RenderCache, TreeCache
    from saltscan.render.shared_pillar import SharedPillar
    from saltscan.pipeline import ScanOptions
    from saltscan.progress import Progress
    from saltscan.render.trace import TraceRecorder

UNTARGETED = "(untargeted)"
T = TypeVar("T")


def _abs_roots(roots) -> dict[str, tuple[str, ...]]:
    return {env: tuple(str(p) for p in paths) for env, paths in roots.items()}


class MinionRenderer:
    """Renders one minion: pillar, top, SLS, compile, templates."""

    def __init__(self, session: ScanSession, minion: Minion, trace: "TraceRecorder | None" = None,
                 shared_pillar: "SharedPillar | None" = None):
        self.session = session
        self.shared_pillar = shared_pillar  # the untargeted renders' one pillar (shared_pillar.py)
        self.trace = trace  # records state file renders for the render cache (trace.py)
        self.tree: Tree = session.tree
        self.minion = minion
        self.opts = minion_opts(self.tree, minion)
        self.recorder = Recorder(locate=lambda: SourceLocation("", 1))
        self.ctx = MinionContext(session, minion, self.opts, {}, self.recorder)
        self.state_roots = _abs_roots(self.tree.state_roots)
        self.pillar_roots = _abs_roots(self.tree.pillar_roots)
        self.errors: list[RenderError] = []
        self._pillar_cache: tuple[dict, Any] | None = None
        self._redactor = None
        self._redactor_for: int | None = None

    # -- context -------------------------------------------------------------------
    def jinja_context(self, path: str, sls: str | None, saltenv: str, pillar: dict) -> dict[str, Any]:
        import salt.utils.templates

        from saltscan.render.proxy_pillar import TrackedPillar
        from saltscan.render.salt_proxy import SaltProxy

        # One tracked view for both the `pillar` variable and the proxy, so reads and
        # in-template updates are seen by both.
        tracked = TrackedPillar(pillar, self.recorder)
        proxy = SaltProxy(
            grains=self.minion.grains, pillar=tracked, opts=self.opts, recorder=self.recorder,
            read_salt_file=self.read_salt_file, render_file=self.render_salt_file,
            saltenv=saltenv, redactor=lambda: self.redactor(pillar), host_facts=self.session.host_facts,
        )
        ctx: dict[str, Any] = {
            "salt": proxy, "grains": self.minion.grains, "pillar": tracked, "opts": self.opts,
            "saltenv": saltenv, "sls": sls or "", "proxy": {},
        }
        if sls is not None:
            for key, value in salt.utils.templates.generate_sls_context(path, sls).items():
                ctx.setdefault(key, value)
        return ctx

    def redactor(self, pillar: dict):
        """One redactor per pillar (building one costs a pass over every secret)."""
        from saltscan.secrets import Redactor, secret_values_of

        key = id(pillar)
        if self._redactor_for != key:
            build = lambda: Redactor(secret_values_of(pillar))  # noqa: E731
            # In the hook daemon, one per pillar content: a state file edit changes none.
            self._redactor = build() if self.trace is None else self.trace.pillar_fact("redactor", pillar, build)
            self._redactor_for = key
        return self._redactor

    def read_salt_file(self, url: str, saltenv: str = "base") -> str | None:
        rel = url[len("salt://"):] if url.startswith("salt://") else url
        rel = rel.split("?", 1)[0].lstrip("/")
        for root in self.state_roots.get(saltenv, ()):
            path = os.path.join(root, rel)
            if os.path.isfile(path):
                if os.path.getsize(path) > self.session.limits.max_file_bytes:
                    return None
                with open(path, encoding="utf-8", errors="replace") as fh:
                    return fh.read()
        return None

    def render_salt_file(self, url: str, renderer: str = "jinja|yaml", context: dict | None = None, saltenv: str = "base") -> Any:
        rel = url[len("salt://"):] if url.startswith("salt://") else url
        for root in self.state_roots.get(saltenv, ()):
            path = os.path.join(root, rel)
            if os.path.isfile(path):
                ctx = self.jinja_context(path, None, saltenv, dict(self.ctx.pillar))
                ctx.update(context or {})
                result = render_file(self.ctx, path, self.state_roots[saltenv], name=rel, sls=None, context=ctx, pipe=renderer)
                self.errors.extend(result.errors)
                return result.data
        return None

    # -- stages --------------------------------------------------------------------
    def _render_sls(self, path: str, sls: str, saltenv: str, roots: tuple[str, ...], pillar: dict) -> FileRender:
        name = os.path.relpath(path, next((r for r in roots if path.startswith(r.rstrip("/") + "/")), roots[0])).replace(os.sep, "/")
        ctx = self.jinja_context(path, sls, saltenv, pillar)
        # Calls made while this file renders (map.jinja imports included) belong to its SLS.
        self.recorder.sls = sls
        return render_file(self.ctx, path, roots, name=name, sls=sls, context=ctx, default_pipe=self.opts.get("renderer", "jinja|yaml"))

    def _render_state_sls(self, path: str, sls: str, saltenv: str, pillar: dict) -> FileRender:
        roots = self.state_roots[saltenv]
        if self.trace is not None:
            return self.trace.render(self, path, sls, saltenv, roots, pillar)
        return self._render_sls(path, sls, saltenv, roots, pillar)

    def memoized(self, key: tuple, compute: Callable[[], T], copy: bool = True) -> T:
        """``compute()``, reused from an earlier render of this minion when the render
        cache keeps them in memory (``TraceRecorder.reuse``); ``copy=False`` for results
        nothing changes in place afterwards."""
        return compute() if self.trace is None else self.trace.reuse(self, key, compute, copy=copy)

    def compile_pillar(self) -> tuple[dict, Any]:
        if not self.pillar_roots:
            return self._pillar_example()
        pc = PillarCompiler(self.ctx, self.pillar_roots, lambda p, s, e, roots: self._render_sls(p, s, e, roots, {}))
        pillar: dict = {}
        for env in sorted(self.pillar_roots):
            top_path = next((os.path.join(r, "top.sls") for r in self.pillar_roots[env] if os.path.isfile(os.path.join(r, "top.sls"))), None)
            if top_path is None:
                continue
            top = self._render_sls(top_path, "top", env, self.pillar_roots[env], {})
            pc.errors.extend(top.errors)
            if top.data is not None:
                pillar = pc.merge(pillar, pc.compile(top.data, self.session.relpath(top_path), self.opts.get("nodegroups") or {}))
        self.errors.extend(pc.errors)
        return pillar, pc.locs

    def _pillar_example(self) -> tuple[dict, Any]:
        path = os.path.join(str(self.tree.root), "pillar.example")
        if not os.path.isfile(path):
            return {}, {}
        result = render_file(self.ctx, path, (str(self.tree.root),), name="pillar.example", sls="pillar.example", context=self.jinja_context(path, None, "base", {}))
        self.errors.extend(result.errors)
        from saltscan.render.pillar import _flatten_locs

        locs: dict = {}
        data = result.data if isinstance(result.data, dict) else {}
        _flatten_locs(data, "", locs, SourceLocation(self.session.relpath(path), 1))
        return data, locs

    def state_matches(self, pillar: dict, sls_list: tuple[str, ...], saltenv: str) -> tuple[dict[str, list], dict[str, tuple[str, ...]]]:
        if sls_list:
            loc = SourceLocation("", 1)
            return {saltenv: [(s, loc) for s in sls_list]}, {saltenv: tuple(sls_list)}
        matches: dict[str, list] = {}
        for env in self.state_roots:
            top_path = next((os.path.join(r, "top.sls") for r in self.state_roots[env] if os.path.isfile(os.path.join(r, "top.sls"))), None)
            if top_path is None:
                continue
            top = self._render_sls(top_path, "top", env, self.state_roots[env], pillar)
            self.errors.extend(top.errors)
            if top.data is None:
                continue
            found, errors = top_matches(top.data, top.data, self.minion.id, self.minion.grains, pillar, self.opts.get("nodegroups") or {}, set(self.state_roots), self.session.relpath(top_path))
            self.errors.extend(errors)
            for menv, lst in found.items():
                bucket = matches.setdefault(menv, [])
                known = {s for s, _ in bucket}
                bucket.extend((m.sls, m.location) for m in lst if m.sls not in known)
        return matches, {env: tuple(s for s, _ in lst) for env, lst in matches.items()}

    def _pillar(self) -> tuple[dict, Any]:
        if self._pillar_cache is None:
            shared = self.shared_pillar
            self._pillar_cache = shared.get(self) if shared is not None else self.compile_plain_pillar()
            self.ctx.pillar = self._pillar_cache[0]
        return self._pillar_cache

    def compile_plain_pillar(self) -> tuple[dict, Any]:
        """The pillar as plain dicts and its key locations (reused from memory in the daemon)."""
        return self.memoized(("pillar",), self._plain_pillar)

    def _plain_pillar(self) -> tuple[dict, Any]:
        pillar, locs = self.compile_pillar()
        # Templates get plain dicts, as from Salt's pillar: a MarkedMap would not
        # serialise through Salt's |yaml filter. Key locations are already in locs.
        return to_plain(pillar), locs

    def _compile(self, matches: dict[str, list], pillar: dict, highstate: bool) -> tuple[dict, list[dict], tuple, HighWalk]:
        steps = HighStateSteps(dict(self.opts))
        walk = HighWalk(self.ctx, self.state_roots, lambda p, s, e: self._render_state_sls(p, s, e, pillar), steps)
        high = walk.render_highstate(matches)
        # Before compile, which consumes the marked high data:
        index, written = index_high(high)
        shown_high, shown_low, chunks, salt_errors = steps.compile(high, highstate)
        sls_files = {f.sls: f.path for f in self.tree.sls_files}
        states, req_errors = build_states(chunks, index, walk.id_locations, sls_files, written)
        self.errors.extend(walk.errors)
        self.errors.extend(req_errors)
        self.errors.extend(compile_errors(salt_errors, req_errors, sls_files, walk.rendered_files, walk.id_locations))
        return shown_high, shown_low, states, walk

    def render(self, options: "ScanOptions") -> MinionRender:
        pillar, pillar_locs = self._pillar()
        pillar_key = self.trace.watch(pillar) if self.trace is not None else None
        top_of = lambda: self.state_matches(pillar, options.sls, options.saltenv)  # noqa: E731
        # The top file's matches are a pure function of the minion, the pillar and the
        # top files: kept in memory by the hook daemon like the rest.
        matches, top = top_of() if pillar_key is None else self.memoized(("top", pillar_key, options.sls, options.saltenv), top_of)
        high, chunks, states, walk = self._compile(matches, pillar, highstate=not options.sls)
        return self._result(pillar, pillar_locs, top, high, chunks, states, walk.rendered_files, False)

    def render_untargeted(self, sls: str, saltenv: str) -> MinionRender:
        """One SLS no top file reaches, compiled standalone with what it includes (see
        ``_untargeted``)."""
        pillar, pillar_locs = self._pillar()
        high, chunks, states, walk = self._compile({saltenv: [(sls, SourceLocation("", 1))]}, pillar, highstate=False)
        return self._result(pillar, pillar_locs, {saltenv: (sls,)}, high, chunks, states, walk.rendered_files, True)

    def _result(self, pillar, pillar_locs, top, high, chunks, states, files, untargeted) -> MinionRender:
        templates, template_errors = render_templates(self, states, pillar)
        rec = self.recorder
        return MinionRender(
            minion=self.minion, top=top, high=high, low=tuple(to_plain(c) for c in chunks),
            states=states, pillar=to_plain(pillar),
            # The pillar of an untargeted render is only its rendering context: its values
            # are reported on the minions that really get them.
            pillar_values=() if untargeted else self._pillar_values(pillar, pillar_locs),
            errors=tuple(_dedupe_errors(self.errors + template_errors)),
            unknowns=tuple(rec.unknowns[k] for k in sorted(rec.unknowns)),
            salt_calls=tuple(rec.calls), templates=templates, sls_files=tuple(dict.fromkeys(files)),
            pillar_reads={k: tuple(v) for k, v in sorted(rec.pillar_reads.items())}, untargeted=untargeted,
        )

    def _pillar_values(self, pillar: dict, locs) -> tuple:
        """``pillar_values``: classifying every value is a pass over the whole pillar,
        kept in the hook daemon for the pillar and locations it was made of."""
        compute = lambda: pillar_values(pillar, locs)  # noqa: E731
        return compute() if self.trace is None else self.trace.pillar_fact("values", (pillar, locs), compute)


def compile_errors(messages: list[str], req_errors, sls_files: dict[str, str], rendered: list[str], id_locations) -> list[RenderError]:
    """Salt's compile messages, at the state or SLS they name.

    requisite_in's "Cannot extend ID" for a missing ``_in`` target is dropped: build_states
    already reported it, at the line of the ``_in`` item.
    """
    out = []
    missing_targets = {e.message.split(": ", 1)[-1].split(",")[0] for e in req_errors}
    for msg in messages:
        m = re.match(r"Cannot extend ID '(.+?)' in '[^:']*:([^']+)'", msg)
        if m and m.group(1) in missing_targets:
            continue
        sls = re.search(r"SLS ['\"]?(?:[^:'\" ]+:)?([\w.\-]+)['\"]?", msg)
        sid = re.search(r"ID ['\"]([^'\"]+)['\"]", msg)
        where = None
        if sls and sid:
            where = id_locations.get((sls.group(1), sid.group(1)))
        if where is None:
            file = sls_files.get(sls.group(1)) if sls else None
            where = SourceLocation(file or (rendered[0] if rendered else ""), 1)
        kind = RenderErrorKind.MISSING_REQUISITE if m else RenderErrorKind.INVALID_STATE
        if "recursive requisite" in msg.lower():
            kind = RenderErrorKind.REQUISITE_CYCLE
        out.append(RenderError(kind, msg.split("\n", 1)[0], where, sls.group(1) if sls else None))
    return out


def _dedupe_errors(errors: list[RenderError]) -> list[RenderError]:
    seen = set()
    out = []
    for e in errors:
        key = (e.kind, e.message, e.location)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def render_tree(
    tree: Tree, options: "ScanOptions", tree_errors: tuple[RenderError, ...] = (), limits: Limits | None = None,
    compiled_templates: CompiledTemplateCache | None = None,
    cache: "RenderCache | None" = None,
    progress: "Progress | None" = None,
) -> Model:
    """``cache`` (saltscan.cache) reuses the render of a minion none of whose inputs
    changed; ``progress`` (saltscan.progress) is told of every minion rendered."""
    from saltscan.cache import cached_render
    from saltscan.render.host_facts import HostFacts
    from saltscan.render.trace import revalidate

    session = ScanSession(tree, limits or Limits(), host_facts=HostFacts.load(options.host_facts))
    if compiled_templates is not None:
        session.bytecode_cache = compiled_templates
    if cache is not None and cache.parsed_yaml is not None:
        session.parsed_yaml = cache.parsed_yaml
    memo = cache.for_tree(tree, options, session) if cache is not None else None
    if options.jobs > 1 and len(tree.minions) > 1 and memo is None:
        # The cache records each render's file reads in this process, so cached scans
        # render here; uncached ones may use worker processes.
        renders = _render_parallel(tree, options, limits or Limits(), progress)
    else:
        if progress is not None:
            progress.stage("rendering minions", len(tree.minions))
        renders = []
        for m in tree.minions:
            renders.append(cached_render(
                memo, m, ("top",),
                lambda trace, m=m: MinionRenderer(session, m, trace).render(options),
                lambda render, items, memo, m=m: revalidate(session, m, render, items, memo),
            ))
            if progress is not None:
                progress.advance()
    if options.coverage and not options.sls and not options.minions:
        renders.extend(_untargeted(session, tree, renders, options, memo))
    return Model(tree=tree, renders=tuple(renders), errors=tree_errors)


def _render_one(tree: Tree, options: "ScanOptions", limits: Limits, minion: Minion) -> MinionRender:
    from saltscan.render.host_facts import HostFacts

    session = ScanSession(tree, limits, host_facts=HostFacts.load(options.host_facts))
    return MinionRenderer(session, minion).render(options)


def _render_parallel(tree: Tree, options: "ScanOptions", limits: Limits, progress: "Progress | None" = None) -> list[MinionRender]:
    """Minions in worker processes: each render is a pure function of its inputs, and
    results come back in minion order, so output is the same as with one job."""
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    if progress is not None:
        progress.stage("rendering minions", len(tree.minions))
    renders = []
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        for render in pool.map(partial(_render_one, tree, options, limits), tree.minions):
            renders.append(render)
            if progress is not None:
                progress.advance()
    return renders


def _untargeted(
    session: ScanSession, tree: Tree, renders: list[MinionRender], options: "ScanOptions", memo: "TreeCache | None" = None
) -> list[MinionRender]:
    """Every SLS no minion's top reaches, each rendered standalone (with what it
    includes) in the default minion's context: one render per SLS.

    Salt never applies two untargeted SLS together, so each is its own render, graph
    and rule run: states of unrelated SLS files cannot collide or order each other,
    and an edit to one SLS re-renders, re-graphs and re-checks only the SLS that
    read it. The renders share one minion, ``(untargeted)``: findings on a file
    several of them include are one finding."""
    from saltscan.cache import cached_render
    from saltscan.render.shared_pillar import SharedPillar
    from saltscan.render.trace import revalidate

    reached = {f for r in renders for f in r.sls_files}
    missing = tuple(f.sls for f in tree.sls_files if f.path not in reached and f.saltenv == options.saltenv)
    if not missing:
        return []
    base = tree.minions[0] if tree.minions else None
    grains = dict(base.grains) if base else {}
    minion = Minion(UNTARGETED, {**grains, "id": base.id if base else UNTARGETED}, base.source if base else "builtin")
    check = lambda render, items, memo: revalidate(session, minion, render, items, memo)  # noqa: E731
    pillar = SharedPillar()
    out = []
    for sls in missing:
        produce = lambda trace, sls=sls: MinionRenderer(session, minion, trace, pillar).render_untargeted(sls, options.saltenv)  # noqa: E731
        out.append(cached_render(memo, minion, ("untargeted", sls), produce, check))
    return out
