"""Kubernetes manifests, Kustomize image overrides and Helm values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from verifier.pins.finding import Finding
from verifier.pins.scan import scan_path

D1 = "sha256:" + "c" * 64
Scan = Callable[[str, str], tuple[Finding, ...]]


def _refs(findings: tuple[Finding, ...]) -> list[tuple[int, str, str]]:
    return [(f.line, f.kind.value, f.reference) for f in findings]


def test_workload_kinds_and_container_lists(scan_text: Scan) -> None:
    text = f"""\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    spec:
      template:
        spec:
          containers: [{{name: a, image: "fluentd:1"}}]
  - apiVersion: apps/v1
    kind: ReplicaSet
    spec:
      template:
        spec:
          initContainers: [{{name: i, image: "init@{D1}"}}]
          containers: [{{name: b, image: "nginx"}}]
---
apiVersion: v1
kind: PodTemplate
template:
  spec:
    containers:
      - name: c
        image: quay.io/o/c:2
---
apiVersion: v1
kind: ConfigMap
data:
  image: "not-a-container:1"
---
kind: Pod
spec:
  containers: [{{name: d, image: "no-api-version:1"}}]
"""
    assert _refs(scan_text("deploy/all.yaml", text)) == [
        (9, "kubernetes-image", "fluentd:1"),
        (16, "kubernetes-image", "nginx"),
        (24, "kubernetes-image", "quay.io/o/c:2"),
    ]


def test_container_lists_and_images_of_the_wrong_shape_are_unreadable(scan_text: Scan) -> None:
    text = """\
apiVersion: v1
kind: Pod
spec:
  containers: 5
  initContainers: ~
  ephemeralContainers: [just-a-string]
---
apiVersion: v1
kind: Pod
spec:
  containers:
    - name: a
      image: [nginx, latest]
    - name: b
      image: "busybox:1"
"""
    findings = scan_text("deploy/odd.yaml", text)
    assert [(f.line, f.kind.value) for f in findings] == [
        (4, "unreadable"),
        (6, "unreadable"),
        (13, "unreadable"),
        (15, "kubernetes-image"),
    ]
    assert [f.reference for f in findings[:3]] == [
        "containers: is not a list",
        "an entry of ephemeralContainers: is not a mapping",
        "image: is not a string",
    ]


def test_empty_and_comment_only_yaml_is_fine(scan_text: Scan) -> None:
    assert scan_text("empty.yaml", "") == ()
    assert scan_text("comments.yml", "# nothing here\n---\n") == ()


def test_chart_templates_are_skipped_only_inside_a_chart(tmp_path: Path) -> None:
    template = "image: {{ .Values.image }}\nkind: [\n"
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (tmp_path / "chart" / "templates" / "d.yaml").write_text(template)
    (tmp_path / "other" / "templates").mkdir(parents=True)
    (tmp_path / "other" / "templates" / "d.yaml").write_text(template)
    findings = scan_path(tmp_path).findings
    assert [(f.path, f.kind.value) for f in findings] == [("other/templates/d.yaml", "unreadable")]


def test_kustomize_images(scan_text: Scan) -> None:
    text = f"""\
images:
  - name: a
    newTag: "1.0"
  - name: b
    newName: registry.example/b
    newTag: "2.0"
    digest: {D1}
  - name: c
    digest: sha256:short
  - name: d
    newName: registry.example/d
"""
    findings = scan_text("kustomization.yml", text)
    assert _refs(findings) == [
        (2, "kustomize-image", "a:1.0"),
        (8, "kustomize-image", "c@sha256:short"),
    ]
    assert "64 hex" in findings[1].hint


def test_helm_values_shapes(scan_text: Scan) -> None:
    text = f"""\
image:
  repository: ghcr.io/o/app
  tag: ""
sidecars:
  - name: s
    image: busybox:1
  - name: t
    image: busybox@{D1}
global:
  db:
    image:
      registry: quay.io
      name: o/db
      tag: "15"
      digest: {D1}
  cache:
    image:
      repository: redis
      tag: 7@{D1}
  toolsImage: alpine:3
  pullPolicy:
    image:
      pullPolicy: Always
"""
    assert _refs(scan_text("values-prod.yaml", text)) == [
        (2, "helm-image", "ghcr.io/o/app"),
        (6, "helm-image", "busybox:1"),
        (20, "helm-image", "alpine:3"),
    ]


def test_helm_values_anchors_do_not_explode(scan_text: Scan) -> None:
    # Nine levels of nine aliases each would be 9**9 nodes if expanded.
    lines = ["a0: &a0 {image: 'x:1'}"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    findings = scan_text("values.yaml", "\n".join(lines) + "\n")
    assert _refs(findings) == [(1, "helm-image", "x:1")]


def test_compose_services(scan_text: Scan) -> None:
    text = f"""\
services:
  app:
    build: {{context: .}}
    image: app:dev
  db:
    image: mysql:8
  proxy:
    image: nginx@{D1}
"""
    assert _refs(scan_text("docker-compose.prod.yml", text)) == [(6, "compose-image", "mysql:8")]
    assert scan_text("not-compose.yml", text) == ()
