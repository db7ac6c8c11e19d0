"""Manifest scanning and `verifier admit --manifests` over a real-looking deployment tree."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.admission.conftest import DATA, RELEASE, Scenario
from verifier.admission.manifests import ContainerImage, object_images, scan_manifests, scan_text
from verifier.attest.statement import Statement, subjects_of
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sign.key_signer import KeySigner

DEPLOY = DATA / "deploy"


def test_every_workload_kind_and_container_field_is_found() -> None:
    found = [
        (
            u.image.rsplit("/", 1)[-1][:20],
            u.path.split("deploy/")[1],
            u.line,
            u.document,
            u.kind,
            u.name,
            u.field,
            u.container,
            u.namespace,
        )
        for u in scan_manifests(str(DEPLOY))
    ]
    assert found == [
        (
            "report@sha256:333333",
            "base/nightly.yaml",
            15,
            1,
            "CronJob",
            "nightly-report",
            "containers",
            "report",
            "prod",
        ),
        (
            "db-migrate@sha256:22",
            "base/web.yaml",
            16,
            1,
            "Deployment",
            "web",
            "initContainers",
            "migrate",
            "prod",
        ),
        (
            "web@sha256:111111111",
            "base/web.yaml",
            19,
            1,
            "Deployment",
            "web",
            "containers",
            "web",
            "prod",
        ),
        (
            "busybox:1.36",
            "base/web.yaml",
            22,
            1,
            "Deployment",
            "web",
            "containers",
            "log-shipper",
            "prod",
        ),
        (
            "redis@sha256:4444444",
            "rendered/chart.yaml",
            18,
            1,
            "StatefulSet",
            "cache",
            "containers",
            "redis",
            "staging",
        ),
        (
            "agent@sha256:5555555",
            "rendered/chart.yaml",
            34,
            2,
            "DaemonSet",
            "node-agent",
            "containers",
            "agent",
            None,
        ),
        (
            "smoke@sha256:6666666",
            "rendered/chart.yaml",
            48,
            3,
            "Job",
            "smoke",
            "containers",
            "smoke",
            "staging",
        ),
        (
            "smoke@sha256:6666666",
            "rendered/chart.yaml",
            62,
            4,
            "Pod",
            "debug",
            "containers",
            "shell",
            "staging",
        ),
        (
            "probe@sha256:7777777",
            "rendered/chart.yaml",
            65,
            4,
            "Pod",
            "debug",
            "ephemeralContainers",
            "probe",
            "staging",
        ),
        (
            "legacy@sha256:888888",
            "rendered/chart.yaml",
            80,
            4,
            "ReplicaSet",
            "legacy",
            "containers",
            "legacy",
            "staging",
        ),
    ]


def test_kustomize_overrides_apply() -> None:
    images = {u.container: u.image for u in scan_manifests(str(DEPLOY))}
    assert images["web"] == "registry.example/acme/web@sha256:" + "1" * 64
    assert images["migrate"] == "registry.example/acme/db-migrate@sha256:" + "2" * 64


def test_a_single_file_without_kustomization_keeps_tags() -> None:
    images = [u.image for u in scan_manifests(str(DEPLOY / "base" / "web.yaml"))]
    assert images == [
        "registry.example/acme/migrate:1.4.0",
        "registry.example/acme/web:2.0.1",
        "busybox:1.36",
    ]


def test_malformed_yaml_names_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        scan_text("kind: Pod\nspec:\n  containers: [\n", "bad.yaml")
    assert str(err.value).startswith("bad.yaml:4: invalid YAML: ")


def test_container_without_image_is_bad_input() -> None:
    text = "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n"
    with pytest.raises(InputError) as err:
        scan_text(text, "pod.yaml")
    assert str(err.value) == "pod.yaml:5: Pod/p containers c has no image"


PINNED = "busybox@sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Kubernetes' reader expands the merge: the hidden container would run unchecked.
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n"
            "  <<: {containers: [{name: evil, image: 'evil:latest'}]}\n"
            f"  initContainers: [{{name: c, image: '{PINNED}'}}]\n",
            "pod.yaml:4: invalid YAML: merge keys (<<) are not supported",
        ),
        # Readers disagree on which of two image keys wins.
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            f"  - name: c\n    image: '{PINNED}'\n    image: evil:latest\n",
            "pod.yaml:7: invalid YAML: duplicate key 'image'",
        ),
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: null}]\n",
            "pod.yaml:4: Pod/p containers c has no image",
        ),
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: 12345}]\n",
            "pod.yaml:4: Pod/p containers c has no image",
        ),
        (
            "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: {name: c, image: busybox}\n",
            "pod.yaml:4: Pod/p containers is not a list",
        ),
        ("kind: Pod\nmetadata: {name: p}\nspec: 5\n", "pod.yaml:3: Pod/p has no spec"),
    ],
)
def test_ambiguous_or_malformed_pods_are_bad_input(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        scan_text(text, "pod.yaml")
    assert str(err.value) == message


def test_kubectl_get_output_with_status_and_managed_fields() -> None:
    text = (
        "apiVersion: v1\nkind: List\nmetadata: {resourceVersion: ''}\nitems:\n"
        "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web\n"
        "    namespace: shop\n    managedFields:\n    - manager: kubectl\n"
        "      fieldsV1: {'f:spec': {'f:template': {'f:spec': {'f:containers': "
        "{'k:{\"name\":\"web\"}': {'f:image': {}}}}}}}\n"
        "  spec:\n    template:\n      spec:\n"
        f"        containers: [{{name: web, image: '{PINNED}'}}]\n"
        "  status:\n    conditions: [{type: Available, status: 'True'}]\n"
    )
    uses = scan_text(text, "get.yaml")
    assert [(u.image, u.kind, u.name, u.namespace, u.line) for u in uses] == [
        (PINNED, "Deployment", "web", "shop", 16)
    ]


def _sign_image(evidence: Path, digest: Digest) -> None:
    statement = Statement(
        subjects_of([("image", digest)]), "https://sigstore.dev/cosign/sign/v1", {}
    ).to_json()
    out = evidence / f"{digest.hex[:12]}.sigstore.json"
    out.write_bytes(KeySigner(RELEASE).sign_statement(statement).to_json())


def _pinned_gate(scenario: Scenario) -> None:
    (scenario.root / "policies" / "gate.yaml").write_text(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: gate}\nspec:\n"
        "  authorities: [{name: release, key: {file: release.pub}}]\n"
        "  require:\n    digestPinned: true\n    signatures: {authorities: [release]}\n"
    )
    (scenario.root / "policies" / "advice.yaml").unlink()


def test_admit_manifests_directory(scenario: Scenario) -> None:
    _pinned_gate(scenario)
    shutil.copytree(DEPLOY, scenario.root / "deploy")
    evidence = scenario.root / "images"
    evidence.mkdir()
    for digit in "1234568":  # everything but the probe (7)
        _sign_image(evidence, Digest.parse("sha256:" + digit * 64))
    code, out, _ = scenario.admit(
        "--manifests", "deploy", "--policy", "policies", "--evidence", "images", "--json"
    )
    assert code == 1
    decisions = json.loads(out)["decisions"]
    assert len(decisions) == 10
    denied = {
        d["name"]: (d["location"], [v["message"] for v in d["violations"]])
        for d in decisions
        if not d["allowed"]
    }
    probe = "registry.example/acme/probe@sha256:" + "7" * 64
    assert denied == {
        "busybox:1.36": (
            {
                "path": "deploy/base/web.yaml",
                "line": 22,
                "detail": "document 1, Deployment/web, containers log-shipper",
            },
            ["busybox:1.36: referenced by tag, not by digest"],
        ),
        probe: (
            {
                "path": "deploy/rendered/chart.yaml",
                "line": 65,
                "detail": "document 4, Pod/debug, ephemeralContainers probe",
            },
            [
                f"{probe} (sha256:777777777777): signed by 0 of the required 1 trusted "
                "authorities (signed: none; trusted: release)"
            ],
        ),
    }


def test_admit_manifests_from_stdin(scenario: Scenario) -> None:
    _pinned_gate(scenario)
    text = (DEPLOY / "rendered" / "chart.yaml").read_text()
    (scenario.root / "none").mkdir()  # a local, empty evidence directory: no registry access
    code, _, out = scenario.admit(
        "--manifests",
        "-",
        "--policy",
        "policies",
        "--evidence",
        "none",
        "--format",
        "text",
        stdin=text,
    )
    assert code == 1
    assert "DENIED registry.example/acme/redis@sha256:" in out
    assert "at <stdin>:18 (document 1, StatefulSet/cache, containers redis)" in out


def test_manifests_without_images_is_bad_input(scenario: Scenario) -> None:
    code, _, err = scenario.admit(
        "--manifests", "-", "--policy", "policies", stdin="kind: Service\nmetadata: {name: s}\n"
    )
    assert code == 2
    assert "no container image found" in err


def test_object_images_for_the_webhook() -> None:
    cronjob = {
        "kind": "CronJob",
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "initContainers": [
                                {"name": "i", "image": "reg.example/i@sha256:" + "1" * 64}
                            ],
                            "containers": [{"name": "c", "image": "reg.example/c:1"}],
                        }
                    }
                }
            }
        },
    }
    assert object_images(cronjob) == [
        ContainerImage("initContainers", "i", "reg.example/i@sha256:" + "1" * 64),
        ContainerImage("containers", "c", "reg.example/c:1"),
    ]
    assert object_images({"kind": "ConfigMap"}) == []
    with pytest.raises(InputError, match="Pod containers c has no image"):
        object_images({"kind": "Pod", "spec": {"containers": [{"name": "c"}]}})


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("'!!!'", "<stdin>:3: '!!!' is not an image reference or a file"),
        (
            "busybox@sha256:abc",
            "<stdin>:3: busybox@sha256:abc: invalid digest: expected @sha256:<64 lowercase hex>",
        ),
    ],
)
def test_a_bad_image_reference_names_the_manifest_line(
    scenario: Scenario, image: str, message: str
) -> None:
    text = (
        f"kind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{{name: c, image: {image}}}]}}\n"
    )
    code, _, err = scenario.admit("--manifests", "-", "--policy", "policies", stdin=text)
    assert code == 2
    assert err.strip() == f"error: {message}"


def test_manifests_from_a_pipe() -> None:
    # --manifests <(helm template chart) names /dev/fd/N, a pipe: read it like a file.
    read_end, write_end = os.pipe()
    os.write(
        write_end,
        f"kind: Pod\nmetadata: {{name: p}}\n"
        f"spec: {{containers: [{{name: c, image: '{PINNED}'}}]}}\n".encode(),
    )
    os.close(write_end)
    try:
        uses = scan_manifests(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert [u.image for u in uses] == [PINNED]


DEEP_YAML = "[" * 50_000 + "]" * 50_000


def test_yaml_nested_too_deeply_is_bad_input(tmp_path: Path) -> None:
    # PyYAML's composer recurses: RecursionError, not a YAMLError, ended in 'internal error'.
    with pytest.raises(InputError) as err:
        scan_text(DEEP_YAML, "deep.yaml")
    assert str(err.value) == "deep.yaml: invalid YAML: nested too deeply"
    lists = "{kind: List, items: [" * 3000 + "{kind: Pod}" + "]}" * 3000
    with pytest.raises(InputError) as err:
        scan_text(lists, "lists.yaml")
    assert str(err.value) == "lists.yaml: invalid YAML: nested too deeply"
    (tmp_path / "kustomization.yaml").write_text(f"images: {DEEP_YAML}\n")
    (tmp_path / "pod.yaml").write_text(
        f"kind: Pod\nmetadata: {{name: p}}\n"
        f"spec: {{containers: [{{name: c, image: '{PINNED}'}}]}}\n"
    )
    with pytest.raises(InputError) as err:
        scan_manifests(str(tmp_path))
    assert str(err.value) == f"{tmp_path / 'kustomization.yaml'}: invalid YAML: nested too deeply"
