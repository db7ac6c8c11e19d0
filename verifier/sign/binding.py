"""What a valid signature must also be about: this artifact, in the expected form.

A signature that verifies proves only who signed some bytes. These checks tie those bytes to
the artifact being judged, and run for key-based and keyless bundles alike:

* a message signature's claimed digest, when present, must be the artifact's digest;
* a DSSE payload must be an in-toto statement (``application/vnd.in-toto+json``) that names
  the artifact's digest among its subjects. The statement is parsed from exactly the bytes
  that were verified, never from the JSON around them.
"""

from __future__ import annotations

from verifier.errors import CheckFailed, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle, MessageSignature
from verifier.sign.dsse import INTOTO_PAYLOAD_TYPE
from verifier.sign.intoto import InTotoStatement


def check_message_digest(bundle: Bundle, content: MessageSignature, artifact: Artifact) -> None:
    """Refuse a message signature whose bundle claims another artifact digest."""
    if content.digest is not None and content.digest != artifact.digest:
        raise CheckFailed(
            f"{bundle.source}: signed digest {content.digest.short} is not the artifact's "
            f"({artifact.digest.short})"
        )


def bind_statement(
    bundle: Bundle, payload_type: str, payload: bytes, artifact: Artifact
) -> InTotoStatement:
    """The verified in-toto statement, refused unless it names the artifact's digest."""
    if payload_type != INTOTO_PAYLOAD_TYPE:
        raise CheckFailed(
            f"{bundle.source}: signed payload type {payload_type!r} is not an in-toto statement"
        )
    try:
        statement = InTotoStatement.parse(payload, f"{bundle.source}: signed statement")
    except InputError as exc:
        raise CheckFailed(str(exc)) from None
    if not statement.names_digest(artifact.digest):
        raise CheckFailed(
            f"{bundle.source}: the statement's subjects do not include {artifact.name} "
            f"({artifact.digest.short})"
        )
    return statement
