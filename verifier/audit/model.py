"""The audit's values: one :class:`AuditEntry` per artifact, gathered into an :class:`AuditReport`.

Every value is frozen and JSON-ready through ``to_dict`` (stable keys, sorted lists), so each
report format renders the same facts and the output is byte-for-byte reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from verifier.errors import InputError


class EvidenceState(StrEnum):
    """How far a piece of evidence could be trusted."""

    VERIFIED = "verified"  # signature checked against a trusted key or identity
    UNVERIFIED = "unverified"  # no trust was given: read, but not checked
    REFUSED = "refused"  # checked, and it did not verify (or a signer nobody trusts)
    ERROR = "error"  # unreadable or malformed


@dataclass(frozen=True)
class SignatureInfo:
    """One signature over the artifact: who, and whether it verified."""

    signer: str  # "key sha256:<hex>" or "identity <san>" (claimed, when unverified)
    state: EvidenceState
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"signer": self.signer, "state": self.state.value, "detail": self.detail}


@dataclass(frozen=True)
class OutputVerdictInfo:
    """One output's rebuild verdict as the summary states it."""

    name: str
    verdict: str
    stabilizers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "verdict": self.verdict, "stabilizers": list(self.stabilizers)}


@dataclass(frozen=True)
class RebuildInfo:
    """What the rebuild verification summary (SLSA VSA) says."""

    state: EvidenceState
    result: str  # PASSED / FAILED
    verdict: str  # the worst output verdict: REPRODUCED, EQUIVALENT, MISMATCH, ...
    builds: int
    builders: tuple[str, ...]
    outputs: tuple[OutputVerdictInfo, ...]

    def __post_init__(self) -> None:
        if self.builds < 0:
            raise InputError("a rebuild cannot have a negative number of builds")

    @property
    def stabilizers(self) -> tuple[str, ...]:
        """Every stabilizer any output needed, sorted."""
        return tuple(sorted({s for o in self.outputs for s in o.stabilizers}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "state": self.state.value,
            "result": self.result,
            "verdict": self.verdict,
            "builds": self.builds,
            "builders": list(self.builders),
            "stabilizers": list(self.stabilizers),
            "outputs": [o.to_dict() for o in self.outputs],
        }


@dataclass(frozen=True)
class QualityCheck:
    """One check of the SBOM quality score, 0.0 to 10.0; None when it does not apply."""

    category: str
    name: str
    score: float | None
    detail: str

    def __post_init__(self) -> None:
        if self.score is not None and not 0.0 <= self.score <= 10.0:
            raise InputError(f"quality check {self.name}: score {self.score} is not in 0..10")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "category": self.category,
            "name": self.name,
            "score": self.score,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class QualityScore:
    """The SBOM quality score: the mean of the checks that apply, per category and overall."""

    checks: tuple[QualityCheck, ...]

    def category_scores(self) -> dict[str, float | None]:
        """Mean score per category (None when no check of it applies), in check order."""
        out: dict[str, float | None] = {}
        for check in self.checks:
            out.setdefault(check.category, None)
        for category in out:
            scores = [
                c.score for c in self.checks if c.category == category and c.score is not None
            ]
            out[category] = round(sum(scores) / len(scores), 1) if scores else None
        return out

    @property
    def total(self) -> float:
        """Mean over every applicable check, one decimal."""
        scores = [c.score for c in self.checks if c.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else 0.0

    @property
    def ntia_complete(self) -> bool:
        """Every applicable NTIA minimum element check scored 10."""
        return all(
            c.score in (None, 10.0) for c in self.checks if c.category == "NTIA-minimum-elements"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "total": self.total,
            "ntiaComplete": self.ntia_complete,
            "categories": self.category_scores(),
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class SbomInfo:
    """Facts of the artifact's CycloneDX SBOM."""

    state: EvidenceState
    spec_version: str
    components: int
    with_sha256: int
    licenses: tuple[tuple[str, int], ...]  # (license, components), most used first
    quality: QualityScore
    document: bytes = field(default=b"", repr=False, compare=False)  # for the release diff

    def __post_init__(self) -> None:
        if not 0 <= self.with_sha256 <= self.components:
            raise InputError("components with sha256 must be between 0 and the component count")

    @property
    def sha256_share(self) -> float | None:
        """Share of components with a SHA-256 hash (None without components)."""
        return round(self.with_sha256 / self.components, 3) if self.components else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "state": self.state.value,
            "specVersion": self.spec_version,
            "components": self.components,
            "componentsWithSha256": self.with_sha256,
            "sha256Share": self.sha256_share,
            "licenses": dict(self.licenses),
            "quality": self.quality.to_dict(),
        }


@dataclass(frozen=True, order=True)
class ProvenanceInfo:
    """One SLSA provenance statement: who built it, from what, how."""

    builder_id: str
    build_type: str
    source: str
    state: EvidenceState

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "builderId": self.builder_id,
            "buildType": self.build_type,
            "source": self.source,
            "state": self.state.value,
        }


@dataclass(frozen=True)
class DecisionInfo:
    """The policy's decision: allowed, denied or undecided, with every reason."""

    outcome: str
    reasons: tuple[str, ...] = ()
    policy_set: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "policySet": self.policy_set,
        }


@dataclass(frozen=True)
class EvidenceItem:
    """One bundle found for the artifact, as the audit classified it."""

    kind: str  # signature, sbom, provenance, rebuild, release-summary, release-manifest, other
    predicate_type: str
    digest: str
    state: EvidenceState
    signer: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "kind": self.kind,
            "predicateType": self.predicate_type,
            "digest": self.digest,
            "state": self.state.value,
            "signer": self.signer,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditEntry:
    """Everything the audit found about one artifact."""

    reference: str
    version: str | None
    digest: str | None
    signatures: tuple[SignatureInfo, ...] = ()
    rebuild: RebuildInfo | None = None
    sbom: SbomInfo | None = None
    provenance: tuple[ProvenanceInfo, ...] = ()
    decision: DecisionInfo | None = None
    evidence: tuple[EvidenceItem, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def signed(self) -> str:
        """``verified``, ``unverified`` (signatures, nobody to check them), ``unsigned``."""
        states = {s.state for s in self.signatures}
        if EvidenceState.VERIFIED in states:
            return "verified"
        if EvidenceState.UNVERIFIED in states:
            return "unverified"
        if states:
            return "refused"
        return "unsigned"

    @property
    def status(self) -> str:
        """One word for the row: error, denied, undecided, unsigned, unverified or ok."""
        if self.errors:
            return "error"
        if self.decision is not None and self.decision.outcome != "allowed":
            return self.decision.outcome
        signed = self.signed
        if signed in ("unsigned", "refused"):
            return "unsigned"
        return "ok" if signed == "verified" else "unverified"

    @property
    def flags(self) -> frozenset[str]:
        """What ``--fail-on`` can name: denied, undecided, unsigned, unverified, error."""
        out = set()
        if self.errors:
            out.add("error")
        if self.decision is not None and self.decision.outcome != "allowed":
            out.add(self.decision.outcome)
        if self.signed in ("unsigned", "refused"):
            out.add("unsigned")
        if self.signed == "unverified":
            out.add("unverified")
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "reference": self.reference,
            "version": self.version,
            "digest": self.digest,
            "status": self.status,
            "signed": self.signed,
            "signatures": [s.to_dict() for s in self.signatures],
            "rebuild": self.rebuild.to_dict() if self.rebuild else None,
            "sbom": self.sbom.to_dict() if self.sbom else None,
            "provenance": [p.to_dict() for p in self.provenance],
            "decision": self.decision.to_dict() if self.decision else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "errors": list(self.errors),
        }


@dataclass(frozen=True)
class ComponentDiffInfo:
    """What changed in the SBOM from one audited release to the next."""

    old: str
    new: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "old": self.old,
            "new": self.new,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class AuditReport:
    """The whole audit: entries in a stable order, the trust used, the release diffs."""

    generated_at: str
    trust: tuple[str, ...]
    policy: str | None
    entries: tuple[AuditEntry, ...]
    diffs: tuple[ComponentDiffInfo, ...] = ()

    def __post_init__(self) -> None:
        if not self.entries:
            raise InputError("an audit needs at least one artifact")

    def counts(self) -> dict[str, int]:
        """How many entries have each status, sorted by status."""
        out: dict[str, int] = {}
        for entry in self.entries:
            out[entry.status] = out.get(entry.status, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "reportVersion": 1,
            "command": "audit",
            "generatedAt": self.generated_at,
            "trust": list(self.trust),
            "policy": self.policy,
            "counts": self.counts(),
            "entries": [e.to_dict() for e in self.entries],
            "diffs": [d.to_dict() for d in self.diffs],
        }
