"""A real HTTPS webhook on 127.0.0.1 (uvicorn, TLS from a CA made here) and its client."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.serve.certs import TestCA, issue_server_cert, make_ca
from verifier.admission.cache import DecisionCache
from verifier.admission.deadline import DecisionLimits
from verifier.admission.decider import Decider
from verifier.admission.decisions import AdmissionDecisions
from verifier.admission.metrics import Metrics
from verifier.admission.server import ServerOptions, WebhookServer
from verifier.admission.webhook import WebhookApp
from verifier.store.registry.connections import RegistryConnections


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def response(self) -> dict[str, Any]:
        return self.json()["response"]  # type: ignore[no-any-return]


@dataclass
class Webhook:
    server: WebhookServer
    port: int
    ca: TestCA
    cert: Path
    key: Path
    thread: threading.Thread

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca.path))

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "application/json",
        timeout: float = 15,
    ) -> Answer:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.client_context(), timeout=timeout
        )
        try:
            headers = {"Content-Type": content_type} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return Answer(resp.status, resp.read(), dict(resp.getheaders()))
        finally:
            conn.close()

    def post(self, body: bytes, **kwargs: Any) -> Answer:
        return self.request("POST", "/validate", body, **kwargs)

    def served_certificate(self) -> bytes:
        context = self.client_context()
        with (
            socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        assert der is not None
        return der


def start_webhook(
    tmp_path: Path,
    decider: Decider,
    *,
    limits: DecisionLimits | None = None,
    cache: DecisionCache | None = None,
    max_body_bytes: int = 64 * 1024,
    workers: int = 4,
    connections: RegistryConnections | None = None,
) -> Webhook:
    ca = make_ca(tmp_path)
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    issue_server_cert(ca, cert, key, "webhook-1")
    decisions = AdmissionDecisions(
        decider,
        cache or DecisionCache(1000, 60.0),
        limits or DecisionLimits(deadline_seconds=2.0),
        Metrics(),
        workers=workers,
    )
    app = WebhookApp(decisions, max_body_bytes=max_body_bytes, connections=connections)
    server = WebhookServer(
        app,
        ServerOptions(
            tls_cert=cert,
            tls_key=key,
            host="127.0.0.1",
            port=0,
            tls_reload_seconds=0.1,
            graceful_seconds=2,
        ),
    )
    thread = threading.Thread(target=asyncio.run, args=(server.serve(),), daemon=True)
    thread.start()
    give_up = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > give_up or not thread.is_alive():
            raise RuntimeError("webhook did not start")
        time.sleep(0.01)
    return Webhook(server, server.bound_port(), ca, cert, key, thread)


@pytest.fixture
def webhook_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Webhook] = []

    def factory(decider: Decider, **kwargs: Any) -> Webhook:
        directory = tmp_path / f"server{len(started)}"
        directory.mkdir()
        hook = start_webhook(directory, decider, **kwargs)
        started.append(hook)
        return hook

    yield factory
    for hook in started:
        hook.server.stop()
        hook.thread.join(timeout=10)


# The store tests' real registry (Debian docker-registry on 127.0.0.1), reused as is.
from tests.store.conftest import registry  # noqa: E402, F401
