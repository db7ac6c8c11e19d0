"""`verifier serve` as a process: configured by VERIFIER_* variables, JSON logs, SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.serve.certs import issue_server_cert, make_ca
from tests.serve.policies import policy_digest_of, write_policy
from tests.serve.reviews import encode, pod_spec, review, workload
from tests.serve.summaries import summary_statement, write_summary
from verifier.cli.app import app
from verifier.digest import Digest
from verifier.sign.keys import KeyAlgorithm

IMAGE_DIGEST = Digest.of_bytes(b"released image")
# No registry host in the names: the engine reads only the evidence directory given.
RELEASED = f"team/app@{IMAGE_DIGEST}"
UNRELEASED = f"team/app@{Digest.of_bytes(b'never released')}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def verifier_cmd() -> list[str]:
    return [sys.executable, "-m", "verifier"]


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, str]:
    ca = make_ca(tmp_path)
    issue_server_cert(ca, tmp_path / "tls.crt", tmp_path / "tls.key", "webhook")
    key = KeyAlgorithm.ECDSA_P256.generate()
    policy = write_policy(tmp_path / "policies", key, digest_pinned=True)
    (tmp_path / "release.pub").write_bytes(key.public_key.pem)
    statement = summary_statement(IMAGE_DIGEST, policy_digest_of(policy))
    write_summary(tmp_path / "summaries", "app", key, statement)
    (tmp_path / "evidence").mkdir()
    return {
        "VERIFIER_POLICY": str(policy),
        "VERIFIER_TLS_CERT": str(tmp_path / "tls.crt"),
        "VERIFIER_TLS_KEY": str(tmp_path / "tls.key"),
        "VERIFIER_HOST": "127.0.0.1",
        "VERIFIER_PORT": str(free_port()),
        "VERIFIER_SUMMARY_KEYS": str(tmp_path / "release.pub"),
        "VERIFIER_SUMMARIES": str(tmp_path / "summaries"),
        "VERIFIER_EVIDENCE": str(tmp_path / "evidence"),
        "VERIFIER_ALLOW_IMAGES": "registry.k8s.io/*",
        "VERIFIER_DEADLINE": "3",
        "CA": str(ca.path),
    }


def call(env: dict[str, str], method: str, path: str, body: bytes | None = None):
    context = ssl.create_default_context(cafile=env["CA"])
    conn = http.client.HTTPSConnection(
        "127.0.0.1", int(env["VERIFIER_PORT"]), context=context, timeout=10
    )
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_serve_process_end_to_end(setup: dict[str, str]) -> None:
    env = {**os.environ, **setup}
    proc = subprocess.Popen(
        [*verifier_cmd(), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        give_up = time.monotonic() + 20
        while True:
            try:
                if call(setup, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < give_up, "server not ready in 20 s"
            time.sleep(0.1)
        obj = workload("Deployment", pod_spec([RELEASED], init=["registry.k8s.io/pause:3.10"]))
        status, body = call(setup, "POST", "/validate", encode(review(obj, uid="rel-1")))
        assert status == 200
        assert json.loads(body)["response"] == {"uid": "rel-1", "allowed": True}
        obj = workload("Pod", pod_spec([UNRELEASED, "team/app:latest"]))
        status, body = call(setup, "POST", "/validate", encode(review(obj, uid="unrel-1")))
        message = json.loads(body)["response"]["status"]["message"]
        assert message == (
            f"{UNRELEASED}: rule gate/signatures: signed by 0 of the required 1 trusted "
            "authorities (signed: none; trusted: release); "
            "team/app:latest: rule gate/digestPinned: referenced by tag, not by digest"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    assert out == b""
    records = [json.loads(line) for line in err.decode().splitlines()]
    reviews = {r["uid"]: r for r in records if r["event"] == "admission review"}
    assert reviews["rel-1"]["allowed"] is True
    assert reviews["rel-1"]["kind"] == "apps/v1/Deployment"
    assert [d["route"] for d in reviews["rel-1"]["decisions"]] == ["allow-rule", "summary"]
    assert [d["rule"] for d in reviews["unrel-1"]["decisions"]] == [
        "gate/signatures",
        "gate/digestPinned",
    ]
    assert reviews["unrel-1"]["allowed"] is False
    assert all({"time", "level", "logger"} <= r.keys() for r in records)
    assert records[-1]["event"] == "stopped"


def test_serve_refuses_bad_configuration_with_exit_2(cli, setup, tmp_path) -> None:
    env = {**setup, "VERIFIER_TLS_KEY": str(tmp_path / "missing.key")}
    result = cli.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    assert "missing.key" in result.stderr
    result = cli.invoke(app, ["serve", "--deadline", "45"], env=setup)
    assert result.exit_code == 2
    assert "below the largest webhook timeout" in result.stderr
    result = cli.invoke(app, ["serve", "--allow-image", "*"], env=setup)
    assert result.exit_code == 2
    assert "would admit every image" in result.stderr
    env = {k: v for k, v in setup.items() if k != "VERIFIER_SUMMARY_KEYS"}
    result = cli.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    assert "need --summary-key" in result.stderr
    result = cli.invoke(app, ["serve", "--policy", str(tmp_path / "none.yaml")], env=setup)
    assert result.exit_code == 2
    assert "none.yaml: no such policy file or directory" in result.stderr
    result = cli.invoke(app, ["serve", "--content-cache-mib", "-1"], env=setup)
    assert result.exit_code == 2
    assert "--content-cache-mib must be 0 (none) or more" in result.stderr
