"""Static checks of deploy/ (Kustomize base) and the Dockerfile.

No container engine or cluster runs here: the YAML is parsed and its fields checked, and the
Dockerfile's stages are read instruction by instruction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

BASE = REPO / "deploy" / "base"
KINDS = {
    "": {"pods", "pods/ephemeralcontainers", "replicationcontrollers"},
    "apps": {"deployments", "statefulsets", "daemonsets", "replicasets"},
    "batch": {"jobs", "cronjobs"},
}


def load_base() -> dict[str, dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    docs: dict[str, dict[str, Any]] = {}
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((BASE / name).read_text()):
            assert doc["kind"] not in docs, f"two {doc['kind']} in the base"
            docs[doc["kind"]] = doc
    docs["Kustomization"] = kustomization
    return docs


@pytest.fixture(scope="module")
def base() -> dict[str, dict[str, Any]]:
    return load_base()


def test_every_resource_lives_in_the_webhook_namespace(base) -> None:
    namespace = base["Kustomization"]["namespace"]
    assert base["Namespace"]["metadata"]["name"] == namespace
    for kind in ("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget"):
        assert base[kind]["metadata"]["namespace"] == namespace, kind


def test_deployment_two_replicas_non_root_read_only_with_requests(base) -> None:
    deployment = base["Deployment"]
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    requests = container["resources"]["requests"]
    assert requests["cpu"] and requests["memory"]
    # Probes hit the real endpoints over HTTPS on the served port.
    assert container["readinessProbe"]["httpGet"] == {
        "path": "/readyz",
        "port": "https",
        "scheme": "HTTPS",
    }
    assert container["livenessProbe"]["httpGet"] == {
        "path": "/healthz",
        "port": "https",
        "scheme": "HTTPS",
    }
    # Every writable path is a volume; the root filesystem is not.
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/tmp" in mounts
    env = {e["name"]: e.get("value") for e in container["env"]}
    (port,) = container["ports"]
    assert env["VERIFIER_PORT"] == str(port["containerPort"])
    mounted = [Path(m["mountPath"]) for m in container["volumeMounts"] if m.get("readOnly")]
    for var in (
        "VERIFIER_POLICY",
        "VERIFIER_TLS_CERT",
        "VERIFIER_TLS_KEY",
        "VERIFIER_SUMMARY_KEYS",
    ):
        path = Path(env[var])
        assert any(path == m or m in path.parents for m in mounted), var
    assert env["VERIFIER_FAILURE_MODE"] == "deny"
    # The selector selects the template.
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert pod["terminationGracePeriodSeconds"] > int(env["VERIFIER_GRACEFUL_SHUTDOWN"])


def test_service_reaches_the_pods(base) -> None:
    service = base["Service"]["spec"]
    pod_labels = base["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()
    (port,) = service["ports"]
    container = base["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert port["targetPort"] in {p["name"] for p in container["ports"]}


def test_webhook_configuration(base) -> None:
    (hook,) = base["ValidatingWebhookConfiguration"]["webhooks"]
    assert hook["failurePolicy"] == "Fail"
    assert hook["timeoutSeconds"] == 10
    assert hook["sideEffects"] == "None"
    assert hook["admissionReviewVersions"] == ["v1"]
    env = {
        e["name"]: e.get("value")
        for e in base["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert float(env["VERIFIER_DEADLINE"]) < hook["timeoutSeconds"]
    service = hook["clientConfig"]["service"]
    assert service["name"] == base["Service"]["metadata"]["name"]
    assert service["namespace"] == base["Kustomization"]["namespace"]
    assert service["path"] == "/validate"
    assert service["port"] == base["Service"]["spec"]["ports"][0]["port"]
    own = base["Kustomization"]["namespace"]
    excluded = [
        e
        for e in hook["namespaceSelector"]["matchExpressions"]
        if e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"
    ]
    assert excluded and own in excluded[0]["values"]
    covered: dict[str, set[str]] = {}
    for rule in hook["rules"]:
        assert set(rule["operations"]) == {"CREATE", "UPDATE"}
        assert rule["apiVersions"] == ["v1"]
        for group in rule["apiGroups"]:
            covered.setdefault(group, set()).update(rule["resources"])
    assert covered == KINDS


def test_pod_disruption_budget_keeps_one_replica(base) -> None:
    pdb = base["PodDisruptionBudget"]["spec"]
    assert pdb["minAvailable"] == 1
    assert pdb["selector"]["matchLabels"] == base["Deployment"]["spec"]["selector"]["matchLabels"]


def test_cert_manager_component_makes_the_mounted_secret(base) -> None:
    docs = list(yaml.safe_load_all((REPO / "deploy/cert-manager/certificate.yaml").read_text()))
    certificate = next(d for d in docs if d["kind"] == "Certificate")
    volumes = base["Deployment"]["spec"]["template"]["spec"]["volumes"]
    tls = next(v for v in volumes if v["name"] == "tls")
    assert certificate["spec"]["secretName"] == tls["secret"]["secretName"]
    service = f"{base['Service']['metadata']['name']}.{base['Kustomization']['namespace']}.svc"
    assert service in certificate["spec"]["dnsNames"]
    annotation = base["ValidatingWebhookConfiguration"]["metadata"]["annotations"]
    namespace, name = annotation["cert-manager.io/inject-ca-from"].split("/")
    assert (namespace, name) == (
        certificate["metadata"]["namespace"],
        certificate["metadata"]["name"],
    )


# ----------------------------------------------------------------------------- Dockerfile


def dockerfile_stages(text: str) -> list[list[tuple[str, str]]]:
    """Instructions per stage, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    stages: list[list[tuple[str, str]]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        assert stages, "instruction before the first FROM"
        stages[-1].append((instruction.upper(), rest.strip()))
    return stages


@pytest.fixture(scope="module")
def stages() -> list[list[tuple[str, str]]]:
    return dockerfile_stages((REPO / "Dockerfile").read_text())


def test_dockerfile_is_multi_stage_with_bases_pinned_by_digest(stages) -> None:
    assert len(stages) >= 2
    for stage in stages:
        image = stage[0][1].split()[0]
        assert re.search(r"@sha256:[0-9a-f]{64}$", image), f"base not pinned: {image}"


def test_dockerfile_installs_exactly_the_lock_file(stages) -> None:
    runs = " ".join(rest for stage in stages[:-1] for kind, rest in stage if kind == "RUN")
    assert "uv sync --locked --no-dev" in runs
    assert "pip install" not in runs.replace("pip install --no-cache-dir uv==", "")
    copies = [rest for stage in stages[:-1] for kind, rest in stage if kind == "COPY"]
    assert any("uv.lock" in c for c in copies)


def test_dockerfile_final_stage_is_non_root_without_package_manager(stages) -> None:
    final = stages[-1]
    kinds = [kind for kind, _ in final]
    assert "RUN" not in kinds  # nothing executes in the final stage: it has no shell
    base_image = final[0][1]
    assert "distroless" in base_image
    users = [rest for kind, rest in final if kind == "USER"]
    assert users, "final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit() and int(user) > 0
    copied = [rest for kind, rest in final if kind == "COPY"]
    for copy in copied:
        for tool in ("apt", "dpkg", "pip", "/opt/uv"):
            assert tool not in copy.split()[-2], f"final stage copies a package manager: {copy}"
    deployment = load_base()["Deployment"]["spec"]["template"]["spec"]
    assert int(user) == deployment["securityContext"]["runAsUser"]
