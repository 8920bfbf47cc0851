"""The pure ``salt`` functions that are not lookups: slsutil.*, file path helpers,
network arithmetic, test.*, log.*, match.*, cp.get_file_str, saltutil.is_running.

Same contract as ``proxy_data``: Salt 3007 signatures after the context, Salt's own
library for the computation, ``NotEvaluable`` where the answer would need the host,
the network or a template string saltscan is not given.
"""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any, Callable

import salt.modules.slsutil
import salt.serializers.configparser
import salt.serializers.json
import salt.serializers.keyvalue
import salt.serializers.plist
import salt.serializers.python
import salt.serializers.tomlmod
import salt.serializers.yaml
import salt.serializers.yamlex
import salt.utils.dictupdate
import salt.utils.network

from saltscan.model import UnknownOrigin
from saltscan.render.matchers import match_target
from saltscan.render.proxy_data import NotEvaluable, ProxyContext, unknown_in
from saltscan.render.unknown import to_plain

# Serializers Salt loads as ``salt.loader.serializers``; toml only if its library is there.
SERIALIZERS = {
    "json": salt.serializers.json,
    "yaml": salt.serializers.yaml,
    "yamlex": salt.serializers.yamlex,
    "configparser": salt.serializers.configparser,
    "plist": salt.serializers.plist,
    "python": salt.serializers.python,
    "keyvalue": salt.serializers.keyvalue,
}
if salt.serializers.tomlmod.__virtual__() is True:
    SERIALIZERS["toml"] = salt.serializers.tomlmod
# Formatting options a template may pass; anything else (a Loader, a hook) is dropped.
SERIALIZER_OPTIONS = frozenset(
    {"indent", "sort_keys", "default_flow_style", "separators", "ensure_ascii", "width",
     "allow_unicode", "explicit_start", "explicit_end", "line_break", "quote", "append_newline"}
)


# --- slsutil ------------------------------------------------------------------------------
def slsutil_update(ctx: ProxyContext, dest, upd, recursive_update=True, merge_lists=False):
    return salt.modules.slsutil.update(dest, upd, recursive_update, merge_lists)


def slsutil_merge(ctx: ProxyContext, obj_a, obj_b, strategy="smart", renderer="yaml", merge_lists=False):
    return salt.modules.slsutil.merge(obj_a, obj_b, strategy, renderer, merge_lists)


def slsutil_merge_all(ctx: ProxyContext, lst, strategy="smart", renderer="yaml", merge_lists=False):
    return salt.modules.slsutil.merge_all(lst, strategy, renderer, merge_lists)


def slsutil_boolstr(ctx: ProxyContext, value, true="true", false="false"):
    return salt.modules.slsutil.boolstr(value, true, false)


def slsutil_banner(ctx: ProxyContext, *args, **kwargs):
    return salt.modules.slsutil.banner(*args, **kwargs)


def _serializer(name: Any, fn_name: str):
    module = SERIALIZERS.get(name) if isinstance(name, str) else None
    fn = getattr(module, fn_name, None)
    if fn is None:
        raise NotEvaluable(UnknownOrigin.EXECUTION_MODULE, f"serializer {name!r} {fn_name} is not available")
    return fn


def _options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: to_plain(v) for k, v in kwargs.items()
        if k in SERIALIZER_OPTIONS and (v is None or isinstance(v, (str, int, float, bool, list, tuple)))
    }


def slsutil_serialize(ctx: ProxyContext, serializer, obj, **mod_kwargs):
    return _serializer(serializer, "serialize")(to_plain(obj), **_options(mod_kwargs))


def slsutil_deserialize(ctx: ProxyContext, serializer, stream_or_string, **mod_kwargs):
    pending = unknown_in(stream_or_string)
    if pending is not None:
        return pending
    return _serializer(serializer, "deserialize")(str(stream_or_string), **_options(mod_kwargs))


def slsutil_renderer(ctx: ProxyContext, path=None, string=None, default_renderer="jinja|yaml", **kwargs):
    if not path and not string:
        raise ValueError("Must pass either path or string")
    if path and string:
        raise ValueError("Must not pass both path and string")
    if string:
        raise NotEvaluable(UnknownOrigin.EXECUTION_MODULE, "inline template string")
    pending = unknown_in(path)
    if pending is not None:
        return pending
    if not str(path).startswith("salt://"):
        raise NotEvaluable(UnknownOrigin.EXECUTION_MODULE, "file outside the Salt file server")
    return ctx.render_file(str(path), str(default_renderer), dict(kwargs))


def slsutil_file_exists(ctx: ProxyContext, path, saltenv="base"):
    return unknown_in(path) or ctx.read_salt_file(f"salt://{str(path).lstrip('/')}", saltenv) is not None


# --- file path helpers (posix: the minions are Linux hosts) ----------------------------
def file_join(ctx: ProxyContext, *args):
    return posixpath.join(*args)


def file_dirname(ctx: ProxyContext, path):
    return posixpath.dirname(path)


def file_basename(ctx: ProxyContext, path):
    return posixpath.basename(path)


def file_normpath(ctx: ProxyContext, path):
    return posixpath.normpath(path)


# --- network arithmetic -----------------------------------------------------------------
def network_calc_net(ctx: ProxyContext, ip_addr, netmask=None):
    return unknown_in(ip_addr, netmask) or salt.utils.network.calc_net(ip_addr, netmask)


def network_ip_in_subnet(ctx: ProxyContext, ip_addr, cidr):
    return unknown_in(ip_addr, cidr) or salt.utils.network.in_subnet(cidr, ip_addr)


def network_is_private(ctx: ProxyContext, ip_addr):
    return unknown_in(ip_addr) or ipaddress.ip_address(ip_addr).is_private


def network_is_loopback(ctx: ProxyContext, ip_addr):
    return unknown_in(ip_addr) or ipaddress.ip_address(ip_addr).is_loopback


# --- test.*, log.*, saltutil.is_running ---------------------------------------------------
def _constant(value: Any) -> Callable[..., Any]:
    def function(ctx: ProxyContext, *args: Any, **kwargs: Any) -> Any:
        return value

    return function


def test_echo(ctx: ProxyContext, text):
    return text


# --- match.* (Salt's matchers against this minion's grains and pillar) -------------------
def _matcher(tgt_type: str, takes_minion_id: bool) -> Callable[..., bool]:
    def function(ctx: ProxyContext, tgt, *args, delimiter=":", minion_id=None, **kwargs) -> bool:
        if takes_minion_id and args:
            minion_id = args[0]
        elif args:
            delimiter = args[0]
        return _match(ctx, tgt, tgt_type, minion_id, delimiter)

    return function


def _match(ctx: ProxyContext, tgt: Any, tgt_type: str, minion_id: Any = None, delimiter: str = ":") -> bool:
    if unknown_in(tgt) is not None:
        raise NotEvaluable(UnknownOrigin.EXECUTION_MODULE, "target built from an unknown value")
    nodegroups = ctx.opts.get("nodegroups") or {}
    with ctx.pillar.tracker.muted():
        result = match_target(
            tgt, tgt_type, str(minion_id) if minion_id else ctx.minion_id,
            ctx.grains, ctx.pillar, nodegroups, delimiter,
        )
    return result.matched


def match_filter_by(ctx: ProxyContext, lookup, tgt_type="compound", minion_id=None, merge=None,
                    merge_lists=False, default="default"):
    for key in lookup:
        if _match(ctx, key, tgt_type, minion_id):
            if merge:
                if not isinstance(merge, dict):
                    raise ValueError("filter_by merge argument must be a dictionary.")
                if lookup[key] is None:
                    return merge
                salt.utils.dictupdate.update(lookup[key], to_plain(merge), merge_lists=merge_lists)
            return lookup[key]
    return lookup.get(default, None)


def match_search_by(ctx: ProxyContext, lookup, tgt_type="compound", minion_id=None):
    matches = [key for key, targets in lookup.items() for target in targets if _match(ctx, target, tgt_type, minion_id)]
    return matches or None


def match_ifelse(ctx: ProxyContext, *args, tgt_type="compound", minion_id=None, merge=None, merge_lists=False):
    if len(args) % 2 == 0:
        raise ValueError("The ifelse function must have an odd number of arguments!")
    if len(args) == 1:
        return args[0]
    default_key = "SALT_IFELSE_FUNCTION_DEFAULT"
    keys = ["*" if k is True else "SALT_IFELSE_MATCH_NOTHING" if k is False else k for k in args[::2]]
    lookup = dict(zip(keys, args[1::2]))
    lookup[default_key] = args[-1]
    return match_filter_by(ctx, lookup, tgt_type, minion_id, merge, merge_lists, default_key)


# --- cp ----------------------------------------------------------------------------------
def cp_get_file_str(ctx: ProxyContext, path, saltenv=None):
    pending = unknown_in(path)
    if pending is not None:
        return pending
    if not str(path).startswith("salt://"):
        raise NotEvaluable(UnknownOrigin.EXECUTION_MODULE, "file outside the Salt file server")
    text = ctx.read_salt_file(str(path), saltenv or ctx.saltenv)
    return False if text is None else text


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "slsutil.update": slsutil_update,
    "slsutil.merge": slsutil_merge,
    "slsutil.merge_all": slsutil_merge_all,
    "slsutil.boolstr": slsutil_boolstr,
    "slsutil.banner": slsutil_banner,
    "slsutil.serialize": slsutil_serialize,
    "slsutil.deserialize": slsutil_deserialize,
    "slsutil.renderer": slsutil_renderer,
    "slsutil.file_exists": slsutil_file_exists,
    "file.join": file_join,
    "file.dirname": file_dirname,
    "file.basename": file_basename,
    "file.normpath": file_normpath,
    "network.calc_net": network_calc_net,
    "network.ip_in_subnet": network_ip_in_subnet,
    "network.is_private": network_is_private,
    "network.is_loopback": network_is_loopback,
    "test.ping": _constant(True),
    "test.true": _constant(True),
    "test.false": _constant(False),
    "test.echo": test_echo,
    "saltutil.is_running": _constant([]),
    "match.compound": _matcher("compound", True),
    "match.glob": _matcher("glob", True),
    "match.list": _matcher("list", True),
    "match.pcre": _matcher("pcre", True),
    "match.ipcidr": _matcher("ipcidr", True),
    "match.grain": _matcher("grain", False),
    "match.grain_pcre": _matcher("grain_pcre", False),
    "match.pillar": _matcher("pillar", False),
    "match.pillar_pcre": _matcher("pillar_pcre", False),
    "match.pillar_exact": _matcher("pillar_exact", False),
    "match.filter_by": match_filter_by,
    "match.search_by": match_search_by,
    "match.ifelse": match_ifelse,
    "cp.get_file_str": cp_get_file_str,
}
for _level in ("debug", "info", "warning", "error", "critical", "exception", "trace", "quiet"):
    FUNCTIONS[f"log.{_level}"] = _constant(None)
del _level
