"""Memos of render steps: each gives what computing again would, and only for the
same input."""

import pickle
import weakref

import pytest
import yaml

from saltscan.model import SourceLocation, State
from saltscan.render.file_memo import MemoEntry, StateFileMemo
from saltscan.render.sourcemap import SourceMap
from saltscan.render.states import _matches
from saltscan.render.yaml_load import MarkedMap, ParsedYaml


def _entry(value) -> MemoEntry:
    return MemoEntry(pickle.dumps(value), (), None)


def test_a_copy_made_ahead_is_handed_out_once_and_only_for_its_entry():
    memo = StateFileMemo()
    entry = _entry({"a": [1, 2]})
    memo.put("k", entry)
    first = memo.fresh("k", entry)  # none made ahead yet: unpickled now
    steps = memo.spare_work()
    assert len(steps) == 1
    for step in steps:
        step()
    spare = memo.fresh("k", entry)
    assert spare == {"a": [1, 2]} and spare is not first
    spare["a"].append(3)  # the caller's to change: the next copy is a new one
    assert memo.fresh("k", entry) == {"a": [1, 2]}
    # An entry replaced after its copy was made: that copy is not handed out.
    for step in memo.spare_work():
        step()
    newer = _entry({"a": [9]})
    memo.put("k", newer)
    assert memo.fresh("k", newer) == {"a": [9]}


def test_an_offered_copy_is_handed_out_once_and_only_for_the_current_entry():
    memo = StateFileMemo()
    entry = _entry({"a": [1]})
    memo.put("k", entry)
    offered = {"a": [1]}
    memo.offer("k", entry, offered)
    assert memo.fresh("k", entry) is offered
    again = memo.fresh("k", entry)  # taken: the next one is unpickled
    assert again == {"a": [1]} and again is not offered
    stale = _entry({"a": [2]})
    memo.offer("k", stale, {"a": [2]})  # not the entry the memo holds under "k"
    assert memo.fresh("k", entry) == {"a": [1]}
    memo.offer("other", entry, offered)  # nor under a key it does not hold
    assert memo.fresh("other", entry) == {"a": [1]}


class Box:
    """A value whose copies a weak reference can watch."""

    def __init__(self, value):
        self.value = value


@pytest.mark.parametrize("replaced_by", ["offer", "fresh"])
def test_a_copy_of_a_replaced_entry_is_freed_after_the_request(replaced_by):
    memo = StateFileMemo()
    old = _entry(Box(1))
    memo.put("k", old)
    memo.fresh("k", old)
    for step in memo.spare_work():
        step()  # a copy of old, made ahead for the next request
    made = weakref.ref(memo._spares["k"][1])
    new = _entry(Box(2))
    memo.put("k", new)  # the file changed: that copy is of no use
    if replaced_by == "offer":
        offered = Box(2)
        memo.offer("k", new, offered)
        assert memo.fresh("k", new) is offered
    else:
        assert memo.fresh("k", new).value == 2
    assert made() is not None  # not freed while the request runs...
    memo.spare_work()
    assert made() is None  # ...but with the work left for the idle process


def test_copies_are_made_ahead_only_for_entries_the_last_request_used():
    memo = StateFileMemo()
    used, unused = _entry(["u"]), _entry(["x"])
    memo.put("used", used)
    memo.put("unused", unused)
    memo.fresh("used", used)
    assert len(memo.spare_work()) == 1
    assert memo.spare_work() == []  # nothing used since


def test_a_pillar_fact_is_computed_once_per_pillar_content():
    memo = StateFileMemo()
    calls = []

    def compute(tag):
        calls.append(tag)
        return (tag,)

    a = memo.pillar_fact("values", {"db": {"password": "x"}}, lambda: compute("a"))
    b = memo.pillar_fact("values", {"db": {"password": "x"}}, lambda: compute("b"))  # equal content
    c = memo.pillar_fact("values", {"db": {"password": "y"}}, lambda: compute("c"))
    d = memo.pillar_fact("redactor", {"db": {"password": "x"}}, lambda: compute("d"))  # another fact
    assert (a, b, c, d) == (("a",), ("a",), ("c",), ("d",))
    assert calls == ["a", "c", "d"]


def test_a_pillar_that_cannot_be_pickled_is_computed_every_time():
    memo = StateFileMemo()
    calls = []
    pillar = {"f": lambda: None}
    for _ in range(2):
        memo.pillar_fact("values", pillar, lambda: calls.append(1))
    assert calls == [1, 1]


def test_a_parse_is_reused_as_a_copy_for_the_same_text_and_source_map():
    parsed = ParsedYaml()
    text = "a:\n  b: [1, 2]\n"
    first = parsed.load(text, SourceMap.identity(text, "x.sls"))
    again = parsed.load(text, SourceMap.identity(text, "x.sls"))
    assert again == first and again is not first and again["a"]["b"] is not first["a"]["b"]
    assert type(again) is MarkedMap and again["a"].key_locs == {"b": SourceLocation("x.sls", 2, 3)}
    # Another file: the same text has other locations.
    other = parsed.load(text, SourceMap.identity(text, "y.sls"))
    assert other["a"].key_locs == {"b": SourceLocation("y.sls", 2, 3)}
    assert parsed.safe_load(text) == {"a": {"b": [1, 2]}} and type(parsed.safe_load(text)) is not MarkedMap


def test_a_failed_parse_fails_again():
    parsed = ParsedYaml()
    bad = "a: [1\n"
    for _ in range(2):
        with pytest.raises(yaml.YAMLError):
            parsed.load(bad, SourceMap.identity(bad, "x.sls"))


def test_a_pattern_without_glob_characters_matches_only_itself():
    st = State(id="a.b", sls="web.init", module="file", function="managed", name="/etc/a+b", args={}, requisites=(),
               location=SourceLocation("web/init.sls", 1))
    assert _matches(st, "id", "a.b") and not _matches(st, "id", "axb")
    assert _matches(st, "file", "/etc/a+b") and not _matches(st, "file", "/etc/aab")
    assert not _matches(st, "pkg", "a.b")
    assert _matches(st, "id", "a.*") and _matches(st, "sls", "web.*") and _matches(st, "id", "a?b")
    assert _matches(st, "id", "[a]?b") and not _matches(st, "sls", "web")


def test_compiled_templates_are_kept_per_syntax() -> None:
    # One cache serves every render of a daemon: a master config whose jinja_env
    # changes the delimiters (or trim_blocks) must compile the same source anew.
    import jinja2

    from saltscan.render.context import CompiledTemplateCache

    cache = CompiledTemplateCache()
    source = "<% if true %>x<% endif %>{% if true %}y{% endif %}"
    plain = jinja2.Environment(bytecode_cache=cache, loader=jinja2.DictLoader({"t": source}))
    angled = jinja2.Environment(bytecode_cache=cache, loader=jinja2.DictLoader({"t": source}),
                                block_start_string="<%", block_end_string="%>")
    assert plain.get_template("t").render(true=True) == "<% if true %>x<% endif %>y"
    assert angled.get_template("t").render(true=True) == "x{% if true %}y{% endif %}"
    again = jinja2.Environment(bytecode_cache=cache, loader=jinja2.DictLoader({"t": source}))
    assert again.get_template("t").render(true=True) == "<% if true %>x<% endif %>y"
