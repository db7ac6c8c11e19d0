"""The URIs verifier writes into statements. They are identifiers, not web addresses."""

from __future__ import annotations

PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
VSA_V1 = "https://slsa.dev/verification_summary/v1"

#: buildType of a verifier rebuild; its externalParameters hold the recipe.
REBUILD_BUILD_TYPE = "urn:verifier:buildtype:rebuild:v1"
#: verifier.id of the rebuild verification summary.
REBUILD_VERIFIER_ID = "urn:verifier:rebuild"
#: policy.uri of the rebuild rules (N builds, variations, sandbox) the summary attests to.
REBUILD_POLICY_URI = "urn:verifier:policy:rebuild:v1"
#: default builder.id; CI sets VERIFIER_BUILDER_ID to something that names the builder.
DEFAULT_BUILDER_ID = "urn:verifier:builder:local"

#: predicateType of the signed release manifest ``verifier release`` attaches.
RELEASE_PREDICATE = "urn:verifier:predicate:release:v1"
#: verifier.id of the release's verification summary (what admission's fast path trusts).
RELEASE_VERIFIER_ID = "urn:verifier:release"
#: predicateType of a CycloneDX SBOM attestation.
CYCLONEDX_BOM = "https://cyclonedx.org/bom"
#: cosign v3's image signature statement (empty predicate, subject = the image digest).
COSIGN_SIGN_V1 = "https://sigstore.dev/cosign/sign/v1"
