"""Predicate bodies: SLSA provenance v1 and SLSA verification summary (VSA) v1."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from verifier.clock import rfc3339


@dataclass(frozen=True)
class ProvenanceV1:
    """``https://slsa.dev/provenance/v1``: how the subjects were built."""

    build_type: str
    external_parameters: Mapping[str, Any]
    internal_parameters: Mapping[str, Any]
    resolved_dependencies: Sequence[Mapping[str, Any]]
    builder_id: str
    builder_version: Mapping[str, str]
    invocation_id: str
    started_on: datetime
    finished_on: datetime
    byproducts: Sequence[Mapping[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The predicate as JSON-ready data."""
        return {
            "buildDefinition": {
                "buildType": self.build_type,
                "externalParameters": self.external_parameters,
                "internalParameters": self.internal_parameters,
                "resolvedDependencies": list(self.resolved_dependencies),
            },
            "runDetails": {
                "builder": {"id": self.builder_id, "version": dict(self.builder_version)},
                "metadata": {
                    "invocationId": self.invocation_id,
                    "startedOn": rfc3339(self.started_on),
                    "finishedOn": rfc3339(self.finished_on),
                },
                "byproducts": list(self.byproducts),
            },
        }


class VerificationResult(StrEnum):
    """VSA verificationResult."""

    PASSED = "PASSED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class VerificationSummaryV1:
    """``https://slsa.dev/verification_summary/v1``.

    ``extensions`` carries verifier's own detail (for a rebuild: the builds, the variations and
    a verdict per output) under keys consumers that do not know them ignore.
    """

    verifier_id: str
    verifier_version: Mapping[str, str]
    time_verified: datetime
    resource_uri: str
    policy_uri: str
    policy_digest: str  # sha256 hex
    input_attestations: Sequence[Mapping[str, Any]]
    result: VerificationResult
    verified_levels: Sequence[str]
    extensions: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The predicate as JSON-ready data."""
        body: dict[str, Any] = {
            "verifier": {"id": self.verifier_id, "version": dict(self.verifier_version)},
            "timeVerified": rfc3339(self.time_verified),
            "resourceUri": self.resource_uri,
            "policy": {"uri": self.policy_uri, "digest": {"sha256": self.policy_digest}},
            "inputAttestations": list(self.input_attestations),
            "verificationResult": self.result.value,
            "verifiedLevels": list(self.verified_levels),
            "slsaVersion": "1.0",
        }
        body.update(self.extensions)
        return body
