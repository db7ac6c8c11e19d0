"""Copying an index with its manifests, and refusing one that lists a missing manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.conftest import Registry
from tests.store.helpers import push_subject
from verifier.store.copy import copy_artifact
from verifier.store.deadline import Deadline
from verifier.store.errors import StoreError
from verifier.store.layout import LayoutStore
from verifier.store.oci import OCI_INDEX, image_index


def _index(store: LayoutStore) -> tuple[str, list[str]]:
    children = [push_subject(store, f"platform {n}".encode(), tag=f"p{n}") for n in range(2)]
    pushed = store.put_manifest(image_index(children), OCI_INDEX, tag="multi")
    return str(pushed.descriptor.digest), [str(c.digest) for c in children]


def test_index_copied_with_every_manifest(tmp_path: Path, registry: Registry, repo: str) -> None:
    src = LayoutStore(tmp_path / "src", Deadline(10))
    digest, children = _index(src)
    dst = registry.store(repo)
    result = copy_artifact(src, "multi", dst, tag="multi")
    assert str(result.digest) == digest and result.manifests == 3
    got = dst.get_manifest("multi")
    assert str(got.digest) == digest
    assert [str(c.digest) for c in got.children] == children
    for child in got.children:
        manifest = dst.get_manifest(child.digest)
        for blob in manifest.blobs():
            assert dst.has_blob(blob.digest)


def test_index_listing_missing_manifest_is_refused_and_nothing_tagged(
    tmp_path: Path, registry: Registry, repo: str
) -> None:
    src = LayoutStore(tmp_path / "src", Deadline(10))
    _, children = _index(src)
    (src.root / "blobs" / "sha256" / children[1].split(":")[1]).unlink()
    dst = registry.store(repo)
    with pytest.raises(StoreError, match=f"lists manifest {children[1]}, which does not exist"):
        copy_artifact(src, "multi", dst, tag="multi")
    assert dst.list_tags() == []
