"""Bearer (token service) auth against the real registry, and where credentials come from."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from tests.store.conftest import PASSWORD, USER, Registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from tests.store.token_service import TokenService
from verifier.store.artifacts import attach_bundle
from verifier.store.errors import AuthenticationFailed
from verifier.store.referrers import list_referrers
from verifier.store.registry.auth import find_credentials, parse_challenge


@pytest.fixture
def no_env_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("VERIFIER_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("VERIFIER_REGISTRY_PASSWORD", raising=False)
    config_dir = tmp_path / "docker"
    config_dir.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config_dir))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return config_dir


def test_bearer_token_flow_push_attach_list(
    bearer_registry: tuple[Registry, TokenService],
    repo: str,
    no_env_credentials: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, service = bearer_registry
    monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", USER)
    monkeypatch.setenv("VERIFIER_REGISTRY_PASSWORD", PASSWORD)
    store = registry.store(repo)
    subject = push_subject(store, b"behind a token service")
    ref = attach_bundle(store, subject, dsse_bundle("https://example/p"), created=CREATED)
    assert [r.descriptor.digest for r in list_referrers(store, subject.digest)] == [ref.digest]
    # The registry asked for push and pull (in either order) and the token service granted it.
    granted = [s.rsplit(":", 1)[1].split(",") for s in service.issued if f":{repo}:" in s]
    assert any(set(actions) == {"pull", "push"} for actions in granted)


def test_bearer_refused_without_credentials(
    bearer_registry: tuple[Registry, TokenService], repo: str, no_env_credentials: Path
) -> None:
    registry, _ = bearer_registry
    with pytest.raises(AuthenticationFailed, match="token service refused anonymous access"):
        registry.store(repo).list_tags()


def test_docker_config_auths_entry(
    tls_auth_registry: Registry, repo: str, no_env_credentials: Path
) -> None:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (no_env_credentials / "config.json").write_text(
        json.dumps({"auths": {tls_auth_registry.host: {"auth": token}}})
    )
    store = tls_auth_registry.store(repo)
    push_subject(store, b"docker config credentials")
    assert store.list_tags() == ["v1"]


def test_docker_credential_helper(
    tls_auth_registry: Registry,
    repo: str,
    no_env_credentials: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-testhelper"
    answer = json.dumps({"ServerURL": tls_auth_registry.host, "Username": USER, "Secret": PASSWORD})
    helper.write_text(
        f'#!/bin/sh\nread host\n[ "$1" = get ] && [ "$host" = {tls_auth_registry.host} ] '
        f"&& echo '{answer}' && exit 0\necho 'credentials not found' ; exit 1\n"
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    (no_env_credentials / "config.json").write_text(
        json.dumps({"credHelpers": {tls_auth_registry.host: "testhelper"}})
    )
    creds = find_credentials(tls_auth_registry.host, 5)
    assert creds is not None and creds.username == USER
    assert PASSWORD not in repr(creds)
    store = tls_auth_registry.store(repo)
    push_subject(store, b"helper credentials")
    assert store.list_tags() == ["v1"]


def test_half_set_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", USER)
    monkeypatch.delenv("VERIFIER_REGISTRY_PASSWORD", raising=False)
    with pytest.raises(AuthenticationFailed, match="set both"):
        find_credentials("registry.example", 5)


def test_parse_challenges() -> None:
    basic = parse_challenge('Basic realm="basic-realm"')
    assert basic is not None and basic.scheme == "basic"
    bearer = parse_challenge(
        'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'
    )
    assert bearer is not None and bearer.scheme == "bearer"
    assert bearer.params == {
        "realm": "https://auth.example/token",
        "service": "reg",
        "scope": "repository:a/b:pull,push",
    }


def test_docker_hub_names_map_to_its_api_host_and_login_key(no_env_credentials: Path) -> None:
    from verifier.store.deadline import Deadline
    from verifier.store.registry.transport import RegistryClient

    assert RegistryClient("docker.io", Deadline(5)).base == "https://registry-1.docker.io"
    assert RegistryClient("ghcr.io", Deadline(5)).base == "https://ghcr.io"
    token = base64.b64encode(b"hubuser:hubpass").decode()
    (no_env_credentials / "config.json").write_text(
        json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": token}}})
    )
    creds = find_credentials("docker.io", 5)
    assert creds is not None and creds.username == "hubuser"
