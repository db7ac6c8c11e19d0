"""Bad input: each refused with exit 1 (said no) or 2 (malformed) and one clear message."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.sign.conftest import CONFORMANCE_DIR, build_statement
from verifier.cli import app
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import key_bundle
from verifier.sign.dsse import INTOTO_PAYLOAD_TYPE, sign_envelope
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey


def said(result: Any) -> str:
    return " ".join(str(result.output).split())


@pytest.fixture
def signed(tmp_path: Path, artifact_file: Path, ec_key: PrivateKey) -> tuple[Path, Path, Path]:
    """(artifact, DSSE bundle, public key)."""
    artifact = Artifact.from_path(artifact_file)
    statement = build_statement([("a", artifact.digest)], "https://x.example/p", {})
    bundle = tmp_path / "att.sigstore.json"
    bundle.write_bytes(KeySigner(ec_key).sign_statement(statement).to_json())
    pub = tmp_path / "key.pub"
    pub.write_bytes(ec_key.public_key.pem)
    return artifact_file, bundle, pub


def _mutate(bundle: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(bundle.read_text())
    change(doc)
    bundle.write_text(json.dumps(doc))


def _truncate_payload(doc: dict[str, Any]) -> None:
    doc["dsseEnvelope"]["payload"] = doc["dsseEnvelope"]["payload"][:-3]


def _mixed_alphabets(doc: dict[str, Any]) -> None:
    sig = base64.b64decode(doc["dsseEnvelope"]["signatures"][0]["sig"])
    text = base64.b64encode(sig).decode()
    doc["dsseEnvelope"]["signatures"][0]["sig"] = (
        "-_" + text[2:] if "+" in text or "/" in text else "+-" + text[2:]
    )


def _two_contents(doc: dict[str, Any]) -> None:
    doc["messageSignature"] = {"signature": "AAAA"}


def _two_signatures(doc: dict[str, Any]) -> None:
    sigs = doc["dsseEnvelope"]["signatures"]
    sigs.append(dict(sigs[0]))


def _flip_signature(doc: dict[str, Any]) -> None:
    sig = bytearray(base64.b64decode(doc["dsseEnvelope"]["signatures"][0]["sig"]))
    sig[-1] ^= 1
    doc["dsseEnvelope"]["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()


def _no_material(doc: dict[str, Any]) -> None:
    doc["verificationMaterial"] = {"tlogEntries": []}


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            lambda d: d.update(mediaType="application/vnd.dev.sigstore.bundle.v0.9+json"),
            2,
            "unknown bundle media type",
        ),
        (_truncate_payload, 2, "base64"),
        (_mixed_alphabets, 2, "not valid base64"),
        (_two_contents, 2, "exactly one of messageSignature or dsseEnvelope"),
        (_two_signatures, 2, "exactly one signature"),
        (_no_material, 2, "exactly one of publicKey"),
        (_flip_signature, 1, "does not verify"),
        (lambda d: d["dsseEnvelope"].update(payloadType="text/plain"), 1, "does not verify"),
    ],
)
def test_broken_bundles(
    cli: CliRunner,
    signed: tuple[Path, Path, Path],
    change: Callable[[dict[str, Any]], None],
    code: int,
    message: str,
) -> None:
    artifact, bundle, pub = signed
    _mutate(bundle, change)
    result = cli.invoke(app, ["verify", str(artifact), "--bundle", str(bundle), "--key", str(pub)])
    assert result.exit_code == code, result.output
    assert message in said(result)
    assert str(bundle) in said(result)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b"", b"\xff\xfe", b'{"mediaType": 5}', b"[" * 100000],
)
def test_malformed_json_is_exit_2(
    cli: CliRunner, signed: tuple[Path, Path, Path], content: bytes
) -> None:
    artifact, bundle, pub = signed
    bundle.write_bytes(content)
    result = cli.invoke(app, ["verify", str(artifact), "--bundle", str(bundle), "--key", str(pub)])
    assert result.exit_code == 2, result.output
    assert str(bundle) in said(result)


def test_50_mb_bundle_is_refused_unread(cli: CliRunner, signed: tuple[Path, Path, Path]) -> None:
    artifact, bundle, pub = signed
    with bundle.open("wb") as stream:
        stream.write(b'{"mediaType": "' + b"a" * (50 * 1024 * 1024) + b'"}')
    result = cli.invoke(app, ["verify", str(artifact), "--bundle", str(bundle), "--key", str(pub)])
    assert result.exit_code == 2
    assert "too large" in said(result)


def test_missing_files_are_exit_2(
    cli: CliRunner, signed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    artifact, bundle, pub = signed
    for argv in (
        ["verify", str(tmp_path / "nope"), "--bundle", str(bundle), "--key", str(pub)],
        ["verify", str(artifact), "--bundle", str(tmp_path / "nope.json"), "--key", str(pub)],
        ["verify", str(artifact), "--bundle", str(bundle), "--key", str(tmp_path / "nope.pub")],
    ):
        result = cli.invoke(app, argv)
        assert result.exit_code == 2, result.output
        assert "nope" in said(result)


def test_a_digest_other_than_sha256_is_refused_by_name(
    cli: CliRunner, signed: tuple[Path, Path, Path]
) -> None:
    _, bundle, pub = signed
    digest = "sha512:" + "ab" * 64
    result = cli.invoke(app, ["verify", digest, "--bundle", str(bundle), "--key", str(pub)])
    assert result.exit_code == 2, result.output
    assert said(result) == (
        "error: sha512: only a sha256:<hex> digest can stand for an artifact "
        "(Sigstore signs sha256); give the file"
    )


def test_wrong_key_is_exit_1(
    cli: CliRunner, signed: tuple[Path, Path, Path], ed_key: PrivateKey, tmp_path: Path
) -> None:
    artifact, bundle, _ = signed
    other = tmp_path / "other.pub"
    other.write_bytes(ed_key.public_key.pem)
    result = cli.invoke(
        app, ["verify", str(artifact), "--bundle", str(bundle), "--key", str(other)]
    )
    assert result.exit_code == 1
    assert "does not verify" in said(result)


def test_key_bundle_against_identity_and_back(
    cli: CliRunner, signed: tuple[Path, Path, Path]
) -> None:
    artifact, bundle, _ = signed
    result = cli.invoke(
        app,
        [
            "verify",
            str(artifact),
            "--bundle",
            str(bundle),
            "--cert-identity",
            "a@b.c",
            "--cert-oidc-issuer",
            "https://accounts.google.com",
        ],
    )
    assert result.exit_code == 1
    assert "signed with a key" in said(result)


def test_certificate_outside_its_validity_is_exit_1(cli: CliRunner) -> None:
    case = CONFORMANCE_DIR / "intoto-set-outside-signing-cert-validity_fail"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    result = cli.invoke(
        app,
        [
            "verify-attestation",
            str(case / "artifact"),
            "--predicate-type",
            "https://slsa.dev/provenance/v0.2",
            "--bundle",
            str(case / "bundle.sigstore.json"),
            "--trusted-root",
            str(case / "trusted_root.json"),
            "--cert-identity-regexp",
            ".*",
            "--cert-oidc-issuer-regexp",
            ".*",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "not valid at validation time" in said(result) or "expired" in said(result)


def test_bad_trusted_root_is_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    case = CONFORMANCE_DIR / "happy-path-v0.3"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    root = tmp_path / "root.json"
    root.write_text("{}")
    result = cli.invoke(
        app,
        [
            "verify",
            str(CONFORMANCE_DIR / "a.txt"),
            "--bundle",
            str(case / "bundle.sigstore.json"),
            "--trusted-root",
            str(root),
            "--cert-identity-regexp",
            ".*",
            "--cert-oidc-issuer-regexp",
            ".*",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "not a usable trusted root" in said(result)


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_is_refused_not_a_crash(
    cli: CliRunner, signed: tuple[Path, Path, Path], ec_key: PrivateKey, tmp_path: Path
) -> None:
    # json.loads raises RecursionError, not ValueError, on deep nesting.
    artifact, _, pub = signed
    deep = tmp_path / "deep.json"
    deep.write_bytes(DEEP_JSON)
    envelope = sign_envelope(DEEP_JSON, INTOTO_PAYLOAD_TYPE, ec_key)
    bundle = tmp_path / "deep.sigstore.json"
    bundle.write_bytes(key_bundle(envelope, ec_key.public_key).to_json())
    for argv, code, message in (
        (
            [
                "verify-attestation",
                str(artifact),
                "--predicate-type",
                "https://x.example/p",
                "--bundle",
                str(bundle),
                "--key",
                str(pub),
            ],
            1,
            f"{bundle}: signed statement: not valid JSON: maximum recursion depth",
        ),
        (
            [
                "attest",
                "--subject",
                str(artifact),
                "--predicate-type",
                "https://x.example/p",
                "--predicate",
                str(deep),
                "--key",
                str(tmp_path / "unused.key"),
            ],
            2,
            f"{deep}: not valid JSON: maximum recursion depth",
        ),
    ):
        result = cli.invoke(app, argv)
        assert result.exit_code == code, result.output
        assert message in said(result)
        assert "internal error" not in result.output


def test_deeply_nested_trusted_root_is_bad_input(cli: CliRunner, tmp_path: Path) -> None:
    case = CONFORMANCE_DIR / "happy-path-v0.3"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    deep = tmp_path / "trusted_root.json"
    deep.write_bytes(DEEP_JSON)
    argv = [
        "verify",
        str(CONFORMANCE_DIR / "a.txt"),
        "--bundle",
        str(case / "bundle.sigstore.json"),
    ]
    argv += ["--trusted-root", str(deep), "--cert-identity", "a@b.c"]
    result = cli.invoke(app, [*argv, "--cert-oidc-issuer", "https://issuer.example"])
    assert result.exit_code == 2, result.output
    assert f"{deep}: trusted root is not valid JSON: maximum recursion depth" in said(result)
