"""Library entry points for verification, as the CLI, the release pipeline and policy call them.

* :func:`verify_bundle`: one bundle, one policy (a key, an identity, or AnyOf / AllOf of them).
* :func:`verify_bundles`: several bundles that together must reach a threshold of distinct
  trusted signers.
* :class:`PredicateTypeIs`: a policy wrapper for attestations: the bundle must hold an in-toto
  statement (v1 or v0.1) with exactly this predicate type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verifier.errors import CheckFailed
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.policy import Threshold, ThresholdResult, TrustPolicy, VerifiedSignature


def verify_bundle(bundle: Bundle, artifact: Artifact, policy: TrustPolicy) -> VerifiedSignature:
    """Verify one bundle over ``artifact``; raises CheckFailed (exit 1) or InputError (exit 2)."""
    return policy.verify(bundle, artifact)


def verify_bundles(
    bundles: Sequence[Bundle], artifact: Artifact, threshold: Threshold
) -> ThresholdResult:
    """Verify several bundles; pass when ``threshold.required`` distinct signers verified."""
    return threshold.verify_all(bundles, artifact)


@dataclass(frozen=True)
class PredicateTypeIs:
    """Accept only attestations (DSSE in-toto statements) of one predicate type."""

    policy: TrustPolicy
    predicate_type: str

    def describe(self) -> str:
        """The inner policy's name."""
        return self.policy.describe()

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """Verify with the inner policy, then check the statement's predicate type."""
        result = self.policy.verify(bundle, artifact)
        if result.statement is None:
            raise CheckFailed(f"{bundle.source}: holds a plain signature, not an attestation")
        if result.statement.predicate_type != self.predicate_type:
            raise CheckFailed(
                f"{bundle.source}: predicate type is {result.statement.predicate_type!r}, "
                f"expected {self.predicate_type!r}"
            )
        return result
