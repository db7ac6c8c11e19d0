"""Referrers on both backends: cosign v3 bundle layout, tag-schema fallback, legacy tags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store.conftest import Registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from verifier.digest import Digest
from verifier.store.artifacts import attach_bundle, put_bytes
from verifier.store.deadline import Deadline
from verifier.store.errors import StoreError
from verifier.store.interface import ReferrerSource, Store
from verifier.store.layout import LayoutStore
from verifier.store.oci import (
    BUNDLE_V03,
    COSIGN_SIMPLESIGNING,
    DSSE_ENVELOPE,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    EMPTY_MEDIA_TYPE,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    artifact_manifest,
    canonical_json,
    image_index,
)
from verifier.store.referrers import (
    attach_referrers,
    fallback_tag,
    list_referrers,
    referrer_tag,
)
from verifier.store.registry import RegistryStore

CDX = "https://cyclonedx.org/bom"
SLSA = "https://slsa.dev/provenance/v1"


@pytest.fixture(params=["layout", "registry"])
def store(request: pytest.FixtureRequest, tmp_path: Path, repo: str) -> Store:
    if request.param == "layout":
        return LayoutStore(tmp_path / "layout", Deadline(10))
    registry: Registry = request.getfixturevalue("registry")
    return registry.store(repo)


def test_bundle_referrer_has_cosign_v3_layout(store: Store) -> None:
    subject = push_subject(store, b"app one")
    bundle = dsse_bundle(CDX)
    ref = attach_bundle(store, subject, bundle, created=CREATED)
    manifest = store.get_manifest(ref.digest)
    body = json.loads(manifest.raw)
    assert body["artifactType"] == BUNDLE_V03
    assert body["config"] == {
        "mediaType": EMPTY_MEDIA_TYPE,
        "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "size": 2,
    }
    assert [layer["mediaType"] for layer in body["layers"]] == [BUNDLE_V03]
    assert body["subject"] == {
        "mediaType": OCI_MANIFEST,
        "digest": str(subject.digest),
        "size": subject.size,
    }
    assert body["annotations"] == {
        "dev.sigstore.bundle.content": "dsse-envelope",
        "dev.sigstore.bundle.predicateType": CDX,
        "org.opencontainers.image.created": "2026-01-02T03:04:05Z",
    }
    with store.open_blob(manifest.layers[0]) as chunks:
        assert b"".join(chunks) == bundle


def test_fallback_index_and_per_referrer_tags(store: Store) -> None:
    subject = push_subject(store, b"app two")
    a = attach_bundle(store, subject, dsse_bundle(CDX), created=CREATED)
    b = attach_bundle(store, subject, dsse_bundle(SLSA), created=CREATED)
    tags = store.list_tags()
    assert fallback_tag(subject.digest) in tags
    assert referrer_tag(subject.digest, a.digest) in tags
    assert referrer_tag(subject.digest, b.digest) in tags
    assert all(len(t) <= 128 for t in tags)
    index = store.get_manifest(fallback_tag(subject.digest))
    assert index.media_type == OCI_INDEX
    assert {c.digest for c in index.children} == {a.digest, b.digest}
    assert all(c.artifact_type == BUNDLE_V03 for c in index.children)
    found = list_referrers(store, subject.digest)
    assert {r.descriptor.digest for r in found} == {a.digest, b.digest}
    assert {r.predicate_types for r in found} == {(CDX,), (SLSA,)}
    assert all(r.source is ReferrerSource.TAG_SCHEMA for r in found)
    # Attaching the same bundle again adds nothing.
    attach_bundle(store, subject, dsse_bundle(CDX), created=CREATED)
    assert len(store.get_manifest(fallback_tag(subject.digest)).children) == 2


def test_artifact_type_filter_trusts_the_child_manifest(store: Store) -> None:
    """Index entries written by other tools may say the empty type (kyverno#16664)."""
    subject = push_subject(store, b"app three")
    ref = attach_bundle(store, subject, dsse_bundle(CDX), created=CREATED)
    lying = Descriptor(OCI_MANIFEST, ref.digest, ref.size, artifact_type=EMPTY_MEDIA_TYPE)
    store.put_manifest(image_index([lying]), OCI_INDEX, tag=fallback_tag(subject.digest))
    found = list_referrers(store, subject.digest, BUNDLE_V03)
    assert [r.descriptor.digest for r in found] == [ref.digest]
    assert found[0].artifact_type == BUNDLE_V03
    assert list_referrers(store, subject.digest, EMPTY_MEDIA_TYPE) == []


def test_per_referrer_tag_found_even_when_index_lost_it(store: Store) -> None:
    subject = push_subject(store, b"app four")
    ref = attach_bundle(store, subject, dsse_bundle(CDX), created=CREATED)
    store.put_manifest(image_index([]), OCI_INDEX, tag=fallback_tag(subject.digest))
    assert [r.descriptor.digest for r in list_referrers(store, subject.digest)] == [ref.digest]


def _delete_manifest(store: Store, digest: Digest) -> None:
    if isinstance(store, LayoutStore):
        (store.root / "blobs" / "sha256" / digest.hex).unlink()
    else:
        assert isinstance(store, RegistryStore)
        path = f"/v2/{store.repository}/manifests/{digest}"
        store.client.request("DELETE", path, expected=(202,))


def test_index_listing_missing_manifest_fails_closed(store: Store) -> None:
    subject = push_subject(store, b"app five")
    ref = attach_bundle(store, subject, dsse_bundle(CDX), created=CREATED)
    _delete_manifest(store, ref.digest)  # the index (and, on a registry, the tag) stay
    with pytest.raises(StoreError, match=f"list manifest {ref.digest}, which does not exist"):
        list_referrers(store, subject.digest)


def test_legacy_cosign_sig_and_att_tags_are_read(store: Store) -> None:
    subject = push_subject(store, b"app six")
    base = fallback_tag(subject.digest)
    config = put_bytes(store, "application/vnd.oci.image.config.v1+json", b'{"rootfs":{}}')
    sig_layer = put_bytes(store, COSIGN_SIMPLESIGNING, b'{"critical":{}}')
    att_layer = put_bytes(store, DSSE_ENVELOPE, b'{"payload":""}')
    for suffix, layer, notes in (
        ("sig", sig_layer, {"dev.cosignproject.cosign/signature": "MEUC"}),
        ("att", att_layer, {"predicateType": SLSA}),
    ):
        desc = Descriptor(layer.media_type, layer.digest, layer.size, annotations=notes)
        raw = canonical_json(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": config.to_json(),
                "layers": [desc.to_json()],
            }
        )
        store.put_manifest(raw, OCI_MANIFEST, tag=f"{base}.{suffix}")
    found = {r.source: r for r in list_referrers(store, subject.digest)}
    assert set(found) == {ReferrerSource.COSIGN_SIG, ReferrerSource.COSIGN_ATT}
    assert found[ReferrerSource.COSIGN_SIG].artifact_type == COSIGN_SIMPLESIGNING
    assert found[ReferrerSource.COSIGN_ATT].artifact_type == DSSE_ENVELOPE
    assert found[ReferrerSource.COSIGN_ATT].predicate_types == (SLSA,)
    assert found[ReferrerSource.COSIGN_ATT].tag == f"{base}.att"


def test_index_entry_for_another_subject_fails_closed(store: Store) -> None:
    subject = push_subject(store, b"app seven", tag="seven")
    other = push_subject(store, b"app eight", tag="eight")
    foreign = attach_bundle(store, other, dsse_bundle(CDX), created=CREATED)
    store.put_manifest(image_index([foreign]), OCI_INDEX, tag=fallback_tag(subject.digest))
    with pytest.raises(StoreError, match="whose subject is another manifest"):
        list_referrers(store, subject.digest)


def test_batch_attach_updates_the_index_once_and_tags_each(store: Store) -> None:
    subject = push_subject(store, b"app nine", tag="nine")
    manifests = []
    for i in range(5):
        layer = put_bytes(store, BUNDLE_V03, dsse_bundle(CDX, str(i)))
        raw = artifact_manifest([layer], artifact_type=BUNDLE_V03, annotations={}, subject=subject)
        manifests.append((raw, OCI_MANIFEST))
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    entries = attach_referrers(store, manifests)
    tags = store.list_tags()
    assert all(referrer_tag(subject.digest, e.digest) in tags for e in entries)
    index = store.get_manifest(fallback_tag(subject.digest))
    assert [c.digest for c in index.children] == [e.digest for e in entries]
