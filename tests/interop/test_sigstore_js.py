"""sigstore-js (@sigstore/verify) verifies the key-based bundles we write, and refuses tampering."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from tests.sign.conftest import build_statement
from verifier.process import run
from verifier.sign.artifact import Artifact
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import KeyAlgorithm, PrivateKey


def _js_verify(
    sigstore_js: Path, bundle: bytes, key: PrivateKey, tmp_path: Path, artifact: Path | None
) -> str:
    bundle_path = tmp_path / "bundle.sigstore.json"
    bundle_path.write_bytes(bundle)
    key_path = tmp_path / "key.pub"
    key_path.write_bytes(key.public_key.pem)
    argv = ["node", str(sigstore_js / "verify_bundle.js"), str(bundle_path), str(key_path)]
    if artifact is not None:
        argv.append(str(artifact))
    env = {**os.environ, "NODE_PATH": str(sigstore_js / "node_modules")}
    done = run(argv, timeout=60, env=env, check=False)
    return done.stdout.decode().strip()


@pytest.fixture(params=list(KeyAlgorithm), ids=lambda a: a.value)
def key(request: pytest.FixtureRequest) -> PrivateKey:
    algorithm: KeyAlgorithm = request.param
    return algorithm.generate()


def test_message_bundle(sigstore_js: Path, tmp_path: Path) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    artifact = tmp_path / "app.tar.gz"
    artifact.write_bytes(b"release\n" * 1000)
    bundle = KeySigner(key).sign_artifact(Artifact.from_path(artifact)).to_json()
    assert _js_verify(sigstore_js, bundle, key, tmp_path, artifact) == "OK"
    tampered = tmp_path / "tampered.tar.gz"
    tampered.write_bytes(artifact.read_bytes() + b"!")
    assert _js_verify(sigstore_js, bundle, key, tmp_path, tampered).startswith("REFUSED")


def test_ed25519_message_bundles_are_beyond_sigstore_js(sigstore_js: Path, tmp_path: Path) -> None:
    # Measured limitation, documented in docs/signing.md: sigstore-js verifies a message
    # signature with node's crypto.verify("sha256", ...), which Ed25519 keys do not take, so
    # it refuses Ed25519 message bundles (DSSE bundles with Ed25519 keys verify, see below).
    # If this starts to pass, sigstore-js gained support: update the docs.
    key = KeyAlgorithm.ED25519.generate()
    artifact = tmp_path / "a"
    artifact.write_bytes(b"a")
    bundle = KeySigner(key).sign_artifact(Artifact.from_path(artifact)).to_json()
    assert _js_verify(sigstore_js, bundle, key, tmp_path, artifact).startswith("REFUSED")


def test_dsse_bundle(sigstore_js: Path, key: PrivateKey, tmp_path: Path) -> None:
    digest = Artifact.from_path(Path(__file__)).digest
    statement = build_statement([("test", digest)], "https://slsa.dev/provenance/v1", {"a": 1})
    bundle = KeySigner(key).sign_statement(statement).to_json()
    assert _js_verify(sigstore_js, bundle, key, tmp_path, None) == "OK"
    doc = json.loads(bundle)
    other = build_statement([("test", digest)], "https://slsa.dev/provenance/v1", {"a": 2})
    doc["dsseEnvelope"]["payload"] = base64.b64encode(other).decode()
    assert _js_verify(sigstore_js, json.dumps(doc).encode(), key, tmp_path, None).startswith(
        "REFUSED"
    )


def test_wrong_key_is_refused(sigstore_js: Path, tmp_path: Path) -> None:
    signer, stranger = KeyAlgorithm.ECDSA_P256.generate(), KeyAlgorithm.ECDSA_P256.generate()
    artifact = tmp_path / "a"
    artifact.write_bytes(b"a")
    bundle = KeySigner(signer).sign_artifact(Artifact.from_path(artifact)).to_json()
    assert _js_verify(sigstore_js, bundle, stranger, tmp_path, artifact).startswith("REFUSED")
