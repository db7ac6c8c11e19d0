"""Interop with skopeo: layouts and registry content it writes are ours to read, and back."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.store.conftest import Registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from verifier.digest import Digest
from verifier.store.artifacts import attach_bundle, pull_to_dir, put_bytes
from verifier.store.copy import copy_artifact
from verifier.store.deadline import Deadline
from verifier.store.interface import Store
from verifier.store.layout import LayoutStore
from verifier.store.oci import OCI_MANIFEST, canonical_json
from verifier.store.referrers import list_referrers


def _skopeo(tmp_path: Path, *args: str) -> None:
    binary = shutil.which("skopeo")
    if binary is None:
        pytest.fail("skopeo not found: install it with tools/bootstrap (Debian package skopeo)")
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
    done = subprocess.run(
        [binary, "--insecure-policy", *args], capture_output=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr.decode()


def _image(store: Store, tag: str) -> str:
    """A small but real container image: one gzip tar layer and an image config.

    (skopeo compresses uncompressed layers on the way to a registry, changing the digest.)
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("hello.txt")
        data = b"hello from an image\n"
        info.size = len(data)
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))
    tar_bytes = buf.getvalue()
    layer = put_bytes(
        store, "application/vnd.oci.image.layer.v1.tar+gzip", gzip.compress(tar_bytes, mtime=0)
    )
    config = put_bytes(
        store,
        "application/vnd.oci.image.config.v1+json",
        canonical_json(
            {
                "architecture": "amd64",
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": [str(Digest.of_bytes(tar_bytes))]},
                "config": {},
            }
        ),
    )
    raw = canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config.to_json(),
            "layers": [layer.to_json()],
        }
    )
    return str(store.put_manifest(raw, OCI_MANIFEST, tag=tag).descriptor.digest)


@pytest.mark.parametrize("kind", ["image", "artifact"])
def test_skopeo_copied_content_is_discoverable(
    tmp_path: Path, registry: Registry, repo: str, kind: str
) -> None:
    layout = LayoutStore(tmp_path / "ours", Deadline(10))
    if kind == "image":
        digest = _image(layout, "v1")
    else:
        digest = str(push_subject(layout, b"an artifact skopeo carries").digest)
    # Our layout -> registry by skopeo: digest unchanged, and we can hang evidence on it.
    _skopeo(
        tmp_path,
        "copy",
        "--dest-tls-verify=false",
        f"oci:{layout.root}:v1",
        f"docker://{registry.host}/{repo}:v1",
    )
    remote = registry.store(repo)
    assert str(remote.get_manifest("v1").digest) == digest
    subject = remote.get_manifest("v1").descriptor
    ref = attach_bundle(remote, subject, dsse_bundle("https://cyclonedx.org/bom"), created=CREATED)
    assert [r.descriptor.digest for r in list_referrers(remote, subject.digest)] == [ref.digest]
    # Registry -> a layout skopeo writes: we read its index.json, tags and blobs.
    theirs = tmp_path / "theirs"
    _skopeo(
        tmp_path,
        "copy",
        "--src-tls-verify=false",
        f"docker://{registry.host}/{repo}:v1",
        f"oci:{theirs}:v1",
    )
    skopeo_layout = LayoutStore(theirs, Deadline(10))
    manifest = skopeo_layout.get_manifest("v1")
    assert str(manifest.digest) == digest
    written = pull_to_dir(skopeo_layout, manifest, tmp_path / "pulled")
    assert len(written) == 1
    # And our copy of it, referrers included, reads back in a layout skopeo started.
    copy_artifact(remote, "v1", skopeo_layout, tag="v1")
    assert [r.descriptor.digest for r in list_referrers(skopeo_layout, subject.digest)] == [
        ref.digest
    ]
    assert json.loads((theirs / "index.json").read_text())["manifests"]
