"""Artifacts in a store: push files, pull them back, attach Sigstore bundles as referrers."""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from verifier.clock import rfc3339
from verifier.digest import hash_file
from verifier.errors import InputError
from verifier.store.interface import Store
from verifier.store.oci import (
    ANNOTATION_BUNDLE_CONTENT,
    ANNOTATION_BUNDLE_PREDICATE,
    ANNOTATION_CREATED,
    ANNOTATION_TITLE,
    BUNDLE_TYPES,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_MANIFEST,
    OCTET_STREAM,
    Descriptor,
    Manifest,
    artifact_manifest,
)
from verifier.store.referrers import attach_referrer
from verifier.store.verified import file_chunks, write_atomically


@dataclass(frozen=True)
class FileLayer:
    """One file to push, with the media type of its layer."""

    path: Path
    media_type: str = OCTET_STREAM

    def __post_init__(self) -> None:
        if not self.path.is_file():
            raise InputError(f"{self.path}: not a readable file")


def put_bytes(store: Store, media_type: str, data: bytes) -> Descriptor:
    """Store a small in-memory blob."""
    descriptor = Descriptor.of_bytes(media_type, data)
    store.put_blob(descriptor, [data])
    return descriptor


def put_file(
    store: Store, layer: FileLayer, annotations: Mapping[str, str] | None = None
) -> Descriptor:
    """Hash a file (streaming), then stream it into the store, checked again on the way."""
    digest = hash_file(layer.path)
    descriptor = Descriptor(
        layer.media_type, digest, layer.path.stat().st_size, annotations=annotations or {}
    )
    store.put_blob(descriptor, file_chunks(layer.path))
    return descriptor


def push_files(
    store: Store,
    files: Sequence[FileLayer],
    *,
    tag: str | None,
    artifact_type: str,
    annotations: Mapping[str, str],
    created: datetime,
    subject: Descriptor | None = None,
    immutable: bool = False,
) -> Descriptor:
    """Push files as one OCI artifact (empty config, one layer per file, titled by file name).

    Blobs go first and the manifest last, so a tag never points at something incomplete.
    With ``subject`` the artifact is attached as a referrer (and ``tag`` is extra).
    """
    names = [layer.path.name for layer in files]
    if len(set(names)) != len(names):
        raise InputError("two files share a name; pull could not tell them apart")
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layers = [put_file(store, layer, {ANNOTATION_TITLE: layer.path.name}) for layer in files]
    raw = artifact_manifest(
        layers,
        artifact_type=artifact_type,
        annotations={ANNOTATION_CREATED: rfc3339(created), **annotations},
        subject=subject,
    )
    if subject is not None:
        descriptor = attach_referrer(store, raw, OCI_MANIFEST)
        if tag is not None:
            store.tag(descriptor.digest, tag, immutable=immutable)
        return descriptor
    return store.put_manifest(raw, OCI_MANIFEST, tag=tag, immutable=immutable).descriptor


@dataclass(frozen=True)
class BundleFacts:
    """What the referrer manifest says about a bundle, read from it (not verified here)."""

    media_type: str
    content: str  # "dsse-envelope" or "message-signature"
    predicate_type: str | None


def bundle_facts(bundle: bytes, where: str) -> BundleFacts:
    """Media type, ``dev.sigstore.bundle.content`` and predicate type of a bundle document."""
    try:
        body = json.loads(bundle)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: bundle is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InputError(f"{where}: bundle is not a JSON object")
    media_type = body.get("mediaType")
    if media_type not in BUNDLE_TYPES:
        raise InputError(f"{where}: not a Sigstore bundle (mediaType {media_type!r})")
    content, predicate = _bundle_content(body, where)
    return BundleFacts(str(media_type), content, predicate)


def _bundle_content(body: dict[str, object], where: str) -> tuple[str, str | None]:
    if "dsseEnvelope" in body:
        envelope = body["dsseEnvelope"]
        try:
            payload = envelope["payload"]  # type: ignore[index]
            padded = payload + "=" * (-len(payload) % 4)
            statement = json.loads(base64.b64decode(padded.replace("-", "+").replace("_", "/")))
            predicate = statement.get("predicateType")
        except (KeyError, TypeError, ValueError, RecursionError):
            raise InputError(f"{where}: bundle dsseEnvelope payload is unreadable") from None
        return "dsse-envelope", predicate if isinstance(predicate, str) else None
    if "messageSignature" in body:
        return "message-signature", None
    raise InputError(f"{where}: bundle has neither dsseEnvelope nor messageSignature")


def attach_bundle(
    store: Store,
    subject: Descriptor,
    bundle: bytes,
    *,
    created: datetime,
    where: str = "bundle",
) -> Descriptor:
    """Attach a Sigstore bundle to ``subject`` in cosign v3's referrer layout.

    One manifest per bundle: ``artifactType`` = the bundle media type, the empty config, one
    layer holding the bundle, ``subject``, and the annotations ``dev.sigstore.bundle.content``,
    ``dev.sigstore.bundle.predicateType`` and ``org.opencontainers.image.created``
    (formats.md 2.5, from cosign ``pkg/oci/remote/write.go``).
    """
    facts = bundle_facts(bundle, where)
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layer = put_bytes(store, facts.media_type, bundle)
    annotations = {ANNOTATION_BUNDLE_CONTENT: facts.content, ANNOTATION_CREATED: rfc3339(created)}
    if facts.predicate_type:
        annotations[ANNOTATION_BUNDLE_PREDICATE] = facts.predicate_type
    raw = artifact_manifest(
        [layer], artifact_type=facts.media_type, annotations=annotations, subject=subject
    )
    return attach_referrer(store, raw, OCI_MANIFEST)


def _output_name(layer: Descriptor, index: int) -> str:
    title = layer.annotations.get(ANNOTATION_TITLE, "")
    if (
        title
        and "/" not in title
        and "\\" not in title
        and title not in {".", ".."}
        and ("\0" not in title)
    ):
        return title
    return f"layer-{index}-{layer.digest.hex[:12]}"


def pull_to_dir(store: Store, manifest: Manifest, out_dir: Path) -> list[Path]:
    """Write every layer of an image manifest into ``out_dir``, each checked while it streams.

    Files land in a temporary directory first and move into ``out_dir`` only after every layer
    matched its digest, so a failed pull leaves nothing behind.
    """
    if manifest.is_index:
        choices = ", ".join(str(d.digest) for d in manifest.children[:5])
        raise InputError(
            f"{store.name}@{manifest.digest} is an index; pull one of its manifests: {choices}"
        )
    layers = manifest.layers
    names = [_output_name(layer, i) for i, layer in enumerate(layers)]
    if len(set(names)) != len(names):
        names = [f"layer-{i}-{layer.digest.hex[:12]}" for i, layer in enumerate(layers)]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".pull-", dir=out_dir))
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create output directory: {exc.strerror}") from exc
    try:
        for layer, name in zip(layers, names, strict=True):
            with store.open_blob(layer) as chunks:
                write_atomically(chunks, staging / name)
        written = []
        for name in names:
            (staging / name).replace(out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
