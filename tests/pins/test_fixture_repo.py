"""The fixture repository: every unpinned input is found, and none in its pinned twin."""

from __future__ import annotations

from tests.pins.conftest import PINNED, UNPINNED, triples
from verifier.pins.scan import scan_path

# Every unpinned input of fixtures/pins/unpinned, by (file, line, kind).
EXPECTED = {
    (".github/actions/setup/action.yml", 6, "github-action"),
    (".github/actions/setup/action.yml", 11, "download-to-shell"),
    (".github/workflows/ci.yml", 10, "ci-image"),
    (".github/workflows/ci.yml", 13, "ci-image"),
    (".github/workflows/ci.yml", 17, "github-action"),
    (".github/workflows/ci.yml", 22, "github-action"),
    (".github/workflows/ci.yml", 28, "download-to-shell"),
    (".github/workflows/ci.yml", 32, "github-action"),
    (".gitlab-ci.yml", 1, "ci-image"),
    (".gitlab-ci.yml", 10, "ci-image"),
    (".gitlab-ci.yml", 14, "ci-image"),
    (".gitlab-ci.yml", 26, "ci-image"),
    (".gitlab-ci.yml", 36, "ci-image"),
    (".gitlab-ci.yml", 38, "download-to-shell"),
    (".gitlab-ci.yml", 44, "ci-image"),
    (".gitlab-ci.yml", 46, "download-unchecked"),
    (".gitlab-ci.yml", 51, "ci-include"),
    (".gitlab-ci.yml", 54, "ci-include"),
    (".gitlab-ci.yml", 55, "ci-include"),
    ("Containerfile", 1, "dockerfile-from"),
    ("Containerfile", 2, "dockerfile-from"),
    ("Containerfile", 4, "download-unchecked"),
    ("Containerfile", 8, "download-unchecked"),
    ("Dockerfile", 5, "dockerfile-from"),
    ("Dockerfile", 9, "download-to-shell"),
    ("Dockerfile", 15, "dockerfile-from"),
    ("Dockerfile", 17, "dockerfile-from"),
    ("Dockerfile", 18, "download-unchecked"),
    ("charts/app/values.yaml", 4, "helm-image"),
    ("charts/app/values.yaml", 11, "helm-image"),
    ("charts/app/values.yaml", 22, "helm-image"),
    ("compose.yaml", 7, "compose-image"),
    ("compose.yaml", 11, "compose-image"),
    ("deploy/kustomize/kustomization.yaml", 6, "kustomize-image"),
    ("docker/base.Dockerfile", 3, "dockerfile-from"),
    ("k8s/app.yaml", 15, "kubernetes-image"),
    ("k8s/app.yaml", 19, "kubernetes-image"),
    ("k8s/app.yaml", 45, "kubernetes-image"),
    ("k8s/broken.yaml", 11, "unreadable"),
    ("k8s/debug-pod.yaml", 11, "kubernetes-image"),
    ("repro.toml", 11, "recipe-input"),
    ("repro.toml", 15, "recipe-input"),
    ("requirements-base.txt", 1, "python-requirement"),
    ("requirements-base.txt", 5, "python-requirement"),
    ("requirements.txt", 7, "python-requirement"),
    ("requirements.txt", 8, "python-requirement"),
    ("requirements.txt", 9, "python-requirement"),
    ("requirements/dev.txt", 2, "unreadable"),
    ("requirements/dev.txt", 3, "python-requirement"),
    ("scripts/bootstrap", 4, "download-to-shell"),
    ("scripts/fetch-helm.bash", 2, "download-unchecked"),
    ("scripts/install.sh", 5, "download-to-shell"),
    ("tools/package.json", 5, "npm-dependency"),
    ("web/package.json", 7, "npm-dependency"),
    ("web/package.json", 8, "npm-dependency"),
    ("web/package.json", 12, "npm-dependency"),
}


def test_every_unpinned_input_is_found() -> None:
    report = scan_path(UNPINNED)
    assert triples(report.findings) == EXPECTED
    assert len(report.findings) == len(EXPECTED)  # no duplicates hiding behind the set


def test_findings_are_sorted_by_file_then_line() -> None:
    findings = scan_path(UNPINNED).findings
    assert list(findings) == sorted(findings, key=lambda f: (f.path, f.line, f.kind, f.reference))


def test_every_finding_kind_appears_in_the_fixture() -> None:
    from verifier.pins.finding import FindingKind

    assert {kind for _, _, kind in EXPECTED} == {k.value for k in FindingKind}


def test_references_are_the_inputs_as_written() -> None:
    found = {(f.path, f.line): f.reference for f in scan_path(UNPINNED).findings}
    assert found["Dockerfile", 5] == "${PYTHON} (= python:3.12-slim)"
    assert (
        found["Dockerfile", 17]
        == "ghcr.io/astral-sh/uv:${UV_VERSION} (= ghcr.io/astral-sh/uv:0.4.18)"
    )
    assert found[".github/workflows/ci.yml", 17] == "actions/checkout@v4"
    assert found[".gitlab-ci.yml", 26] == "registry.gitlab.com/example-org/tools/ci:latest"
    assert (
        found["charts/app/values.yaml", 11]
        == "docker.io/bitnami/redis-exporter:1.62.0-debian-12-r2"
    )
    assert found["deploy/kustomize/kustomization.yaml", 6] == "ghcr.io/example-org/web:1.5.0"
    assert found["web/package.json", 8] == "lodash@4.17.21"
    assert found["requirements.txt", 7] == "flask>=3.0"
    assert found["scripts/install.sh", 5] == (
        "curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -"
    )
    assert found["repro.toml", 11] == "runtime (url: https://example.com/runtime-1.2.tar.gz)"


def test_every_finding_has_a_one_line_hint() -> None:
    for finding in scan_path(UNPINNED).findings:
        assert finding.hint and "\n" not in finding.hint


def test_pinned_twin_is_clean() -> None:
    report = scan_path(PINNED)
    assert report.findings == ()
    assert report.clean
    # The twin holds the same kinds of files: a clean result is not an empty scan.
    assert report.files_scanned >= 20


def test_skipped_directories_and_chart_templates_are_not_read() -> None:
    paths = {f.path for f in scan_path(UNPINNED).findings}
    assert not any("node_modules" in p for p in paths)
    assert not any(p.startswith("charts/app/templates") for p in paths)


def test_single_file_is_scanned_by_name() -> None:
    report = scan_path(UNPINNED / "Dockerfile")
    assert triples(report.findings) == {
        (p, line, kind) for p, line, kind in EXPECTED if p == "Dockerfile"
    }
