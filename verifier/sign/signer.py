"""The signer axis: something that turns an artifact or a statement into a Sigstore bundle.

Backends: :mod:`verifier.sign.key_signer` (a local key) and :mod:`verifier.sign.keyless`
(Sigstore keyless through sigstore-python: Fulcio certificate and Rekor entry).
"""

from __future__ import annotations

from typing import Protocol

from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle


class Signer(Protocol):
    """Signs artifacts (message signatures) and in-toto statements (DSSE)."""

    def sign_artifact(self, artifact: Artifact) -> Bundle:
        """A bundle with a ``messageSignature`` over the artifact."""
        ...

    def sign_statement(self, statement: bytes) -> Bundle:
        """A bundle whose DSSE envelope carries ``statement`` (in-toto JSON bytes)."""
        ...


def sign_statement(statement: bytes, signer: Signer) -> Bundle:
    """Library entry point for the release pipeline: sign an in-toto statement."""
    return signer.sign_statement(statement)
