"""OCI values: media types, descriptors, and parsed manifests and indexes (image-spec v1.1).

A manifest is always kept as the raw bytes the store holds; its digest is computed from those
bytes and never from a re-serialization (``oras.oci.Subject.from_manifest`` re-serializes with
``json.dumps`` and gets the wrong digest: measured.md Q4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.errors import StoreError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST)
INDEX_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)

EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_BLOB = b"{}"
DEFAULT_ARTIFACT_TYPE = "application/vnd.unknown.artifact.v1"
OCTET_STREAM = "application/octet-stream"

BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
#: Every Sigstore bundle media type (formats.md): v0.3 and the older ``;version=`` forms.
BUNDLE_TYPES = (
    BUNDLE_V03,
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
)
COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"

ANNOTATION_TITLE = "org.opencontainers.image.title"
ANNOTATION_CREATED = "org.opencontainers.image.created"
ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"
ANNOTATION_BUNDLE_CONTENT = "dev.sigstore.bundle.content"
ANNOTATION_BUNDLE_PREDICATE = "dev.sigstore.bundle.predicateType"

#: Registries refuse manifests above 4 MiB (distribution-spec); we refuse to read more.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024

_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")


def check_tag(tag: str) -> str:
    """Return ``tag`` when it is a valid OCI tag, else raise InputError."""
    if not _TAG_RE.match(tag):
        raise InputError(f"invalid tag {tag!r}: expected [A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}")
    return tag


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor: what a manifest says about a blob or another manifest."""

    media_type: str
    digest: Digest
    size: int
    artifact_type: str | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.size < 0:
            raise InputError(f"descriptor {self.digest}: negative size {self.size}")
        if not self.media_type:
            raise InputError(f"descriptor {self.digest}: empty mediaType")
        object.__setattr__(self, "annotations", dict(sorted(self.annotations.items())))

    @classmethod
    def of_bytes(cls, media_type: str, data: bytes, **extra: Any) -> Descriptor:
        """The descriptor of an in-memory blob or manifest."""
        return cls(media_type, Digest.of_bytes(data), len(data), **extra)

    @classmethod
    def from_json(cls, obj: object, where: str) -> Descriptor:
        """Parse a descriptor object; StoreError naming ``where`` when it is malformed."""
        if not isinstance(obj, dict):
            raise StoreError(f"{where}: descriptor is not an object")
        try:
            annotations = obj.get("annotations") or {}
            if not isinstance(annotations, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
            ):
                raise StoreError(f"{where}: descriptor annotations must map strings to strings")
            artifact_type = obj.get("artifactType")
            size = obj["size"]
            media_type = obj["mediaType"]
            if (
                not isinstance(size, int)
                or isinstance(size, bool)
                or not isinstance(media_type, str)
            ):
                raise StoreError(f"{where}: descriptor has a bad size or mediaType")
            return cls(
                media_type=media_type,
                digest=Digest.parse(str(obj["digest"])),
                size=size,
                artifact_type=artifact_type if isinstance(artifact_type, str) else None,
                annotations=annotations,
            )
        except KeyError as exc:
            raise StoreError(f"{where}: descriptor lacks {exc.args[0]!r}") from None
        except InputError as exc:
            raise StoreError(f"{where}: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        """The descriptor as the image spec writes it (keys sorted at serialization)."""
        out: dict[str, Any] = {
            "mediaType": self.media_type,
            "digest": str(self.digest),
            "size": self.size,
        }
        if self.artifact_type:
            out["artifactType"] = self.artifact_type
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


EMPTY_DESCRIPTOR = Descriptor.of_bytes(EMPTY_MEDIA_TYPE, EMPTY_BLOB)


def canonical_json(obj: object) -> bytes:
    """Compact JSON with sorted keys: the bytes we write for every manifest we build."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Manifest:
    """A manifest or index exactly as stored: raw bytes, their digest, and the parsed view."""

    raw: bytes
    media_type: str
    digest: Digest
    body: Mapping[str, Any]

    @classmethod
    def parse(cls, raw: bytes, where: str, media_type: str | None = None) -> Manifest:
        """Parse raw manifest bytes; the digest comes from the bytes, never from re-encoding."""
        if len(raw) > MAX_MANIFEST_BYTES:
            raise StoreError(
                f"{where}: manifest is {len(raw)} bytes, over the 4 MiB limit; refusing it"
            )
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise StoreError(f"{where}: manifest is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise StoreError(f"{where}: manifest is not a JSON object")
        declared = body.get("mediaType")
        kind = declared if isinstance(declared, str) and declared else media_type
        if kind is None:
            # An OCI manifest may omit mediaType; tell index and manifest apart by their fields.
            kind = OCI_INDEX if "manifests" in body else OCI_MANIFEST
        if kind not in MANIFEST_TYPES:
            raise StoreError(f"{where}: unsupported manifest media type {kind!r}")
        return cls(raw=raw, media_type=kind, digest=Digest.of_bytes(raw), body=body)

    @property
    def descriptor(self) -> Descriptor:
        """The descriptor pointing at this manifest (artifactType included, as referrers need)."""
        return Descriptor(self.media_type, self.digest, len(self.raw))

    @property
    def is_index(self) -> bool:
        """True for an image index or a Docker manifest list."""
        return self.media_type in INDEX_TYPES

    def _descriptors(self, key: str) -> list[Descriptor]:
        items = self.body.get(key) or []
        if not isinstance(items, list):
            raise StoreError(f"manifest {self.digest}: {key!r} is not a list")
        return [Descriptor.from_json(d, f"manifest {self.digest} {key}") for d in items]

    @property
    def config(self) -> Descriptor | None:
        """The config descriptor of an image manifest (None for an index)."""
        cfg = self.body.get("config")
        return None if cfg is None else Descriptor.from_json(cfg, f"manifest {self.digest}")

    @property
    def layers(self) -> list[Descriptor]:
        """Layer descriptors (empty for an index)."""
        return self._descriptors("layers")

    @property
    def children(self) -> list[Descriptor]:
        """Manifests an index lists (empty for an image manifest)."""
        return self._descriptors("manifests")

    @property
    def subject(self) -> Descriptor | None:
        """The manifest this one refers to, when it is a referrer."""
        subj = self.body.get("subject")
        return None if subj is None else Descriptor.from_json(subj, f"manifest {self.digest}")

    @property
    def annotations(self) -> dict[str, str]:
        """Manifest-level annotations (string values only)."""
        ann = self.body.get("annotations") or {}
        if not isinstance(ann, dict):
            return {}
        return {k: v for k, v in sorted(ann.items()) if isinstance(v, str)}

    @property
    def artifact_type(self) -> str | None:
        """``artifactType``, else the config media type (the referrers rule for old writers)."""
        declared = self.body.get("artifactType")
        if isinstance(declared, str) and declared:
            return declared
        cfg = self.config
        return cfg.media_type if cfg is not None else None

    def blobs(self) -> list[Descriptor]:
        """Every blob an image manifest needs: config then layers."""
        cfg = self.config
        return ([cfg] if cfg is not None else []) + self.layers


def artifact_manifest(
    layers: list[Descriptor],
    *,
    artifact_type: str,
    annotations: Mapping[str, str],
    subject: Descriptor | None = None,
) -> bytes:
    """An OCI 1.1 artifact manifest: ``artifactType``, the empty config, the given layers."""
    body: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": artifact_type,
        "config": EMPTY_DESCRIPTOR.to_json(),
        "layers": [d.to_json() for d in layers] or [EMPTY_DESCRIPTOR.to_json()],
    }
    if subject is not None:
        body["subject"] = Descriptor(subject.media_type, subject.digest, subject.size).to_json()
    if annotations:
        body["annotations"] = dict(annotations)
    return canonical_json(body)


def image_index(manifests: list[Descriptor]) -> bytes:
    """An OCI image index listing ``manifests`` (in the order given)."""
    return canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [d.to_json() for d in manifests],
        }
    )
