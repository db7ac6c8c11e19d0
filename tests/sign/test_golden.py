"""Golden files for what we write: key files, bundles and the verify report.

Ed25519 signatures are deterministic and the key's salt and nonce are pinned here, so these
bytes only change when a format changes. Regenerate with VERIFIER_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from tests.conftest import REPO
from tests.sign.conftest import build_statement
from verifier.cli import app
from verifier.digest import Digest
from verifier.sign.artifact import Artifact
from verifier.sign.cosign_key import ScryptParams, encrypt_private_key, load_private_key
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey

GOLDEN = REPO / "tests" / "golden"
KEY = PrivateKey(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def _check(name: str, actual: bytes) -> None:
    golden = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(actual)
    assert actual == golden.read_bytes(), f"{golden} differs (VERIFIER_REGEN_GOLDEN=1 rewrites it)"


def test_encrypted_key_file() -> None:
    pem = encrypt_private_key(
        KEY, b"golden", params=ScryptParams(32768), salt=b"\x01" * 32, nonce=b"\x02" * 24
    )
    _check("sign-ed25519.key", pem)
    assert load_private_key(pem, b"golden", "golden").public_key == KEY.public_key
    _check("sign-ed25519.pub", KEY.public_key.pem)


def test_message_and_dsse_bundles(tmp_path: Path) -> None:
    artifact = tmp_path / "artifact.txt"
    artifact.write_bytes(b"golden artifact\n")
    signer = KeySigner(KEY)
    _check(
        "sign-message.sigstore.json", signer.sign_artifact(Artifact.from_path(artifact)).to_json()
    )
    statement = build_statement(
        [("artifact.txt", Digest.of_bytes(b"golden artifact\n"))],
        "https://example.com/p/v1",
        {"x": 1},
    )
    _check("sign-dsse.sigstore.json", signer.sign_statement(statement).to_json())


def test_verify_json_report(cli: CliRunner, tmp_path: Path) -> None:
    artifact = tmp_path / "artifact.txt"
    artifact.write_bytes(b"golden artifact\n")
    (tmp_path / "artifact.txt.sigstore.json").write_bytes(
        KeySigner(KEY).sign_artifact(Artifact.from_path(artifact)).to_json()
    )
    pub = tmp_path / "k.pub"
    pub.write_bytes(KEY.public_key.pem)
    result = cli.invoke(app, ["verify", str(artifact), "--key", str(pub), "--json"])
    assert result.exit_code == 0, result.output
    _check("sign-verify-report.json", result.stdout.replace(str(tmp_path), "TMP").encode())
