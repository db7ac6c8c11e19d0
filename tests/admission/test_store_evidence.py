"""Evidence read from an OCI image layout store: referrers attached by the storage library."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.admission.conftest import EPOCH, OTHER, RELEASE, Scenario
from verifier.attest.statement import Statement, subjects_of
from verifier.sign.artifact import Artifact
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey
from verifier.store.artifacts import FileLayer, attach_bundle, push_files
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore
from verifier.store.oci import Descriptor

CREATED = datetime.fromtimestamp(int(EPOCH), tz=UTC)
COSIGN_SIGN = "https://sigstore.dev/cosign/sign/v1"


def image_signature(key: PrivateKey, manifest: Descriptor) -> bytes:
    """A cosign v3 image signature: a DSSE sign/v1 statement over the manifest digest."""
    statement = Statement(subjects_of([("image", manifest.digest)]), COSIGN_SIGN, {}).to_json()
    return KeySigner(key).sign_statement(statement).to_json()


def _push(scenario: Scenario, tag: str, name: str) -> tuple[Path, Descriptor, LayoutStore]:
    layout = scenario.root / "store"
    store = LayoutStore(layout, Deadline(30))
    descriptor = push_files(
        store,
        [FileLayer(scenario.root / name)],
        tag=tag,
        artifact_type="application/vnd.example.app",
        annotations={},
        created=CREATED,
    )
    return layout, descriptor, store


def test_signed_artifact_in_a_layout_is_allowed(scenario: Scenario) -> None:
    layout, manifest, store = _push(scenario, "v1", "app.tar.gz")
    attach_bundle(store, manifest, image_signature(RELEASE, manifest), created=CREATED)
    code, out, err = scenario.admit(
        f"oci-layout:{layout}@{manifest.digest}", "--policy", "policies/gate.yaml", "--json"
    )
    assert code == 0, err
    decision = json.loads(out)["decisions"][0]
    # A pushed file is judged as the file; the signature over its manifest counts for it.
    assert decision["subject"] == str(Artifact.from_path(scenario.root / "app.tar.gz").digest)
    assert len(decision["evidence"]) == 1


def test_tag_is_resolved_once_and_foreign_signature_refused(scenario: Scenario) -> None:
    layout, manifest, store = _push(scenario, "v1", "app.tar.gz")
    bundle = image_signature(OTHER, manifest)
    referrer = attach_bundle(store, manifest, bundle, created=CREATED)
    code, out, _ = scenario.admit(
        "v1", "--store", f"oci-layout:{layout}", "--policy", "policies/gate.yaml", "--json"
    )
    assert code == 1
    decision = json.loads(out)["decisions"][0]
    [violation] = decision["violations"]
    assert violation["message"].endswith(
        f"refused oci-layout:{layout}@{referrer.digest}: DSSE signature does not verify "
        f"with key {RELEASE.public_key.fingerprint.short}"
    )


def test_substituted_statement_in_the_store_is_refused(scenario: Scenario) -> None:
    layout, manifest, store = _push(scenario, "v1", "app.tar.gz")
    _, other, _ = _push(scenario, "v2", "lib.tar.gz")
    statement = Statement(subjects_of([("lib", other.digest)]), COSIGN_SIGN, {}).to_json()
    bundle = KeySigner(RELEASE).sign_statement(statement).to_json()
    referrer = attach_bundle(store, manifest, bundle, created=CREATED)
    code, out, _ = scenario.admit(
        f"oci-layout:{layout}:v1", "--policy", "policies/gate.yaml", "--json"
    )
    assert code == 1
    [violation] = json.loads(out)["decisions"][0]["violations"]
    assert violation["message"].endswith(
        f"refused oci-layout:{layout}@{referrer.digest}: the statement's subjects do not "
        f"include {manifest.digest} ({manifest.digest.short})"
    )


def test_tag_refused_by_digest_pinning_even_with_a_store(scenario: Scenario) -> None:
    layout, manifest, store = _push(scenario, "v1", "app.tar.gz")
    attach_bundle(store, manifest, image_signature(RELEASE, manifest), created=CREATED)
    policy = scenario.root / "pinned.yaml"
    policy.write_text(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: pinned}\nspec:\n"
        "  require: {digestPinned: true}\n"
    )
    code, out, _ = scenario.admit(f"oci-layout:{layout}:v1", "--policy", str(policy), "--json")
    assert code == 1
    [violation] = json.loads(out)["decisions"][0]["violations"]
    assert violation["message"] == f"oci-layout:{layout}:v1: referenced by tag, not by digest"


def test_missing_store_tag_is_undecided(scenario: Scenario) -> None:
    layout, _, _ = _push(scenario, "v1", "app.tar.gz")
    code, out, _ = scenario.admit(
        f"oci-layout:{layout}:nope", "--policy", "policies/gate.yaml", "--json"
    )
    assert code == 3
    [error] = json.loads(out)["decisions"][0]["errors"]
    assert error["rule"] == "evidence"
    assert "cannot resolve the tag" in error["message"]
