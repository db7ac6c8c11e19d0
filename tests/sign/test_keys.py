from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.sign.cosign_key import (
    LEGACY_LABEL,
    ScryptParams,
    WrongPassword,
    encrypt_private_key,
    load_private_key,
    plain_private_key,
    read_private_key,
)
from verifier.sign.keys import KeyAlgorithm, PrivateKey, PublicKey


def test_cosign_interop_key_decrypts_and_matches_its_public_key(cosign_dir: Path) -> None:
    key = read_private_key(cosign_dir / "cosign.key", b"")
    pub = PublicKey.load(cosign_dir / "cosign.pub")
    assert key.public_key == pub
    assert key.algorithm is KeyAlgorithm.ECDSA_P256
    assert LEGACY_LABEL in (cosign_dir / "cosign.key").read_text()


def test_cosign_interop_key_refuses_a_wrong_password(cosign_dir: Path) -> None:
    with pytest.raises(WrongPassword, match="wrong password"):
        read_private_key(cosign_dir / "cosign.key", b"not-empty")


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
def test_encrypted_key_round_trips(algorithm: KeyAlgorithm) -> None:
    key = algorithm.generate()
    pem = encrypt_private_key(key, b"s3cret")
    assert pem.startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    body = b"".join(pem.splitlines()[1:-1])
    assert all(len(line) <= 64 for line in pem.splitlines())
    doc = json.loads(base64.b64decode(body))
    assert doc["kdf"]["params"] == {"N": 65536, "r": 8, "p": 1}
    assert len(base64.b64decode(doc["kdf"]["salt"])) == 32
    assert len(base64.b64decode(doc["cipher"]["nonce"])) == 24
    assert load_private_key(pem, b"s3cret", "k").public_key == key.public_key
    with pytest.raises(WrongPassword):
        load_private_key(pem, b"other", "k")


def test_pinned_salt_and_nonce_give_identical_files(ec_key: PrivateKey) -> None:
    salt, nonce = b"s" * 32, b"n" * 24
    params = ScryptParams(32768)
    a = encrypt_private_key(ec_key, b"", params=params, salt=salt, nonce=nonce)
    b = encrypt_private_key(ec_key, b"", params=params, salt=salt, nonce=nonce)
    assert a == b


def _rewrite(pem: bytes, change: dict[str, object]) -> bytes:
    body = b"".join(pem.splitlines()[1:-1])
    doc = json.loads(base64.b64decode(body))
    for path, value in change.items():
        node = doc
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    text = base64.b64encode(json.dumps(doc).encode()).decode()
    return (
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
        + text
        + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
    ).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kdf.params.N": 1 << 30}, "unsupported scrypt parameters"),
        ({"kdf.params.N": 16384}, "unsupported scrypt parameters"),
        ({"kdf.params.r": 16}, "unsupported scrypt parameters"),
        ({"kdf.params.N": "65536"}, "must be integers"),
        ({"kdf.name": "argon2"}, "unsupported key derivation"),
        ({"cipher.name": "aes"}, "unsupported cipher"),
        ({"kdf.salt": "AAAA"}, "salt must be 32 bytes"),
        ({"cipher.nonce": "AAAA"}, "nonce must be 24 bytes"),
        ({"ciphertext": "!!!"}, "not valid base64"),
        ({"ciphertext": "AAAA"}, "too short"),
    ],
)
def test_hostile_or_broken_key_files_are_refused_before_scrypt(
    ec_key: PrivateKey, change: dict[str, object], message: str
) -> None:
    pem = _rewrite(encrypt_private_key(ec_key, b"", params=ScryptParams(32768)), change)
    with pytest.raises(InputError, match=message):
        load_private_key(pem, b"", "key.pem")


def test_unencrypted_key_only_without_password(ec_key: PrivateKey) -> None:
    pem = plain_private_key(ec_key)
    assert load_private_key(pem, None, "k").public_key == ec_key.public_key
    with pytest.raises(InputError, match="not encrypted"):
        load_private_key(pem, b"pw", "k")


def test_encrypted_key_said_to_be_unencrypted(ec_key: PrivateKey) -> None:
    # --unsafe-unencrypted-key on an encrypted key: the option is wrong, not the password.
    pem = encrypt_private_key(ec_key, b"pw", params=ScryptParams(32768))
    with pytest.raises(InputError) as err:
        load_private_key(pem, None, "k")
    assert str(err.value) == (
        "k: the key is encrypted: drop the unencrypted-key option and give its password"
    )
    assert err.value.exit_code == 2


def test_sec1_plaintext_is_refused_like_cosign(ec_key: PrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    sec1 = ec_key.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    with pytest.raises(InputError, match="unsupported PEM block 'EC PRIVATE KEY'"):
        load_private_key(sec1, None, "k")


def test_public_key_hint_matches_the_conformance_managed_key(tmp_path: Path) -> None:
    from tests.sign.conftest import CONFORMANCE_DIR

    case = CONFORMANCE_DIR / "managed-key-happy-path"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    bundle = json.loads((case / "bundle.sigstore.json").read_text())
    assert (
        PublicKey.load(case / "key.pub").hint == bundle["verificationMaterial"]["publicKey"]["hint"]
    )


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"],
)
def test_bad_public_keys_are_input_errors(data: bytes) -> None:
    with pytest.raises(InputError, match=re.escape("pub.pem")):
        PublicKey.from_pem(data, "pub.pem")


def test_other_curves_are_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP384R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(InputError, match="unsupported key type EC secp384r1"):
        PublicKey.from_pem(pem, "p384.pem")


def test_our_key_files_have_cosigns_exact_json_layout(cosign_dir: Path, ec_key: PrivateKey) -> None:
    def layout(pem: bytes) -> str:
        body = b"".join(pem.strip().splitlines()[1:-1])
        return re.sub(r'"[A-Za-z0-9+/=]{20,}"', "B64", base64.b64decode(body).decode())

    theirs = layout((cosign_dir / "cosign.key").read_bytes())
    ours = layout(encrypt_private_key(ec_key, b"", params=ScryptParams(32768)))
    assert ours == theirs
