"""The sigstore-conformance client protocol's ``verify-bundle`` operation.

``verify-bundle --bundle F (--certificate-identity I --certificate-oidc-issuer U | --key PEM)
[--trusted-root R] ARTIFACT`` where ARTIFACT is a path or ``sha256:<hex>``. Exit 0 verified,
non-zero refused. Identity and issuer are exact matches, as the protocol defines them.
"""

from __future__ import annotations

from pathlib import Path

from verifier.errors import InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.identity import Match
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keyless_policy import KeylessTrust
from verifier.sign.keys import PublicKey
from verifier.sign.policy import TrustPolicy, VerifiedSignature
from verifier.sign.verify import verify_bundle


def conformance_verify(
    bundle_path: Path,
    artifact: str,
    *,
    key: Path | None = None,
    identity: str | None = None,
    issuer: str | None = None,
    trusted_root: Path | None = None,
) -> VerifiedSignature:
    """Verify as the conformance protocol asks; raises on refusal."""
    policy: TrustPolicy
    if key is not None:
        if identity or issuer:
            raise InputError(
                "give either --key or --certificate-identity/--certificate-oidc-issuer"
            )
        policy = KeyTrust(PublicKey.load(key), trusted_root)
    elif identity and issuer:
        policy = KeylessTrust(Match(identity), Match(issuer), trusted_root)
    else:
        raise InputError(
            "verify-bundle needs --key, or --certificate-identity and --certificate-oidc-issuer"
        )
    bundle = Bundle.load(bundle_path)
    return verify_bundle(bundle, Artifact.from_argument(artifact), policy)
