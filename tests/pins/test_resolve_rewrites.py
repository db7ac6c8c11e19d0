"""--resolve's rewriting, with a table of tag digests standing in for a registry.

The registry itself is exercised in test_resolve_registry.py; here the table lets every kind
of rewrite, and every reason to leave a finding alone, be checked on the fixture repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.pins.conftest import UNPINNED
from verifier.errors import InputError
from verifier.pins.images import ImageRef
from verifier.pins.resolve import apply_rewrites, plan_resolve
from verifier.pins.scan import scan_path

DIGEST = "sha256:" + "9" * 64


class TableResolver:
    """Every tag resolves to DIGEST, except those listed as missing; records what was asked."""

    def __init__(self, missing: frozenset[str] = frozenset()) -> None:
        self.missing = missing
        self.asked: list[str] = []

    def digest(self, image: ImageRef) -> str | None:
        key = f"{image.registry}/{image.repository}:{image.effective_tag}"
        self.asked.append(key)
        return None if key in self.missing else DIGEST


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(UNPINNED, target)
    return target


def test_rewrites_every_resolvable_image(repo: Path) -> None:
    report = scan_path(repo)
    plan = plan_resolve(report, TableResolver())
    changed = {(r.display, r.line): r.new.strip() for r in plan.rewrites}
    assert changed == {
        (".github/workflows/ci.yml", 10): f"container: node:20-bookworm@{DIGEST}",
        (".github/workflows/ci.yml", 13): f"image: postgres:16@{DIGEST}",
        (".github/workflows/ci.yml", 22): f"- uses: docker://alpine:3.20@{DIGEST}",
        (".gitlab-ci.yml", 1): f"image: python:3.12@{DIGEST}",
        (".gitlab-ci.yml", 10): f"- name: redis:7@{DIGEST}",
        (".gitlab-ci.yml", 14): f"image: alpine:3.20@{DIGEST}",
        (".gitlab-ci.yml", 26): f"name: registry.gitlab.com/example-org/tools/ci:latest@{DIGEST}",
        (".gitlab-ci.yml", 36): f"- docker:27.1-dind@{DIGEST}",
        ("Containerfile", 1): f"# syntax=docker/dockerfile:1.7@{DIGEST}",
        ("Containerfile", 2): f"FROM docker.io/library/golang:1.22@{DIGEST} AS builder",
        ("Dockerfile", 15): f"FROM gcr.io/distroless/python3-debian12:nonroot@{DIGEST}",
        ("charts/app/values.yaml", 5): f"digest: {DIGEST}",
        ("compose.yaml", 7): f"image: postgres:16-alpine@{DIGEST}",
        ("compose.yaml", 11): f"image: axllent/mailpit@{DIGEST}",
        ("charts/app/values.yaml", 14): f"digest: {DIGEST}",
        ("charts/app/values.yaml", 22): f"initImage: busybox:1.36@{DIGEST}",
        ("deploy/kustomize/kustomization.yaml", 7): f"digest: {DIGEST}",
        ("k8s/app.yaml", 15): f"image: ghcr.io/example-org/web:1.4.2@{DIGEST}",
        ("k8s/app.yaml", 19): f"image: ghcr.io/example-org/web:1.4.2@{DIGEST}",
        ("k8s/app.yaml", 45): f"image: registry.example.com/ops/cleanup:2024.06@{DIGEST}",
        ("k8s/debug-pod.yaml", 11): f"image: busybox@{DIGEST}",
    }
    reasons = {(s.finding.path, s.finding.line): s.reason for s in plan.skipped}
    assert reasons["Dockerfile", 5].startswith("the image comes from an ARG default")
    assert reasons[".gitlab-ci.yml", 44].startswith("not a literal image reference")
    assert reasons[".github/workflows/ci.yml", 17].startswith("actions are pinned to commits")
    assert reasons["web/package.json", 7] == "only image references are resolved"

    apply_rewrites(plan.rewrites)
    left = {(f.path, f.kind.value) for f in scan_path(repo).findings}
    assert not any(kind.endswith("image") and path.startswith("k8s/app") for path, kind in left)
    assert ("charts/app/values.yaml", "helm-image") not in left
    assert ("deploy/kustomize/kustomization.yaml", "kustomize-image") not in left
    values = (repo / "charts/app/values.yaml").read_text().splitlines()
    assert values[4:7] == ['  tag: "1.4.2"', f"  digest: {DIGEST}", "  pullPolicy: IfNotPresent"]
    assert values[13:15] == ["    tag: 1.62.0-debian-12-r2", f"    digest: {DIGEST}"]
    kustomization = (repo / "deploy/kustomize/kustomization.yaml").read_text().splitlines()
    assert kustomization[6:9] == [
        "    newTag: 1.5.0",
        f"    digest: {DIGEST}",
        "  - name: envoyproxy/envoy",
    ]


def test_helm_mapping_without_tag_or_in_flow_style_is_left_alone(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "image:\n  repository: ghcr.io/o/app\n  tag: ''\n"
        "proxy:\n  image: {repository: e, tag: '1'}\n"
    )
    plan = plan_resolve(scan_path(values), TableResolver())
    assert plan.rewrites == ()
    assert [s.reason for s in plan.skipped] == [
        "no tag to resolve: set the tag (or newTag) first",
        "not a block mapping this tool can edit",
    ]


def test_docker_hub_names_resolve_against_library(repo: Path) -> None:
    resolver = TableResolver()
    plan_resolve(scan_path(repo / "k8s" / "debug-pod.yaml"), resolver)
    assert resolver.asked == ["docker.io/library/busybox:latest"]


def test_missing_tag_is_skipped_and_nothing_else_changes(repo: Path) -> None:
    resolver = TableResolver(frozenset({"docker.io/library/busybox:latest"}))
    plan = plan_resolve(scan_path(repo / "k8s"), resolver)
    [skipped] = [s for s in plan.skipped if s.finding.kind.value == "kubernetes-image"]
    assert skipped.reason == "tag latest not found in docker.io/library/busybox"


def test_a_file_changed_between_plan_and_apply_is_refused(repo: Path) -> None:
    plan = plan_resolve(scan_path(repo / "k8s"), TableResolver())
    before = (repo / "k8s" / "app.yaml").read_text()
    (repo / "k8s" / "debug-pod.yaml").write_text("changed\n")
    with pytest.raises(InputError, match=r"debug-pod.yaml:\d+: changed while resolving"):
        apply_rewrites(plan.rewrites)
    # app.yaml comes first and was fine, yet nothing is written when any file is refused.
    assert (repo / "k8s" / "app.yaml").read_text() == before


def test_mode_and_line_endings_are_kept(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_bytes(b"FROM python:3.12\r\nRUN true\r\n")
    dockerfile.chmod(0o640)
    plan = plan_resolve(scan_path(dockerfile), TableResolver())
    apply_rewrites(plan.rewrites)
    assert dockerfile.read_bytes() == f"FROM python:3.12@{DIGEST}\r\nRUN true\r\n".encode()
    assert dockerfile.stat().st_mode & 0o777 == 0o640


def test_two_images_on_one_line(tmp_path: Path) -> None:
    ci = tmp_path / ".gitlab-ci.yml"
    ci.write_text('job:\n  services: ["mysql:8", "redis:7"]\n  script: [make]\n')
    plan = plan_resolve(scan_path(tmp_path), TableResolver())
    apply_rewrites(plan.rewrites)
    assert ci.read_text().splitlines()[1] == (
        f'  services: ["mysql:8@{DIGEST}", "redis:7@{DIGEST}"]'
    )
    assert scan_path(tmp_path).findings == ()
