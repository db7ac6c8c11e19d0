"""Verification policies: whom we trust, and how many of them must have signed.

* A :class:`TrustPolicy` judges one bundle: :class:`~verifier.sign.key_policy.KeyTrust` (a
  public key), :class:`~verifier.sign.keyless_policy.KeylessTrust` (a keyless identity),
  and the combinators :class:`AnyOf` and :class:`AllOf` over policies.
* :class:`Threshold` judges several bundles: it passes when at least ``required`` distinct
  signers (keys or certificate identities) each verified a bundle under the trusted policies.

An empty policy set is an error, never a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from verifier.errors import CheckFailed, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.intoto import InTotoStatement


@dataclass(frozen=True)
class VerifiedSignature:
    """A bundle that verified: who signed it and, for DSSE, the exact statement bytes signed."""

    bundle: str
    signer: str
    statement: InTotoStatement | None = None
    payload: bytes | None = field(default=None, repr=False)


class TrustPolicy(Protocol):
    """Decides whether one bundle is a valid signature over an artifact by a trusted signer."""

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """Return what verified, or raise CheckFailed (said no) / InputError (malformed)."""
        ...

    def describe(self) -> str:
        """A short human name for reports: the key fingerprint or the identity."""
        ...


def _require(policies: Sequence[TrustPolicy], what: str) -> tuple[TrustPolicy, ...]:
    if not policies:
        raise InputError(f"{what} needs at least one trusted key or identity")
    return tuple(policies)


@dataclass(frozen=True)
class AnyOf:
    """The bundle verifies under at least one of the policies."""

    policies: tuple[TrustPolicy, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", _require(self.policies, "AnyOf"))

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """The first policy that accepts the bundle; otherwise every reason is reported."""
        if len(self.policies) == 1:
            return self.policies[0].verify(bundle, artifact)
        reasons: list[str] = []
        for policy in self.policies:
            try:
                return policy.verify(bundle, artifact)
            except CheckFailed as exc:
                reasons.append(f"{policy.describe()}: {exc}")
        raise CheckFailed(
            f"{bundle.source}: not signed by any trusted key or identity", details=tuple(reasons)
        )

    def describe(self) -> str:
        """All alternatives."""
        return "any of: " + "; ".join(p.describe() for p in self.policies)


@dataclass(frozen=True)
class AllOf:
    """The bundle verifies under every policy (e.g. an identity and a stricter constraint)."""

    policies: tuple[TrustPolicy, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", _require(self.policies, "AllOf"))

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """Every policy must accept; the first refusal is reported."""
        results = [policy.verify(bundle, artifact) for policy in self.policies]
        return results[0]

    def describe(self) -> str:
        """All requirements."""
        return "all of: " + "; ".join(p.describe() for p in self.policies)


@dataclass(frozen=True)
class ThresholdResult:
    """The distinct signers that verified, and why the other bundles were refused."""

    verified: tuple[VerifiedSignature, ...]
    refused: tuple[str, ...]

    @property
    def signers(self) -> tuple[str, ...]:
        """Distinct signer names, sorted."""
        return tuple(sorted({v.signer for v in self.verified}))


@dataclass(frozen=True)
class Threshold:
    """At least ``required`` distinct trusted signers must each have verified a bundle."""

    required: int
    policies: tuple[TrustPolicy, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "policies", _require(self.policies, "a threshold"))
        if self.required < 1:
            raise InputError(f"threshold must be at least 1, got {self.required}")

    def verify_all(self, bundles: Sequence[Bundle], artifact: Artifact) -> ThresholdResult:
        """Judge every bundle; raise CheckFailed when fewer than ``required`` signers verified."""
        if not bundles:
            raise InputError("no bundle to verify")
        verified: list[VerifiedSignature] = []
        refused: list[str] = []
        seen: set[str] = set()
        any_of = AnyOf(self.policies)
        for bundle in bundles:
            try:
                result = any_of.verify(bundle, artifact)
            except CheckFailed as exc:
                if len(bundles) == 1 and self.required == 1:
                    raise  # one bundle, one verdict: its own reason is the clearest message

                refused.append(str(exc))
                refused.extend(f"  {d}" for d in exc.details)
                continue
            if result.signer in seen:
                refused.append(f"{bundle.source}: signer {result.signer} already counted")
                continue
            seen.add(result.signer)
            verified.append(result)
        outcome = ThresholdResult(tuple(verified), tuple(refused))
        if len(seen) < self.required:
            raise CheckFailed(
                f"{len(seen)} of the required {self.required} distinct trusted signers verified",
                details=outcome.refused,
            )
        return outcome
