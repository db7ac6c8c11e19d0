"""Blob reads redirected to storage, as Docker Hub, GHCR and S3-backed registries answer them.

Two small servers stand in (docker-registry on a filesystem never redirects): a registry that
asks for Basic credentials and answers a blob GET with 307 to a presigned URL on another
host, and the storage that serves the bytes. The registry's credentials must not follow the
redirect: they are the registry's, and S3 refuses a request carrying a presigned query and an
Authorization header both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from verifier.store.deadline import Deadline
from verifier.store.oci import Descriptor
from verifier.store.registry.store import RegistryStore

BLOB = b"layer bytes " * 1000
DESCRIPTOR = Descriptor.of_bytes("application/octet-stream", BLOB)


@contextmanager
def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _answer(
    handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str
) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def storage_and_registry() -> Iterator[tuple[list[dict[str, str]], list[dict[str, str]], str]]:
    at_storage: list[dict[str, str]] = []
    at_registry: list[dict[str, str]] = []

    class Storage(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            at_storage.append({**dict(self.headers), "path": self.path})
            _answer(self, 200, BLOB, Content_Type="application/octet-stream")

    with _serve(Storage) as storage:

        class Registry(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                at_registry.append({**dict(self.headers), "path": self.path})
                if "Authorization" not in self.headers:
                    _answer(self, 401, WWW_Authenticate='Basic realm="test"')
                    return
                location = f"http://{storage}/bucket/{DESCRIPTOR.digest.hex}?X-Amz-Signature=s"
                _answer(self, 307, Location=location)

        with _serve(Registry) as registry:
            yield at_storage, at_registry, registry


def test_a_redirected_blob_is_read_without_the_registry_credentials(
    storage_and_registry, monkeypatch
) -> None:
    at_storage, at_registry, host = storage_and_registry
    monkeypatch.setenv("VERIFIER_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("VERIFIER_REGISTRY_PASSWORD", "s3cret")
    store = RegistryStore(host, "team/app", Deadline(10), plain_http=True)
    with store.open_blob(DESCRIPTOR) as chunks:
        assert b"".join(chunks) == BLOB
    assert at_registry[-1]["Authorization"].startswith("Basic ")
    assert len(at_storage) == 1
    assert at_storage[0]["path"].endswith("?X-Amz-Signature=s")
    assert "Authorization" not in at_storage[0]
