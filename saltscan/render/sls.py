"""Render one file through its renderer pipe: text in, data and a source map out.

Used for state SLS, pillar SLS, top files and ``file.managed`` templates alike. No
exception escapes: every failure becomes a ``RenderError`` at the original file and
line, the way Salt would report it.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import jinja2
import yaml

from saltscan.model import RenderError, RenderErrorKind, SourceLocation, UnknownOrigin
from saltscan.render.context import MinionContext
from saltscan.render.jinja_env import RenderTimeout, TreeLoader, make_environment
from saltscan.render.pipes import Pipe, Step, parse_pipe
from saltscan.render.sourcemap import OutputTooLarge, SourceMap, SourceMapBuilder
from saltscan.render.yaml_load import YamlTooLarge, error_location


@dataclass(frozen=True)
class FileRender:
    data: Any  # None when the file could not be rendered
    text: str | None  # the last text stage (rendered Jinja), for templates
    source_map: SourceMap | None
    errors: tuple[RenderError, ...]


def read_shebang_pipe(text: str, default: str) -> str:
    first = text.split("\n", 1)[0]
    if first.startswith("#!") and not first.startswith("#!/"):
        return first[2:].strip()
    return default


def template_line(template: jinja2.Template, code_line: int) -> int:
    """``template.get_corresponding_lineno(code_line)``, without re-parsing the
    template's line table on every call (jinja2 does: it is a string property, and
    a map.jinja whose every pillar read is located asks thousands of times)."""
    table = template.__dict__.get("_saltscan_lines")
    if table is None:
        pairs = template.debug_info  # [(template line, code line)]
        codes = [code for _, code in pairs]
        # jinja2 takes the last pair at or before code_line; with code lines in order
        # (as its code generator writes them) that is a bisection.
        ordered = all(a <= b for a, b in zip(codes, codes[1:]))
        table = template.__dict__["_saltscan_lines"] = (codes, [line for line, _ in pairs]) if ordered else ()
    if not table:
        return template.get_corresponding_lineno(code_line)
    codes, lines = table
    i = bisect.bisect_right(codes, code_line) - 1
    return lines[i] if i >= 0 else 1


def _jinja_location(tb, names: dict[str, str], default: str) -> SourceLocation | None:
    """The innermost template frame of a traceback, as a source location."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        tmpl = frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            line = template_line(tmpl, tb.tb_lineno)
            found = SourceLocation(names.get(tmpl.name or "", default), line)
        tb = tb.tb_next
    return found


def locate_in_jinja(names: dict[str, str], default: str) -> Callable[[], SourceLocation]:
    """A ``Recorder.locate`` that finds the template line being executed right now."""

    def locate() -> SourceLocation:
        frame = sys._getframe(1)
        while frame is not None:
            tmpl = frame.f_globals.get("__jinja_template__")
            if tmpl is not None:
                line = template_line(tmpl, frame.f_lineno)
                return SourceLocation(names.get(tmpl.name or "", default), line)
            frame = frame.f_back
        return SourceLocation(default, 1)

    return locate


def _undefined_class(ctx: MinionContext):
    """Lenient Undefined for the second pass: a missing value becomes a tracked unknown."""

    class TrackedUndefined(jinja2.ChainableUndefined):
        __slots__ = ()

        def __str__(self) -> str:
            from saltscan.render.unknown import UnknownValue

            return UnknownValue(
                ctx.recorder.unknown(UnknownOrigin.MISSING_PILLAR, f"undefined {self._undefined_name}")
            )

        def __iter__(self):
            return iter(())

        def __bool__(self) -> bool:
            return False

    return TrackedUndefined


def _classify_undefined(message: str, line_text: str) -> RenderErrorKind:
    if "pillar" in line_text or "pillar" in message:
        return RenderErrorKind.UNDEFINED_PILLAR
    return RenderErrorKind.UNDEFINED_VARIABLE


class _Renderer:
    def __init__(self, ctx: MinionContext, roots: tuple[str, ...], relfile: str, sls: str | None):
        self.ctx = ctx
        self.roots = roots
        self.relfile = relfile
        self.sls = sls
        self.errors: list[RenderError] = []

    def error(self, kind: RenderErrorKind, message: str, loc: SourceLocation | None = None) -> None:
        self.errors.append(
            RenderError(kind, message, loc or SourceLocation(self.relfile, 1), self.sls)
        )

    def line_text(self, loc: SourceLocation) -> str:
        path = os.path.join(str(self.ctx.session.tree.root), loc.file)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().split("\n")
            return lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
        except OSError:
            return ""

    def jinja(self, name: str, context: dict[str, Any], raw_text: str) -> tuple[str, SourceMap] | None:
        loader = TreeLoader(self.roots, self.ctx.session.relpath, self.ctx.session.limits.max_file_bytes)
        for strict in (True, False):
            env = make_environment(
                loader, self.ctx.recorder, self.ctx.deadline(), self.ctx.opts.get("jinja_env", {}) or {},
                self.ctx.session.parsed_yaml,
            )
            env.bytecode_cache = self.ctx.session.bytecode_cache
            if not strict:
                env.undefined = _undefined_class(self.ctx)
            env.globals.update(context)
            self.ctx.recorder.locate = locate_in_jinja(loader.names_to_files, self.relfile)
            builder = SourceMapBuilder(loader.names_to_files, self.relfile)
            try:
                # Jinja evaluates the tree's string literals with Python's own rules; an
                # invalid escape in a scanned template is the tree's, not a saltscan warning.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    template = env.get_template(name)
                    events = template.root_render_func(template.new_context(context))
                    builder.feed(events, self.ctx.session.limits.max_output_chars)
            except jinja2.TemplateSyntaxError as exc:
                file = loader.names_to_files.get(exc.name or "", self.relfile)
                self.error(RenderErrorKind.JINJA_SYNTAX, f"Jinja syntax error: {exc.message}", SourceLocation(file, exc.lineno or 1))
                return None
            except jinja2.UndefinedError as exc:
                if not strict:
                    return None
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                # Salt's message names a plain dict; ours would name the tracking view.
                message = re.sub(r"'saltscan\.[\w.]+ object'", "'dict object'", str(exc))
                kind = _classify_undefined(message, self.line_text(loc) if loc else "")
                self.error(kind, f"Jinja variable {message}", loc)
                continue  # second pass: keep rendering with unknowns
            except jinja2.TemplateNotFound as exc:
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                self.error(RenderErrorKind.MISSING_TEMPLATE, f"Jinja template not found: {exc.name}", loc)
                return None
            except jinja2.exceptions.SecurityError as exc:
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                self.error(RenderErrorKind.SANDBOX, f"refused by the sandbox: {exc}", loc)
                return None
            except RenderTimeout as exc:
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                self.error(RenderErrorKind.LIMIT, f"{exc} ({self.ctx.session.limits.seconds_per_file:g}s)", loc)
                return None
            except OutputTooLarge as exc:
                self.error(RenderErrorKind.LIMIT, str(exc))
                return None
            except RecursionError:
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                self.error(RenderErrorKind.LIMIT, "recursion limit exceeded while rendering", loc)
                return None
            except Exception as exc:  # noqa: BLE001 - any template failure is a finding
                loc = _jinja_location(sys.exc_info()[2], loader.names_to_files, self.relfile)
                self.error(RenderErrorKind.JINJA_RUNTIME, f"Jinja error: {type(exc).__name__}: {exc}", loc)
                return None
            # Jinja drops a template's final newline; Salt puts it back.
            return builder.build("\n" if raw_text.endswith("\n") else "")
        return None

    def yamlex(self, text: str) -> Any:
        """Salt's yamlex serializer (a safe loader with !aggregate/!reset); no key lines."""
        import salt.serializers.yamlex

        try:
            data = salt.serializers.yamlex.deserialize(text)
        except Exception as exc:  # noqa: BLE001 - Salt's DeserializationError wraps YAML errors
            self.error(RenderErrorKind.YAML, f"yamlex error: {exc}")
            return None
        from saltscan.render.unknown import to_plain

        # yamlex strings print themselves as YAML ('"x"'): make them plain data.
        return {} if data is None else to_plain(data)

    def yaml(self, text: str, smap: SourceMap) -> Any:
        try:
            data = self.ctx.session.parsed_yaml.load(text, smap)
        except YamlTooLarge as exc:
            self.error(RenderErrorKind.LIMIT, str(exc))
            return None
        except yaml.constructor.ConstructorError as exc:
            loc = error_location(exc, smap)
            kind = RenderErrorKind.DUPLICATE_KEY if "conflicting" in str(exc.problem) else RenderErrorKind.YAML
            self.error(kind, f"{exc.problem}", loc)
            return None
        except yaml.YAMLError as exc:
            loc = error_location(exc, smap)
            problem = getattr(exc, "problem", None) or str(exc)
            if problem == "found character '\\t' that cannot start any token":
                problem = "Illegal tab character"
            self.error(RenderErrorKind.YAML, f"YAML error: {problem}", loc)
            return None
        return {} if data is None else data


def render_file(
    ctx: MinionContext,
    path: str,
    roots: tuple[str, ...],
    *,
    name: str,
    sls: str | None,
    context: dict[str, Any],
    default_pipe: str = "jinja|yaml",
    pipe: str | None = None,
) -> FileRender:
    """Render ``path`` (absolute) whose loader name under ``roots`` is ``name``."""
    relfile = ctx.session.relpath(path)
    r = _Renderer(ctx, roots, relfile, sls)
    try:
        size = os.path.getsize(path)
        if size > ctx.session.limits.max_file_bytes:
            r.error(RenderErrorKind.LIMIT, f"file is {size} bytes, over the {ctx.session.limits.max_file_bytes} byte limit")
            return FileRender(None, None, None, tuple(r.errors))
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as exc:
        r.error(RenderErrorKind.IO, f"cannot read file: {exc.strerror}")
        return FileRender(None, None, None, tuple(r.errors))
    parsed: Pipe = parse_pipe(pipe or read_shebang_pipe(text, default_pipe))
    if parsed.refused:
        r.error(RenderErrorKind.UNSAFE_RENDERER, f"renderer '{parsed.refused}' runs code: not evaluated, the file is not statically analysable")
        return FileRender(None, None, None, tuple(r.errors))
    if parsed.unknown:
        r.error(RenderErrorKind.UNKNOWN_RENDERER, f"unknown renderer '{parsed.unknown}': the file is not analysed")
        return FileRender(None, None, None, tuple(r.errors))
    data: Any = text
    smap = SourceMap.identity(text, relfile)
    rendered_text = text
    for step in parsed.steps:
        if step is Step.JINJA:
            out = r.jinja(name, context, text)
            if out is None:
                return FileRender(None, None, None, tuple(r.errors))
            data, smap = out
            rendered_text = data
        elif step is Step.YAMLEX:
            data = r.yamlex(data)
            if data is None:
                return FileRender(None, rendered_text, smap, tuple(r.errors))
        elif step is Step.YAML:
            data = r.yaml(data, smap)
            if data is None:
                return FileRender(None, rendered_text, smap, tuple(r.errors))
        elif step is Step.JSON:
            if isinstance(data, str) and data.startswith("#!"):
                data = data[data.find("\n") + 1:]  # Salt's json renderer drops the shebang
            try:
                data = json.loads(data)
            except (ValueError, TypeError) as exc:
                r.error(RenderErrorKind.YAML, f"JSON error: {exc}")
                return FileRender(None, rendered_text, smap, tuple(r.errors))
        # GPG / NACL: ciphertext is kept as it is and never decrypted; RAW: text stays.
    return FileRender(data, rendered_text, smap, tuple(r.errors))
