from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from verifier.cli import app

PTYPE = "https://slsa.dev/provenance/v1"
AMBIENT_VARIABLES = (
    "GITHUB_ACTIONS",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "GITLAB_CI",
    "SIGSTORE_ID_TOKEN",
    "BUILDKITE",
    "CIRCLECI",
    "GOOGLE_SERVICE_ACCOUNT_NAME",
)


def said(result: object) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(str(result.output).split())  # type: ignore[attr-defined]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.delenv("COSIGN_PASSWORD", raising=False)
    return {"VERIFIER_PASSWORD": "correct horse"}


def test_keygen_sign_verify(
    cli: CliRunner, tmp_path: Path, artifact_file: Path, env: dict[str, str]
) -> None:
    prefix = tmp_path / "release"
    result = cli.invoke(app, ["keygen", "--output-prefix", str(prefix)], env=env)
    assert result.exit_code == 0, result.output
    key, pub = tmp_path / "release.key", tmp_path / "release.pub"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"ENCRYPTED SIGSTORE PRIVATE KEY" in key.read_bytes()
    assert "correct horse" not in said(result)
    again = cli.invoke(app, ["keygen", "--output-prefix", str(prefix)], env=env)
    assert again.exit_code == 2 and "already exists" in said(again)

    result = cli.invoke(app, ["sign", str(artifact_file), "--key", str(key)], env=env)
    assert result.exit_code == 0, result.output
    bundle = artifact_file.with_name(artifact_file.name + ".sigstore.json")
    assert bundle.is_file()

    result = cli.invoke(app, ["verify", str(artifact_file), "--key", str(pub), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["artifact"].startswith("sha256:")

    artifact_file.write_bytes(b"tampered")
    result = cli.invoke(app, ["verify", str(artifact_file), "--key", str(pub), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "is not the artifact's" in said(result)


def test_wrong_password_exit_1(
    cli: CliRunner, tmp_path: Path, artifact_file: Path, env: dict[str, str]
) -> None:
    prefix = tmp_path / "k"
    assert cli.invoke(app, ["keygen", "--output-prefix", str(prefix)], env=env).exit_code == 0
    result = cli.invoke(
        app, ["sign", str(artifact_file), "--key", f"{prefix}.key"], env={"VERIFIER_PASSWORD": "no"}
    )
    assert result.exit_code == 1
    assert "wrong password" in said(result)
    assert not artifact_file.with_name(artifact_file.name + ".sigstore.json").exists()


def test_cosign_key_signs_and_its_public_key_verifies(
    cli: CliRunner,
    cosign_dir: Path,
    artifact_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VERIFIER_PASSWORD", raising=False)
    env = {"COSIGN_PASSWORD": ""}
    key, pub = cosign_dir / "cosign.key", cosign_dir / "cosign.pub"
    result = cli.invoke(app, ["sign", str(artifact_file), "--key", str(key)], env=env)
    assert result.exit_code == 0, result.output
    assert cli.invoke(app, ["verify", str(artifact_file), "--key", str(pub)]).exit_code == 0

    predicate = tmp_path / "predicate.json"
    predicate.write_text('{"buildDefinition": {}}')
    result = cli.invoke(
        app,
        [
            "attest",
            "--subject",
            str(artifact_file),
            "--predicate-type",
            PTYPE,
            "--predicate",
            str(predicate),
            "--key",
            str(key),
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    ok = cli.invoke(
        app,
        ["verify-attestation", str(artifact_file), "--predicate-type", PTYPE, "--key", str(pub)],
    )
    assert ok.exit_code == 0, ok.output
    wrong = cli.invoke(
        app,
        [
            "verify-attestation",
            str(artifact_file),
            "--predicate-type",
            "https://x/y",
            "--key",
            str(pub),
        ],
    )
    assert wrong.exit_code == 1 and "predicate type is" in said(wrong)


def test_unencrypted_key_needs_the_unsafe_flag(
    cli: CliRunner, tmp_path: Path, artifact_file: Path
) -> None:
    prefix = tmp_path / "plain"
    result = cli.invoke(
        app,
        [
            "keygen",
            "--output-prefix",
            str(prefix),
            "--unsafe-unencrypted",
            "--algorithm",
            "ed25519",
        ],
    )
    assert result.exit_code == 0, result.output
    assert b"-----BEGIN PRIVATE KEY-----" in (tmp_path / "plain.key").read_bytes()
    refused = cli.invoke(
        app, ["sign", str(artifact_file), "--key", f"{prefix}.key"], env={"VERIFIER_PASSWORD": "x"}
    )
    assert refused.exit_code == 2 and "not encrypted" in said(refused)
    ok = cli.invoke(
        app, ["sign", str(artifact_file), "--key", f"{prefix}.key", "--unsafe-unencrypted-key"]
    )
    assert ok.exit_code == 0, ok.output
    assert cli.invoke(app, ["verify", str(artifact_file), "--key", f"{prefix}.pub"]).exit_code == 0


def test_no_password_and_no_terminal_is_exit_2(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERIFIER_PASSWORD", raising=False)
    monkeypatch.delenv("COSIGN_PASSWORD", raising=False)
    result = cli.invoke(app, ["keygen", "--output-prefix", str(tmp_path / "k")])
    assert result.exit_code == 2
    assert "VERIFIER_PASSWORD" in said(result)


def test_threshold_across_bundles(
    cli: CliRunner, tmp_path: Path, artifact_file: Path, env: dict[str, str]
) -> None:
    bundles = []
    for name in ("a", "b"):
        assert (
            cli.invoke(app, ["keygen", "--output-prefix", str(tmp_path / name)], env=env).exit_code
            == 0
        )
        out = tmp_path / f"{name}.sigstore.json"
        signed = cli.invoke(
            app,
            [
                "sign",
                str(artifact_file),
                "--key",
                str(tmp_path / f"{name}.key"),
                "--output",
                str(out),
            ],
            env=env,
        )
        assert signed.exit_code == 0, signed.output
        bundles += ["--bundle", str(out)]
    keys = ["--key", str(tmp_path / "a.pub"), "--key", str(tmp_path / "b.pub")]
    ok = cli.invoke(
        app, ["verify", str(artifact_file), *bundles, *keys, "--threshold", "2", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    assert len(json.loads(ok.stdout)["signers"]) == 2
    short = cli.invoke(
        app,
        [
            "verify",
            str(artifact_file),
            *bundles,
            "--key",
            str(tmp_path / "a.pub"),
            "--threshold",
            "2",
        ],
    )
    assert short.exit_code == 1
    assert "1 of the required 2" in said(short)


def test_keyless_without_ambient_credential_is_exit_3(
    cli: CliRunner, artifact_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fulcio and Rekor cannot be reached here; what can be tested is that a missing CI
    # credential is an environment failure, found before any network use.
    for name in AMBIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    result = cli.invoke(app, ["sign", str(artifact_file), "--keyless"])
    assert result.exit_code == 3
    assert "no ambient OIDC credential" in said(result)
    assert not artifact_file.with_name(artifact_file.name + ".sigstore.json").exists()


def test_keyless_github_without_id_token_permission_is_exit_3(
    cli: CliRunner, artifact_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in AMBIENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = cli.invoke(app, ["sign", str(artifact_file), "--keyless"])
    assert result.exit_code == 3
    assert "unusable" in said(result)


def test_sign_needs_exactly_one_signer(cli: CliRunner, artifact_file: Path) -> None:
    assert cli.invoke(app, ["sign", str(artifact_file)]).exit_code == 2


def test_verify_needs_something_to_trust(cli: CliRunner, artifact_file: Path) -> None:
    result = cli.invoke(app, ["verify", str(artifact_file)])
    assert result.exit_code == 2
    assert "nothing to trust" in said(result)
    half = cli.invoke(app, ["verify", str(artifact_file), "--cert-identity", "me@example.com"])
    assert half.exit_code == 2 and "both an identity and an OIDC issuer" in said(half)


def test_verify_keyless_identity_exact_and_regexp(cli: CliRunner, tmp_path: Path) -> None:
    from tests.sign.conftest import CONFORMANCE_DIR

    case = CONFORMANCE_DIR / "happy-path-v0.3"
    if not case.is_dir():
        pytest.skip(f"conformance data absent: {case}")
    artifact = tmp_path / "a.txt"
    shutil.copy(CONFORMANCE_DIR / "a.txt", artifact)
    ident = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    issuer = "https://token.actions.githubusercontent.com"
    base = ["verify", str(artifact), "--bundle", str(case / "bundle.sigstore.json")]
    exact = cli.invoke(app, [*base, "--cert-identity", ident, "--cert-oidc-issuer", issuer])
    assert exact.exit_code == 0, exact.output
    regexp = cli.invoke(
        app,
        [
            *base,
            "--cert-identity-regexp",
            r"https://github\.com/sigstore-conformance/.*",
            "--cert-oidc-issuer-regexp",
            r"https://token\.actions\.githubusercontent\.com",
        ],
    )
    assert regexp.exit_code == 0, regexp.output
    # Anchored: a pattern matching only part of the identity is refused.
    partial = cli.invoke(
        app, [*base, "--cert-identity-regexp", "sigstore-conformance", "--cert-oidc-issuer", issuer]
    )
    assert partial.exit_code == 1 and "does not match" in said(partial)
    wrong = cli.invoke(
        app, [*base, "--cert-identity", "https://evil.example/x", "--cert-oidc-issuer", issuer]
    )
    assert wrong.exit_code == 1 and "does not match" in said(wrong)
    issuer_wrong = cli.invoke(
        app, [*base, "--cert-identity", ident, "--cert-oidc-issuer", "https://accounts.google.com"]
    )
    assert issuer_wrong.exit_code == 1 and "issuer" in said(issuer_wrong)
    bad_re = cli.invoke(app, [*base, "--cert-identity-regexp", "(", "--cert-oidc-issuer", issuer])
    assert bad_re.exit_code == 2 and "invalid regular expression" in said(bad_re)


def test_verify_by_digest_needs_a_bundle(
    cli: CliRunner, tmp_path: Path, artifact_file: Path, env: dict[str, str]
) -> None:
    import hashlib

    assert (
        cli.invoke(app, ["keygen", "--output-prefix", str(tmp_path / "k")], env=env).exit_code == 0
    )
    assert (
        cli.invoke(
            app, ["sign", str(artifact_file), "--key", str(tmp_path / "k.key")], env=env
        ).exit_code
        == 0
    )
    digest = "sha256:" + hashlib.sha256(artifact_file.read_bytes()).hexdigest()
    bundle = f"{artifact_file}.sigstore.json"
    ok = cli.invoke(app, ["verify", digest, "--bundle", bundle, "--key", str(tmp_path / "k.pub")])
    assert ok.exit_code == 0, ok.output
    missing = cli.invoke(app, ["verify", digest, "--key", str(tmp_path / "k.pub")])
    assert missing.exit_code == 2 and "needs --bundle" in said(missing)
    other = "sha256:" + "0" * 64
    refused = cli.invoke(
        app, ["verify", other, "--bundle", bundle, "--key", str(tmp_path / "k.pub")]
    )
    assert refused.exit_code == 1


def test_keygen_into_a_directory_prefix_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    # "--output-prefix keys/" reaches us as "keys": the pair would land beside it as keys.key.
    keys = tmp_path / "keys"
    keys.mkdir()
    result = cli.invoke(
        app, ["keygen", "--output-prefix", f"{keys}/"], env={"VERIFIER_PASSWORD": "pw"}
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {keys}: is a directory; give a prefix such as {keys / 'cosign'}"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys"]
