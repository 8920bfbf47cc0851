"""What a state writes or runs, line by line, each line tied to its original source.

- ``content_lines``: the lines a ``file`` state writes: inline ``contents``/``text``/
  ``content``/``repl`` (located in the SLS), a rendered template (located in the
  template file through its line map), or a static ``salt://`` source (located in
  that file). ``original`` is the source line as written, to tell a literal from a
  value that came from pillar. In XML and HTML (by file name, or text whose first
  line starts with ``<``) the lines inside a ``<!-- ... -->`` block are comments.
- ``commands``: the shell text a state runs (``cmd.*`` names, cron commands).
"""

from __future__ import annotations

import functools
import inspect
import posixpath
import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Hashable, Iterable, Iterator, TypeVar

from saltscan import api

T = TypeVar("T")

CONTENT_ARGS = ("contents", "content", "text", "repl")
COMMENT_RE = re.compile(r"^\s*(#|;|//|--\s|REM\b|<!--|/\*)")
# Files whose comments are ``<!-- ... -->`` blocks, possibly over many lines.
MARKUP_SUFFIXES = (".xml", ".xsd", ".xsl", ".xslt", ".html", ".htm", ".xhtml", ".jsp", ".svg")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template")
# Functions whose ``name`` is a shell command line.
COMMAND_FUNS = frozenset({"cmd.run", "cmd.wait", "cmd.shell", "cmd.script", "cmd.call",
                          "cron.present", "cmd.mod_watch"})
# Arguments of cmd states that are shell command lines too.
COMMAND_ARGS = ("unless", "onlyif", "creates")


@dataclass(frozen=True)
class ContentLine:
    text: str  # as rendered
    location: api.SourceLocation  # the original source line
    original: str | None  # that source line as written (None when not known)
    origin: str  # "contents" | "template" | "static"
    source_file: str  # file of the original text (SLS, template or static file)
    in_block_comment: bool = False  # inside a multi-line <!-- ... --> block

    @cached_property  # several rules ask, line after line
    def is_comment(self) -> bool:
        return self.in_block_comment or bool(COMMENT_RE.match(self.text))


def target_path(state: api.State) -> str:
    """The path a file state manages (its ``name``)."""
    return state.name


# Temporary directories: what a state writes there is scratch (the ``_mapdata`` dump
# every template-formula writes to /tmp/salt_mapdata_dump.yaml for its kitchen tests),
# not a host path, an endpoint or a secret an application depends on.
SCRATCH_DIRS = ("/tmp", "/var/tmp")
# Arguments that only feed a template: file.managed merges them into its context.
TEMPLATE_INPUT_ARGS = frozenset({"context", "defaults"})


def writes_scratch_file(state: api.State, ctx: api.RuleContext) -> bool:
    """A ``file`` state whose target is under /tmp or /var/tmp."""
    if state.module != "file" or not isinstance(state.name, str) or not state.name.startswith("/"):
        return False
    return ctx.memo[is_scratch_path, state.name]


def is_scratch_path(name: str) -> bool:
    """``name`` (an absolute path) is under /tmp or /var/tmp (pure)."""
    path = posixpath.normpath(name)
    return any(path == d or path.startswith(d + "/") for d in SCRATCH_DIRS)


def template_inputs(state: api.State) -> frozenset[str]:
    """The arguments of a templated ``file`` state that only reach its template:
    ``context``, ``defaults``, and every keyword the state function does not take
    (Salt's ``file.get_managed`` hands them to the template as variables; a
    mis-indented ``context:`` turns its keys into such arguments). What the template
    really renders from them is in its rendered text, for the content rules."""
    if state.module != "file" or not state.args.get("template"):
        return frozenset()
    known = _file_state_parameters(state.function)
    return frozenset(
        arg for arg in state.args
        if arg in TEMPLATE_INPUT_ARGS or (known is not None and arg not in known)
    )


# Bounded, and a pure function of Salt's own code (a constant while saltscan runs):
# ``inspect.signature`` per state costs more than the rule that asks.
@functools.lru_cache(maxsize=128)
def _file_state_parameters(function: str) -> frozenset[str] | None:
    """Keywords Salt's own ``file.<function>`` state takes (its parameters and Salt's
    state keywords), or None when it takes no ``**kwargs`` or Salt has no such state."""
    import salt.state
    import salt.states.file

    fun = getattr(salt.states.file, function, None)
    if not callable(fun):
        return None
    params = inspect.signature(fun).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None
    return frozenset(params) | frozenset(salt.state.STATE_INTERNAL_KEYWORDS)


def content_lines(state: api.State, ctx: api.RuleContext) -> tuple[ContentLine, ...]:
    """The lines ``state`` writes (see the module's docstring), read once per state of
    a render: six rules go through them. States that write the same lines on several
    minions (a template that renders alike, the same inline ``contents``) get the very
    same tuple, so that ``per_lines`` analyses it once."""
    if state.module != "file":
        return ()
    # Keyed by the state's identity (a State holds dicts: it cannot be hashed); the
    # entry keeps the state, so the key cannot be reused by another object meanwhile.
    cached = ctx.once((content_lines, id(state)), lambda: (state, _content_lines(state, ctx)))
    return cached[1] if cached[0] is state else _content_lines(state, ctx)


def per_lines(ctx: api.RuleContext, fn: Callable[..., T], lines: tuple[ContentLine, ...],
              *args: Hashable) -> T:
    """``fn(lines, *args, ctx)``, once per scan for each tuple of ``content_lines``.

    ``fn`` may read ``ctx`` only for what every render shares (the original files,
    the allowlist): what depends on the render is for the caller to apply after."""
    # Keyed by the tuple's identity (hashing every line would cost what it saves);
    # the entry keeps the tuple, so the key cannot be reused by another object.
    cached = ctx.memo.once((fn, id(lines), *args), lambda: (lines, fn(lines, *args, ctx)))
    return cached[1] if cached[0] is lines else fn(lines, *args, ctx)


def _content_lines(state: api.State, ctx: api.RuleContext) -> tuple[ContentLine, ...]:
    parts = [ctx.memo.once(key, lambda: _inline_lines(key, ctx))
             for key in _inline_keys(state)]
    if state.function == "keyvalue":
        parts.append(tuple(_keyvalue(state)))
    template = ctx.template_of(state)
    if template is not None:
        # A template often renders the same text for many minions: its lines are
        # made once per scan (the template file is the same for every render).
        parts.append(ctx.memo.once(
            (_template_lines, template, state.name),
            lambda: _template_lines(template, state.name, ctx),
        ))
    else:
        source = state.args.get("source")
        if isinstance(source, list):
            source = next((s for s in source if isinstance(s, str)), None)
        if isinstance(source, str) and not state.args.get("template"):
            rel = ctx.resolve_salt_url(source, state.saltenv)
            src = ctx.source(rel) if rel else None
            if src is not None:
                parts.append(ctx.memo[_static_lines, src, state.name])
    parts = [part for part in parts if part]
    if len(parts) == 1:
        return parts[0]  # the shared tuple itself
    return tuple(line for part in parts for line in part)


def _template_lines(template: api.RenderedTemplate, name: str,
                    ctx: api.RuleContext) -> tuple[ContentLine, ...]:
    return tuple(_markup_comments(list(_template(template, ctx)), (name, template.location.file)))


def _static_lines(src: api.SourceFile, name: str) -> tuple[ContentLine, ...]:
    """The lines of a static file written to ``name`` (pure: memoised per scan)."""
    rel = src.path
    lines = [ContentLine(line, api.SourceLocation(rel, number), line, "static", rel)
             for number, line in enumerate(src.lines, start=1)]
    return tuple(_markup_comments(lines, (name, rel)))


def is_markup(names: Iterable[str], first_line: str) -> bool:
    """XML or HTML: a name with a markup suffix (``web.xml``, ``index.html.j2``), or
    text whose first non-blank line starts with ``<``."""
    for name in names:
        if not isinstance(name, str):
            continue
        base = name.lower()
        for suffix in TEMPLATE_SUFFIXES:
            base = base.removesuffix(suffix)
        if base.endswith(MARKUP_SUFFIXES):
            return True
    return first_line.lstrip().startswith("<")


def _markup_comments(lines: list[ContentLine], names: tuple[str, ...]) -> list[ContentLine]:
    """``lines`` with those inside a multi-line ``<!-- ... -->`` marked as comments,
    when they are markup. A line that closes a comment and goes on with markup
    (``--> <a href=...>``) is not a comment."""
    if not lines:
        return lines
    first = next((line.text for line in lines if line.text.strip()), "")
    if not is_markup(names, first):
        return lines
    out: list[ContentLine] = []
    inside = False
    for line in lines:
        text = line.text
        if inside:
            close = text.find("-->")
            commented = close < 0 or not text[close + 3:].strip()
            out.append(replace(line, in_block_comment=True) if commented else line)
        else:
            out.append(line)
        inside = _inside_comment_after(text, inside)
    return out


def _inside_comment_after(text: str, inside: bool) -> bool:
    """Whether a ``<!--`` is still open at the end of ``text``."""
    pos = 0
    while True:
        if inside:
            end = text.find("-->", pos)
            if end < 0:
                return True
            inside, pos = False, end + 3
        else:
            start = text.find("<!--", pos)
            if start < 0:
                return False
            inside, pos = True, start + 4


def _inline_keys(state: api.State) -> Iterator[tuple]:
    """What the inline lines of each content argument of ``state`` depend on."""
    for arg in CONTENT_ARGS:
        value = state.args.get(arg)
        texts = [value] if isinstance(value, str) else (
            [v for v in value if isinstance(v, str)] if isinstance(value, list) else [])
        if texts:
            yield (_inline_lines, tuple(texts), state.location_of(arg), state.name)


def _inline_lines(key: tuple, ctx: api.RuleContext) -> tuple[ContentLine, ...]:
    """The lines of inline content (``_inline_keys``): located in the SLS."""
    _, texts, where, name = key
    src = ctx.source(where.file)
    lines = [
        ContentLine(line, *_find_line(src, where, line), "contents", where.file)
        for text in texts for line in text.splitlines()
    ]
    return tuple(_markup_comments(lines, (name,)))


def _find_line(src: api.SourceFile | None, where: api.SourceLocation,
               line: str) -> tuple[api.SourceLocation, str | None]:
    """The SLS line holding ``line`` of a block scalar: the first one at or after the
    argument that contains it (block scalars follow their key); else the key line."""
    needle = line.strip()
    if src is not None and needle:
        for number in range(where.line, min(where.line + 400, len(src.lines)) + 1):
            if needle in src.line(number):
                return api.SourceLocation(where.file, number), src.line(number)
    return where, (src.line(where.line) if src is not None else None)


def _keyvalue(state: api.State) -> Iterator[ContentLine]:
    sep = state.args.get("separator", "=")
    sep = sep if isinstance(sep, str) else "="
    pairs = state.args.get("key_values")
    items = list(pairs.items()) if isinstance(pairs, dict) else []
    if state.args.get("key") is not None:
        items.append((state.args["key"], state.args.get("value", "")))
    where = state.location_of("key_values" if isinstance(pairs, dict) else "key")
    for key, value in items:
        yield ContentLine(f"{key}{sep}{value}", where, None, "contents", where.file)


def _template(template: api.RenderedTemplate, ctx: api.RuleContext) -> Iterator[ContentLine]:
    file = template.location.file
    src = ctx.source(file, api.SourceKind.TEMPLATE)
    for number, line in enumerate(template.text.splitlines(), start=1):
        source_line = template.source_line(number)
        original = src.line(source_line) if src is not None else None
        yield ContentLine(line, api.SourceLocation(file, source_line), original, "template", file)


def is_literal(text: str, line: ContentLine, ctx: api.RuleContext) -> bool:
    """Whether ``text`` is written as such in the original source (not injected):
    on its source line, or anywhere in its source file (a ``{% set %}`` above)."""
    if line.origin == "static":
        return True
    if line.original is not None and text in line.original:
        return True
    src = ctx.source(line.source_file)
    return src is not None and text in src.text


def commands(state: api.State) -> Iterator[tuple[str, str]]:
    """``(argument, command line)`` for the shell text a state runs."""
    if state.fun in COMMAND_FUNS and isinstance(state.name, str):
        yield "name", state.name
    if state.module == "cmd":
        for arg in COMMAND_ARGS:
            value = state.args.get(arg)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    yield arg, item


def env_pairs(value: object) -> list[tuple[str, str]]:
    """``env:``/``value:`` shapes (a dict, or a list of one-key dicts) as pairs."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        pairs.extend((str(k), "" if v is None else str(v)) for k, v in value.items())
    elif isinstance(value, list):
        for item in value:
            pairs.extend(env_pairs(item))
    return pairs


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


KEY_LINE_RE = re.compile(r"^(?![\s#]|\{%|\{#)\S.*:\s*(#.*)?$")


def block_range(state: api.State, ctx: api.RuleContext) -> range:
    """The SLS lines of ``state``'s block: its ID line up to the next top-level key."""
    src = ctx.source(state.location.file)
    start = state.location.line
    if src is None:
        return range(start, start + 1)
    return range(start, ctx.memo[_block_end, src, start])


def _block_end(src: api.SourceFile, start: int) -> int:
    """The line after the block that starts at line ``start`` of ``src`` (pure)."""
    end = start + 1
    while end <= len(src.lines) and not KEY_LINE_RE.match(src.line(end)):
        end += 1
    return end


def first_line_with(src: api.SourceFile, text: str) -> int | None:
    """The number of the first line of ``src`` that holds ``text``, if any (pure)."""
    if text not in src.text:
        return None  # a line holding it would be in the text too
    for number, line in enumerate(src.lines, start=1):
        if text in line:
            return number
    return None


def value_location(state: api.State, ctx: api.RuleContext, arg: str, text: str) -> api.SourceLocation:
    """The line of ``state``'s block where ``text`` is written (a ``names`` item, a
    nested key), searching from argument ``arg``; else where ``arg`` is written."""
    where = state.location_of(arg)
    src = ctx.source(state.location.file)
    if src is None or not text or where.file != state.location.file:
        return where
    lines = block_range(state, ctx)
    for number in range(max(where.line, lines.start), lines.stop):
        if text in src.line(number):
            return api.SourceLocation(where.file, number)
    return where
