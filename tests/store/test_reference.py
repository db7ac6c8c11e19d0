"""Parsing store references and OCI values."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.digest import Digest
from verifier.store.deadline import Deadline
from verifier.store.errors import BadReference, StoreError
from verifier.store.layout import DEFAULT_LAYOUT, LayoutStore
from verifier.store.oci import EMPTY_DESCRIPTOR, OCI_INDEX, OCI_MANIFEST, Manifest
from verifier.store.reference import StoreKind, parse_reference, parse_store
from verifier.store.referrers import fallback_tag, referrer_tag

D = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "kind", "where", "tag", "digest"),
    [
        ("v1", StoreKind.LAYOUT, str(DEFAULT_LAYOUT), "v1", None),
        (f"@{D}", StoreKind.LAYOUT, str(DEFAULT_LAYOUT), None, D),
        ("oci-layout:store", StoreKind.LAYOUT, "store", None, None),
        ("oci-layout:/a/b:v2", StoreKind.LAYOUT, "/a/b", "v2", None),
        (f"oci-layout:./x@{D}", StoreKind.LAYOUT, "x", None, D),
        ("localhost/app", StoreKind.REGISTRY, "localhost/app", None, None),
        ("127.0.0.1:5000/team/app:1.0", StoreKind.REGISTRY, "127.0.0.1:5000/team/app", "1.0", None),
        (f"reg.example/app:v1@{D}", StoreKind.REGISTRY, "reg.example/app", "v1", D),
        ("docker.io/alpine:3", StoreKind.REGISTRY, "docker.io/library/alpine", "3", None),
    ],
)
def test_references(
    text: str, kind: StoreKind, where: str, tag: str | None, digest: str | None
) -> None:
    ref = parse_reference(text)
    assert ref.store.kind is kind
    assert (str(ref.store.path) if kind is StoreKind.LAYOUT else str(ref.store)) == where
    assert ref.tag == tag
    assert (str(ref.digest) if ref.digest else None) == digest
    if digest:
        assert ref.reference == Digest.parse(digest)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "team/app:v1",
        "reg.example/App",
        "reg.example/app:bad/tag",
        "reg.example/app@sha256:12",
        "oci-layout:",
        "bad tag",
    ],
)
def test_bad_references(text: str) -> None:
    with pytest.raises(BadReference):
        parse_reference(text)


def test_store_spec_names_no_tag() -> None:
    assert parse_store("reg.example/app").kind is StoreKind.REGISTRY
    with pytest.raises(BadReference):
        parse_store("reg.example/app:v1")
    with pytest.raises(BadReference):
        parse_store("v1")


def test_tag_schema_names() -> None:
    subject = Digest.parse(D)
    assert fallback_tag(subject) == "sha256-" + "ab" * 32
    tag = referrer_tag(subject, Digest.parse("sha256:" + "cd" * 32))
    assert len(tag) == 128 and tag.startswith(fallback_tag(subject) + ".cdcd")


def test_manifest_digest_comes_from_the_bytes() -> None:
    raw = b'{ "schemaVersion": 2, "mediaType": "%s", "manifests": [] }' % OCI_INDEX.encode()
    m = Manifest.parse(raw, "test")
    assert m.is_index and m.digest == Digest.of_bytes(raw)
    assert str(EMPTY_DESCRIPTOR.digest).endswith("caaff8a") and EMPTY_DESCRIPTOR.size == 2


@pytest.mark.parametrize(
    "raw", [b"not json", b"[]", b'{"mediaType":"text/plain"}', b"{" + b" " * (4 << 20) + b"}"]
)
def test_malformed_manifests(raw: bytes) -> None:
    with pytest.raises(StoreError):
        Manifest.parse(raw, "test", OCI_MANIFEST)


def test_layout_refuses_a_directory_that_is_not_a_layout(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    store = LayoutStore(tmp_path, Deadline(5))
    with pytest.raises(StoreError, match="not an OCI image layout"):
        store.put_blob(EMPTY_DESCRIPTOR, [b"{}"])
    with pytest.raises(StoreError, match="no OCI image layout"):
        store.get_manifest("v1")
