"""Release summaries (SLSA VSA v1) signed with a real key, as `verifier release` attaches them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from verifier.attest.predicates import VerificationResult, VerificationSummaryV1
from verifier.attest.statement import Statement, Subject
from verifier.digest import Digest
from verifier.sign.bundle import Bundle
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey

VSA = "https://slsa.dev/verification_summary/v1"


def summary_statement(
    subject: Digest,
    policy: Digest,
    result: VerificationResult = VerificationResult.PASSED,
    predicate_type: str = VSA,
) -> bytes:
    predicate = VerificationSummaryV1(
        verifier_id="https://verifier.dev/release",
        verifier_version={"verifier": "0.1.0"},
        time_verified=datetime(2026, 11, 1, tzinfo=UTC),
        resource_uri=f"oci://reg.example/app@{subject}",
        policy_uri="policies/release-strict.yaml",
        policy_digest=policy.hex,
        input_attestations=[],
        result=result,
        verified_levels=["SLSA_BUILD_LEVEL_3"],
        extensions={},
    )
    return Statement(
        (Subject("reg.example/app", subject),), predicate_type, predicate.to_dict()
    ).to_json()


def write_summary(directory: Path, name: str, key: PrivateKey, statement: bytes) -> Bundle:
    bundle = KeySigner(key).sign_statement(statement)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.sigstore.json").write_bytes(bundle.to_json())
    return bundle
