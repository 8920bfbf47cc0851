"""Top-file targeting with Salt's matchers; compound expressions without eval."""

from __future__ import annotations

import pytest

from saltscan.render.matchers import MatchResult, match_target

GRAINS = {
    "id": "web01",
    "os": "Debian",
    "os_family": "Debian",
    "osrelease": "12",
    "roles": ["web", "app"],
    "ipv4": ["10.1.2.3", "127.0.0.1"],
    "ipv6": ["::1"],
}
PILLAR = {"role": "web", "env": {"tier": "prod"}, "tags": ["pci", "hipaa"]}
NODEGROUPS = {
    "webs": "L@web01,web02",
    "prod_web": "N@webs and I@env:tier:prod",
    "as_list": ["G@os:Debian", "and", "web*"],
    "plain": "web01,web02",
    "loop_a": "N@loop_b",
    "loop_b": "N@loop_a",
}


def match(target, tgt_type="compound", minion_id="web01"):
    return match_target(target, tgt_type, minion_id, GRAINS, PILLAR, NODEGROUPS)


@pytest.mark.parametrize(
    "target, tgt_type, expected",
    [
        ("web*", "glob", True),
        ("db*", "glob", False),
        ("web0[1-3]", "glob", True),
        ("web0[2-3]", "glob", False),
        (r"web\d+", "pcre", True),
        ("eb01", "pcre", False),  # Salt's pcre matcher anchors at the start (re.match)
        ("web01,web02", "list", True),
        ("web011,web02", "list", False),
        (["db01", "web01"], "list", True),
        ("os:Debian", "grain", True),
        ("os:Deb*", "grain", True),
        ("os:RedHat", "grain", False),
        ("roles:app", "grain", True),
        ("osrelease:1[0-9]", "grain_pcre", True),
        ("role:web", "pillar", True),
        ("env:tier:pr*", "pillar", True),
        ("env:tier:pr*", "pillar_exact", False),
        ("env:tier:prod", "pillar_exact", True),
        ("tags:hip.*", "pillar_pcre", True),
        ("10.1.2.3", "ipcidr", True),
        ("10.1.0.0/16", "ipcidr", True),
        ("10.9.0.0/16", "ipcidr", False),
        ("webs", "nodegroup", True),
        ("prod_web", "nodegroup", True),
        ("as_list", "nodegroup", True),
        ("plain", "nodegroup", True),
    ],
)
def test_simple_matchers(target, tgt_type, expected):
    assert match(target, tgt_type) == MatchResult(expected, None)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("web*", True),
        ("web* and G@os:Debian", True),
        ("web* and G@os:RedHat", False),
        ("G@os:RedHat or I@role:web", True),
        ("not G@os:RedHat", True),
        # Salt inserts "and" before a "not" that follows an operand.
        ("web01 not G@os:Debian", False),
        ("web* not db*", True),
        ("( G@os:RedHat or I@role:web ) and S@10.1.0.0/16", True),
        ("G@os:RedHat or I@role:web and S@10.9.0.0/16", False),  # and binds tighter
        ("( G@os:RedHat or I@role:web ) and not S@10.9.0.0/16", True),
        ("L@db01,web01 and E@web0[1-3]", True),
        ("P@osrelease:1[0-9] and J@env:tier:pr.d", True),
        ("G;@roles;app", True),  # an explicit delimiter
        ("N@prod_web", True),
        ("N@webs and not N@prod_web", False),
        ("X@anything", False),  # not an engine: a glob on the literal id, as in Salt
    ],
)
def test_compound(target, expected):
    assert match(target) == MatchResult(expected, None)


def test_compound_for_another_minion_id_uses_that_id():
    assert match("web* or G@os:RedHat", minion_id="db01") == MatchResult(False, None)
    assert match("db* and G@os:Debian", minion_id="db01") == MatchResult(True, None)


@pytest.mark.parametrize(
    "target, tgt_type, error",
    [
        ("and web*", "compound", "unexpected 'and' in compound target"),
        ("web* or", "compound", "compound target ends with an operator"),
        ("( web*", "compound", "unbalanced parentheses in compound target"),
        ("web* )", "compound", "unexpected ')' in compound target"),
        ("web01 web02", "compound", "unexpected target after a target (missing and/or) in compound target"),
        ("not not web01", "compound", "unexpected 'and' in compound target"),  # Salt: "not and not"
        ("", "compound", "empty compound target"),
        ("R@%cluster", "compound", "unsupported target engine R@ in 'R@%cluster'"),
        ("N@nope", "compound", "unknown nodegroup 'nope'"),
        ("E@web[", "compound", "invalid regular expression 'web[': unterminated character set at position 3"),
        ("os", "grain", "grain target 'os' has no ':' between key and value"),
        ("nonsense/99", "ipcidr", "invalid IP/CIDR target 'nonsense/99'"),
        ("web01", "range", "unsupported matcher type 'range'"),
        ("nope", "nodegroup", "unknown nodegroup 'nope'"),
        ("loop_a", "nodegroup", "nodegroup 'loop_a' cannot be expanded"),
        (42, "glob", "glob target must be a string, not int"),
    ],
)
def test_malformed_targets_do_not_match_and_say_why(target, tgt_type, error):
    result = match(target, tgt_type)
    assert result == MatchResult(False, error)
    assert not result


def test_compound_never_evaluates_target_text():
    # Salt's compound matcher eval()s the joined words; ours only parses booleans.
    result = match("__import__('os').system('true') or web*")
    assert result == MatchResult(True, None)  # the first word is just a glob that fails
    assert match("web* and (1).__class__") == MatchResult(False, None)


def test_missing_grains_and_pillar_do_not_raise():
    assert match_target("G@os:Debian and I@role:web", "compound", "web01", {}, {}, {}) == MatchResult(False, None)
    assert match_target("10.0.0.0/8", "ipcidr", "web01", {}, {}, None) == MatchResult(False, None)
