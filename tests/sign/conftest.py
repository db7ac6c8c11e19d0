"""Fixtures for the signing tests: keys, an artifact, the shared interop and conformance data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED
from verifier.attest.statement import Statement, subjects_of
from verifier.digest import Digest
from verifier.sign.keys import KeyAlgorithm, PrivateKey

COSIGN_DIR = SHARED / "interop" / "cosign"
CONFORMANCE_DIR = SHARED / "conformance" / "sigstore" / "bundle-verify"


@pytest.fixture
def cosign_dir() -> Path:
    if not (COSIGN_DIR / "cosign.key").is_file():
        pytest.skip(f"shared interop data absent: {COSIGN_DIR}")
    return COSIGN_DIR


@pytest.fixture(scope="session")
def ec_key() -> PrivateKey:
    return KeyAlgorithm.ECDSA_P256.generate()


@pytest.fixture(scope="session")
def ed_key() -> PrivateKey:
    return KeyAlgorithm.ED25519.generate()


@pytest.fixture
def artifact_file(tmp_path: Path) -> Path:
    path = tmp_path / "app-1.0.tar.gz"
    path.write_bytes(b"release artifact\n" * 100)
    return path


def build_statement(
    pairs: list[tuple[str, Digest]], predicate_type: str, predicate: dict[str, object]
) -> bytes:
    """Statement v1 bytes, written the way the release pipeline writes them."""
    return Statement(subjects_of(pairs), predicate_type, predicate).to_json()
