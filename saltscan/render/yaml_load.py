"""YAML the way Salt's ``yaml`` renderer loads it, plus where every key came from.

The loader is Salt's ``SaltYamlSafeLoader`` (safe: no Python tags; duplicate keys are
errors; ordered mappings), subclassed only to remember each key's line. Mappings come
back as ``MarkedMap`` (an ``OrderedDict``) whose ``key_locs`` give the original source
location of every key, through the render's ``SourceMap``.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from copy import deepcopy
from typing import Any, Callable

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

import salt.utils.yamlloader

from saltscan.model import SourceLocation
from saltscan.render.sourcemap import SourceMap

MAX_NODES = 2_000_000  # expanded size, counting aliases: stops "billion laughs"
# Values deepcopy returns as they are (``copy._deepcopy_atomic``).
_ATOMIC = frozenset({str, int, float, bool, type(None)})


class MarkedMap(OrderedDict):
    """An ordered mapping that knows where each of its keys is written."""

    key_locs: dict

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_locs = {}

    def __deepcopy__(self, memo: dict) -> "MarkedMap":
        # What copy.deepcopy makes of it through __reduce__, without copying the
        # (frozen) locations: Salt's compile deep-copies every chunk of high data.
        new = MarkedMap()
        memo[id(self)] = new
        _copy_attrs(self, new, memo, "key_locs")
        new.key_locs = dict(self.key_locs)
        for key, value in self.items():
            new[key if type(key) in _ATOMIC else deepcopy(key, memo)] = value if type(value) in _ATOMIC else deepcopy(value, memo)
        return new


class MarkedList(list):
    """A sequence that knows where each item is written."""

    item_locs: list

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.item_locs = []

    def __deepcopy__(self, memo: dict) -> "MarkedList":
        new = MarkedList()
        memo[id(self)] = new
        _copy_attrs(self, new, memo, "item_locs")
        new.item_locs = list(self.item_locs)
        new.extend(item if type(item) in _ATOMIC else deepcopy(item, memo) for item in self)
        return new


def _copy_attrs(old: Any, new: Any, memo: dict, locs: str) -> None:
    """Any attribute besides the locations (none is set today), deep-copied as before."""
    for name, value in vars(old).items():
        if name != locs:
            setattr(new, name, deepcopy(value, memo))


class YamlTooLarge(yaml.YAMLError):
    pass


def _expanded_size(root: Node) -> int:
    """Node count with aliases expanded, without expanding them (memoised per node)."""
    memo: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in memo:
            continue
        if isinstance(node, MappingNode):
            kids = [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            kids = list(node.value)
        else:
            memo[key] = 1
            continue
        if children_done:
            memo[key] = 1 + sum(memo.get(id(k), 1) for k in kids)
            if memo[key] > MAX_NODES:
                raise YamlTooLarge(f"YAML expands to more than {MAX_NODES} nodes (alias bomb?)")
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in memo)
    return memo.get(id(root), 1)


def _tree_size(root: Node) -> int:
    """``_expanded_size`` of a document without aliases: each node is in it once, so
    it is the node count (without the memo that sharing needs)."""
    count = 0
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    if count > MAX_NODES:
        raise YamlTooLarge(f"YAML expands to more than {MAX_NODES} nodes (alias bomb?)")
    return count


def _make_loader(source_map: SourceMap, aliases: bool = True):
    """``aliases``: whether the text may hold one (a ``*``): the size check of a
    document without any is a plain count."""

    class MarkedLoader(salt.utils.yamlloader.SaltYamlSafeLoader):
        def __init__(self, stream):
            super().__init__(stream, dictclass=MarkedMap)

        def _loc(self, node: Node) -> SourceLocation:
            m = node.start_mark
            return source_map.at_line(m.line + 1, m.column)

        def construct_yaml_map(self, node):
            data = MarkedMap()
            yield data
            value = self.construct_mapping(node)
            data.update(value)
            data.key_locs = value.key_locs

        def construct_mapping(self, node, deep=False):
            mapping = super().construct_mapping(node, deep=deep)
            marked = mapping if isinstance(mapping, MarkedMap) else MarkedMap(mapping)
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=deep)
                    marked.key_locs[key] = self._loc(key_node)
                except TypeError:
                    continue
            return marked

        def construct_yaml_seq(self, node):
            data = MarkedList()
            yield data
            data.extend(self.construct_sequence(node))
            data.item_locs = [self._loc(n) for n in node.value]

        def get_single_node(self):
            node = super().get_single_node()
            if node is not None:
                (_expanded_size if aliases else _tree_size)(node)
            return node

    MarkedLoader.add_constructor("tag:yaml.org,2002:map", MarkedLoader.construct_yaml_map)
    MarkedLoader.add_constructor("tag:yaml.org,2002:omap", MarkedLoader.construct_yaml_map)
    MarkedLoader.add_constructor("tag:yaml.org,2002:seq", MarkedLoader.construct_yaml_seq)
    return MarkedLoader


def load_marked(text: str, source_map: SourceMap) -> Any:
    """Parse rendered SLS text; raises ``yaml.YAMLError`` like Salt's renderer."""
    # Only an alias token starts with "*": without one every node is in the tree once.
    loader = _make_loader(source_map, aliases="*" in text)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class ParsedYaml:
    """``load_marked`` once per distinct rendered text and source map (one per
    ``ScanSession``, or one kept by the hook daemon across scans: a parse is a pure
    function of its key): most minions render most files to the same text, and a
    parse costs several times the copy each later use gets (callers change what they
    are given). Failed parses are not kept; they raise again as they did. At most
    ``max_bytes`` of pickles are kept, the least recently used going first."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._blobs: dict[tuple, bytes] = {}
        self._max = max_bytes
        self._size = 0

    def load(self, text: str, source_map: SourceMap) -> Any:
        return self._parsed(("marked", text, source_map.key()), lambda: load_marked(text, source_map))

    def safe_load(self, text: str) -> Any:
        """Salt's ``salt.utils.yaml.safe_load`` (``import_yaml``), the same way."""
        import salt.utils.yaml

        return self._parsed(("plain", text), lambda: salt.utils.yaml.safe_load(text))

    def _parsed(self, key: tuple, parse: Callable[[], Any]) -> Any:
        blob = self._blobs.pop(key, None)
        if blob is not None:
            self._blobs[key] = blob  # now the most recently used
            return pickle.loads(blob)
        data = parse()
        try:
            blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not copyable: parsed every time
            return data
        if _cost(key, blob) <= self._max:
            self._blobs[key] = blob
            self._size += _cost(key, blob)
            while self._size > self._max:
                oldest = next(iter(self._blobs))
                self._size -= _cost(oldest, self._blobs.pop(oldest))
        return data


def _cost(key: tuple, blob: bytes) -> int:
    """What keeping a parse costs: its pickle and its text (the key holds it)."""
    return len(blob) + len(key[1])


def error_location(exc: yaml.YAMLError, source_map: SourceMap) -> SourceLocation | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None
    return source_map.at_line(mark.line + 1, mark.column)
