"""One finding per problem: merge the copies found on several minions, then sort."""

from __future__ import annotations

from typing import Iterable

from saltscan.findings import Finding


def identity(f: Finding) -> tuple:
    """Same rule, place, state or pillar key and message: the same finding."""
    state = (f.state.id, f.state.function, f.state.sls) if f.state else None
    return (f.rule, f.location, state, f.pillar_key, f.message)


def dedupe(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Merge findings with the same identity, listing every minion they hold on.

    The first copy (in the deterministic input order) keeps its other fields; the
    result is sorted by ``Finding.sort_key`` then fingerprint.
    """
    merged: dict[tuple, Finding] = {}
    minions: dict[tuple, set[str]] = {}
    for f in findings:
        key = identity(f)
        if key not in merged:
            merged[key] = f
            minions[key] = set()
        minions[key].update(f.minions)
    out = [f.with_minions(tuple(minions[key])) for key, f in merged.items()]
    return tuple(sorted(out, key=sort_key))


def sort_key(f: Finding) -> tuple:
    return (f.sort_key(), f.fingerprint, f.minions, f.suppressed)
