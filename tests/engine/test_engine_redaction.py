"""The runner's redaction only skips secrets that cannot be in any finding's text."""

from __future__ import annotations

import pytest

from saltscan.engine.memo import ScanMemo
from saltscan.engine.redaction import VERBATIM_RUN, may_occur, redacted
from saltscan.findings import Category, Finding, Severity
from saltscan.model import Minion, MinionRender, Model, PillarValue, SourceLocation, Tree
from saltscan.secret_redact import escaped_forms

TRICKY = [
    "Zq8-wX2-pLm4", "p@ss w0rd!", "a'b\"c\\d", "caf\u00e9-s3cret", "x<y>&z", "tab\there",
    "line1\nline2-secret", "%41%42-percent", "~user_name.v1", "'quoted'", "\u2603snow",
]


@pytest.mark.parametrize("secret", TRICKY)
def test_every_escaped_form_keeps_the_verbatim_runs(secret):
    """What ``may_occur`` relies on: no escaping the Redactor knows changes a verbatim run."""
    runs = VERBATIM_RUN.findall(secret)
    for form in escaped_forms(secret):
        assert all(run in form for run in runs), (secret, form)


def test_may_occur_keeps_values_whose_form_is_in_the_text():
    text = "port 5432\x1fa password is Zq8-wX2-pLm4 here\x1fhint"
    assert may_occur({"Zq8-wX2-pLm4", "other-secret-value"}, text) == ["Zq8-wX2-pLm4"]
    escaped = "p%40ss%20w0rd%21"  # URL-quoted
    assert may_occur({"p@ss w0rd!"}, escaped) == ["p@ss w0rd!"]
    # a line of a multi-line secret, alone in the text
    assert may_occur({"-----BEGIN-----\nMIIEowIBAAKCAQEA1234\n-----END-----"},
                     "key MIIEowIBAAKCAQEA1234") != []
    # nothing verbatim to look for: it may be anywhere
    assert may_occur({"!@#$%^&*"}, "no such thing") == ["!@#$%^&*"]


def finding(message: str) -> Finding:
    return Finding(rule="SS999", name="x", category=Category.STYLE, severity=Severity.LOW,
                   message=message, location=SourceLocation("a.sls", 1),
                   extra=(("subject", message),))


def model_with(values) -> Model:
    pvs = tuple(PillarValue(f"app:password{i}", v, SourceLocation("p.sls", 1), secret=True)
                for i, v in enumerate(values))
    render = MinionRender(minion=Minion("m1", {}, "g"), top={}, high={}, low=(), states=(),
                          pillar={}, pillar_values=pvs, errors=(), unknowns=(), salt_calls=(),
                          templates=(), sls_files=())
    tree = Tree(root=".", state_roots={}, pillar_roots={}, minions=(), sls_files=())
    return Model(tree=tree, renders=(render,))


def test_redacted_masks_only_what_is_there():
    model = model_with(["Zq8-wX2-pLm4", "never-in-a-message-9f3c", "a'b\"c"])
    found = [finding("uses Zq8-wX2-pLm4 and a'b\\\"c"), finding("clean")]  # JSON-escaped
    out = redacted(found, model, ScanMemo())
    assert [f.message for f in out] == ["uses **** and ****", "clean"]
    assert dict(out[0].extra)["subject"] == "uses **** and ****"
    assert out[1] is found[1]


def test_scan_memo_computes_once_per_arguments():
    calls = []

    def double(x):
        calls.append(x)
        return x * 2

    memo = ScanMemo()
    assert [memo(double, "a"), memo(double, "a"), memo(double, "b")] == ["aa", "aa", "bb"]
    assert calls == ["a", "b"]
    assert memo.once(("k", 1), lambda: [1]) is memo.once(("k", 1), lambda: [2])
