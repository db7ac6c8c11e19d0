"""Trusting a keyless identity: a Fulcio certificate for an OIDC identity, checked offline.

sigstore-python does the cryptography (chain to the Fulcio CA at a verified time, SCT,
Rekor inclusion proof / promise, signature, log-entry consistency); this policy adds the
identity match (exact or regexp, :mod:`verifier.sign.identity`) and the binding to the
artifact (:mod:`verifier.sign.binding`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from verifier.errors import CheckFailed
from verifier.sign.artifact import Artifact
from verifier.sign.binding import bind_statement, check_message_digest
from verifier.sign.bundle import Bundle, MaterialKind
from verifier.sign.dsse import Envelope
from verifier.sign.identity import CertificateIdentity, Match, certificate_identities
from verifier.sign.keyless_verify import verify_keyless
from verifier.sign.policy import VerifiedSignature


@dataclass(frozen=True)
class KeylessTrust:
    """A :class:`~verifier.sign.policy.TrustPolicy` for one keyless identity and issuer."""

    identity: Match
    issuer: Match
    trusted_root: Path | None = None

    def describe(self) -> str:
        """The identity and issuer patterns."""
        return f"identity {self.identity} (issuer {self.issuer})"

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """Verify a certificate-bearing bundle offline and match its identity."""
        if bundle.material is MaterialKind.PUBLIC_KEY:
            raise CheckFailed(
                f"{bundle.source}: signed with a key, not a certificate; verify it with --key"
            )
        if not isinstance(bundle.content, Envelope):
            check_message_digest(bundle, bundle.content, artifact)
        policy = CertificateIdentity(self.identity, self.issuer)
        result = verify_keyless(bundle, artifact, policy, self.trusted_root)
        signer = self._signer_name(bundle)
        if result.payload_type is None or result.payload is None:
            return VerifiedSignature(bundle.source, signer)
        statement = bind_statement(bundle, result.payload_type, result.payload, artifact)
        return VerifiedSignature(bundle.source, signer, statement, result.payload)

    def _signer_name(self, bundle: Bundle) -> str:
        cert = x509.load_der_x509_certificate(bundle.certificates[0])
        names = [n for n in certificate_identities(cert) if self.identity.matches(n)]
        return f"identity {names[0] if names else '?'}"
