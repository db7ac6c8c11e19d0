"""The OCI 1.1 referrers API client: paging, artifactType filter, child manifests trusted.

docker-registry 2.8 has no referrers API, and no registry that has one is packaged for
Debian, so this test serves the API from a small in-test HTTP server (the only stand-in in
these tests); the fallback path runs against the real registry in test_referrers.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from verifier.digest import Digest
from verifier.store.deadline import Deadline
from verifier.store.interface import ReferrerSource
from verifier.store.oci import (
    BUNDLE_V03,
    EMPTY_MEDIA_TYPE,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    artifact_manifest,
    image_index,
)
from verifier.store.referrers import fallback_tag, list_referrers
from verifier.store.registry import RegistryStore

SUBJECT = Descriptor.of_bytes(OCI_MANIFEST, b'{"schemaVersion":2}')
SBOM = "application/vnd.cyclonedx+json"


def _referrer(artifact_type: str, n: int) -> bytes:
    layer = Descriptor.of_bytes("application/octet-stream", f"content {n}".encode())
    return artifact_manifest(
        [layer], artifact_type=artifact_type, annotations={"n": str(n)}, subject=SUBJECT
    )


@pytest.fixture
def api_registry() -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    manifests = {
        str(Digest.of_bytes(raw)): raw
        for raw in [_referrer(BUNDLE_V03, 1), _referrer(SBOM, 2), _referrer(BUNDLE_V03, 3)]
    }
    manifests[str(SUBJECT.digest)] = b'{"schemaVersion":2}'
    requests_seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, code: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            requests_seen.append(self.path)
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if "/referrers/" in url.path:
                # Index entries that lie about their type, as other tools write them.
                entries = [
                    Descriptor(
                        OCI_MANIFEST, Digest.parse(d), len(raw), artifact_type=EMPTY_MEDIA_TYPE
                    )
                    for d, raw in sorted(manifests.items())
                    if d != str(SUBJECT.digest)
                ]
                page = int(query.get("page", ["0"])[0])
                headers = {"Content-Type": OCI_INDEX}
                if page == 0:
                    headers["Link"] = f'<{url.path}?page=1>; rel="next"'
                    chunk = entries[:2]
                else:
                    chunk = entries[2:]
                self._send(200, image_index(chunk), headers)
                return
            if "/manifests/sha256:" in url.path:
                digest = url.path.rsplit("/", 1)[1]
                if digest in manifests:
                    self._send(
                        200,
                        manifests[digest],
                        {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": digest},
                    )
                    return
            if url.path.endswith("/tags/list"):
                self._send(200, b'{"name":"app","tags":[]}', {"Content-Type": "application/json"})
                return
            self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}', {})

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", manifests, requests_seen
    finally:
        server.shutdown()
        server.server_close()


def test_paged_api_with_filter_trusts_each_child(
    api_registry: tuple[str, dict[str, bytes], list[str]],
) -> None:
    host, _, seen = api_registry
    store = RegistryStore(host, "app", Deadline(10), plain_http=True)
    everything = list_referrers(store, SUBJECT.digest)
    assert len(everything) == 3
    assert {r.source for r in everything} == {ReferrerSource.REFERRERS_API}
    assert sorted(r.artifact_type or "" for r in everything) == sorted(
        [BUNDLE_V03, BUNDLE_V03, SBOM]
    )
    bundles = list_referrers(store, SUBJECT.digest, BUNDLE_V03)
    assert [r.annotations["n"] for r in bundles] in (["1", "3"], ["3", "1"])
    assert any("artifactType=application%2Fvnd.dev.sigstore" in p for p in seen)
    assert any("page=1" in p for p in seen)  # the second page was followed
    # The fallback index is not consulted where the API answers; nor is the tag list (legacy
    # cosign tags are looked up by name instead).
    assert not any(p.endswith("/manifests/" + fallback_tag(SUBJECT.digest)) for p in seen)
    assert not any("/tags/list" in p for p in seen)
    assert any(p.endswith(fallback_tag(SUBJECT.digest) + ".sig") for p in seen)
