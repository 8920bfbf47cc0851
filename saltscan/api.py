"""The public API for rules: the one module a rule imports.

Rules see the model (rendered states, pillar, templates, errors), the graph of a
minion, and the helpers below; never the loader's or renderer's internals.

A rule in a nutshell::

    from saltscan import api

    class NoTmpWorkdir(api.StateRule):
        '''cmd.run in /tmp.

        Problematic::

            build:
              cmd.run:
                - name: make
                - cwd: /tmp

        Correct::

            build:
              cmd.run:
                - name: make
                - cwd: /opt/app
        '''

        code = "ACME901"
        name = "no-tmp-workdir"
        category = api.Category.STYLE
        severity = api.Severity.LOW
        hint = "build in the image's WORKDIR"

        def check(self, state, ctx):
            if state.fun == "cmd.run" and state.args.get("cwd") == "/tmp":
                yield self.at_state(state, "cmd.run runs in /tmp", arg="cwd")
"""

from __future__ import annotations

from typing import Any, Iterator

import networkx as nx

from saltscan.engine.context import RuleContext, SourceFile, TreeContext
from saltscan.engine.memo import ScanMemo
from saltscan.engine.rule import (
    GraphRule,
    NoOptions,
    Rule,
    RuleKind,
    SourceKind,
    SourceRule,
    StateRule,
    option,
)
from saltscan.endpoints import Endpoint, endpoints_in, names_self
from saltscan.findings import Category, Finding, Severity, StateRef
from saltscan.model import (
    MinionRender,
    Model,
    PillarValue,
    RenderedTemplate,
    RenderError,
    RenderErrorKind,
    Requisite,
    RequisiteKind,
    SaltCall,
    SecretStorage,
    SourceLocation,
    State,
    Unknown,
    UnknownOrigin,
)
from saltscan.graph import find_requisite_cycles, has_requisite_path
from saltscan.render.unknown import UNKNOWN_RE, contains_unknown
from saltscan.secrets import (
    classify_key,
    classify_value,
    is_neutral,
    is_placeholder,
    is_secret,
    mask,
)
from saltscan.report.inputs import RuleInfo

__all__ = [
    "Category", "Endpoint", "Finding", "GraphRule", "MinionRender", "Model", "NoOptions", "PillarValue",
    "RenderError", "RenderErrorKind", "RenderedTemplate", "Requisite", "RequisiteKind",
    "Rule", "RuleContext", "RuleInfo", "RuleKind", "SaltCall", "ScanMemo", "SecretStorage", "Severity",
    "SourceFile", "SourceKind", "SourceLocation", "SourceRule", "State", "StateRef",
    "StateRule", "TreeContext", "UNKNOWN_RE", "Unknown", "UnknownOrigin", "classify_key",
    "classify_value", "contains_unknown", "endpoints_in", "find_requisite_cycles", "has_requisite_path",
    "is_neutral", "is_placeholder", "is_secret", "iter_strings", "iter_texts", "mask", "names_self", "option",
    "secret_key_reason", "secret_storage", "secret_value_reason", "state_of_node",
]


def iter_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """``(path, text)`` for every string in nested argument data, in document order.

    ``path`` is ``arg``, ``arg.key`` or ``arg[0]``; dict keys that are strings are
    yielded too (as ``path.<key>`` with the key as text) because Salt data often
    puts the value in the key (``- env: [{DB_PASSWORD: ...}]``).
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield sub, key
            yield from iter_strings(item, sub)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from iter_strings(item, f"{path}[{i}]")


def iter_texts(value: Any) -> list[str]:
    """The texts ``iter_strings(value)`` yields, in the same order, without their
    paths: cheaper, for rules that do not report where in the argument a string is."""
    out: list[str] = []
    _texts(value, out)
    return out


def _texts(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                out.append(key)
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, (dict, list, tuple)):
                _texts(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, (dict, list, tuple)):
                _texts(item, out)


def secret_key_reason(key: str) -> str | None:
    """Why a key path or variable name denotes a secret (``"key name: password"``)."""
    return classify_key(key)


def secret_value_reason(value: Any) -> str | None:
    """Why a value is a secret in clear by itself (``"AWS access key ID"``), or None.

    Never returns the value; encrypted, externalised (gpg, NACL, ``sdb://``, vault)
    and reference values (template expressions, ``${VAR}``) are not secrets in clear."""
    found = classify_value(value)
    return found[1] if found and found[0] is SecretStorage.PLAINTEXT else None


def secret_storage(value: Any) -> SecretStorage:
    """Where a value keeps its secret: gpg, nacl, sdb, vault, reference, else plaintext."""
    found = classify_value(value)
    return found[0] if found else SecretStorage.PLAINTEXT


def state_of_node(graph: nx.MultiDiGraph, node: str, render: MinionRender) -> State | None:
    """The ``State`` a graph state node stands for, in ``render`` (None for other nodes)."""
    if node not in graph:
        return None
    data = graph.nodes[node]
    if data.get("kind") != "state":
        return None
    candidates = [
        st for st in render.states
        if st.id == data.get("state_id") and st.sls == data.get("sls") and st.fun == data.get("fun")
    ]
    for st in candidates:
        if st.name == data.get("name"):
            return st
    return candidates[0] if candidates else None
