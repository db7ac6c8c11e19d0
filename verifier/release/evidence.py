"""The evidence a release signs: SBOM, provenance, the rebuild verdict, then its own manifest.

Every statement names the release's OCI manifest as a subject besides the output files, so
admission of the release (by tag or digest) finds evidence about exactly what it admits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier import __version__
from verifier.attest.predicates import VerificationResult, VerificationSummaryV1
from verifier.attest.statement import Statement, Subject, resource
from verifier.attest.uris import (
    COSIGN_SIGN_V1,
    CYCLONEDX_BOM,
    RELEASE_PREDICATE,
    RELEASE_VERIFIER_ID,
    VSA_V1,
)
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.evidence import RawBundle
from verifier.rebuild.engine import RebuildResult
from verifier.rebuild.statements import summary_for
from verifier.rebuild.variations import Variation
from verifier.rebuild.verdicts import OutputVerdict, Verdict
from verifier.release.package import Package
from verifier.release.record import EvidenceItem, ReleaseManifest
from verifier.sign.signer import Signer


@dataclass(frozen=True)
class SignedEvidence:
    """A statement, its bundle, and the evidence item the release manifest lists."""

    kind: str
    statement: Statement
    bundle: bytes

    @property
    def item(self) -> EvidenceItem:
        """The entry in the release manifest."""
        return EvidenceItem(self.kind, self.statement.predicate_type, Digest.of_bytes(self.bundle))


def _release_subjects(pkg: Package, label: str) -> tuple[Subject, ...]:
    """Every released file and the release's OCI manifest: what each release statement names."""
    return (*[Subject(f.name, f.digest) for f in pkg.files], Subject(label, pkg.digest))


def _with_package(statement: Statement, pkg: Package, label: str) -> Statement:
    subjects = (*statement.subjects, Subject(label, pkg.digest))
    return Statement(tuple(sorted(set(subjects))), statement.predicate_type, statement.predicate)


def package_verdict(packages: Sequence[Package], label: str) -> OutputVerdict:
    """The OCI manifest as one more output: reproduced exactly when every build's is the same."""
    digests = tuple(p.digest for p in packages)
    if len(set(digests)) == 1:
        return OutputVerdict(
            label, Verdict.REPRODUCED, digests, f"identical in all {len(digests)} builds"
        )
    differing = [str(i + 1) for i, d in enumerate(digests) if d != digests[0]]
    return OutputVerdict(
        label,
        Verdict.MISMATCH,
        digests,
        f"build 1 differs from build(s) {', '.join(differing)} (their outputs differ)",
    )


def sign_release_evidence(
    result: RebuildResult,
    pkg: Package,
    packages: Sequence[Package],
    sbom: bytes,
    *,
    label: str,
    builder_id: str,
    signer: Signer,
    now: datetime,
) -> tuple[SignedEvidence, ...]:
    """Sign the release itself, the SBOM attestation, every provenance and the rebuild summary."""
    # cosign v3's image signature: a statement about the manifest digest, empty predicate.
    signed = [
        _sign("signature", Statement((Subject(label, pkg.digest),), COSIGN_SIGN_V1, {}), signer)
    ]
    sbom_statement = Statement(
        _release_subjects(pkg, label),
        CYCLONEDX_BOM,
        _json_object(sbom),
    )
    signed.append(_sign("sbom", sbom_statement, signer))
    for _, statement in result.provenance:
        signed.append(_sign("provenance", _with_package(statement, pkg, label), signer))
    verdicts = (*result.verdicts, package_verdict(packages, label))
    summary = summary_for(
        recipe=result.recipe,
        display_path=result.recipe.path.name,
        runs=result.runs,
        verdicts=verdicts,
        provenance=[(p.name, Digest.of_bytes(s.to_json())) for p, s in result.provenance],
        policy=result.policy,
        enabled=frozenset(Variation(v) for v in result.policy.variations),
        builder_id=builder_id,
        time_verified=now,
    )
    signed.append(_sign("rebuild", _with_package(summary, pkg, label), signer))
    return tuple(signed)


def _json_object(data: bytes) -> dict[str, Any]:
    value = json.loads(data)
    if not isinstance(value, dict):
        raise InputError("the SBOM is not a JSON object")
    return value


def _sign(kind: str, statement: Statement, signer: Signer) -> SignedEvidence:
    return SignedEvidence(kind, statement, signer.sign_statement(statement.to_json()).to_json())


def sign_release_manifest(
    manifest: ReleaseManifest, pkg: Package, label: str, signer: Signer
) -> SignedEvidence:
    """The release manifest as a signed in-toto statement about the release."""
    statement = Statement(_release_subjects(pkg, label), RELEASE_PREDICATE, manifest.to_dict())
    return _sign("release-manifest", statement, signer)


def sign_release_summary(
    pkg: Package,
    *,
    label: str,
    resource_uri: str,
    policy_uri: str,
    policy_digest: Digest,
    decision: dict[str, Any],
    evidence: Sequence[EvidenceItem],
    now: datetime,
    signer: Signer,
) -> SignedEvidence:
    """The release's SLSA VSA: PASSED under this policy digest (admission's fast path)."""
    predicate = VerificationSummaryV1(
        verifier_id=RELEASE_VERIFIER_ID,
        verifier_version={"verifier": __version__},
        time_verified=now,
        resource_uri=resource_uri,
        policy_uri=policy_uri,
        policy_digest=policy_digest.hex,
        input_attestations=[resource(e.kind, e.bundle) for e in evidence],
        result=VerificationResult.PASSED,
        verified_levels=[],
        extensions={"decision": decision},
    )
    statement = Statement(
        _release_subjects(pkg, label),
        VSA_V1,
        predicate.to_dict(),
    )
    return _sign("verification-summary", statement, signer)


@dataclass(frozen=True)
class CandidateEvidence:
    """The release's own evidence, before anything is published, as the policy engine reads it."""

    items: tuple[SignedEvidence, ...]

    @property
    def name(self) -> str:
        """Where the evidence is, for messages."""
        return "this release"

    def bundles_for(self, subject: Digest, name: str) -> Iterator[RawBundle]:
        """Every bundle the release made (the engine checks subjects itself)."""
        for item in self.items:
            yield RawBundle(f"release {item.kind}", item.bundle)
