"""Faster copies of render data must equal what the generic ones made."""

import copy

from saltscan.model import SourceLocation
from saltscan.render.sourcemap import SourceMap
from saltscan.render.yaml_load import MarkedList, MarkedMap, load_marked

TEXT = """\
app:
  file.managed:
    - name: /etc/app.conf
    - context: &ctx
        port: 8080
        hosts: [a, b]
    - require:
      - pkg: app
other:
  cmd.run:
    - context: *ctx
    - names: [x, {y: [{cwd: /tmp}]}]
"""


def _generic_deepcopy(value, memo=None):
    """copy.deepcopy as it works without MarkedMap/MarkedList.__deepcopy__."""
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, (MarkedMap, MarkedList)):
        func, args, state, listiter, dictiter = value.__reduce_ex__(4)
        new = func(*args)
        memo[id(value)] = new
        new.__dict__.update(_generic_deepcopy(state, memo))
        for item in listiter or ():
            new.append(_generic_deepcopy(item, memo))
        for key, item in dictiter or ():
            new[_generic_deepcopy(key, memo)] = _generic_deepcopy(item, memo)
        return new
    if isinstance(value, dict):
        new = {}
        memo[id(value)] = new
        for key, item in value.items():
            new[_generic_deepcopy(key, memo)] = _generic_deepcopy(item, memo)
        return new
    if isinstance(value, list):
        new = []
        memo[id(value)] = new
        new.extend(_generic_deepcopy(item, memo) for item in value)
        return new
    return copy.deepcopy(value, memo)


def _shape(value):
    """Types, values and locations, all the way down."""
    if isinstance(value, dict):
        return (type(value).__name__, getattr(value, "key_locs", None), [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return (type(value).__name__, getattr(value, "item_locs", None), [_shape(v) for v in value])
    return (type(value).__name__, value)


def test_deepcopy_of_marked_data_equals_the_generic_copy_and_shares_nothing_mutable():
    data = load_marked(TEXT, SourceMap.identity(TEXT, "app.sls"))
    fast, slow = copy.deepcopy(data), _generic_deepcopy(data)
    assert _shape(fast) == _shape(slow) == _shape(data)
    assert fast["app"].key_locs == {"file.managed": SourceLocation("app.sls", 2, 3)}
    args = fast["app"]["file.managed"]
    assert args.item_locs == [SourceLocation("app.sls", 3, 7), SourceLocation("app.sls", 4, 7), SourceLocation("app.sls", 7, 7)]
    # Nothing mutable is shared with the original...
    assert args is not data["app"]["file.managed"]
    assert args.item_locs is not data["app"]["file.managed"].item_locs
    assert fast["app"].key_locs is not data["app"].key_locs
    fast["app"]["file.managed"][1]["context"]["hosts"].append("c")
    assert data["app"]["file.managed"][1]["context"]["hosts"] == ["a", "b"]
    # ...and an alias stays one object in the copy, as deepcopy's memo makes it.
    ctx = fast["app"]["file.managed"][1]["context"]
    assert ctx is fast["other"]["cmd.run"][0]["context"]
    assert type(ctx) is MarkedMap and ctx.key_locs == data["app"]["file.managed"][1]["context"].key_locs


def test_deepcopy_keeps_other_attributes_deep_copied():
    marked = MarkedMap(a=[1])
    marked.extra = {"k": [1]}
    new = copy.deepcopy(marked)
    assert new.extra == {"k": [1]} and new.extra is not marked.extra
    assert new["a"] == [1] and new["a"] is not marked["a"]


def _reference_to_plain(value):
    """to_plain as first written (isinstance checks all the way down)."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, dict):
        return {_reference_to_plain(k): _reference_to_plain(v) for k, v in dict.items(value)}
    if isinstance(value, tuple):
        return tuple(_reference_to_plain(v) for v in value)
    if isinstance(value, list):
        return [_reference_to_plain(v) for v in list.__iter__(value)]
    if isinstance(value, frozenset):
        return frozenset(_reference_to_plain(v) for v in value)
    if isinstance(value, set):
        return {_reference_to_plain(v) for v in value}
    return value


def test_to_plain_gives_exact_builtin_types_as_before():
    import enum
    from collections import OrderedDict, namedtuple

    from saltscan.render.unknown import UnknownValue, to_plain

    class Level(enum.IntEnum):
        HIGH = 3

    pair = namedtuple("pair", "a b")
    data = load_marked(TEXT, SourceMap.identity(TEXT, "app.sls"))
    odd = OrderedDict([("u", UnknownValue("__UNKNOWN_1__")), (UnknownValue("k"), [True, None, 1.5, Level.HIGH])])
    value = {"high": data, "odd": odd, "t": pair(1, [2]), "s": {"x"}, "f": frozenset({"y"}), "o": object}
    plain = to_plain(value)
    assert _shape(plain) == _shape(_reference_to_plain(value))
    assert type(plain["high"]) is dict and type(plain["high"]["app"]["file.managed"]) is list
    assert type(plain["t"]) is tuple and type(plain["odd"]["u"]) is str and plain["odd"]["u"] == "__UNKNOWN_1__"
    assert [type(k) for k in plain["odd"]] == [str, str]
    assert plain["odd"]["k"][3] is Level.HIGH  # int subclasses are kept, as before
    assert plain["o"] is object
    # A copy: nothing mutable shared with the original.
    assert plain["high"]["app"]["file.managed"][1]["context"] is not data["app"]["file.managed"][1]["context"]
