"""``verifier pins --resolve`` against a real registry (Debian docker-registry, plain HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.store.conftest import PASSWORD, USER, Registry
from tests.store.helpers import push_subject
from verifier.cli import app
from verifier.pins.scan import scan_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_resolve_rewrites_tags_to_the_digests_served_now(
    cli: CliRunner, registry: Registry, tmp_path: Path
) -> None:
    host = registry.host
    base = registry.store("pins/base")
    app_store = registry.store("pins/app")
    old = push_subject(base, b"base 3.20, first build", tag="3.20")
    base_digest = push_subject(base, b"base 3.20, rebuilt", tag="3.20").digest  # tag moved
    app_digest = push_subject(app_store, b"app 1.0", tag="1.0").digest
    assert old.digest != base_digest
    _write(
        tmp_path,
        {
            "Dockerfile": f"FROM --platform=linux/amd64 {host}/pins/base:3.20 AS build\n"
            "FROM build\n",
            "k8s/app.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n"
            f"    - name: app\n      image: {host}/pins/app:1.0\n"
            f"    - name: gone\n      image: {host}/pins/app:nope\n",
            "kustomization.yaml": f"images:\n  - name: app\n    newName: {host}/pins/app\n"
            "    newTag: '1.0'\n",
            "requirements.txt": "flask==3.0.3\n",
        },
    )
    result = cli.invoke(app, ["pins", str(tmp_path), "--resolve", "--unsafe-plain-http", "--json"])
    assert result.exit_code == 1, result.output
    said = result.stderr
    assert (
        f"resolved Dockerfile:1: FROM --platform=linux/amd64 {host}/pins/base:3.20 AS build -> "
        f"FROM --platform=linux/amd64 {host}/pins/base:3.20@{base_digest} AS build"
    ) in said
    assert f"resolved k8s/app.yaml:6: image: {host}/pins/app:1.0 -> " in said
    assert f"resolved kustomization.yaml:4: + digest: {app_digest}" in said
    assert (
        f"not resolved k8s/app.yaml:8: {host}/pins/app:nope: tag nope not found in {host}/pins/app"
    ) in said
    assert "3 reference(s) rewritten to digests" in said

    assert (tmp_path / "Dockerfile").read_text().splitlines()[0] == (
        f"FROM --platform=linux/amd64 {host}/pins/base:3.20@{base_digest} AS build"
    )
    assert f"image: {host}/pins/app:1.0@{app_digest}" in (tmp_path / "k8s/app.yaml").read_text()
    assert (
        (tmp_path / "kustomization.yaml")
        .read_text()
        .endswith(f"    newTag: '1.0'\n    digest: {app_digest}\n")
    )
    # The report is of what is still unpinned after the rewrite.
    report = json.loads(result.stdout)
    left = [(f["path"], f["line"], f["kind"]) for f in report["findings"]]
    assert left == [
        ("k8s/app.yaml", 8, "kubernetes-image"),
        ("requirements.txt", 1, "python-requirement"),
    ]
    assert [(f.path, f.line) for f in scan_path(tmp_path).findings] == [
        ("k8s/app.yaml", 8),
        ("requirements.txt", 1),
    ]


def test_resolve_everything_exits_0(cli: CliRunner, registry: Registry, tmp_path: Path) -> None:
    digest = push_subject(registry.store("pins/only"), b"only", tag="v2").digest
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {registry.host}/pins/only:v2\n")
    result = cli.invoke(app, ["pins", str(dockerfile), "--resolve", "--unsafe-plain-http"])
    assert result.exit_code == 0, result.output
    assert dockerfile.read_text() == f"FROM {registry.host}/pins/only:v2@{digest}\n"
    assert "every input is pinned" in result.stderr


def test_unreachable_registry_exits_3_and_writes_nothing(cli: CliRunner, tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM 127.0.0.1:9/pins/app:1.0\n"  # port 9 (discard): nothing listens
    dockerfile.write_text(text)
    result = cli.invoke(
        app, ["pins", str(tmp_path), "--resolve", "--unsafe-plain-http", "--timeout", "5"]
    )
    assert result.exit_code == 3, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "127.0.0.1:9" in errors[0]
    assert dockerfile.read_text() == text


def test_resolve_over_tls_with_credentials(
    cli: CliRunner, tls_auth_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", USER)
    monkeypatch.setenv("VERIFIER_REGISTRY_PASSWORD", PASSWORD)
    digest = push_subject(tls_auth_registry.store("pins/tls"), b"tls", tag="1").digest
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitlab-ci.yml").write_text(f"image: {tls_auth_registry.host}/pins/tls:1\n")
    options = ["--resolve", "--ca-file", str(tls_auth_registry.ca_file)]
    result = cli.invoke(app, ["pins", str(repo), *options])
    assert result.exit_code == 0, result.output
    assert (repo / ".gitlab-ci.yml").read_text() == (
        f"image: {tls_auth_registry.host}/pins/tls:1@{digest}\n"
    )
    # Without credentials the registry refuses: exit 3, and the file is left as it was.
    (repo / ".gitlab-ci.yml").write_text(f"image: {tls_auth_registry.host}/pins/tls:1\n")
    monkeypatch.delenv("VERIFIER_REGISTRY_USERNAME")
    monkeypatch.delenv("VERIFIER_REGISTRY_PASSWORD")
    result = cli.invoke(app, ["pins", str(repo), *options])
    assert result.exit_code == 3, result.output
    assert (repo / ".gitlab-ci.yml").read_text() == f"image: {tls_auth_registry.host}/pins/tls:1\n"
