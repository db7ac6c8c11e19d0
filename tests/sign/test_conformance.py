"""Every sigstore-conformance bundle-verify case, by file and by digest, through the CLI.

A case whose name ends in ``_fail`` must be refused (non-zero exit, never 3: refusals are
judgements, not environment failures); every other case must verify.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sign.conftest import CONFORMANCE_DIR
from verifier.cli import app

DEFAULT_IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
DEFAULT_ISSUER = "https://token.actions.githubusercontent.com"


def _cases() -> list[str]:
    if not CONFORMANCE_DIR.is_dir():
        return []
    return sorted(p.name for p in CONFORMANCE_DIR.iterdir() if p.is_dir())


def _argv(case: Path, by: str) -> list[str]:
    artifact = case / "artifact" if (case / "artifact").exists() else CONFORMANCE_DIR / "a.txt"
    target = (
        str(artifact)
        if by == "file"
        else "sha256:" + hashlib.sha256(artifact.read_bytes()).hexdigest()
    )
    argv = ["conformance", "verify-bundle", "--bundle", str(case / "bundle.sigstore.json")]
    if (case / "key.pub").exists():
        argv += ["--key", str(case / "key.pub")]
    else:
        identity = case / "identity"
        issuer = case / "issuer"
        argv += [
            "--certificate-identity",
            identity.read_text().strip() if identity.exists() else DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            issuer.read_text().strip() if issuer.exists() else DEFAULT_ISSUER,
        ]
    if (case / "trusted_root.json").exists():
        argv += ["--trusted-root", str(case / "trusted_root.json")]
    return [*argv, target]


def test_the_suite_is_present() -> None:
    if not CONFORMANCE_DIR.is_dir():
        pytest.skip(f"conformance data absent: {CONFORMANCE_DIR}")
    assert len(_cases()) >= 50


@pytest.mark.parametrize("by", ["file", "digest"])
@pytest.mark.parametrize("name", _cases())
def test_bundle_verify_case(cli: CliRunner, name: str, by: str) -> None:
    case = CONFORMANCE_DIR / name
    result = cli.invoke(app, _argv(case, by))
    if name.endswith("_fail"):
        assert result.exit_code in (1, 2), f"{name} was not refused: {result.output}"
    else:
        assert result.exit_code == 0, f"{name} did not verify: {result.output}"
