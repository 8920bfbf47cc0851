"""One finding per problem: merge the copies found on several minions, then sort."""

from __future__ import annotations

from typing import Iterable

from saltscan.findings import Finding


def identity(f: Finding) -> tuple:
    """Same rule, place, state or pillar key and message: the same finding."""
    state = (f.state.id, f.state.function, f.state.sls) if f.state else None
    loc = f.location  # its fields, not the dataclass: its generated hash is slow
    return (f.rule, loc.file, loc.line, loc.column, state, f.pillar_key, f.message)


def dedupe(
    findings: Iterable[Finding], held_on: Iterable[tuple[str, ...]] | None = None
) -> tuple[Finding, ...]:
    """Merge findings with the same identity, listing every minion they hold on.

    ``held_on`` gives, finding by finding, the minions each holds on (instead of
    its own ``minions``). The first copy (in the deterministic input order) keeps its
    other fields; the result is sorted by ``Finding.sort_key`` then fingerprint.
    """
    findings = list(findings)
    held = list(held_on) if held_on is not None else [f.minions for f in findings]
    if len(held) != len(findings):
        raise ValueError("dedupe: one held_on entry per finding")
    merged: dict[tuple, Finding] = {}
    minions: dict[tuple, set[str]] = {}
    for f, on in zip(findings, held):
        key = identity(f)
        if key not in merged:
            merged[key] = f
            minions[key] = set()
        minions[key].update(on)
    out = [f.with_minions(tuple(minions[key])) for key, f in merged.items()]
    return tuple(sorted(out, key=sort_key))


def sort_key(f: Finding) -> tuple:
    return (f.sort_key(), f.fingerprint, f.minions, f.suppressed)
