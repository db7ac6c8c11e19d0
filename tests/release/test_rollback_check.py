"""`verifier rollback-check`: an older release judged by its digest under today's policy."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from verifier.cli import app

PINNED_ONLY = (
    "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: pinned}\n"
    "spec:\n  match: {names: ['*']}\n  require: {digestPinned: true}\n"
)


def _store_with_v1(tmp_path: Path) -> str:
    artifact = tmp_path / "app.tar.gz"
    artifact.write_bytes(b"release\n")
    store = f"oci-layout:{tmp_path / 'store'}"
    pushed = CliRunner().invoke(app, ["push", str(artifact), f"{store}:v1.0.0"])
    assert pushed.exit_code == 0, pushed.stderr
    (tmp_path / "policy.yaml").write_text(PINNED_ONLY)
    return store


def test_a_digest_pinned_policy_judges_the_release_by_its_digest(tmp_path: Path) -> None:
    # The release is named by its version tag on the command line; what would be deployed
    # is its digest, so 'digestPinned' must not deny every rollback.
    store = _store_with_v1(tmp_path)
    policy = str(tmp_path / "policy.yaml")
    result = CliRunner().invoke(
        app, ["rollback-check", "v1.0.0", "--store", store, "--policy", policy]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == f"v1.0.0: allowed under {policy}"


def test_a_version_that_was_never_released_is_bad_input(tmp_path: Path) -> None:
    store = _store_with_v1(tmp_path)
    policy = str(tmp_path / "policy.yaml")
    result = CliRunner().invoke(
        app, ["rollback-check", "v2.0.0", "--store", store, "--policy", policy]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {store}: no release v2.0.0 (see verifier releases)"
