"""Findings: what rules report, and the fixed vocabulary of DESIGN.md section 4."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property

from saltscan.model import SourceLocation


class Category(str, enum.Enum):
    HARDCODED_PATH = "hardcoded-path"
    HARDCODED_ENDPOINT = "hardcoded-endpoint"
    ENV_CREDENTIAL = "env-credential"
    PLAINTEXT_SECRET = "plaintext-secret"
    ORDERING = "ordering"
    RUNTIME_COUPLING = "runtime-coupling"
    HOST_LEVEL = "host-level"
    CORRECTNESS = "correctness"
    STYLE = "style"


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: "Severity") -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


@dataclass(frozen=True)
class StateRef:
    """The state a finding is about, as written in the SLS."""

    id: str
    function: str  # "environ.setenv"
    sls: str


@dataclass(frozen=True)
class Finding:
    """One problem at one place, possibly holding on several minions.

    ``message`` must never contain a secret value: rules name key paths and
    variable names, and the reporters mask again before anything is written.
    """

    rule: str  # "SS201"
    name: str  # "environ-setenv-credential"
    category: Category
    severity: Severity
    message: str
    location: SourceLocation
    state: StateRef | None = None
    pillar_key: str | None = None
    minions: tuple[str, ...] = ()
    suppressed: bool = False
    suppression_reason: str | None = None
    hint: str | None = None  # one-line fix hint for the text report
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @cached_property  # asked for in every sort of a run's findings: hashed once
    def fingerprint(self) -> str:
        """Stable across line moves: rule, file, state id or pillar key, and subject.

        The message is part of the identity only through ``subject`` (the thing named,
        e.g. the path or variable), so rewording a message does not churn baselines.
        """
        subject = dict(self.extra).get("subject", "")
        anchor = self.state.id if self.state else (self.pillar_key or "")
        raw = "\x1f".join((self.rule, self.location.file, anchor, subject))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (
            self.location.file,
            self.location.line,
            self.location.column,
            self.rule,
            self.state.id if self.state else "",
            self.pillar_key or "",
            self.message,
        )

    def with_minions(self, minions: tuple[str, ...]) -> "Finding":
        minions = tuple(sorted(set(minions)))
        # Already so (a tree rule's finding, a finding held on the same minions):
        # itself, not a copy (findings are frozen).
        return self if minions == self.minions else replace(self, minions=minions)
