"""``SaltProxy``: the ``salt`` dunder of a template, where nothing from the tree runs.

``salt['mod.fun'](...)`` and ``salt.mod.fun(...)`` both reach ``SaltProxy``. The pure
functions of grains, pillar and opts (``proxy_data.FUNCTIONS`` and
``proxy_util.FUNCTIONS``: ``pillar.get``, ``grains.filter_by``, ``config.get``,
``defaults.merge``, ``slsutil.merge``, ``file.join``, ``match.grain`` ...) are computed
with Salt's own library. Every other function (``cmd.run``, ``mine.get``,
``file.file_exists``, ``http.query``, ``environ.get``, custom ``_modules`` ...) is
never executed: the call is recorded and an ``UnknownValue`` comes back, with origin
CROSS_HOST for data from other minions (``mine.*``, ``publish.*``,
``saltutil.runner``, ``saltutil.cmd``) and EXECUTION_MODULE otherwise. Random values
(``test.random_hash``, ``random.*``) are unknowns too: deterministic, and honest.

Every call, evaluated or not, goes to ``Recorder.call`` with its arguments rendered as
short text, secrets masked (pillar secret values by a ``Redactor``, then anything that
looks secret by ``mask_text``).

Pass a ``TrackedPillar`` as ``pillar`` to share one view (and its recorded reads and
in-template mutations) with the Jinja ``pillar`` variable; a plain mapping is wrapped.
The proxy has no public attributes besides the Salt module names it answers, so a
template cannot reach the recorder, the context or the callables.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping

from saltscan.model import UnknownOrigin
from saltscan.render import proxy_data, proxy_util
from saltscan.render.proxy_data import NotEvaluable, ProxyContext, SaltFunctionError
from saltscan.render.proxy_pillar import PillarTracker, TrackedPillar
from saltscan.render.recorder import Recorder
from saltscan.render.host_facts import HostFacts
from saltscan.render.unknown import AbsentUnknownValue, UnknownValue, to_plain
from saltscan.secrets import Redactor, mask_text, secret_values_of

__all__ = [
    "CROSS_HOST_FUNCTIONS", "EVALUATED_FUNCTIONS", "PillarTracker", "SaltFunctionError",
    "SaltProxy", "TrackedPillar", "render_call_args",
]

EVALUATED_FUNCTIONS: dict[str, Callable[..., Any]] = {**proxy_data.FUNCTIONS, **proxy_util.FUNCTIONS}
CROSS_HOST_MODULES = frozenset({"mine", "publish"})
CROSS_HOST_FUNCTIONS = frozenset({"saltutil.runner", "saltutil.cmd", "saltutil.cmd_iter", "saltutil.wheel"})

MAX_ARG_CHARS = 120
MAX_MASKED_INPUT = 4096  # mask_text reads at most this much of one argument
MAX_MEMO_ENTRIES = 20_000
_FUNCTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*")


# Host queries whose answer on a new host is "nothing": see AbsentUnknownValue.
HOST_QUERY_FUNCTIONS = frozenset({
    "file.file_exists", "file.directory_exists", "file.exists", "file.is_link", "file.access",
    "file.search", "file.contains", "file.contains_regex", "cmd.has_exec", "cmd.which",
    "user.info", "user.list_users", "group.info", "shadow.info", "pkg.version", "pkg.info_installed",
    "pkg.list_pkgs", "service.status", "service.available", "service.enabled",
    "cp.list_master", "cp.list_master_dirs", "cp.list_states", "cp.is_cached",
})


def origin_of(function: str) -> UnknownOrigin:
    module = function.split(".", 1)[0]
    if module in CROSS_HOST_MODULES or function in CROSS_HOST_FUNCTIONS:
        return UnknownOrigin.CROSS_HOST
    return UnknownOrigin.EXECUTION_MODULE


def _short_text(value: Any, brief: bool = False) -> str:
    if isinstance(value, str):
        return repr(str.__str__(value)[: MAX_ARG_CHARS * 2] if brief else str.__str__(value))
    if brief and isinstance(value, Mapping):
        return "{...}"
    if brief and isinstance(value, (list, tuple)):
        return "[...]"
    try:
        return json.dumps(to_plain(value), sort_keys=True, default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _masked_short(text: str, redactor: Redactor | None) -> str:
    text = text[:MAX_MASKED_INPUT]
    if redactor:
        text = redactor.redact(text)
    text = mask_text(text)
    return text if len(text) <= MAX_ARG_CHARS else text[: MAX_ARG_CHARS - 3] + "..."


def render_call_args(
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    redactor: Redactor | None = None,
    memo: dict[str, str] | None = None,
    brief: bool = False,
) -> tuple[str, ...]:
    """Arguments as short text (``'hostname -f'``, ``saltenv='base'``), secrets masked.

    Masking happens before truncation, so a secret cut in half is never shown.
    ``memo`` (text -> masked text, owned by the caller) saves re-masking the same
    arguments, which templates pass again and again (``pillar.get('app:port')``).
    """
    items = [_short_text(a, brief) for a in args]
    items += [f"{k}={_short_text(v, brief)}" for k, v in sorted(kwargs.items(), key=lambda kv: str(kv[0]))]
    if memo is None:
        return tuple(_masked_short(text, redactor) for text in items)
    out = []
    for text in items:
        masked = memo.get(text)
        if masked is None:
            masked = _masked_short(text, redactor)
            if len(memo) < MAX_MEMO_ENTRIES:
                memo[text] = masked
        out.append(masked)
    return tuple(out)


class _SaltFunction:
    """``salt['mod.fun']``: calling it goes through the proxy."""

    __slots__ = ("_proxy", "_name")

    def __init__(self, proxy: "SaltProxy", name: str) -> None:
        self._proxy = proxy
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._proxy._call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<salt function {self._name}>"


class _SaltModule:
    """``salt.mod``: its attributes are the module's functions."""

    __slots__ = ("_proxy", "_module")

    def __init__(self, proxy: "SaltProxy", module: str) -> None:
        self._proxy = proxy
        self._module = module

    def __getattr__(self, name: str) -> _SaltFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return _SaltFunction(self._proxy, f"{self._module}.{name}")

    def __getitem__(self, name: str) -> _SaltFunction:
        if not isinstance(name, str) or name.startswith("_"):
            raise KeyError(name)
        return _SaltFunction(self._proxy, f"{self._module}.{name}")

    def __repr__(self) -> str:
        return f"<salt module {self._module}>"


class SaltProxy:
    """The ``salt`` Jinja variable; see the module docstring."""

    def __init__(
        self,
        grains: Mapping[str, Any],
        pillar: Mapping[str, Any],
        opts: Mapping[str, Any],
        recorder: Recorder,
        read_salt_file: Callable[[str, str], str | None],
        render_file: Callable[[str, str, dict], Any],
        *,
        saltenv: str = "base",
        redactor: Redactor | Callable[[], Redactor] | None = None,
        host_facts: HostFacts | None = None,
    ) -> None:
        view = pillar if isinstance(pillar, TrackedPillar) else TrackedPillar(pillar, recorder)
        self._ctx = ProxyContext(grains, view, opts, recorder, read_salt_file, render_file, saltenv)
        self._redactor = redactor
        self._host_facts = host_facts or HostFacts()

    # --- what templates use -------------------------------------------------------------
    def __getitem__(self, name: Any) -> _SaltFunction:
        if not isinstance(name, str):
            raise KeyError(name)
        return _SaltFunction(self, name)

    def __getattr__(self, name: str) -> _SaltModule:
        if name.startswith("_"):
            raise AttributeError(name)
        return _SaltModule(self, name)

    def __contains__(self, name: object) -> bool:
        # Salt answers from the functions its loader found; saltscan cannot know which
        # custom or optional modules a minion has, so any well-formed name is "there"
        # and its call is then recorded as an unknown.
        return isinstance(name, str) and _FUNCTION_NAME.fullmatch(name) is not None

    def __repr__(self) -> str:
        return "<salt>"

    # --- the call -------------------------------------------------------------------------
    def _masker(self) -> Redactor:
        # Built on the first call that records arguments: building one is a pass over
        # every secret, and many renders (a re-render to check an edit) make no call.
        if self._redactor is None:
            self._redactor = Redactor(secret_values_of(self._ctx.pillar))
        elif not isinstance(self._redactor, Redactor):
            self._redactor = self._redactor()
        return self._redactor

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # Arguments are rendered before the call: some functions (filter_by, merge)
        # update their arguments in place, and the record is of what was passed.
        function = EVALUATED_FUNCTIONS.get(name)
        # Evaluated calls are recorded briefly (their data arguments can be whole maps);
        # calls that are not evaluated are what rules read, so they keep every argument.
        masker = self._masker()
        rendered = render_call_args(args, kwargs, masker, masker.masked_args, brief=function is not None)
        if function is None:
            known = self._host_facts.answer(name, args)
            if self._host_facts.knows(known):
                self._ctx.recorder.call(name, rendered, True)
                return known
            return self._unknown(name, rendered, origin_of(name))
        try:
            result = function(self._ctx, *args, **kwargs)
        except NotEvaluable as exc:
            return self._unknown(name, rendered, exc.origin)
        except SaltFunctionError as exc:
            self._ctx.recorder.call(name, rendered, True)
            raise SaltFunctionError(f"{name}: {self._mask(str(exc))}") from None
        except Exception as exc:  # noqa: BLE001 - Salt's function failed: a render error
            self._ctx.recorder.call(name, rendered, True)
            message = self._mask(str(exc)[:MAX_MASKED_INPUT])
            raise SaltFunctionError(f"{name}: {type(exc).__name__}: {message}") from None
        self._ctx.recorder.call(name, rendered, True)
        return result

    def _mask(self, text: str) -> str:
        return mask_text(self._masker().redact(text))

    def _unknown(self, name: str, rendered: tuple[str, ...], origin: UnknownOrigin) -> UnknownValue:
        self._ctx.recorder.call(name, rendered, False)
        value = self._ctx.unknown(origin, f"salt['{name}']({', '.join(rendered)})")
        if origin is UnknownOrigin.CROSS_HOST or name in HOST_QUERY_FUNCTIONS:
            return AbsentUnknownValue(value.token)
        return value
