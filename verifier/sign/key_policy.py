"""Trusting a public key: our own verification of key-signed bundles.

sigstore-python cannot parse key-signed bundles (``expected certificate in bundle``), so this
is ours. Steps:

1. the bundle must carry ``publicKey`` material; its hint is unauthenticated and decides
   nothing: the signature itself must verify under our key;
2. message signature: the claimed digest must be the artifact's, and the signature must
   verify over the artifact (ECDSA: its sha256 prehash; Ed25519: its bytes);
3. DSSE: the single signature must verify over PAE(payloadType, payload); then the payload
   must be an in-toto statement naming the artifact (:mod:`verifier.sign.binding`);
4. transparency-log entries, when the bundle carries any, must be genuine and describe this
   signature (:mod:`verifier.sign.key_tlog`); none are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.errors import CheckFailed
from verifier.sign.artifact import Artifact
from verifier.sign.binding import bind_statement, check_message_digest
from verifier.sign.bundle import Bundle, MaterialKind
from verifier.sign.dsse import Envelope
from verifier.sign.key_tlog import verify_key_tlog_entries
from verifier.sign.keys import KeyAlgorithm, PublicKey
from verifier.sign.policy import VerifiedSignature


@dataclass(frozen=True)
class KeyTrust:
    """A :class:`~verifier.sign.policy.TrustPolicy` that trusts one public key."""

    key: PublicKey
    trusted_root: Path | None = None

    def describe(self) -> str:
        """The key's fingerprint."""
        return f"key {self.key.fingerprint.short}"

    def verify(self, bundle: Bundle, artifact: Artifact) -> VerifiedSignature:
        """Verify a key-signed bundle with this key (see the module docstring)."""
        if bundle.material is not MaterialKind.PUBLIC_KEY:
            raise CheckFailed(
                f"{bundle.source}: signed with a certificate, not a key; verify it with an identity"
            )
        signer = f"key {self.key.fingerprint}"
        content = bundle.content
        if isinstance(content, Envelope):
            if not content.verified_keys([self.key]):
                raise CheckFailed(
                    f"{bundle.source}: DSSE signature does not verify with {self.describe()}"
                )
            statement = bind_statement(bundle, content.payload_type, content.payload, artifact)
            verify_key_tlog_entries(bundle, self.key, artifact, self.trusted_root)
            return VerifiedSignature(bundle.source, signer, statement, content.payload)
        check_message_digest(bundle, content, artifact)
        if self.key.algorithm is KeyAlgorithm.ED25519:
            ok = self.key.verify(content.signature, artifact.read_bytes())
        else:
            ok = self.key.verify_digest(content.signature, artifact.digest)
        if not ok:
            raise CheckFailed(
                f"{bundle.source}: signature over {artifact.name} does not verify "
                f"with {self.describe()}"
            )
        verify_key_tlog_entries(bundle, self.key, artifact, self.trusted_root)
        return VerifiedSignature(bundle.source, signer)
