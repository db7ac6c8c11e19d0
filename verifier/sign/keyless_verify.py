"""Keyless (Fulcio certificate + Rekor entry) verification through sigstore-python, offline.

* The trusted root is a file the user gives, or the Sigstore public-good root that
  sigstore-python embeds in its wheel, read directly from the package: no TUF refresh, no
  cache lookup (an older cached root could otherwise win), no network call of any kind.
* sigstore-python 4.5 refuses Rekor ``intoto/0.0.2`` entries (v0.2 bundles made by older
  cosign) although the conformance suite expects them to verify. :class:`_Verifier` adds that
  one entry kind: the SET-bound integrated time counts as a verified time exactly as for
  ``dsse/0.0.1``, and the entry body is checked against the envelope (payload hash, the one
  signature, the signing certificate). NOTE: this leans on sigstore-python's private
  ``_establish_time`` / ``_verify_common_signing_cert``; the dependency is pinned below 5 and
  the conformance test fails loudly if they change.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore import dsse as sigstore_dsse
from sigstore._internal.timestamp import TimestampSource, TimestampVerificationResult
from sigstore.errors import Error as SigstoreError
from sigstore.errors import VerificationError
from sigstore.hashes import Hashed
from sigstore.models import Bundle as SigstoreBundle
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import VerificationPolicy
from sigstore_models.common.v1 import HashAlgorithm

from verifier.errors import CheckFailed, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.keys import read_small_file

MAX_TRUSTED_ROOT_BYTES = 4 * 1024 * 1024
_EMBEDDED_ROOT = ("_store", "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev", "trusted_root.json")


@dataclass(frozen=True)
class KeylessResult:
    """What sigstore-python verified: a DSSE payload (type, exact bytes), or None twice."""

    payload_type: str | None
    payload: bytes | None


@functools.cache
def _production_verifier() -> _Verifier:
    resource = importlib.resources.files("sigstore")
    for part in _EMBEDDED_ROOT:
        resource = resource / part
    try:
        root = TrustedRoot.from_file(str(resource))
    except (OSError, ValueError) as exc:  # pragma: no cover - a broken installation
        raise CheckFailed(f"cannot load sigstore-python's embedded trusted root: {exc}") from exc
    return _Verifier(trusted_root=root)


@functools.lru_cache(maxsize=16)
def _file_verifier(path: Path, mtime_ns: int) -> _Verifier:
    data = read_small_file(path, MAX_TRUSTED_ROOT_BYTES)
    try:
        json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: trusted root is not valid JSON: {exc}") from None
    try:
        root = TrustedRoot.from_file(str(path))
        return _Verifier(trusted_root=root)
    except (SigstoreError, ValueError) as exc:
        raise InputError(f"{path}: not a usable trusted root: {first_line(exc)}") from None


def verifier_for(trusted_root: Path | None) -> Verifier:
    """A sigstore-python verifier for a trusted-root file, or the embedded public-good root."""
    if trusted_root is None:
        return _production_verifier()
    try:
        mtime = trusted_root.stat().st_mtime_ns
    except OSError as exc:
        raise InputError(f"{trusted_root}: cannot read: {exc.strerror or exc}") from exc
    return _file_verifier(trusted_root, mtime)


#: sigstore-python's messages can carry whole byte strings (inclusion proofs, root hashes);
#: the reason comes first, the dump after.
MAX_REASON = 200


def first_line(exc: BaseException) -> str:
    """The first line of a library's error, cut to MAX_REASON characters."""
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1].rstrip() + "…"


def verify_keyless(
    bundle: Bundle, artifact: Artifact, policy: VerificationPolicy, trusted_root: Path | None
) -> KeylessResult:
    """Verify a certificate-bearing bundle; CheckFailed says why it was refused."""
    verifier = verifier_for(trusted_root)
    try:
        sigstore_bundle = SigstoreBundle.from_json(bundle.raw or bundle.to_json())
    except (SigstoreError, ValueError) as exc:
        raise CheckFailed(f"{bundle.source}: refused by sigstore: {first_line(exc)}") from None
    try:
        if bundle.is_dsse:
            payload_type, payload = verifier.verify_dsse(sigstore_bundle, policy)
            return KeylessResult(payload_type, payload)
        hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(artifact.digest.hex))
        verifier.verify_artifact(hashed, sigstore_bundle, policy)
        return KeylessResult(None, None)
    except (SigstoreError, ValueError) as exc:
        raise CheckFailed(f"{bundle.source}: {first_line(exc)}") from None


class _Verifier(Verifier):
    """sigstore-python's verifier plus Rekor ``intoto/0.0.2`` entries (see the module docstring)."""

    def _establish_time(self, bundle: SigstoreBundle) -> list[TimestampVerificationResult]:
        inner = bundle.log_entry._inner
        kv = inner.kind_version
        if not (kv.kind == "intoto" and kv.version == "0.0.2"):
            return super()._establish_time(bundle)
        # Same rule as upstream for dsse/0.0.1: TSA times first, then the integrated time,
        # only when an inclusion promise binds it (the SET is verified with the log entry).
        times: list[TimestampVerificationResult] = []
        if bundle.verification_material.timestamp_verification_data:
            if not self._trusted_root.get_timestamp_authorities():
                raise VerificationError("the bundle has a signed timestamp but the root has no TSA")
            times.extend(self._verify_timestamp_authority(bundle))
        promise = inner.inclusion_promise
        if inner.integrated_time and promise:
            times.append(
                TimestampVerificationResult(
                    source=TimestampSource.TRANSPARENCY_SERVICE,
                    time=datetime.fromtimestamp(inner.integrated_time, tz=UTC),
                )
            )
        return times

    def verify_dsse(self, bundle: SigstoreBundle, policy: VerificationPolicy) -> tuple[str, bytes]:
        kv = bundle.log_entry._inner.kind_version
        if not (kv.kind == "intoto" and kv.version == "0.0.2"):
            return super().verify_dsse(bundle, policy)
        self._verify_common_signing_cert(bundle, policy)
        envelope = bundle._dsse_envelope
        if envelope is None:
            raise VerificationError("bundle has no DSSE envelope")
        key = bundle.signing_certificate.public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise VerificationError("signing certificate does not hold an ECDSA key")
        sigstore_dsse._verify(key, envelope)
        _check_intoto_v002_body(bundle)
        return (envelope._inner.payload_type, envelope._inner.payload)


def _check_intoto_v002_body(bundle: SigstoreBundle) -> None:
    """The Rekor intoto/0.0.2 body must describe exactly this envelope and certificate."""
    envelope = bundle._dsse_envelope
    assert envelope is not None
    try:
        body: Any = json.loads(bundle.log_entry._inner.canonicalized_body)
        content = body["spec"]["content"]
        payload_hash = content["payloadHash"]
        logged_sigs = content["envelope"]["signatures"]
    except (ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"malformed intoto/0.0.2 log entry body: {exc}") from None
    payload = envelope._inner.payload
    if payload_hash != {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}:
        raise VerificationError("log entry payload hash does not match the bundle's envelope")
    cert_der = bundle.signing_certificate.public_bytes(serialization.Encoding.DER)
    # intoto/0.0.2 stores each signature as base64(base64(sig)) and the certificate as
    # base64(PEM); PEM line wrapping varies between writers, so certificates compare as DER.
    expected = [(base64.b64encode(s.sig).decode(), cert_der) for s in envelope._inner.signatures]
    try:
        actual = [
            (
                base64.b64decode(s["sig"], validate=True).decode("ascii"),
                x509.load_pem_x509_certificate(base64.b64decode(s["publicKey"])).public_bytes(
                    serialization.Encoding.DER
                ),
            )
            for s in logged_sigs
        ]
    except (ValueError, KeyError, TypeError):
        actual = []
    if actual != expected:
        raise VerificationError("log entry signatures do not match the bundle's envelope")
