"""A release published to the real Debian registry (no referrers API: the tag fallback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.rebuild.conftest import require_bwrap, run_cli
from tests.store.conftest import Registry, registry  # noqa: F401 - the registry fixture
from verifier.store.referrers import fallback_tag

pytestmark = pytest.mark.slow


def test_release_to_a_registry_and_admit_it_there(
    project: Path,
    registry: Registry,  # noqa: F811
) -> None:
    require_bwrap()
    store = f"{registry.host}/releases/tarball"
    options = registry.cli_options()
    outcome = run_cli(
        "release", "tarball", "--version", "3.1.4", "--store", store, "--json", *options
    )
    assert outcome.exit_code == 0, outcome.stderr
    record = json.loads(outcome.stdout)
    assert record["store"] == store
    tags = registry.store("releases/tarball").list_tags()
    assert "v3.1.4" in tags
    assert fallback_tag(registry.store("releases/tarball").resolve("v3.1.4").digest) in tags  # type: ignore[union-attr]
    admitted = run_cli("admit", f"{store}:v3.1.4", "--policy", ".verifier/policy.yaml", *options)
    assert admitted.exit_code == 0, admitted.stderr
    listed = run_cli("releases", "--store", store, "--json", *options)
    assert json.loads(listed.stdout)[0]["state"] == "verified"
    again = run_cli("release", "tarball", "--version", "3.1.4", "--store", store, *options)
    assert again.exit_code == 0
    assert "already released" in again.stderr
