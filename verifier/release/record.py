"""What a release is: the signed release manifest's predicate, and the record we print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifier.digest import Digest

#: artifactType of the OCI manifest holding a release's files (one layer per output).
RELEASE_ARTIFACT_TYPE = "application/vnd.verifier.release.v1"
#: artifactType of the CycloneDX SBOM attached beside the signed SBOM attestation.
SBOM_ARTIFACT_TYPE = "application/vnd.cyclonedx+json"
#: Annotations on the release's OCI manifest: enough to recognise a re-run of one release.
ANNOTATION_VERSION = "dev.verifier.release.version"
ANNOTATION_RECIPE = "dev.verifier.release.recipe.digest"
ANNOTATION_NAME = "dev.verifier.release.name"


@dataclass(frozen=True)
class ReleasedFile:
    """One file of a release (a layer of its OCI manifest)."""

    name: str
    digest: Digest
    size: int


@dataclass(frozen=True)
class EvidenceItem:
    """One signed piece of evidence attached to the release, by kind."""

    kind: str  # sbom, provenance, rebuild, release-manifest, verification-summary
    predicate_type: str
    bundle: Digest  # sha256 of the bundle bytes
    referrer: Digest | None = None  # the referrer manifest in the store, once attached


@dataclass(frozen=True)
class ReleaseManifest:
    """The predicate of the signed release manifest (``urn:verifier:predicate:release:v1``)."""

    name: str
    version: str
    artifact: Digest  # the OCI manifest
    files: tuple[ReleasedFile, ...]
    recipe: Digest
    source_commits: tuple[tuple[str, str], ...]  # (input name, commit) for git inputs
    source_date_epoch: int
    sbom: Digest
    evidence: tuple[EvidenceItem, ...]
    policy_set: Digest
    decision: Digest

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, deterministic."""
        return {
            "name": self.name,
            "version": self.version,
            "artifact": {"digest": str(self.artifact)},
            "files": [
                {"name": f.name, "digest": {"sha256": f.digest.hex}, "size": f.size}
                for f in self.files
            ],
            "source": {
                "recipe": {"sha256": self.recipe.hex},
                "commits": [{"input": n, "commit": c} for n, c in self.source_commits],
                "sourceDateEpoch": self.source_date_epoch,
            },
            "sbom": {"sha256": self.sbom.hex},
            "evidence": [
                {"kind": e.kind, "predicateType": e.predicate_type, "bundle": str(e.bundle)}
                for e in self.evidence
            ],
            "policy": {"digest": str(self.policy_set)},
            "decision": {"sha256": self.decision.hex},
        }


def evidence_json(items: Sequence[EvidenceItem]) -> list[dict[str, Any]]:
    """Evidence for the printed release record (with the store referrers)."""
    return [
        {
            "kind": e.kind,
            "predicateType": e.predicate_type,
            "bundle": str(e.bundle),
            "referrer": str(e.referrer) if e.referrer else None,
        }
        for e in items
    ]
