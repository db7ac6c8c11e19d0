"""The same Store behaviour from both backends: a layout directory and the real registry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.store.conftest import Registry
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.deadline import Deadline
from verifier.store.errors import DigestMismatch, NotFound, TagChanged, TagImmutable
from verifier.store.interface import Store, TagCondition
from verifier.store.layout import LayoutStore
from verifier.store.oci import (
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    artifact_manifest,
    image_index,
)


@pytest.fixture(params=["layout", "registry"])
def store(request: pytest.FixtureRequest, tmp_path: Path, repo: str) -> Store:
    if request.param == "layout":
        return LayoutStore(tmp_path / "layout", Deadline(10))
    registry: Registry = request.getfixturevalue("registry")
    return registry.store(repo)


def _blob(data: bytes, media_type: str = "application/octet-stream") -> Descriptor:
    return Descriptor.of_bytes(media_type, data)


def _artifact(store: Store, payload: bytes) -> tuple[bytes, Descriptor]:
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layer = _blob(payload)
    store.put_blob(layer, [payload])
    raw = artifact_manifest([layer], artifact_type="application/vnd.test", annotations={})
    return raw, layer


def test_blob_round_trip_streams_and_checks(store: Store) -> None:
    data = b"x" * 3_000_000 + b"tail"
    desc = _blob(data)
    assert not store.has_blob(desc.digest)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    store.put_blob(desc, iter(chunks))
    assert store.has_blob(desc.digest)
    with store.open_blob(desc) as stream:
        assert hashlib.sha256(b"".join(stream)).hexdigest() == desc.digest.hex


def test_put_blob_refuses_bytes_that_do_not_match(store: Store) -> None:
    desc = _blob(b"the real content")
    with pytest.raises(DigestMismatch):
        store.put_blob(desc, [b"something else!!"])
    assert not store.has_blob(desc.digest)


def test_manifest_raw_bytes_and_digest_kept(store: Store) -> None:
    raw, _ = _artifact(store, b"payload one")
    # Not canonical JSON on purpose: the digest must come from these bytes, not a re-encoding.
    spaced = raw.replace(b",", b", ")
    pushed = store.put_manifest(spaced, OCI_MANIFEST, tag="v1")
    assert pushed.descriptor.digest == Digest.of_bytes(spaced)
    assert store.get_manifest("v1").raw == spaced
    assert store.get_manifest(pushed.descriptor.digest).raw == spaced
    resolved = store.resolve("v1")
    assert resolved is not None and resolved.digest == pushed.descriptor.digest
    assert store.resolve("absent") is None
    with pytest.raises(NotFound):
        store.get_manifest("absent")


def test_index_push_and_tags(store: Store) -> None:
    raw, _ = _artifact(store, b"payload two")
    child = store.put_manifest(raw, OCI_MANIFEST).descriptor
    index = image_index([child])
    pushed = store.put_manifest(index, OCI_INDEX, tag="idx")
    got = store.get_manifest("idx")
    assert got.is_index and got.digest == pushed.descriptor.digest
    assert [c.digest for c in got.children] == [child.digest]
    store.tag(child.digest, "child")
    assert store.list_tags() == ["child", "idx"]


def test_immutable_tag_refuses_to_move(store: Store) -> None:
    raw_a, _ = _artifact(store, b"a")
    raw_b, _ = _artifact(store, b"b")
    a = store.put_manifest(raw_a, OCI_MANIFEST, tag="release", immutable=True).descriptor
    # Same digest again is fine; another digest is refused and the tag stays.
    store.put_manifest(raw_a, OCI_MANIFEST, tag="release", immutable=True)
    with pytest.raises(TagImmutable, match="release"):
        store.put_manifest(raw_b, OCI_MANIFEST, tag="release", immutable=True)
    resolved = store.resolve("release")
    assert resolved is not None and resolved.digest == a.digest
    # Without immutable mode the tag moves.
    b = store.put_manifest(raw_b, OCI_MANIFEST, tag="release").descriptor
    resolved = store.resolve("release")
    assert resolved is not None and resolved.digest == b.digest


def test_bad_tag_is_input_error(store: Store) -> None:
    with pytest.raises(InputError):
        store.resolve("no/slashes")


def test_conditional_tag_update_is_a_compare_and_swap(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path / "layout", Deadline(10))
    raw_a, _ = _artifact(store, b"cas a")
    raw_b, _ = _artifact(store, b"cas b")
    a = store.put_manifest(raw_a, OCI_MANIFEST, tag="t", condition=TagCondition(None)).descriptor
    with pytest.raises(TagChanged):
        store.put_manifest(raw_b, OCI_MANIFEST, tag="t", condition=TagCondition(None))
    with pytest.raises(TagChanged):
        store.put_manifest(
            raw_b, OCI_MANIFEST, tag="t", condition=TagCondition(Digest.of_bytes(raw_b))
        )
    store.put_manifest(raw_b, OCI_MANIFEST, tag="t", condition=TagCondition(a.digest))
    resolved = store.resolve("t")
    assert resolved is not None and resolved.digest == Digest.of_bytes(raw_b)


@pytest.mark.parametrize("sent", [b"short", b"far too long for the descriptor"])
def test_put_blob_refuses_the_wrong_length_without_hanging(store: Store, sent: bytes) -> None:
    desc = _blob(b"sixteen bytes!!!")
    with pytest.raises(DigestMismatch, match="bytes"):
        store.put_blob(desc, [sent])
    assert not store.has_blob(desc.digest)
