"""Registry content kept by digest across stores (``verifier serve``): what is kept, what not.

The store tests run against the real docker-registry; its access log tells which requests
reached it.
"""

from __future__ import annotations

import pytest

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.deadline import Deadline
from verifier.store.errors import DigestMismatch
from verifier.store.oci import EMPTY_DESCRIPTOR, OCI_MANIFEST, Descriptor, artifact_manifest
from verifier.store.registry.connections import RegistryConnections
from verifier.store.registry.content_cache import (
    MAX_ENTRY_BYTES,
    CachedContent,
    ContentCache,
    ContentCacheStats,
)
from verifier.store.registry.store import RegistryStore

BLOB_TYPE = "application/octet-stream"


def _content(size: int) -> CachedContent:
    return CachedContent(b"x" * size)


def test_least_recently_used_content_goes_first_and_the_bound_holds() -> None:
    cache = ContentCache(max_bytes=300)
    a, b, c = (Digest.of_bytes(n) for n in (b"a", b"b", b"c"))
    cache.put("repo", a, _content(100))
    cache.put("repo", b, _content(100))
    assert cache.get("repo", a) is not None  # a is now the most recently used
    cache.put("repo", c, _content(150))
    assert cache.get("repo", b) is None
    assert cache.get("repo", a) is not None
    assert cache.get("repo", c) is not None
    assert cache.stats() == ContentCacheStats(hits=3, misses=1, entries=2, bytes=250)


def test_content_is_kept_per_repository() -> None:
    cache = ContentCache(max_bytes=1000)
    digest = Digest.of_bytes(b"a")
    cache.put("team/app", digest, _content(10))
    assert cache.get("team/app", digest) is not None
    assert cache.get("other/app", digest) is None


def test_large_content_and_a_zero_budget_are_not_kept() -> None:
    cache = ContentCache(max_bytes=4 * MAX_ENTRY_BYTES)
    assert cache.admits(MAX_ENTRY_BYTES)
    assert not cache.admits(MAX_ENTRY_BYTES + 1)
    cache.put("repo", Digest.of_bytes(b"big"), _content(MAX_ENTRY_BYTES + 1))
    assert cache.stats().entries == 0
    assert not ContentCache(max_bytes=0).admits(0)
    with pytest.raises(InputError, match="negative"):
        ContentCache(max_bytes=-1)


def _requests_to(registry, path: str) -> int:
    """How many requests for ``path`` (a /v2/... prefix) the registry's access log shows."""
    return sum(f" {path}" in line for line in registry.log.read_text().splitlines())


@pytest.fixture
def shared(registry):
    connections = RegistryConnections(content_cache_bytes=1 << 20)
    return connections.get(registry.host, plain_http=True, ca_file=None)


def _store(registry, repository: str, shared) -> RegistryStore:
    return RegistryStore(registry.host, repository, Deadline(10), plain_http=True, shared=shared)


def _read(store: RegistryStore, descriptor: Descriptor) -> bytes:
    with store.open_blob(descriptor) as chunks:
        return b"".join(chunks)


def test_a_blob_read_by_digest_is_read_from_the_registry_once(registry, shared) -> None:
    data = b"summary bundle " * 100
    descriptor = Descriptor.of_bytes(BLOB_TYPE, data)
    registry.store("cache/blob").put_blob(descriptor, [data])
    path = f"/v2/cache/blob/blobs/{descriptor.digest}"
    before = _requests_to(registry, path)
    for _ in range(3):  # a store per decision, as verifier serve opens them
        assert _read(_store(registry, "cache/blob", shared), descriptor) == data
    assert _requests_to(registry, path) - before == 1
    # Another repository of the same registry is asked itself.
    other = registry.store("cache/other")
    other.put_blob(descriptor, [data])
    other_path = f"/v2/cache/other/blobs/{descriptor.digest}"
    assert _read(_store(registry, "cache/other", shared), descriptor) == data
    assert _requests_to(registry, other_path) >= 1


def test_a_blob_not_read_to_its_end_or_not_matching_is_not_kept(registry, shared) -> None:
    data = b"0123456789" * 50
    descriptor = Descriptor.of_bytes(BLOB_TYPE, data)
    registry.store("cache/partial").put_blob(descriptor, [data])
    store = _store(registry, "cache/partial", shared)
    with store.open_blob(descriptor) as chunks:
        del chunks  # the reader stopped before the end: the digest was never checked
    # The manifest that named the blob lied about its size: the bytes are refused, not kept.
    lying = Descriptor(BLOB_TYPE, descriptor.digest, descriptor.size - 1)
    with pytest.raises(DigestMismatch), store.open_blob(lying) as chunks:
        b"".join(chunks)
    assert shared.content is not None
    assert shared.content.stats().entries == 0
    path = f"/v2/cache/partial/blobs/{descriptor.digest}"
    before = _requests_to(registry, path)
    assert _read(store, descriptor) == data
    assert _requests_to(registry, path) - before == 1


def test_manifests_are_kept_when_read_by_digest_never_by_tag(registry, shared) -> None:
    pushing = registry.store("cache/manifest")
    pushing.put_blob(EMPTY_DESCRIPTOR, [b"{}"])
    raw = artifact_manifest([], artifact_type="application/vnd.example+json", annotations={})
    pushed = pushing.put_manifest(raw, OCI_MANIFEST, tag="v1")
    digest = pushed.descriptor.digest
    by_digest = f"/v2/cache/manifest/manifests/{digest}"
    by_tag = "/v2/cache/manifest/manifests/v1 "
    before_digest, before_tag = _requests_to(registry, by_digest), _requests_to(registry, by_tag)
    for _ in range(3):
        store = _store(registry, "cache/manifest", shared)
        assert store.get_manifest(digest).raw == raw
        assert store.get_manifest("v1").digest == digest
    assert _requests_to(registry, by_digest) - before_digest == 1
    assert _requests_to(registry, by_tag) - before_tag == 3  # a tag may move: always asked
