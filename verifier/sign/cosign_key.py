"""Private keys in cosign's encrypted format, so cosign keys work here and ours work in cosign.

Format (cosign ``pkg/cosign/keys.go``, go-securesystemslib ``encrypted``):

* PEM label ``ENCRYPTED SIGSTORE PRIVATE KEY`` (written) or ``ENCRYPTED COSIGN PRIVATE KEY``
  (legacy, read); the body is base64 of a JSON document::

    {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<b64 32 bytes>"},
     "cipher":{"name":"nacl/secretbox","nonce":"<b64 24 bytes>"},
     "ciphertext":"<b64: Poly1305 tag || XSalsa20 ciphertext>"}

* key = scrypt(password, salt, N, r, p, 32); plaintext = PKCS#8 DER private key.
* Only N in {32768, 65536, 131072} with r=8, p=1 is accepted (cosign's ``CheckParams``): a
  hostile key file must not make us spend minutes and gigabytes in scrypt.
* SEC1 ``EC PRIVATE KEY`` plaintext is refused, as cosign refuses it.

An unencrypted key is PEM ``PRIVATE KEY`` (PKCS#8); it is written only on explicit request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from verifier.errors import CheckFailed, InputError
from verifier.sign.keys import PrivateKey, read_small_file

LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY"
LEGACY_LABEL = "ENCRYPTED COSIGN PRIVATE KEY"
PLAIN_LABEL = "PRIVATE KEY"
MAX_PRIVATE_KEY_BYTES = 64 * 1024

SALT_BYTES = 32
NONCE_BYTES = nacl.secret.SecretBox.NONCE_SIZE  # 24
ALLOWED_SCRYPT_N = frozenset({32768, 65536, 131072})
DEFAULT_SCRYPT_N = 65536
SCRYPT_R = 8
SCRYPT_P = 1

_PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)\r?\n?-----END \1-----", re.DOTALL)


class WrongPassword(CheckFailed):
    """The password does not open the key (exit 1: the check ran and said no)."""


@dataclass(frozen=True)
class ScryptParams:
    """The key-derivation cost; only cosign's three parameter sets can be built."""

    n: int = DEFAULT_SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def __post_init__(self) -> None:
        if self.n not in ALLOWED_SCRYPT_N or self.r != SCRYPT_R or self.p != SCRYPT_P:
            raise InputError(
                f"unsupported scrypt parameters N={self.n} r={self.r} p={self.p}: "
                "expected N in 32768/65536/131072 with r=8 p=1"
            )

    def derive(self, password: bytes, salt: bytes) -> bytes:
        """The 32-byte secretbox key."""
        # maxmem: N * r * 128 bytes plus slack; at most 128 MiB for the allowed parameters.
        return hashlib.scrypt(
            password,
            salt=salt,
            n=self.n,
            r=self.r,
            p=self.p,
            dklen=nacl.secret.SecretBox.KEY_SIZE,
            maxmem=self.n * self.r * 128 + (1 << 20),
        )


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    return [(m.group(1).decode(), m.group(2)) for m in _PEM_RE.finditer(data)]


def _b64field(doc: dict[str, Any], path: str, source: str) -> bytes:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise InputError(f"{source}: encrypted key lacks '{path}'")
        node = node[part]
    if not isinstance(node, str):
        raise InputError(f"{source}: encrypted key field '{path}' is not a string")
    try:
        return base64.b64decode(node, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{source}: encrypted key field '{path}' is not valid base64") from exc


def _parse_envelope(body: bytes, source: str) -> tuple[ScryptParams, bytes, bytes, bytes]:
    """Return (params, salt, nonce, ciphertext) from the base64 JSON body of the PEM block."""
    try:
        raw = base64.b64decode(b"".join(body.split()), validate=True)
        doc = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"{source}: encrypted key body is not base64 JSON") from exc
    if not isinstance(doc, dict):
        raise InputError(f"{source}: encrypted key body is not a JSON object")
    kdf, cipher = doc.get("kdf"), doc.get("cipher")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise InputError(f"{source}: unsupported key derivation (expected scrypt)")
    if not isinstance(cipher, dict) or cipher.get("name") != "nacl/secretbox":
        raise InputError(f"{source}: unsupported cipher (expected nacl/secretbox)")
    params = kdf.get("params")
    if not isinstance(params, dict) or not all(type(params.get(k)) is int for k in ("N", "r", "p")):
        raise InputError(f"{source}: scrypt parameters N, r, p must be integers")
    try:
        scrypt = ScryptParams(params["N"], params["r"], params["p"])
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    salt = _b64field(doc, "kdf.salt", source)
    nonce = _b64field(doc, "cipher.nonce", source)
    ciphertext = _b64field(doc, "ciphertext", source)
    if len(salt) != SALT_BYTES:
        raise InputError(f"{source}: scrypt salt must be {SALT_BYTES} bytes, got {len(salt)}")
    if len(nonce) != NONCE_BYTES:
        raise InputError(f"{source}: secretbox nonce must be {NONCE_BYTES} bytes, got {len(nonce)}")
    if len(ciphertext) <= nacl.secret.SecretBox.MACBYTES:
        raise InputError(f"{source}: ciphertext is too short")
    return scrypt, salt, nonce, ciphertext


def _from_pkcs8(der: bytes, source: str) -> PrivateKey:
    # cosign accepts PKCS#8 only; the SEC1 'EC PRIVATE KEY' structure is refused for parity.
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{source}: the key is not a PKCS#8 private key") from exc
    if not _is_pkcs8(der):
        raise InputError(f"{source}: the key is not PKCS#8 (SEC1 EC keys are refused)")
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise InputError(
            f"{source}: unsupported key type {type(key).__name__}: expected ECDSA P-256 or Ed25519"
        )
    try:
        return PrivateKey(key)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None


def _is_pkcs8(der: bytes) -> bool:
    # PKCS#8 PrivateKeyInfo = SEQUENCE { INTEGER 0, SEQUENCE algorithm, OCTET STRING key }:
    # after the outer SEQUENCE header comes INTEGER 0 then a SEQUENCE (0x30). SEC1 ECPrivateKey
    # = SEQUENCE { INTEGER 1, OCTET STRING ... }, so its second element is 0x04, never 0x30.
    if len(der) < 8 or der[0] != 0x30:
        return False
    offset = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    return der[offset : offset + 3] == b"\x02\x01\x00" and der[offset + 3] == 0x30


def load_private_key(data: bytes, password: bytes | None, source: str) -> PrivateKey:
    """Parse an encrypted (cosign) or, only when ``password`` is None, a plain PKCS#8 PEM key.

    Raises InputError for a malformed file, WrongPassword when decryption fails.
    """
    blocks = _pem_blocks(data)
    if not blocks:
        raise InputError(f"{source}: no PEM block found (expected '{LABEL}')")
    label, body = blocks[0]
    if label in (LABEL, LEGACY_LABEL):
        params, salt, nonce, ciphertext = _parse_envelope(body, source)
        key = params.derive(password or b"", salt)
        try:
            der = nacl.secret.SecretBox(key).decrypt(ciphertext, nonce)
        except nacl.exceptions.CryptoError as exc:
            if password is None:
                raise InputError(
                    f"{source}: the key is encrypted: drop the unencrypted-key option "
                    "and give its password"
                ) from exc
            raise WrongPassword(
                f"{source}: wrong password (the key could not be decrypted)"
            ) from exc
        return _from_pkcs8(der, source)
    if label == PLAIN_LABEL:
        if password is not None:
            raise InputError(
                f"{source}: the key is not encrypted; pass the unencrypted-key option to use it"
            )
        try:
            der = base64.b64decode(b"".join(body.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError(f"{source}: PEM body is not valid base64") from exc
        return _from_pkcs8(der, source)
    raise InputError(f"{source}: unsupported PEM block '{label}' (expected '{LABEL}')")


def read_private_key(path: Path, password: bytes | None) -> PrivateKey:
    """Read and decrypt a private key file (see :func:`load_private_key`)."""
    return load_private_key(read_small_file(path, MAX_PRIVATE_KEY_BYTES), password, str(path))


def _pem(label: str, der_or_body: bytes) -> bytes:
    text = base64.b64encode(der_or_body).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode()


def encrypt_private_key(
    key: PrivateKey,
    password: bytes,
    *,
    params: ScryptParams | None = None,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """PEM ``ENCRYPTED SIGSTORE PRIVATE KEY`` exactly as cosign writes it.

    ``salt`` and ``nonce`` are random unless given (tests pin them for golden files).
    """
    params = params or ScryptParams()
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
    if len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES:
        raise InputError("salt must be 32 bytes and nonce 24 bytes")
    sealed = nacl.secret.SecretBox(params.derive(password, salt)).encrypt(key.pkcs8_der(), nonce)
    # Go's json.Marshal field order and compact separators.
    doc = {
        "kdf": {
            "name": "scrypt",
            "params": {"N": params.n, "r": params.r, "p": params.p},
            "salt": base64.b64encode(salt).decode(),
        },
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
    }
    return _pem(LABEL, json.dumps(doc, separators=(",", ":")).encode())


def plain_private_key(key: PrivateKey) -> bytes:
    """PEM ``PRIVATE KEY`` (PKCS#8), unencrypted."""
    return _pem(PLAIN_LABEL, key.pkcs8_der())
