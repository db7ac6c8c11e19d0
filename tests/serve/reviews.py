"""Real-looking AdmissionReview bodies, shaped as the API server sends them (formats.md §2.6)."""

from __future__ import annotations

import copy
import json
from typing import Any

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
DIGEST_C = "sha256:" + "c" * 64
APP = f"reg.example/app@{DIGEST_A}"
SIDECAR = f"reg.example/sidecar@{DIGEST_B}"
MIGRATE = f"reg.example/migrate@{DIGEST_C}"
PAUSE = "registry.k8s.io/pause:3.10"

_RESOURCES = {
    "Pod": ("", "v1", "pods"),
    "Deployment": ("apps", "v1", "deployments"),
    "StatefulSet": ("apps", "v1", "statefulsets"),
    "DaemonSet": ("apps", "v1", "daemonsets"),
    "ReplicaSet": ("apps", "v1", "replicasets"),
    "ReplicationController": ("", "v1", "replicationcontrollers"),
    "Job": ("batch", "v1", "jobs"),
    "CronJob": ("batch", "v1", "cronjobs"),
}


def pod_spec(
    containers: list[str], init: list[str] | None = None, ephemeral: list[str] | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [{"name": f"c{i}", "image": img} for i, img in enumerate(containers)]
    }
    if init:
        spec["initContainers"] = [{"name": f"init{i}", "image": img} for i, img in enumerate(init)]
    if ephemeral:
        spec["ephemeralContainers"] = [
            {"name": f"debug{i}", "image": img} for i, img in enumerate(ephemeral)
        ]
    return spec


def workload(
    kind: str, spec: dict[str, Any], name: str = "web", namespace: str = "prod"
) -> dict[str, Any]:
    group, version, _ = _RESOURCES[kind]
    api_version = f"{group}/{version}" if group else version
    meta = {"name": name, "namespace": namespace, "labels": {"app": name}}
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    body: dict[str, Any]
    if kind == "Pod":
        body = {"spec": spec}
    elif kind == "CronJob":
        body = {
            "spec": {
                "schedule": "*/5 * * * *",
                "jobTemplate": {
                    "spec": {
                        "template": {**template, "spec": {**spec, "restartPolicy": "OnFailure"}}
                    }
                },
            }
        }
    elif kind == "Job":
        body = {"spec": {"template": {**template, "spec": {**spec, "restartPolicy": "Never"}}}}
    else:
        body = {
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": name}},
                "template": template,
            }
        }
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}


def review(
    obj: dict[str, Any],
    *,
    uid: str = "705ab4f5-6393-11e8-b7cc-42010a800002",
    operation: str = "CREATE",
    old: dict[str, Any] | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    kind = obj["kind"]
    group, version, resource = _RESOURCES[kind]
    options_kind = {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions"}.get(
        operation, "DeleteOptions"
    )
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": obj["metadata"]["name"],
            "namespace": obj["metadata"]["namespace"],
            "operation": operation,
            "userInfo": {
                "username": "system:serviceaccount:ci:deployer",
                "groups": ["system:serviceaccounts", "system:authenticated"],
            },
            "object": obj if operation != "DELETE" else None,
            "oldObject": old,
            "dryRun": dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": options_kind},
        },
    }


def with_image(obj: dict[str, Any], image: str) -> dict[str, Any]:
    """A copy of a Pod with its first container's image replaced (an UPDATE)."""
    new = copy.deepcopy(obj)
    new["spec"]["containers"][0]["image"] = image
    return new


def encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()
