"""Salt's Jinja environment, sandboxed and instrumented.

Built from Salt's own pieces, the way ``salt.utils.templates.render_jinja_tmpl`` builds
it: ``jinja2.sandbox.SandboxedEnvironment`` with ``StrictUndefined``, the ``do`` and
``loopcontrols`` extensions, Salt's ``SerializerExtension`` (``import_yaml``,
``load_json``, ``|yaml``, ...), and Salt's registered filters, tests and globals.

What differs from Salt, on purpose:
- filters that would read this machine or the network (``http_query``, ``which``,
  ``file_hashsum``, ...) return tracked unknowns instead;
- random and clock filters are deterministic;
- ``method_call`` cannot reach private attributes (it would bypass the sandbox);
- every top-level output carries a ``LineMark`` (see ``sourcemap``);
- a deadline and size limits bound every render.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import os
import posixpath
import time
from collections import OrderedDict
from typing import Any, Callable

import jinja2
import jinja2.ext
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import SandboxedEnvironment

import salt.utils.data
import salt.utils.jinja
import salt.utils.yaml
import salt.utils.templates  # noqa: F401  (imports the modules that register filters)
from salt.utils.decorators.jinja import JinjaFilter, JinjaGlobal, JinjaTest

from saltscan.model import UnknownOrigin
from saltscan.render.recorder import Recorder
from saltscan.render.sourcemap import LineMark
from saltscan.render.yaml_load import ParsedYaml

# Filters Salt registers that would read the host or the network when evaluated.
HOST_FILTERS = frozenset(
    {
        "http_query", "dns_check", "file_hashsum", "is_bin_file", "is_text_file",
        "list_files", "which", "get_uid",
    }
)
# Filters whose output changes from run to run.
NONDETERMINISTIC_FILTERS = frozenset({"rand_str", "random_hash", "gen_mac", "random"})

MAX_STRING_REPEAT = 1_000_000


class RenderTimeout(Exception):
    pass


class _MarkingCodeGenerator(CodeGenerator):
    """Yields a ``LineMark`` before each top-level output node (never into buffers)."""

    def visit_Output(self, node: nodes.Output, frame) -> None:  # noqa: N802 (Jinja's name)
        if frame.buffer is not None or len(node.nodes) == 0:
            super().visit_Output(node, frame)
            return
        for child in node.nodes:
            literal = isinstance(child, nodes.TemplateData)
            self.writeline(
                f"yield environment.line_mark({self.name!r}, {child.lineno}, {literal})"
            )
            super().visit_Output(nodes.Output([child], lineno=child.lineno), frame)


class SaltscanEnvironment(SandboxedEnvironment):
    code_generator_class = _MarkingCodeGenerator
    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderTimeout("render time limit exceeded")

    def line_mark(self, template: str | None, lineno: int, literal: bool) -> LineMark:
        self.check_deadline()
        return LineMark(template, lineno, literal)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_deadline()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_deadline()
        return super().getitem(obj, argument)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        __self.check_deadline()
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)

    def call_binop(self, context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                    if len(seq) * n > MAX_STRING_REPEAT:
                        raise jinja2.exceptions.SecurityError("repetition result too large")
            return operator.mul(left, right)
        if operator_ == "**":
            if isinstance(right, int) and abs(right) > 4096:
                raise jinja2.exceptions.SecurityError("exponent too large")
            return operator.pow(left, right)
        return super().call_binop(context, operator_, left, right)


class TreeLoader(jinja2.BaseLoader):
    """``salt://`` semantics over a list of roots (first root wins).

    Like Salt's ``SaltCacheLoader``: names starting with ``./`` or ``../`` are relative
    to ``tpldir``, and loading a template updates ``tplfile``/``tpldir``/``tpldot`` in
    the environment globals.
    """

    def __init__(self, roots: tuple[str, ...], relpath: Callable[[str], str], max_bytes: int):
        self.roots = roots
        self.relpath = relpath
        self.max_bytes = max_bytes
        self.names_to_files: dict[str, str] = {}

    def resolve(self, name: str) -> str | None:
        name = name.lstrip("/")
        if name.startswith("salt://"):
            name = name[len("salt://"):].split("?", 1)[0]
        for root in self.roots:
            path = os.path.join(root, name)
            if os.path.isfile(path):
                return path
        return None

    def get_source(self, environment, template):
        name = template
        relative = template.split("/", 1)[0] in (".", "..")
        if relative:
            base = environment.globals.get("tpldir", ".") if environment else "."
            name = posixpath.normpath(posixpath.join(base, template))
            if name.split("/", 1)[0] == "..":
                raise jinja2.TemplateNotFound(template)
        if environment is not None:
            tpldir = posixpath.dirname(name)
            tplfile = name
            if relative:
                tpldir = environment.globals.get("tpldir", tpldir)
                tplfile = template
            environment.globals.update(
                tplfile=tplfile,
                tpldir="." if tpldir == "" else tpldir,
                tpldot=tpldir.replace("/", "."),
            )
        path = self.resolve(name)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        if os.path.getsize(path) > self.max_bytes:
            raise jinja2.TemplateError(f"{name}: file larger than {self.max_bytes} bytes")
        with open(path, encoding="utf-8", errors="replace") as fh:
            source = fh.read()
        self.names_to_files[template] = self.relpath(path)
        self.names_to_files[name] = self.relpath(path)
        return source, path, lambda: True


def _host_filter(recorder: Recorder, name: str) -> Callable[..., str]:
    def stub(value: Any = None, *args: Any, **kwargs: Any) -> str:
        recorder.call(f"filter:{name}", (), evaluated=False)
        from saltscan.render.unknown import UnknownValue

        return UnknownValue(recorder.unknown(UnknownOrigin.HOST_FILTER, f"|{name}"))

    return stub


def _deterministic(name: str) -> Callable[..., Any]:
    def stub(value: Any = None, *args: Any, **kwargs: Any) -> Any:
        seed = hashlib.sha256(f"{name}|{value!r}|{args!r}".encode()).hexdigest()
        if name == "random" and isinstance(value, (list, tuple, range, str)) and len(value):
            return value[int(seed[:8], 16) % len(value)]
        if name == "random" and isinstance(value, int):
            return int(seed[:8], 16) % max(value, 1)
        return seed[: int(value)] if name == "rand_str" and isinstance(value, int) else seed

    return stub


def _safe_method_call(env: SandboxedEnvironment):
    def method_call(obj: Any, f_name: str, *f_args: Any, **f_kwargs: Any) -> Any:
        if not isinstance(f_name, str) or not env.is_safe_attribute(obj, f_name, None):
            raise jinja2.exceptions.SecurityError(f"method_call of {f_name!r} is not allowed")
        return env.call(None, env.getattr(obj, f_name), *f_args, **f_kwargs)

    return method_call


def _plain_input(serializer: Callable[..., Any]) -> Callable[..., Any]:
    from saltscan.render.unknown import to_plain

    def wrapped(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, jinja2.Undefined):
            return serializer(value, *args, **kwargs)
        return serializer(to_plain(value), *args, **kwargs)

    wrapped.__name__ = getattr(serializer, "__name__", "serializer")
    return wrapped


def _load_yaml(value: Any, parsed: ParsedYaml | None = None) -> Any:
    """Salt's ``load_yaml`` filter (behind ``import_yaml``) without its ``data.decode`` pass.

    ``salt.utils.data.decode`` turns bytes into text; rendered templates are already
    text, and the pass dominated render time on formulas that import YAML in loops.
    ``parsed``: the scan's parses, to copy instead of parsing the same text again.
    """
    if isinstance(value, jinja2.environment.TemplateModule):
        value = str(value)
    try:
        if parsed is not None and type(value) is str:
            return parsed.safe_load(value)
        return salt.utils.yaml.safe_load(value)
    except salt.utils.yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise jinja2.exceptions.TemplateRuntimeError(f"Encountered error loading yaml: {getattr(exc, 'problem', exc)}{where}")
    except AttributeError:
        raise jinja2.exceptions.TemplateRuntimeError("Unable to load yaml")


def make_environment(
    loader: TreeLoader, recorder: Recorder, deadline: float, jinja_options: dict[str, Any],
    parsed: ParsedYaml | None = None,
) -> SaltscanEnvironment:
    env = SaltscanEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", salt.utils.jinja.SerializerExtension],
        deadline=deadline,
        **{k: v for k, v in jinja_options.items() if k in _ALLOWED_JINJA_OPTIONS},
    )
    indent = env.filters.get("indent")
    env.tests.update(JinjaTest.salt_jinja_tests)
    env.filters.update(JinjaFilter.salt_jinja_filters)
    env.filters["indent"] = indent
    for name in HOST_FILTERS:
        env.filters[name] = _host_filter(recorder, name)
    for name in NONDETERMINISTIC_FILTERS:
        env.filters[name] = _deterministic(name)
    env.filters["method_call"] = _safe_method_call(env)
    env.filters["load_yaml"] = _load_yaml if parsed is None else functools.partial(_load_yaml, parsed=parsed)
    # Salt's YAML dumper writes str and dict subclasses (unknowns, tracked pillar) as
    # null: hand it plain data, as Salt's own filters would get.
    for name in ("yaml", "yaml_encode", "yaml_dquote", "yaml_squote", "json", "tojson", "dict_to_sls_yaml_params"):
        if name in env.filters:
            env.filters[name] = _plain_input(env.filters[name])
    env.globals.update(JinjaGlobal.salt_jinja_globals)
    env.globals["odict"] = OrderedDict
    env.tests["list"] = salt.utils.data.is_list
    return env


_ALLOWED_JINJA_OPTIONS = frozenset(
    {
        "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline",
        "block_start_string", "block_end_string", "variable_start_string",
        "variable_end_string", "comment_start_string", "comment_end_string",
        "line_statement_prefix", "line_comment_prefix",
    }
)
