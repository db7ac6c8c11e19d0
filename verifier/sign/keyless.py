"""Keyless signing through sigstore-python: an ambient CI OIDC credential, Fulcio, Rekor.

Flow (sigstore-python ``Signer``): detect the CI's OIDC token (GitHub Actions with
``id-token: write``, GitLab CI with an ``id_tokens: SIGSTORE_ID_TOKEN`` entry, Buildkite,
CircleCI, GCP), refresh the Sigstore trust root over TUF, get a short-lived Fulcio
certificate for an ephemeral key, sign, and log the signature in Rekor. Every step after
credential detection needs the network; nothing of it can run in an offline sandbox.

Failure mapping: no credential, an unusable credential, or an unreachable Sigstore service
is the environment failing (exit 3), never a silent fallback to anything weaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.errors import EnvironmentFailure, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.intoto import InTotoStatement

AUDIENCE = "sigstore"


def detect_ambient_token() -> str:
    """The CI's OIDC token for Sigstore, or EnvironmentFailure (exit 3) saying what is missing."""
    from sigstore.oidc import IdentityError, detect_credential

    try:
        token = detect_credential()
    except IdentityError as exc:
        raise EnvironmentFailure(
            f"keyless signing: ambient OIDC credential unusable: {exc}"
        ) from None
    if not token:
        raise EnvironmentFailure(
            "keyless signing: no ambient OIDC credential found (run in GitHub Actions with "
            "'permissions: id-token: write', or GitLab CI with an 'id_tokens: SIGSTORE_ID_TOKEN' "
            "entry)"
        )
    return token


@dataclass(frozen=True)
class KeylessSigner:
    """A :class:`~verifier.sign.signer.Signer` using Sigstore's public-good keyless flow."""

    token: str = field(repr=False)

    @classmethod
    def from_ambient(cls) -> KeylessSigner:
        """Detect the CI credential first, so a missing one fails before any network use."""
        return cls(detect_ambient_token())

    def _sign(self, what: Artifact | bytes) -> Bundle:
        from sigstore import dsse, hashes
        from sigstore.errors import Error as SigstoreError
        from sigstore.models import ClientTrustConfig
        from sigstore.oidc import IdentityToken
        from sigstore.sign import SigningContext
        from sigstore_models.common.v1 import HashAlgorithm

        try:
            identity = IdentityToken(self.token)
            context = SigningContext.from_trust_config(ClientTrustConfig.production())
            with context.signer(identity) as signer:
                if isinstance(what, Artifact):
                    hashed = hashes.Hashed(
                        algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(what.digest.hex)
                    )
                    result = signer.sign_artifact(hashed)
                else:
                    result = signer.sign_dsse(dsse.Statement(what))
        except (SigstoreError, OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EnvironmentFailure(f"keyless signing failed: {first}") from None
        return Bundle.from_json(result.to_json().encode(), "keyless bundle")

    def sign_artifact(self, artifact: Artifact) -> Bundle:
        """A hashedrekord message-signature bundle with a Fulcio certificate."""
        return self._sign(artifact)

    def sign_statement(self, statement: bytes) -> Bundle:
        """A DSSE bundle with a Fulcio certificate and a Rekor entry."""
        parsed = InTotoStatement.parse(statement, "statement to sign")
        if parsed.statement_type != "https://in-toto.io/Statement/v1":
            raise InputError("keyless signing takes in-toto Statement v1 only")
        return self._sign(statement)
