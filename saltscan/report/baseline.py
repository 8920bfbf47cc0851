"""Baselines: accept today's findings, fail only on new ones.

A baseline file lists fingerprints (``Finding.fingerprint``: rule, file, state ID or
pillar key, and subject; never the line), so editing unrelated lines above a finding
does not make it new. Rule, file, state and pillar key are stored beside each
fingerprint only so that a human reviewing the file can see what was accepted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from saltscan.findings import Finding

BASELINE_VERSION = 1
_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")


class BaselineError(ValueError):
    """The baseline file is missing, unreadable or not a saltscan baseline (exit 2)."""


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    file: str
    state: str | None = None
    pillar_key: str | None = None


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)


@dataclass(frozen=True)
class BaselineResult:
    """What applying a baseline did: how many findings it hid, which entries are gone."""

    baselined: int
    disappeared: tuple[str, ...]  # fingerprints in the baseline no current finding has


def _entry_for(finding: Finding) -> BaselineEntry:
    return BaselineEntry(
        fingerprint=finding.fingerprint,
        rule=finding.rule,
        file=finding.location.file,
        state=finding.state.id if finding.state else None,
        pillar_key=finding.pillar_key,
    )


def _entry_order(entry: BaselineEntry) -> tuple:
    # Grouped the way a reviewer reads them; the fingerprint breaks ties.
    return (entry.file, entry.rule, entry.state or "", entry.pillar_key or "", entry.fingerprint)


def baseline_text(findings: Iterable[Finding]) -> str:
    """The baseline file's text for ``findings`` (suppressed findings are left out:
    their inline or config suppression already covers them)."""
    entries: dict[str, BaselineEntry] = {}
    for finding in findings:
        if not finding.suppressed:
            entries.setdefault(finding.fingerprint, _entry_for(finding))
    document = {
        "version": BASELINE_VERSION,
        "tool": "saltscan",
        "fingerprints": [
            {
                "fingerprint": e.fingerprint,
                "rule": e.rule,
                "file": e.file,
                "state": e.state,
                "pillar_key": e.pillar_key,
            }
            for e in sorted(entries.values(), key=_entry_order)
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_baseline(findings: Iterable[Finding], path: Path | str) -> None:
    Path(path).write_text(baseline_text(findings), encoding="utf-8")


def _optional_str(item: dict, key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise BaselineError(f"{where}: '{key}' must be a string or null")
    return value


def parse_baseline(text: str, source: str = "<baseline>") -> Baseline:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if not isinstance(document, dict) or "fingerprints" not in document:
        raise BaselineError(f"{source}: not a saltscan baseline (no 'fingerprints' list)")
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{source}: baseline version {document.get('version')!r} is not supported "
            f"(expected {BASELINE_VERSION}); regenerate it"
        )
    items = document["fingerprints"]
    if not isinstance(items, list):
        raise BaselineError(f"{source}: 'fingerprints' must be a list")
    entries = []
    for index, item in enumerate(items):
        where = f"{source}: fingerprints[{index}]"
        if not isinstance(item, dict):
            raise BaselineError(f"{where}: must be an object")
        fingerprint = item.get("fingerprint")
        if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
            raise BaselineError(f"{where}: 'fingerprint' must be 32 lowercase hex digits")
        entries.append(
            BaselineEntry(
                fingerprint=fingerprint,
                rule=_optional_str(item, "rule", where) or "",
                file=_optional_str(item, "file", where) or "",
                state=_optional_str(item, "state", where),
                pillar_key=_optional_str(item, "pillar_key", where),
            )
        )
    return Baseline(entries=tuple(sorted(entries, key=_entry_order)))


def load_baseline(path: Path | str) -> Baseline:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
    return parse_baseline(text, str(path))


def apply_baseline(
    findings: Iterable[Finding], baseline: Baseline
) -> tuple[tuple[Finding, ...], BaselineResult]:
    """Drop unsuppressed findings the baseline accepts; keep everything else in order.

    A baseline entry has *disappeared* when no current finding (suppressed or not) has
    its fingerprint: the problem was fixed, and the entry can be pruned.
    """
    accepted = baseline.fingerprints
    kept: list[Finding] = []
    seen: set[str] = set()
    baselined = 0
    for finding in findings:
        fingerprint = finding.fingerprint
        seen.add(fingerprint)
        if not finding.suppressed and fingerprint in accepted:
            baselined += 1
        else:
            kept.append(finding)
    disappeared = tuple(sorted(accepted - seen))
    return tuple(kept), BaselineResult(baselined=baselined, disappeared=disappeared)
