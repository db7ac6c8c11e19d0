"""Decisions: allowed or not, every violation with its rule, and what the decision rested on.

A decision serializes deterministically (:meth:`Decision.to_json`): sorted keys, findings in
a stable order, times from the injected clock. The release step signs exactly these bytes
into a verification summary, so two runs over the same evidence and policies give the same
bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from verifier.attest.statement import canonical_json
from verifier.clock import rfc3339
from verifier.digest import Digest

DECISION_VERSION = 1


class Outcome(StrEnum):
    """The three answers: allowed (exit 0), denied (exit 1), undecided (exit 3)."""

    ALLOWED = "allowed"
    DENIED = "denied"
    UNDECIDED = "undecided"

    @property
    def exit_code(self) -> int:
        """The exit code this outcome maps to."""
        match self:
            case Outcome.ALLOWED:
                return 0
            case Outcome.DENIED:
                return 1
            case Outcome.UNDECIDED:
                return 3


@dataclass(frozen=True, order=True)
class Finding:
    """A violation or warning: which policy and rule, and a message naming the artifact."""

    policy: str
    rule: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready."""
        return {"policy": self.policy, "rule": self.rule, "message": self.message}


@dataclass(frozen=True, order=True)
class AppliedPolicy:
    """A policy the decision applied, by name and digest."""

    name: str
    digest: Digest
    mode: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready."""
        return {"name": self.name, "digest": str(self.digest), "mode": self.mode}


@dataclass(frozen=True)
class Location:
    """Where an artifact was named: a file, a line, and which object and container."""

    path: str
    line: int | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out: dict[str, Any] = {"path": self.path}
        if self.line is not None:
            out["line"] = self.line
        if self.detail:
            out["detail"] = self.detail
        return out

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where} ({self.detail})" if self.detail else where


@dataclass(frozen=True)
class Decision:
    """The answer for one artifact under a policy set."""

    name: str
    subject: Digest | None
    outcome: Outcome
    violations: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    errors: tuple[Finding, ...]
    evidence: tuple[Digest, ...]
    policies: tuple[AppliedPolicy, ...]
    policy_set: Digest
    decided_at: datetime
    namespace: str | None = None
    #: Where the artifact was named (a manifest file, document and container).
    location: Location | None = None

    def __post_init__(self) -> None:
        for name in ("violations", "warnings", "errors", "policies"):
            object.__setattr__(self, name, tuple(sorted(getattr(self, name))))
        object.__setattr__(self, "evidence", tuple(sorted(set(self.evidence))))

    @property
    def allowed(self) -> bool:
        """True only for ALLOWED."""
        return self.outcome is Outcome.ALLOWED

    @property
    def label(self) -> str:
        """The artifact for people: its name and short digest."""
        return f"{self.name} ({self.subject.short})" if self.subject else self.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, stable."""
        out: dict[str, Any] = {
            "decisionVersion": DECISION_VERSION,
            "name": self.name,
            "subject": str(self.subject) if self.subject else None,
            "allowed": self.allowed,
            "outcome": self.outcome.value,
            "violations": [f.to_dict() for f in self.violations],
            "warnings": [f.to_dict() for f in self.warnings],
            "errors": [f.to_dict() for f in self.errors],
            "evidence": [str(d) for d in self.evidence],
            "policies": [p.to_dict() for p in self.policies],
            "policySet": str(self.policy_set),
            "decidedAt": rfc3339(self.decided_at),
        }
        if self.namespace is not None:
            out["namespace"] = self.namespace
        if self.location is not None:
            out["location"] = self.location.to_dict()
        return out

    def to_json(self) -> bytes:
        """Canonical bytes (sorted keys, two-space indent, trailing newline)."""
        return canonical_json(self.to_dict())


def overall_exit_code(decisions: list[Decision]) -> int:
    """3 if any artifact could not be decided, else 1 if any was denied, else 0."""
    codes = {d.outcome.exit_code for d in decisions}
    for code in (3, 1):
        if code in codes:
            return code
    return 0
