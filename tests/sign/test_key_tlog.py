"""Log entries inside key-signed bundles: genuine ones pass, forged or foreign ones are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.sign.conftest import CONFORMANCE_DIR, build_statement
from verifier.errors import CheckFailed
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey, PublicKey
from verifier.sign.verify import verify_bundle

CASE = CONFORMANCE_DIR / "managed-key-happy-path"


@pytest.fixture
def managed() -> dict[str, Any]:
    if not CASE.is_dir():
        pytest.skip(f"conformance data absent: {CASE}")
    return json.loads((CASE / "bundle.sigstore.json").read_text())


def _verify(doc: dict[str, Any], key: PublicKey, artifact: Path) -> None:
    bundle = Bundle.from_json(json.dumps(doc).encode(), "b.json")
    verify_bundle(bundle, Artifact.from_path(artifact), KeyTrust(key))


def test_genuine_entry_verifies(managed: dict[str, Any]) -> None:
    _verify(managed, PublicKey.load(CASE / "key.pub"), CONFORMANCE_DIR / "a.txt")


@pytest.mark.parametrize(
    ("field", "value"),
    [("integratedTime", "1766077480"), ("logIndex", "771488338")],
)
def test_tampered_entry_is_refused(managed: dict[str, Any], field: str, value: str) -> None:
    managed["verificationMaterial"]["tlogEntries"][0][field] = value
    with pytest.raises(CheckFailed, match=r"tlogEntries\[0\]: invalid log entry"):
        _verify(managed, PublicKey.load(CASE / "key.pub"), CONFORMANCE_DIR / "a.txt")


def test_foreign_entry_is_refused(
    managed: dict[str, Any], ec_key: PrivateKey, tmp_path: Path
) -> None:
    artifact = tmp_path / "a.txt"
    shutil.copy(CONFORMANCE_DIR / "a.txt", artifact)
    ours = json.loads(KeySigner(ec_key).sign_artifact(Artifact.from_path(artifact)).to_json())
    ours["verificationMaterial"]["tlogEntries"] = managed["verificationMaterial"]["tlogEntries"]
    with pytest.raises(CheckFailed, match="does not match this bundle's signature and key"):
        _verify(ours, ec_key.public_key, artifact)


def test_entry_of_the_wrong_kind_is_refused(
    managed: dict[str, Any], ec_key: PrivateKey, tmp_path: Path
) -> None:
    artifact = tmp_path / "a.txt"
    shutil.copy(CONFORMANCE_DIR / "a.txt", artifact)
    statement = build_statement([("a.txt", Artifact.from_path(artifact).digest)], "https://x/p", {})
    ours = json.loads(KeySigner(ec_key).sign_statement(statement).to_json())
    ours["verificationMaterial"]["tlogEntries"] = managed["verificationMaterial"]["tlogEntries"]
    with pytest.raises(CheckFailed, match=r"unsupported log entry hashedrekord/0\.0\.1 for DSSE"):
        _verify(ours, ec_key.public_key, artifact)
