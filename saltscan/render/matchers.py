"""Salt's target matching (top files, ``match.*``), with Salt's own matcher modules.

Each simple matcher is Salt's ``salt.matchers.<type>_match.match`` called with an
explicit ``opts`` (``id``, ``grains``, ``pillar``) instead of the loader's
``__opts__``. Compound targets are split and nodegroups expanded by
``salt.utils.minions.parse_target``/``nodegroup_comp``, like Salt's
``compound_match``; the boolean combination is evaluated here by a small parser
instead of Salt's ``eval`` of the joined words, with the same precedence
(``not`` > ``and`` > ``or``) and the same implicit ``and`` before a ``not`` that
follows an operand.

``match_target`` never raises: an unknown matcher type, a malformed compound
expression, an invalid regular expression or CIDR gives ``MatchResult(False, error)``
with a message the caller reports as a top-file finding. Salt itself logs these and
treats the target as not matching, so ``matched`` is what Salt would decide.

The default type is ``compound``, as in Salt's top file (``confirm_top``): a bare
target without ``@`` is a glob there too.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import salt.matchers.glob_match
import salt.matchers.grain_match
import salt.matchers.grain_pcre_match
import salt.matchers.ipcidr_match
import salt.matchers.list_match
import salt.matchers.pcre_match
import salt.matchers.pillar_exact_match
import salt.matchers.pillar_match
import salt.matchers.pillar_pcre_match
import salt.utils.minions

OPERATORS = ("and", "or", "not", "(", ")")

# Compound engine letter -> matcher type, as in salt.matchers.compound_match
# (R@ range needs a range server and is reported as unsupported).
COMPOUND_ENGINES = {
    "G": "grain",
    "P": "grain_pcre",
    "I": "pillar",
    "J": "pillar_pcre",
    "L": "list",
    "S": "ipcidr",
    "E": "pcre",
}


class TargetError(ValueError):
    """A target Salt could not evaluate; ``match_target`` turns it into an error."""


@dataclass(frozen=True)
class MatchResult:
    """Whether the minion matches, and why the target could not be evaluated if not.

    ``bool(result)`` is ``matched``. ``error`` is set when Salt would have logged an
    error and not matched (the caller reports it at the target's line).
    """

    matched: bool
    error: str | None = None

    def __bool__(self) -> bool:
        return self.matched


def _as_dict(data: Mapping[str, Any]) -> dict[str, Any]:
    # Salt's matchers index these as dicts; a tracked pillar view stays as it is.
    return data if isinstance(data, dict) else dict(data)


def _opts(minion_id: str, grains: Mapping[str, Any], pillar: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": minion_id, "grains": _as_dict(grains), "pillar": _as_dict(pillar)}


def _regex_checked(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise TargetError(f"invalid regular expression {pattern!r}: {exc}") from None


def _simple(tgt_type: str, pattern: str, delimiter: str, opts: dict[str, Any]) -> bool:
    """One non-compound matcher, with Salt's module for the type."""
    minion_id = opts["id"]
    if tgt_type == "glob":
        return bool(salt.matchers.glob_match.match(pattern, opts=opts, minion_id=minion_id))
    if tgt_type == "pcre":
        _regex_checked(pattern)
        return bool(salt.matchers.pcre_match.match(pattern, opts=opts, minion_id=minion_id))
    if tgt_type == "list":
        return bool(salt.matchers.list_match.match(pattern, opts=opts, minion_id=minion_id))
    if tgt_type == "ipcidr":
        try:
            ipaddress.ip_network(pattern, strict=False)
        except ValueError:
            raise TargetError(f"invalid IP/CIDR target {pattern!r}") from None
        return bool(salt.matchers.ipcidr_match.match(pattern, opts=opts, minion_id=minion_id))
    keyed: dict[str, Callable[..., Any]] = {
        "grain": salt.matchers.grain_match.match,
        "grain_pcre": salt.matchers.grain_pcre_match.match,
        "pillar": salt.matchers.pillar_match.match,
        "pillar_pcre": salt.matchers.pillar_pcre_match.match,
        "pillar_exact": salt.matchers.pillar_exact_match.match,
    }
    if tgt_type in keyed:
        if delimiter not in pattern:
            raise TargetError(f"{tgt_type} target {pattern!r} has no {delimiter!r} between key and value")
        if tgt_type.endswith("_pcre"):
            _regex_checked(pattern.split(delimiter)[-1])
        return bool(keyed[tgt_type](pattern, delimiter=delimiter, opts=opts, minion_id=minion_id))
    raise TargetError(f"unsupported matcher type {tgt_type!r}")


def _words(target: str | Sequence[str]) -> list[str]:
    if isinstance(target, str):
        return target.split()
    if isinstance(target, (list, tuple)):
        return [str(w) for w in target]
    raise TargetError("compound target is neither a string nor a list")


def _compound_tokens(
    target: str | Sequence[str], opts: dict[str, Any], nodegroups: Mapping[str, Any]
) -> list[str | bool]:
    """Words of a compound target evaluated to booleans, operators kept (Salt's loop)."""
    words = _words(target)
    results: list[str | bool] = []
    while words:
        word = words.pop(0)
        if word in OPERATORS:
            if word == "not" and results and results[-1] not in ("and", "or", "("):
                results.append("and")
            results.append(word)
            continue
        info = salt.utils.minions.parse_target(word) or {}
        engine = info.get("engine")
        if engine == "N":
            if info["pattern"] not in nodegroups:
                raise TargetError(f"unknown nodegroup {info['pattern']!r}")
            expanded = salt.utils.minions.nodegroup_comp(info["pattern"], nodegroups)
            if not expanded:
                raise TargetError(f"nodegroup {info['pattern']!r} cannot be expanded")
            words = _words(expanded) + words
            continue
        if engine:
            tgt_type = COMPOUND_ENGINES.get(engine)
            if tgt_type is None:
                raise TargetError(f"unsupported target engine {engine}@ in {word!r}")
            results.append(_simple(tgt_type, info["pattern"], info.get("delimiter") or ":", opts))
        else:
            results.append(_simple("glob", word, ":", opts))
    return results


class _BooleanParser:
    """``or_expr := and_expr ('or' and_expr)*``; ``and_expr := not_expr ('and' not_expr)*``;
    ``not_expr := 'not' not_expr | atom``; ``atom := bool | '(' or_expr ')'``."""

    def __init__(self, tokens: list[str | bool]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> bool:
        if not self.tokens:
            raise TargetError("empty compound target")
        value = self._or()
        if self.pos != len(self.tokens):
            raise TargetError(f"unexpected {self._describe(self.tokens[self.pos])} in compound target")
        return value

    @staticmethod
    def _describe(token: str | bool) -> str:
        return repr(token) if isinstance(token, str) else "target after a target (missing and/or)"

    def _peek(self) -> str | bool | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> bool:
        value = self._and()
        while self._peek() == "or":
            self.pos += 1
            right = self._and()
            value = value or right
        return value

    def _and(self) -> bool:
        value = self._not()
        while self._peek() == "and":
            self.pos += 1
            right = self._not()
            value = value and right
        return value

    def _not(self) -> bool:
        if self._peek() == "not":
            self.pos += 1
            return not self._not()
        return self._atom()

    def _atom(self) -> bool:
        token = self._peek()
        if isinstance(token, bool):
            self.pos += 1
            return token
        if token == "(":
            self.pos += 1
            value = self._or()
            if self._peek() != ")":
                raise TargetError("unbalanced parentheses in compound target")
            self.pos += 1
            return value
        if token is None:
            raise TargetError("compound target ends with an operator")
        raise TargetError(f"unexpected {token!r} in compound target")


def _compound(target: Any, opts: dict[str, Any], nodegroups: Mapping[str, Any]) -> bool:
    return _BooleanParser(_compound_tokens(target, opts, nodegroups)).parse()


def match_target(
    target: Any,
    tgt_type: str = "compound",
    minion_id: str = "",
    grains: Mapping[str, Any] | None = None,
    pillar: Mapping[str, Any] | None = None,
    nodegroups: Mapping[str, Any] | None = None,
    delimiter: str = ":",
) -> MatchResult:
    """Does ``minion_id`` (with ``grains`` and ``pillar``) match ``target``?

    ``tgt_type``: glob, pcre, list, grain, grain_pcre, pillar, pillar_pcre,
    pillar_exact, ipcidr, compound (default, as in top files), nodegroup.
    Never raises; see ``MatchResult``.
    """
    opts = _opts(minion_id, grains or {}, pillar or {})
    groups = dict(nodegroups or {})
    try:
        if not isinstance(tgt_type, str):
            raise TargetError(f"unsupported matcher type {tgt_type!r}")
        if tgt_type == "compound":
            return MatchResult(_compound(target, opts, groups))
        if tgt_type == "nodegroup":
            if not isinstance(target, str) or target not in groups:
                raise TargetError(f"unknown nodegroup {target!r}")
            expanded = salt.utils.minions.nodegroup_comp(target, groups)
            if not expanded:
                raise TargetError(f"nodegroup {target!r} cannot be expanded")
            return MatchResult(_compound(expanded, opts, groups))
        if tgt_type == "list" and isinstance(target, (list, tuple)):
            return MatchResult(minion_id in [str(t) for t in target])
        if not isinstance(target, str):
            raise TargetError(f"{tgt_type} target must be a string, not {type(target).__name__}")
        return MatchResult(_simple(tgt_type, target, delimiter, opts))
    except TargetError as exc:
        return MatchResult(False, str(exc))
    except (RecursionError, re.error, ValueError, TypeError, KeyError, AttributeError) as exc:
        # Salt logs and does not match; the message never includes data values.
        return MatchResult(False, f"cannot evaluate {tgt_type} target {_short(target)}: {type(exc).__name__}")


def _short(target: Any) -> str:
    text = repr(target)
    return text if len(text) <= 80 else text[:77] + "..."
