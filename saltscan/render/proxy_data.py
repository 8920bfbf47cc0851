"""The pure ``salt`` functions over grains, pillar and opts: grains.*, pillar.*, config.*, defaults.*.

Each function takes the ``ProxyContext`` first and then exactly the arguments of the
Salt function it stands for (Salt 3007 signatures). The computation is Salt's own
(``salt.utils.data.traverse_dict_and_list``, ``salt.utils.data.filter_by``,
``salt.utils.dictupdate``, ``salt.modules.defaults``); the glue is what the Salt
module does around it with its loader dunders, written here against the context.

A lookup whose key is itself unknown returns that unknown value: the result is just
as unknown, and guessing '' would be a concrete value saltscan does not know.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import salt.modules.config
import salt.modules.defaults
import salt.utils.data
import salt.utils.dictupdate
import salt.utils.yaml

from saltscan.model import UnknownOrigin
from saltscan.render.proxy_pillar import TrackedPillar
from saltscan.render.recorder import Recorder
from saltscan.render.unknown import UnknownValue, first_unknown_token

DEFAULT_TARGET_DELIM = ":"
_NOT_SET = object()
_ABSENT = "_|-"  # Salt's own "not found" sentinel in config.get


class SaltFunctionError(Exception):
    """A ``salt`` function failed the way Salt's would (bad arguments, missing key).

    The message is safe to show: argument values in it are masked by the proxy.
    """


class NotEvaluable(Exception):
    """This call cannot be computed statically; the proxy returns an unknown instead."""

    def __init__(self, origin: UnknownOrigin, reason: str) -> None:
        super().__init__(reason)
        self.origin = origin
        self.reason = reason


@dataclass
class ProxyContext:
    """What the pure functions read: one minion's grains, pillar view and opts."""

    grains: Mapping[str, Any]
    pillar: TrackedPillar
    opts: Mapping[str, Any]
    recorder: Recorder
    read_salt_file: Callable[[str, str], str | None]
    render_file: Callable[[str, str, dict], Any]
    saltenv: str = "base"

    @property
    def minion_id(self) -> str:
        return str(self.opts.get("id") or self.grains.get("id") or "")

    def read_pillar(self, key: Any, delimiter: str = DEFAULT_TARGET_DELIM) -> None:
        path = ":".join(str(key).split(delimiter)) if isinstance(key, str) else str(key)
        self.recorder.pillar_read(path)

    def unknown(self, origin: UnknownOrigin, description: str) -> UnknownValue:
        return UnknownValue(self.recorder.unknown(origin, description))


def traverse(data: Any, key: Any, default: Any, delimiter: str = DEFAULT_TARGET_DELIM) -> Any:
    return salt.utils.data.traverse_dict_and_list(data, key, default, delimiter)


def unknown_in(*values: Any) -> UnknownValue | None:
    """The first unknown among lookup keys (``salt['pillar.get'](unknown)``)."""
    for value in values:
        if isinstance(value, str):
            token = first_unknown_token(value)
            if token is not None:
                return UnknownValue(token)
    return None


# --- grains -------------------------------------------------------------------------------
def grains_get(ctx: ProxyContext, key, default="", delimiter=DEFAULT_TARGET_DELIM, ordered=True):
    return unknown_in(key) or traverse(ctx.grains, key, default, delimiter)


def grains_has_value(ctx: ProxyContext, key):
    return unknown_in(key) or traverse(ctx.grains, key, KeyError) is not KeyError


def grains_item(ctx: ProxyContext, *args, **kwargs):
    default = kwargs.get("default", "")
    delimiter = kwargs.get("delimiter", DEFAULT_TARGET_DELIM)
    return {arg: unknown_in(arg) or traverse(ctx.grains, arg, default, delimiter) for arg in args}


def grains_items(ctx: ProxyContext, sanitize=False):
    return dict(ctx.grains)


def grains_ls(ctx: ProxyContext):
    return sorted(ctx.grains)


def grains_equals(ctx: ProxyContext, key, value):
    return str(value) == str(grains_get(ctx, key))


def grains_filter_by(ctx: ProxyContext, lookup_dict, grain="os_family", merge=None, default="default", base=None):
    pending = unknown_in(grain, merge)
    if pending is not None:
        return pending
    return salt.utils.data.filter_by(
        lookup_dict=lookup_dict, lookup=grain, traverse=ctx.grains, merge=merge, default=default, base=base
    )


# --- pillar -------------------------------------------------------------------------------
def pillar_get(
    ctx: ProxyContext, key, default=_NOT_SET, merge=False, merge_nested_lists=None,
    delimiter=DEFAULT_TARGET_DELIM, pillarenv=None, saltenv=None,
):
    ctx.read_pillar(key, delimiter)
    pending = unknown_in(key)
    if pending is not None:
        return pending
    if default is _NOT_SET:
        default = KeyError if ctx.opts.get("pillar_raise_on_missing") else ""
    merge_lists = ctx.opts.get("pillar_merge_lists", False) if merge_nested_lists is None else merge_nested_lists
    with ctx.pillar.tracker.muted():
        if merge and isinstance(default, dict):
            ret = traverse(ctx.pillar, key, {}, delimiter)
            if isinstance(ret, Mapping):
                return salt.utils.dictupdate.update(copy.deepcopy(default), ret, merge_lists=merge_lists)
        elif merge and isinstance(default, list):
            ret = traverse(ctx.pillar, key, [], delimiter)
            if isinstance(ret, list):
                merged = copy.deepcopy(default)
                merged.extend([x for x in ret if x not in merged])
                return merged
        ret = traverse(ctx.pillar, key, default, delimiter)
    if ret is KeyError:
        raise SaltFunctionError(f"Pillar key not found: {key}")
    return ctx.pillar.child_view(ret, ":".join(str(key).split(delimiter)))


def pillar_item(ctx: ProxyContext, *args, default=None, delimiter=None, pillarenv=None, saltenv=None):
    default = "" if default is None else default
    delimiter = DEFAULT_TARGET_DELIM if delimiter is None else delimiter
    ret = {}
    for arg in args:
        ctx.read_pillar(arg, delimiter)
        with ctx.pillar.tracker.muted():
            ret[arg] = unknown_in(arg) or traverse(ctx.pillar, arg, default, delimiter)
    return ret


def pillar_items(ctx: ProxyContext, *args, pillar=None, pillar_enc=None, pillarenv=None, saltenv=None):
    return ctx.pillar


def pillar_raw(ctx: ProxyContext, key=None):
    if key is None:
        return ctx.pillar
    ctx.read_pillar(key)
    with ctx.pillar.tracker.muted():
        return unknown_in(key) or traverse(ctx.pillar, key, {})


def pillar_keys(ctx: ProxyContext, key, delimiter=DEFAULT_TARGET_DELIM):
    ctx.read_pillar(key, delimiter)
    pending = unknown_in(key)
    if pending is not None:
        return pending
    with ctx.pillar.tracker.muted():
        ret = traverse(ctx.pillar, key, KeyError, delimiter)
    if ret is KeyError:
        raise SaltFunctionError(f"Pillar key not found: {key}")
    if not isinstance(ret, dict):
        raise SaltFunctionError(f"Pillar value in key {key} is not a dict")
    return list(ret)


def pillar_ls(ctx: ProxyContext, *args, pillar=None, pillar_enc=None, pillarenv=None, saltenv=None):
    return list(dict.keys(ctx.pillar))


def pillar_filter_by(ctx: ProxyContext, lookup_dict, pillar, merge=None, default="default", base=None):
    ctx.read_pillar(pillar)
    pending = unknown_in(pillar, merge)
    if pending is not None:
        return pending
    with ctx.pillar.tracker.muted():
        return salt.utils.data.filter_by(
            lookup_dict=lookup_dict, lookup=pillar, traverse=ctx.pillar, merge=merge, default=default, base=base
        )


# --- config -------------------------------------------------------------------------------
def _sdb_get(ctx: ProxyContext, value: Any, key: str) -> Any:
    """Salt's ``sdb.sdb_get``: an ``sdb://`` value would be fetched from a secret store."""
    if isinstance(value, str) and value.startswith("sdb://"):
        return ctx.unknown(UnknownOrigin.EXECUTION_MODULE, f"sdb value of config key {key}")
    return value


def _master_of(ctx: ProxyContext) -> Mapping[str, Any]:
    master = dict.get(ctx.pillar, "master", {})
    return master if isinstance(master, Mapping) else {}


def config_get(
    ctx: ProxyContext, key, default="", delimiter=":", merge=None, omit_opts=False,
    omit_pillar=False, omit_master=False, omit_grains=False,
):
    pending = unknown_in(key)
    if pending is not None:
        return pending
    defaults = salt.modules.config.DEFAULTS
    with ctx.pillar.tracker.muted():
        if merge is None:
            sources = (
                (omit_opts, ctx.opts, False), (omit_grains, ctx.grains, False),
                (omit_pillar, ctx.pillar, True), (omit_master, _master_of(ctx), True),
                (False, defaults, False),
            )
            for omit, data, is_pillar in sources:
                if omit:
                    continue
                if is_pillar:
                    ctx.read_pillar(key if data is ctx.pillar else f"master{delimiter}{key}", delimiter)
                ret = traverse(data, key, _ABSENT, delimiter)
                if not (isinstance(ret, str) and ret == _ABSENT):
                    return _sdb_get(ctx, ret, key)
            return default
        strategy = merge if merge in ("recurse", "overwrite") else "recurse"
        merge_lists = ctx.opts.get("pillar_merge_lists")
        data = copy.copy(defaults)
        for layer in (_master_of(ctx), ctx.pillar, ctx.grains, ctx.opts):
            data = salt.utils.dictupdate.merge(data, layer, strategy=strategy, merge_lists=merge_lists)
        ctx.read_pillar(key, delimiter)
        ret = traverse(data, key, _ABSENT, delimiter)
    if not (isinstance(ret, str) and ret == _ABSENT):
        return _sdb_get(ctx, ret, key)
    return default


def config_option(
    ctx: ProxyContext, value, default=None, omit_opts=False, omit_grains=False, omit_pillar=False,
    omit_master=False, omit_all=False, wildcard=False,
):
    if omit_all:
        omit_opts = omit_grains = omit_pillar = omit_master = True
    if default is None:
        default = "" if not wildcard else {}
    defaults = salt.modules.config.DEFAULTS
    master = _master_of(ctx)
    layers = ((omit_opts, ctx.opts), (omit_grains, ctx.grains), (omit_pillar, ctx.pillar), (omit_master, master))
    with ctx.pillar.tracker.muted():
        if not wildcard:
            for omit, data in layers:
                if not omit and value in data:
                    return data[value]
            return defaults.get(value, default)
        ret: dict[str, Any] = {}
        for omit, data in reversed(layers):
            if not omit:
                ret.update({x: data[x] for x in fnmatch.filter(data, value)})
        for item in (x for x in fnmatch.filter(defaults, value) if x not in ret):
            ret[item] = defaults[item]
        return ret or default


def config_merge(ctx: ProxyContext, value, default="", omit_opts=False, omit_master=False, omit_pillar=False):
    ret = None
    if not omit_opts and value in ctx.opts:
        ret = ctx.opts[value]
        if isinstance(ret, str):
            return ret
    layers = ((omit_master, _master_of(ctx)), (omit_pillar, ctx.pillar))
    with ctx.pillar.tracker.muted():
        for omit, data in layers:
            if omit or value not in data:
                continue
            tmp = data[value]
            if ret is None:
                ret = tmp
                if isinstance(ret, str):
                    return ret
            elif isinstance(ret, dict) and isinstance(tmp, dict):
                tmp = copy.copy(tmp)  # Salt updates the pillar's own dict here; we do not
                tmp.update(ret)
                ret = tmp
            elif isinstance(ret, (list, tuple)) and isinstance(tmp, (list, tuple)):
                ret = list(ret) + list(tmp)
    if ret is None:
        return salt.modules.config.DEFAULTS.get(value, default)
    return ret


# --- defaults -----------------------------------------------------------------------------
def _load_defaults(ctx: ProxyContext, formula: str) -> Any:
    """``salt://<formula>/defaults.yaml`` then ``.json`` from the scanned tree."""
    for ext, load in (("yaml", salt.utils.yaml.safe_load), ("json", json.loads)):
        text = ctx.read_salt_file(f"salt://{formula}/defaults.{ext}", "base")
        if text is None:
            continue
        try:
            return load(text) or {}
        except Exception as exc:  # noqa: BLE001 - any parser error is the file's fault
            raise SaltFunctionError(f"cannot parse salt://{formula}/defaults.{ext}: {type(exc).__name__}") from None
    return None


def defaults_get(ctx: ProxyContext, key, default=""):
    pending = unknown_in(key)
    if pending is not None:
        return pending
    namespace, _, rest = str(key).partition(":")
    defaults = _load_defaults(ctx, namespace)
    if rest:
        return traverse(defaults, rest, default)
    return defaults


def defaults_merge(ctx: ProxyContext, dest, src, merge_lists=False, in_place=True, convert_none=True):
    return salt.modules.defaults.merge(dest, src, merge_lists, in_place, convert_none)


def defaults_deepcopy(ctx: ProxyContext, source):
    return salt.modules.defaults.deepcopy(source)


def defaults_update(ctx: ProxyContext, dest, defaults, merge_lists=True, in_place=True, convert_none=True):
    return salt.modules.defaults.update(dest, defaults, merge_lists, in_place, convert_none)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "grains.get": grains_get,
    "grains.fetch": grains_get,
    "grains.has_value": grains_has_value,
    "grains.item": grains_item,
    "grains.items": grains_items,
    "grains.ls": grains_ls,
    "grains.equals": grains_equals,
    "grains.filter_by": grains_filter_by,
    "pillar.get": pillar_get,
    "pillar.fetch": pillar_get,
    "pillar.item": pillar_item,
    "pillar.items": pillar_items,
    "pillar.data": pillar_items,
    "pillar.raw": pillar_raw,
    "pillar.keys": pillar_keys,
    "pillar.ls": pillar_ls,
    "pillar.filter_by": pillar_filter_by,
    "config.get": config_get,
    "config.option": config_option,
    "config.merge": config_merge,
    "defaults.get": defaults_get,
    "defaults.merge": defaults_merge,
    "defaults.deepcopy": defaults_deepcopy,
    "defaults.update": defaults_update,
}
