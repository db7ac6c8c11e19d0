"""The same audit against a real registry (docker-registry, no referrers API: tag fallback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.audit.conftest import STORE
from tests.rebuild.conftest import run_cli
from tests.store.conftest import Registry, start_registry

pytestmark = pytest.mark.slow


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    reg = start_registry(tmp_path / "registry")
    yield reg
    reg.stop()


def test_releases_copied_to_a_registry_audit_the_same(
    audit_project: Path, registry: Registry
) -> None:
    repo = f"{registry.host}/audit/app"
    for tag in ("v1.0.0", "v1.2.0"):
        copied = run_cli("copy", f"{STORE}:{tag}", f"{repo}:{tag}", "--unsafe-plain-http")
        assert copied.exit_code == 0, copied.stderr
    listed = run_cli(
        "audit", "--store", repo, "--all-releases", "--policy", "strict.yaml",
        "--unsafe-plain-http", "-f", "json",
    )  # fmt: skip
    assert listed.exit_code == 0, listed.stderr
    report = json.loads(listed.stdout)
    rows = [
        (e["reference"], e["status"], e["signed"], e["rebuild"]["verdict"], e["sbom"]["components"])
        for e in report["entries"]
    ]
    assert rows == [
        (f"{repo}:v1.0.0", "ok", "verified", "REPRODUCED", 1),
        (f"{repo}:v1.2.0", "denied", "verified", "MISMATCH", 1),
    ]
    manifest = report["entries"][0]["digest"]
    local = json.loads(
        run_cli("audit", f"{STORE}:v1.0.0", "--policy", "strict.yaml", "-f", "json").stdout
    )
    assert local["entries"][0]["digest"] == manifest
    # By digest, as HOST/REPO@sha256:... (the release manifest the tag names).
    releases = json.loads(run_cli("releases", "--store", STORE, "--json").stdout)
    release = next(r["digest"] for r in releases if r["tag"] == "v1.0.0")
    by_digest = run_cli(
        "audit", f"{repo}@{release}", "--key", "release.pub", "--unsafe-plain-http",
        "-f", "csv", "--fail-on", "unsigned",
    )  # fmt: skip
    assert by_digest.exit_code == 0, by_digest.stderr
    assert ",ok,verified," in by_digest.stdout
