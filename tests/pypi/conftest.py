"""A PEP 691 JSON simple index on 127.0.0.1 serving the fixtures/pypi releases."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

PYPI = FIXTURES / "pypi"


@dataclass
class LocalIndex:
    url: str
    files: dict[str, Path]
    #: file name -> sha256 the index claims (defaults to the true digest); tests may lie
    claimed: dict[str, str] = field(default_factory=dict)
    #: file name -> PEP 700 upload-time the index publishes (none when absent)
    uploaded: dict[str, str] = field(default_factory=dict)


def _handler(index: LocalIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "simple":
                project = parts[1]
                entries = [
                    {
                        "filename": name,
                        "url": f"/files/{name}",
                        "hashes": {"sha256": index.claimed[name]},
                        **({"upload-time": index.uploaded[name]} if name in index.uploaded else {}),
                    }
                    for name in sorted(index.files)
                    if name.replace("_", "-").lower().startswith(project + "-")
                ]
                if not entries:
                    self.send_error(404)
                    return
                body = json.dumps({"meta": {"api-version": "1.1"}, "files": entries}).encode()
                self._send(body, "application/vnd.pypi.simple.v1+json")
            elif len(parts) == 2 and parts[0] == "files" and parts[1] in index.files:
                self._send(index.files[parts[1]].read_bytes(), "application/octet-stream")
            else:
                self.send_error(404)

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serve_index(
    extra: list[Path] | None = None, uploaded: dict[str, str] | None = None
) -> Iterator[LocalIndex]:
    """The fixture releases (and ``extra`` files) on 127.0.0.1 until the block ends."""
    served = [*(PYPI / "sdist").iterdir(), *(PYPI / "wheel").iterdir(), *(extra or [])]
    files = {p.name: p for p in served}
    index = LocalIndex("", files, uploaded=dict(uploaded or {}))
    index.claimed = {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index))
    index.url = f"http://127.0.0.1:{server.server_address[1]}/simple"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def local_index() -> Iterator[LocalIndex]:
    with serve_index() as index:
        yield index
