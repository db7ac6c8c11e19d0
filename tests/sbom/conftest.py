"""SBOM test fixtures: fixture paths, golden files, and small OCI image layouts built in place."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SBOM_FIXTURES = REPO / "fixtures" / "sbom"
DISTS = SBOM_FIXTURES / "dists"
LOCKS = SBOM_FIXTURES / "locks"
GOLDEN = Path(__file__).resolve().parent / "golden"


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/sbom/golden/<name>; VERIFIER_REGEN_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with VERIFIER_REGEN_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8")


def tar_bytes(entries: list[tuple[str, bytes | None]], *, compress: bool = True) -> bytes:
    """A layer tarball; ``None`` content makes a directory."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tf.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tf.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0) if compress else raw.getvalue()


def write_blob(root: Path, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)
    (blobs / digest).write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def make_oci_layout(root: Path, layers: list[bytes], *, ref: str = "demo:1") -> str:
    """An OCI image layout with one image of ``layers``; returns the manifest digest."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    config = write_blob(root, b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}')
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **write_blob(root, layer)}
            for layer in layers
        ],
    }
    descriptor = write_blob(root, json.dumps(manifest, sort_keys=True).encode())
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **descriptor,
                "annotations": {"org.opencontainers.image.ref.name": ref},
            }
        ],
    }
    (root / "index.json").write_text(json.dumps(index))
    return str(descriptor["digest"])


def install_wheels(venv: Path, wheels: list[Path]) -> None:
    """A venv (no pip) with pure wheels unpacked into site-packages: a complete wheel install."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site)


@pytest.fixture(scope="session")
def small_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding six, idna and attrs from fixtures/sbom/dists."""
    venv = tmp_path_factory.mktemp("venv") / "demo-venv"
    install_wheels(venv, sorted(DISTS.glob("*.whl")))
    return venv
