"""Pulling hostile titles safely; pushes that fail leave no tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.helpers import CREATED
from verifier.errors import InputError
from verifier.store.artifacts import FileLayer, pull_to_dir, push_files, put_bytes
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore
from verifier.store.oci import (
    ANNOTATION_TITLE,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_MANIFEST,
    Descriptor,
    artifact_manifest,
)


def test_titles_cannot_escape_the_output_directory(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path / "s", Deadline(5))
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layers = []
    for title in ("../escape.txt", "/etc/passwd", "ok.txt"):
        d = put_bytes(store, "text/plain", title.encode())
        layers.append(
            Descriptor(d.media_type, d.digest, d.size, annotations={ANNOTATION_TITLE: title})
        )
    raw = artifact_manifest(layers, artifact_type="application/vnd.test", annotations={})
    store.put_manifest(raw, OCI_MANIFEST, tag="v1")
    out = tmp_path / "deep" / "out"
    written = pull_to_dir(store, store.get_manifest("v1"), out)
    assert all(p.parent == out for p in written)
    assert sorted(p.name for p in out.iterdir())[-1] == "ok.txt"
    assert not (tmp_path / "deep" / "escape.txt").exists()


def test_push_of_same_named_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("1")
    (tmp_path / "b" / "x.txt").write_text("2")
    store = LayoutStore(tmp_path / "s", Deadline(5))
    with pytest.raises(InputError, match="share a name"):
        push_files(
            store,
            [FileLayer(tmp_path / "a" / "x.txt"), FileLayer(tmp_path / "b" / "x.txt")],
            tag="v1",
            artifact_type="application/vnd.test",
            annotations={},
            created=CREATED,
        )
    assert store.list_tags() == []
