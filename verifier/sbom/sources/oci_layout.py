"""An image in a local OCI image layout directory (image-spec image-layout.md).

The image manifest's digest is the subject; layers are applied with their whiteouts and the
final filesystem is searched for dpkg, apk, Python and npm packages. Every blob read is
checked against its digest first, so a tampered layout is refused, not described.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.digest import Algorithm, Digest, hash_file
from verifier.errors import InputError
from verifier.sbom.image_packages import image_packages
from verifier.sbom.layers import apply_layers
from verifier.sbom.model import ComponentKind, Inventory, Subject
from verifier.sbom.names import oci_purl

INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
REF_NAME = "org.opencontainers.image.ref.name"
MAX_MANIFEST = 4 << 20


@dataclass
class OciLayoutSource:
    """``path`` holds ``oci-layout``, ``index.json`` and ``blobs/``; ``ref`` picks a tag."""

    path: Path
    ref: str | None = None

    @property
    def location(self) -> str:
        """``<dir>`` or ``<dir>:<ref>``."""
        return f"{self.path}:{self.ref}" if self.ref else str(self.path)

    def _blob(self, digest: str, *, limit: int | None = None) -> Path:
        try:
            parsed = Digest.parse(digest)
        except InputError as exc:
            raise InputError(f"{self.path}: bad descriptor digest: {exc}") from None
        blob = self.path / "blobs" / parsed.algorithm.value / parsed.hex
        if not blob.is_file():
            raise InputError(f"{self.path}: blob {digest} is missing")
        if limit is not None and blob.stat().st_size > limit:
            raise InputError(f"{self.path}: blob {digest} is too large for a manifest")
        if hash_file(blob, parsed.algorithm) != parsed:
            raise InputError(f"{self.path}: blob {digest} does not match its digest (tampered?)")
        return blob

    def _json(self, digest: str) -> tuple[dict[str, Any], bytes]:
        data = self._blob(digest, limit=MAX_MANIFEST).read_bytes()
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{self.path}: blob {digest} is not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise InputError(f"{self.path}: blob {digest} is not a JSON object")
        return doc, data

    def _select(self) -> tuple[dict[str, Any], str]:
        index_file = self.path / "index.json"
        if not (self.path / "oci-layout").is_file() or not index_file.is_file():
            raise InputError(f"{self.path}: not an OCI image layout (no oci-layout/index.json)")
        try:
            index = json.loads(index_file.read_bytes())
        except (OSError, ValueError) as exc:
            raise InputError(f"{index_file}: unreadable index: {exc}") from exc
        descriptors = [d for d in index.get("manifests", []) if isinstance(d, dict)]
        if self.ref is not None:
            descriptors = [
                d for d in descriptors if (d.get("annotations") or {}).get(REF_NAME) == self.ref
            ]
            if not descriptors:
                raise InputError(f"{index_file}: no manifest tagged {self.ref!r}")
        if len(descriptors) != 1:
            tags = sorted((d.get("annotations") or {}).get(REF_NAME, "?") for d in descriptors)
            raise InputError(
                f"{index_file}: {len(descriptors)} manifests; choose one with --ref "
                f"({', '.join(tags) or 'none tagged'})"
            )
        descriptor = descriptors[0]
        name = (descriptor.get("annotations") or {}).get(REF_NAME)
        # An image index (multi-platform): take linux/amd64 when present, else the only entry.
        for _ in range(4):
            if descriptor.get("mediaType") not in INDEX_TYPES:
                break
            nested, _ = self._json(str(descriptor.get("digest")))
            children = [d for d in nested.get("manifests", []) if isinstance(d, dict)]
            amd64 = [
                d
                for d in children
                if (d.get("platform") or {}).get("os") == "linux"
                and (d.get("platform") or {}).get("architecture") == "amd64"
            ]
            if len(amd64) == 1 or len(children) == 1:
                descriptor = (amd64 or children)[0]
            else:
                raise InputError(f"{self.path}: image index without a single linux/amd64 image")
        return descriptor, name or self.path.resolve().name

    def inventory(self) -> Inventory:
        """The image manifest as subject; packages from the layers' final filesystem."""
        descriptor, name = self._select()
        digest = str(descriptor.get("digest"))
        manifest, raw = self._json(digest)
        if manifest.get("mediaType", MANIFEST_TYPES[0]) not in MANIFEST_TYPES:
            raise InputError(f"{self.path}: {digest} is not an image manifest")
        layers = manifest.get("layers")
        if not isinstance(layers, list):
            raise InputError(f"{self.path}: manifest {digest} has no layers")
        paths, labels = [], []
        for i, layer in enumerate(layers):
            media = str(layer.get("mediaType", "")) if isinstance(layer, dict) else ""
            if "zstd" in media:
                raise InputError(f"{self.path}: layer {i} is zstd-compressed; not supported yet")
            paths.append(self._blob(str(layer.get("digest"))))
            labels.append(f"{self.path}: layer {i} ({layer.get('digest')})")
        image = apply_layers(paths, describe=labels)
        packages, findings = image_packages(image, str(self.path))
        sha256 = Digest.parse(digest)
        subject = Subject(
            name=name,
            version=digest,
            kind=ComponentKind.CONTAINER,
            hashes=(sha256, Digest.of_bytes(raw, Algorithm.SHA512)),
            purl=oci_purl(name.split(":")[0], digest),
            properties=(("verifier:layers", str(len(layers))),),
        )
        return Inventory(subject, tuple(packages), (), tuple(findings))
