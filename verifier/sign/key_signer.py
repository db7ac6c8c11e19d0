"""Signing with a local key: v0.3 bundles with ``publicKey.hint`` and no transparency log.

The bundle shape is sigstore-go's for managed keys: the hint is base64(sha256(DER SPKI)),
the DSSE ``keyid`` is left empty, and nothing is uploaded anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle, MessageSignature, key_bundle
from verifier.sign.dsse import INTOTO_PAYLOAD_TYPE, sign_envelope
from verifier.sign.intoto import InTotoStatement
from verifier.sign.keys import KeyAlgorithm, PrivateKey


@dataclass(frozen=True)
class KeySigner:
    """A :class:`~verifier.sign.signer.Signer` backed by a private key held in memory."""

    key: PrivateKey

    def sign_artifact(self, artifact: Artifact) -> Bundle:
        """ECDSA over the sha256 prehash (streamed); Ed25519 over the artifact bytes."""
        if self.key.algorithm is KeyAlgorithm.ED25519:
            signature = self.key.sign(artifact.read_bytes())
        else:
            signature = self.key.sign_digest(artifact.digest)
        return key_bundle(MessageSignature(signature, artifact.digest), self.key.public_key)

    def sign_statement(self, statement: bytes) -> Bundle:
        """DSSE over PAE(in-toto type, statement); the statement is checked before signing."""
        InTotoStatement.parse(statement, "statement to sign")
        envelope = sign_envelope(statement, INTOTO_PAYLOAD_TYPE, self.key)
        return key_bundle(envelope, self.key.public_key)
