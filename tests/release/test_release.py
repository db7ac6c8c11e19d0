"""verifier release end to end with the embedded defaults, against the real bwrap sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.rebuild.conftest import require_bwrap, run_cli
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore

pytestmark = pytest.mark.slow


def _store() -> LayoutStore:
    return LayoutStore(Path(".verifier/store"), Deadline(30))


def test_release_publishes_signed_evidence_and_admits(project: Path) -> None:
    require_bwrap()
    outcome = run_cli("release", "tarball", "--version", "1.0.0", "--json")
    assert outcome.exit_code == 0, outcome.stderr
    record = json.loads(outcome.stdout)
    assert record["status"] == "released"
    assert record["tag"] == "v1.0.0"
    assert record["decision"]["outcome"] == "allowed"
    kinds = sorted(e["kind"] for e in record["evidence"])
    assert kinds == [
        "provenance",
        "provenance",
        "rebuild",
        "release-manifest",
        "sbom",
        "signature",
        "verification-summary",
    ]
    assert all(e["referrer"] for e in record["evidence"])
    assert "created a new signing key .verifier/keys/release.key" in outcome.stderr
    assert "wrote the default release policy .verifier/policy.yaml" in outcome.stderr
    for step in range(1, 10):
        assert re.search(rf"\[{step}/9\] .*: done in \d+\.\ds", outcome.stderr)
    store = _store()
    tagged = store.resolve("v1.0.0")
    assert tagged is not None and str(tagged.digest) == record["artifact"]
    assert (Path(".verifier/keys/release.key").stat().st_mode & 0o777) == 0o600

    admitted = run_cli(
        "admit", "oci-layout:.verifier/store:v1.0.0", "--policy", ".verifier/policy.yaml"
    )
    assert admitted.exit_code == 0, admitted.stderr
    listed = run_cli("releases", "--json")
    assert listed.exit_code == 0
    (entry,) = json.loads(listed.stdout)
    assert entry["state"] == "verified" and entry["digest"] == record["artifact"]
    assert run_cli("rollback-check", "v1.0.0").exit_code == 0


def test_rerunning_a_release_is_a_no_op(project: Path) -> None:
    require_bwrap()
    first = run_cli("release", "tarball", "--version", "1.0.0")
    assert first.exit_code == 0, first.stderr
    tags_before = sorted(_store().list_tags())
    again = run_cli("release", "tarball", "--version", "v1.0.0", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["status"] == "already released"
    assert "already released" in again.stderr
    assert "[2/9] rebuild" not in again.stderr
    assert sorted(_store().list_tags()) == tags_before


def test_version_taken_by_another_build_is_refused(project: Path) -> None:
    require_bwrap()
    assert run_cli("release", "tarball", "--version", "1.0.0").exit_code == 0
    recipe = Path("tarball/repro.toml")
    recipe.write_text(recipe.read_text().replace("timeout = 60", "timeout = 61"))
    clash = run_cli("release", "tarball", "--version", "1.0.0")
    assert clash.exit_code == 1
    assert "v1.0.0 already exists as sha256:" in clash.stderr
    assert "versions are immutable" in clash.stderr


def test_refused_release_publishes_nothing(project: Path) -> None:
    require_bwrap()
    outcome = run_cli("release", "unrepro-random", "--version", "0.1.0", "--json")
    assert outcome.exit_code == 1, outcome.stderr
    record = json.loads(outcome.stdout)
    assert record["status"] == "refused"
    assert record["decision"]["outcome"] == "denied"
    assert any("MISMATCH" in r for r in record["reasons"]), record["reasons"]
    assert "nothing was published" in outcome.stderr
    # Not a blob, not a manifest: the refused run never wrote to the store.
    assert not Path(".verifier/store/blobs").exists()


def test_multi_output_release_is_admitted_by_its_manifest(project: Path) -> None:
    require_bwrap()
    outcome = run_cli("release", "purepy", "--version", "2.0.0-rc.1", "--json")
    assert outcome.exit_code == 0, outcome.stderr
    record = json.loads(outcome.stdout)
    assert [f["name"] for f in record["files"]] == [
        "dist/purepy-1.0.0-py3-none-any.whl",
        "dist/purepy-1.0.0.tar.gz",
    ]
    assert {v["verdict"] for v in record["verdicts"]} == {"REPRODUCED"}
    admitted = run_cli(
        "admit", "oci-layout:.verifier/store:v2.0.0-rc.1", "--policy", ".verifier/policy.yaml"
    )
    assert admitted.exit_code == 0, admitted.stderr


def test_rollback_check_uses_todays_policy(project: Path) -> None:
    require_bwrap()
    assert run_cli("release", "tarball", "--version", "1.0.0").exit_code == 0
    stricter = Path(".verifier/today.yaml")
    stricter.write_text(
        Path(".verifier/policy.yaml").read_text().replace("minBuilders: 1", "minBuilders: 2")
    )
    checked = run_cli("rollback-check", "v1.0.0", "--policy", str(stricter))
    assert checked.exit_code == 1
    assert "denied" in checked.stderr
    assert "reproducible" in checked.stderr


@pytest.mark.parametrize("version", ["1.0", "01.0.0", "1.0.0+", "latest"])
def test_bad_versions_are_refused(project: Path, version: str) -> None:
    outcome = run_cli("release", "tarball", "--version", version)
    assert outcome.exit_code == 2
    assert "is not a semantic version" in outcome.stderr


def test_ci_never_generates_a_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    outcome = run_cli("release", "tarball", "--version", "1.0.0")
    assert outcome.exit_code == 2
    assert "CI=true and .verifier/keys/release.key does not exist" in outcome.stderr
    assert not Path(".verifier/keys").exists()
