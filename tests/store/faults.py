"""A misbehaving HTTP endpoint for faults the real registry cannot be made to show.

docker-registry does not answer 500 on demand, stall, or serve a manifest over 4 MiB (it
refuses to store one), so these faults come from this small server. Everything else in the
fault tests runs against the real registry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    mode = "500"
    stop = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        if self.path == "/v2/" or self.mode == "500":
            self.send_response(200 if self.path == "/v2/" else 500)
            body = b'{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.mode == "stall":
            self.stop.wait(60)  # hold the connection, answer nothing
            return
        if self.mode == "header-drip":
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 1000:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if self.stop.wait(0.2):
                        return
            except OSError:
                pass
            return
        if self.mode == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    if self.stop.wait(0.2):
                        return
            except OSError:
                pass
            return
        if self.mode in ("deep-json", "json-list", "deep-json-500"):
            # Well-formed HTTP, hostile JSON: nested past any parser's depth, or not an object.
            body = b"[" * 100_000 + b"]" * 100_000 if "deep" in self.mode else b"[]"
            self.send_response(500 if self.mode.endswith("500") else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.mode == "endless-500":
            self.send_response(500)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b"x" * 65536
            try:
                while not self.stop.is_set():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            except OSError:
                pass
            return
        if self.mode in ("huge", "huge-chunked"):
            size = 5 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            if self.mode == "huge":
                self.send_header("Content-Length", str(size))
                self.end_headers()
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            block = b" " * 65536
            try:
                for _ in range(size // len(block)):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
            return
        raise AssertionError(self.mode)

    do_GET = _answer
    do_HEAD = _answer
    do_PUT = _answer
    do_POST = _answer


@contextmanager
def faulty_registry(mode: str) -> Iterator[str]:
    """Serve a fault mode (500, stall, drip, header-drip, huge, huge-chunked, deep-json,
    json-list, deep-json-500, endless-500); yields HOST:PORT."""
    handler = type("Handler", (_Handler,), {"mode": mode, "stop": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        handler.stop.set()
        server.shutdown()
        server.server_close()
        time.sleep(0)
