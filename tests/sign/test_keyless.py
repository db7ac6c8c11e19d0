"""Keyless signing. Fulcio, Rekor and the TUF refresh cannot run here (no network), so they are
the only parts replaced: sigstore-python's SigningContext is swapped for one that returns a
real bundle Sigstore's public-good instance produced (a conformance happy path). Everything of
ours around it runs for real: credential detection, the CLI, writing, then verifying offline.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.sign.conftest import CONFORMANCE_DIR
from tests.sign.test_cli_sign import AMBIENT_VARIABLES, said
from verifier.cli import app
from verifier.sign.keyless_verify import MAX_REASON, first_line

IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
ISSUER = "https://token.actions.githubusercontent.com"


def _jwt(claims: dict[str, Any]) -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.c2ln"


@pytest.fixture
def gitlab_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AMBIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    now = int(time.time())
    token = _jwt(
        {
            "aud": "sigstore",
            "sub": "project_path:acme/app",
            "iss": "https://gitlab.com",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        }
    )
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", token)


def test_unreachable_sigstore_is_exit_3(
    cli: CliRunner, gitlab_token: None, artifact_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sigstore.errors import Error
    from sigstore.models import ClientTrustConfig

    def offline(*_: object, **__: object) -> ClientTrustConfig:
        raise Error("Failed to refresh TUF metadata.")

    monkeypatch.setattr(ClientTrustConfig, "production", offline)
    result = cli.invoke(app, ["sign", str(artifact_file), "--keyless"])
    assert result.exit_code == 3
    assert "keyless signing failed: Failed to refresh TUF metadata." in said(result)
    assert not artifact_file.with_name(artifact_file.name + ".sigstore.json").exists()


def test_expired_token_is_exit_3(
    cli: CliRunner, artifact_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in AMBIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    old = int(time.time()) - 7200
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv(
        "SIGSTORE_ID_TOKEN",
        _jwt(
            {
                "aud": "sigstore",
                "sub": "x",
                "iss": "https://gitlab.com",
                "iat": old,
                "exp": old + 60,
            }
        ),
    )
    result = cli.invoke(app, ["sign", str(artifact_file), "--keyless"])
    assert result.exit_code == 3
    assert "keyless signing failed" in said(result)


def test_keyless_bundle_is_written_and_verifies(
    cli: CliRunner, gitlab_token: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CONFORMANCE_DIR / "happy-path-v0.3"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    from sigstore import sign as sigstore_sign
    from sigstore.models import Bundle as SigstoreBundle
    from sigstore.models import ClientTrustConfig

    produced = SigstoreBundle.from_json((case / "bundle.sigstore.json").read_bytes())
    seen: list[object] = []

    class FakeSigner:  # stands in for Fulcio + Rekor
        def sign_artifact(self, hashed: object) -> SigstoreBundle:
            seen.append(hashed)
            return produced

    class FakeContext:
        @contextmanager
        def signer(self, identity: object) -> Iterator[FakeSigner]:
            seen.append(identity)
            yield FakeSigner()

    monkeypatch.setattr(
        ClientTrustConfig, "production", classmethod(lambda cls, offline=False: None)
    )
    monkeypatch.setattr(
        sigstore_sign.SigningContext, "from_trust_config", classmethod(lambda cls, _: FakeContext())
    )
    artifact = tmp_path / "a.txt"
    shutil.copy(CONFORMANCE_DIR / "a.txt", artifact)
    result = cli.invoke(app, ["sign", str(artifact), "--keyless"])
    assert result.exit_code == 0, result.output
    assert len(seen) == 2  # the identity token, then the artifact's digest
    written = json.loads((tmp_path / "a.txt.sigstore.json").read_text())
    assert "certificate" in written["verificationMaterial"]
    ok = cli.invoke(
        app, ["verify", str(artifact), "--cert-identity", IDENTITY, "--cert-oidc-issuer", ISSUER]
    )
    assert ok.exit_code == 0, ok.output


def test_a_library_reason_is_one_line_of_bounded_length() -> None:
    dump = "inclusion proof contains invalid root hash: expected root_hash=" + repr(b"\xab" * 500)
    reason = first_line(ValueError(dump + "\nsecond line"))
    assert reason.startswith("inclusion proof contains invalid root hash: expected")
    assert len(reason) == MAX_REASON and reason.endswith("…")
    assert first_line(ValueError("short")) == "short"
    assert first_line(ValueError("")) == "ValueError"
