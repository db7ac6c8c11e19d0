"""Evidence from a real OCI registry (distribution 2.8: no referrers API, so the tag fallback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admission.conftest import OTHER, RELEASE, Scenario
from tests.admission.test_store_evidence import CREATED, image_signature
from tests.store.conftest import Registry, start_registry
from verifier.sign.keys import PrivateKey
from verifier.store.artifacts import FileLayer, attach_bundle, push_files


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    reg = start_registry(tmp_path_factory.mktemp("admit-registry"))
    yield reg
    reg.stop()


def _push_signed(registry: Registry, repo: str, file: Path, signer: PrivateKey) -> str:
    store = registry.store(repo)
    manifest = push_files(
        store,
        [FileLayer(file)],
        tag="v1",
        artifact_type="application/vnd.example.app",
        annotations={},
        created=CREATED,
    )
    attach_bundle(store, manifest, image_signature(signer, manifest), created=CREATED)
    return str(manifest.digest)


def test_tag_in_a_registry_is_resolved_and_its_referrers_verified(
    scenario: Scenario, registry: Registry
) -> None:
    _push_signed(registry, "acme/app", scenario.root / "app.tar.gz", RELEASE)
    code, out, err = scenario.admit(
        f"{registry.host}/acme/app:v1",
        "--policy",
        "policies/gate.yaml",
        "--unsafe-plain-http",
        "--json",
    )
    assert code == 0, err
    decision = json.loads(out)["decisions"][0]
    assert decision["outcome"] == "allowed"
    assert len(decision["evidence"]) == 1
    assert "--unsafe-plain-http" in err


def test_manifest_images_read_their_registry(scenario: Scenario, registry: Registry) -> None:
    good = _push_signed(registry, "acme/web", scenario.root / "app.tar.gz", RELEASE)
    bad = _push_signed(registry, "acme/worker", scenario.root / "lib.tar.gz", OTHER)
    (scenario.root / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec:\n"
        "  containers:\n"
        f"    - {{name: web, image: '{registry.host}/acme/web@{good}'}}\n"
        f"    - {{name: worker, image: '{registry.host}/acme/worker@{bad}'}}\n"
    )
    code, out, _ = scenario.admit(
        "--manifests",
        "pod.yaml",
        "--policy",
        "policies/gate.yaml",
        "--unsafe-plain-http",
        "--json",
    )
    assert code == 1
    outcomes = [(d["location"]["detail"], d["outcome"]) for d in json.loads(out)["decisions"]]
    assert outcomes == [
        ("document 1, Pod/p, containers web", "allowed"),
        ("document 1, Pod/p, containers worker", "denied"),
    ]


def test_unreachable_registry_is_undecided(scenario: Scenario) -> None:
    digest = "sha256:" + "a" * 64
    code, out, _ = scenario.admit(
        f"127.0.0.1:9/acme/app@{digest}",
        "--policy",
        "policies/gate.yaml",
        "--unsafe-plain-http",
        "--timeout",
        "5",
        "--json",
    )
    assert code == 3
    [error] = json.loads(out)["decisions"][0]["errors"]
    assert error["rule"] == "evidence"
