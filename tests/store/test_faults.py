"""Faults: each ends with exit 3 (1 for a digest mismatch), one clear line, within the deadline."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.store.conftest import PASSWORD, USER, Registry
from tests.store.faults import faulty_registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from tests.store.test_cli import assert_one_error
from verifier.cli import app
from verifier.store.artifacts import attach_bundle
from verifier.store.errors import StoreError
from verifier.store.oci import OCI_MANIFEST, canonical_json

DEADLINE = 2.0
#: Generous bound for "within the deadline": the deadline plus start-up and scheduling noise.
BOUND = DEADLINE + 3.0


def _run(cli: CliRunner, args: list[str]) -> tuple[int, str, float]:
    start = time.monotonic()
    result = cli.invoke(app, [*args, "--timeout", str(DEADLINE)])
    return result.exit_code, result.stderr, time.monotonic() - start


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def test_registry_down(cli: CliRunner, tmp_path: Path) -> None:
    host = _closed_port()
    code, err, took = _run(
        cli, ["pull", f"{host}/app:v1", "-o", str(tmp_path), "--unsafe-plain-http"]
    )
    assert code == 3 and took < BOUND
    assert_one_error(err)
    assert host in err and "Connection refused" in err


@pytest.mark.parametrize("mode", ["500", "stall", "drip", "header-drip"])
def test_server_errors_and_stalls(cli: CliRunner, tmp_path: Path, mode: str) -> None:
    with faulty_registry(mode) as host:
        code, err, took = _run(cli, ["discover", f"{host}/app:v1", "--unsafe-plain-http"])
    assert code == 3 and took < BOUND, err
    assert_one_error(err)
    assert host in err
    assert (
        ("HTTP 500" in err and "injected failure" in err) if mode == "500" else ("deadline" in err)
    )


@pytest.mark.parametrize("mode", ["huge", "huge-chunked"])
def test_manifest_over_4_mib_is_refused(cli: CliRunner, mode: str) -> None:
    with faulty_registry(mode) as host:
        code, err, took = _run(cli, ["discover", f"{host}/app:v1", "--unsafe-plain-http"])
    assert code == 3 and took < BOUND, err
    assert_one_error(err)
    assert "over the 4194304 byte limit" in err


@pytest.mark.parametrize(
    ("mode", "args", "message"),
    [
        ("deep-json", ["discover", "{host}/app:v1"], "manifest is not valid JSON"),
        ("deep-json", ["releases", "--store", "{host}/app"], "tags/list is not JSON"),
        ("json-list", ["releases", "--store", "{host}/app"], "tags/list is not a JSON object"),
        # an error answer whose body is hostile: the status is reported, the body cut short
        ("deep-json-500", ["discover", "{host}/app:v1"], "HTTP 500 [[[["),
        # an error answer that never ends: its first bytes are enough, read at once
        ("endless-500", ["discover", "{host}/app:v1"], "HTTP 500 xxxx"),
    ],
)
def test_hostile_json_from_a_registry_is_one_error(
    cli: CliRunner, mode: str, args: list[str], message: str
) -> None:
    with faulty_registry(mode) as host:
        argv = [a.replace("{host}", host) for a in args]
        code, err, took = _run(cli, [*argv, "--unsafe-plain-http"])
    assert code == 3 and took < BOUND, err
    assert_one_error(err)
    assert host in err and message in err


def test_pushing_a_manifest_over_4_mib_is_refused(registry: Registry, repo: str) -> None:
    store = registry.store(repo)
    raw = canonical_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "pad": "x" * (5 << 20)})
    with pytest.raises(StoreError, match="over the 4 MiB"):
        store.put_manifest(raw, OCI_MANIFEST, tag="big")
    assert store.list_tags() == []


def test_blob_bytes_not_matching_digest(
    cli: CliRunner, own_registry: Registry, tmp_path: Path
) -> None:
    store = own_registry.store("fault/app")
    push_subject(store, b"the genuine payload")
    manifest = store.get_manifest("v1")
    layer = manifest.layers[0]
    data = (
        own_registry.storage
        / "docker/registry/v2/blobs/sha256"
        / layer.digest.hex[:2]
        / layer.digest.hex
        / "data"
    )
    data.write_bytes(b"the tampered payload"[: layer.size].ljust(layer.size, b"!"))
    out = tmp_path / "out"
    code, err, took = _run(
        cli, ["pull", f"{own_registry.host}/fault/app:v1", "-o", str(out), "--unsafe-plain-http"]
    )
    assert code == 1 and took < BOUND, err
    assert_one_error(err)
    assert f"blob {layer.digest} does not match its content" in err
    assert list(out.iterdir()) == []  # nothing half-written is left behind


def test_index_listing_missing_manifest(cli: CliRunner, registry: Registry, repo: str) -> None:
    store = registry.store(repo)
    subject = push_subject(store, b"subject with a lost referrer")
    ref = attach_bundle(store, subject, dsse_bundle("https://example/p"), created=CREATED)
    store.client.request("DELETE", f"/v2/{repo}/manifests/{ref.digest}", expected=(202,))
    code, err, took = _run(cli, ["discover", f"{registry.host}/{repo}:v1", "--unsafe-plain-http"])
    assert code == 3 and took < BOUND, err
    assert_one_error(err)
    assert f"list manifest {ref.digest}, which does not exist" in err


def test_deadline_during_push_leaves_no_tag(
    cli: CliRunner, registry: Registry, repo: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for i in range(64):
            out.write(bytes([i]) * (1 << 20))
    result = cli.invoke(
        app,
        [
            "push",
            str(big),
            f"{registry.host}/{repo}:v1",
            "--unsafe-plain-http",
            "--timeout",
            "0.05",
        ],
    )
    assert result.exit_code == 3, result.stderr
    assert_one_error(result.stderr)
    assert "deadline" in result.stderr
    assert registry.store(repo).list_tags() == []


class TestAuth:
    """TLS with a fixture-made CA and htpasswd Basic auth, credentials from the environment."""

    def _args(self, reg: Registry, tmp_path: Path, repo: str) -> list[str]:
        (tmp_path / "f.txt").write_text("authenticated\n")
        return ["push", str(tmp_path / "f.txt"), f"{reg.host}/{repo}:v1"]

    def test_right_credentials_work(
        self,
        cli: CliRunner,
        tls_auth_registry: Registry,
        tmp_path: Path,
        repo: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", USER)
        monkeypatch.setenv("VERIFIER_REGISTRY_PASSWORD", PASSWORD)
        monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.docker/config.json gets written
        args = self._args(tls_auth_registry, tmp_path, repo)
        result = cli.invoke(app, [*args, *tls_auth_registry.cli_options()])
        assert result.exit_code == 0, result.stderr
        result = cli.invoke(
            app, ["pull", args[-1], "-o", str(tmp_path / "o"), *tls_auth_registry.cli_options()]
        )
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / "o" / "f.txt").read_text() == "authenticated\n"
        assert not (tmp_path / ".docker").exists()

    @pytest.mark.parametrize("password", ["wrong", None])
    def test_auth_failure(
        self,
        cli: CliRunner,
        tls_auth_registry: Registry,
        tmp_path: Path,
        repo: str,
        monkeypatch: pytest.MonkeyPatch,
        password: str | None,
    ) -> None:
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty-docker-config"))
        if password is not None:
            monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", USER)
            monkeypatch.setenv("VERIFIER_REGISTRY_PASSWORD", password)
        args = self._args(tls_auth_registry, tmp_path, repo)
        code, err, took = _run(cli, [*args, *tls_auth_registry.cli_options()])
        assert code == 3 and took < BOUND, err
        assert_one_error(err)
        assert tls_auth_registry.host in err
        if password is None:
            assert "needs credentials" in err
        else:
            assert "authentication failed as 'alice'" in err
            assert password not in err.replace("alice", "")

    def test_unknown_ca_is_refused(
        self, cli: CliRunner, tls_auth_registry: Registry, tmp_path: Path, repo: str
    ) -> None:
        code, err, took = _run(cli, self._args(tls_auth_registry, tmp_path, repo))
        assert code == 3 and took < BOUND, err
        assert_one_error(err)
        assert "TLS certificate verification failed" in err
