"""Signing keys: ECDSA P-256 (default) or Ed25519, public keys as PEM, hints, raw sign/verify.

Signature schemes (the ones Sigstore's algorithm registry names and sigstore-js verifies):

* ECDSA P-256: ASN.1 DER signature over the SHA-256 of the message; a message signature can
  therefore be checked against a digest alone (``PKIX_ECDSA_P256_SHA_256``).
* Ed25519: pure Ed25519 over the whole message (``PKIX_ED25519``); it needs the message itself,
  never only its digest. NOTE: cosign signs blobs with Ed25519ph by default, which is a different
  scheme; bundles signed here with Ed25519 are for verifiers that follow the Sigstore registry.

The private key file format lives in :mod:`verifier.sign.cosign_key`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError

#: Public key files are small; anything larger is refused before parsing.
MAX_PUBLIC_KEY_BYTES = 64 * 1024

PublicKeyObject = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PrivateKeyObject = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class KeyAlgorithm(StrEnum):
    """Key types `verifier keygen` makes and the verifier accepts."""

    ECDSA_P256 = "ecdsa-p256"
    ED25519 = "ed25519"

    def generate(self) -> PrivateKey:
        """A fresh private key of this type."""
        match self:
            case KeyAlgorithm.ECDSA_P256:
                return PrivateKey(ec.generate_private_key(ec.SECP256R1()))
            case KeyAlgorithm.ED25519:
                return PrivateKey(ed25519.Ed25519PrivateKey.generate())


def _algorithm_of(key: PublicKeyObject, source: str) -> KeyAlgorithm:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyAlgorithm.ED25519
    if isinstance(key.curve, ec.SECP256R1):
        return KeyAlgorithm.ECDSA_P256
    raise InputError(
        f"{source}: unsupported key type EC {key.curve.name}: expected ECDSA P-256 or Ed25519"
    )


@dataclass(frozen=True)
class PublicKey:
    """A verification key; only ECDSA P-256 and Ed25519 are ever held."""

    key: PublicKeyObject
    algorithm: KeyAlgorithm = field(init=False)
    source: str = "public key"

    def __post_init__(self) -> None:
        object.__setattr__(self, "algorithm", _algorithm_of(self.key, self.source))

    @classmethod
    def from_pem(cls, data: bytes, source: str = "public key") -> PublicKey:
        """Parse PEM ``PUBLIC KEY`` (PKIX); raises InputError naming ``source``."""
        if b"-----BEGIN PUBLIC KEY-----" not in data:
            raise InputError(f"{source}: not a PEM public key (expected 'BEGIN PUBLIC KEY')")
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InputError(f"{source}: malformed PEM public key: {exc}") from exc
        if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
            raise InputError(
                f"{source}: unsupported key type {type(key).__name__}: "
                "expected ECDSA P-256 or Ed25519"
            )
        return cls(key, source=source)

    @classmethod
    def load(cls, path: Path) -> PublicKey:
        """Read a PEM public key file."""
        return cls.from_pem(read_small_file(path, MAX_PUBLIC_KEY_BYTES), source=str(path))

    @property
    def der(self) -> bytes:
        """DER SubjectPublicKeyInfo."""
        return self.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def pem(self) -> bytes:
        """PEM ``PUBLIC KEY``."""
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def hint(self) -> str:
        """The bundle key hint: base64(sha256(DER SubjectPublicKeyInfo)), as sigstore-go has it."""
        return base64.b64encode(hashlib.sha256(self.der).digest()).decode()

    @property
    def fingerprint(self) -> Digest:
        """sha256 of the DER SubjectPublicKeyInfo, to name a key in reports."""
        return Digest.of_bytes(self.der)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True when ``signature`` is this key's signature over ``message``."""
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, message)
            else:
                self.key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def verify_digest(self, signature: bytes, digest: Digest) -> bool:
        """True when ``signature`` is this key's ECDSA signature over a sha256 prehash.

        Ed25519 signs the message itself, so a digest alone cannot be checked: that raises.
        """
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            raise InputError(
                f"{self.source}: an Ed25519 signature covers the whole artifact; "
                "give the artifact file, not only its digest"
            )
        if digest.algorithm is not Algorithm.SHA256:
            raise InputError(f"{self.source}: ECDSA P-256 signatures need a sha256 digest")
        try:
            self.key.verify(
                signature, bytes.fromhex(digest.hex), ec.ECDSA(Prehashed(hashes.SHA256()))
            )
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and self.der == other.der

    def __hash__(self) -> int:
        return hash(self.der)


@dataclass(frozen=True)
class PrivateKey:
    """A signing key; never printed, never logged."""

    key: PrivateKeyObject = field(repr=False)

    def __post_init__(self) -> None:
        # Validates the key type through the public half.
        _algorithm_of(self.key.public_key(), "private key")

    @property
    def public_key(self) -> PublicKey:
        """The matching verification key."""
        return PublicKey(self.key.public_key())

    @property
    def algorithm(self) -> KeyAlgorithm:
        """ECDSA P-256 or Ed25519."""
        return self.public_key.algorithm

    def sign(self, message: bytes) -> bytes:
        """Sign ``message`` with the scheme of this key type (see the module docstring)."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(message)
        return self.key.sign(message, ec.ECDSA(hashes.SHA256()))

    def sign_digest(self, digest: Digest) -> bytes:
        """ECDSA signature over a sha256 prehash (Ed25519 keys cannot sign a digest)."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            raise InputError("an Ed25519 key signs the artifact itself, not its digest")
        if digest.algorithm is not Algorithm.SHA256:
            raise InputError("ECDSA P-256 signatures need a sha256 digest")
        return self.key.sign(bytes.fromhex(digest.hex), ec.ECDSA(Prehashed(hashes.SHA256())))

    def pkcs8_der(self) -> bytes:
        """The unencrypted PKCS#8 DER encoding (only ever written encrypted or on request)."""
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def read_small_file(path: Path, limit: int) -> bytes:
    """Read a file that must be small (keys, bundles); refuse larger ones before reading them."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise InputError(f"{path}: too large (over {limit} bytes)")
    return data
