"""Copy an artifact with all its referrers between any two stores, bytes and digests unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.digest import Digest
from verifier.store.errors import NotFound, StoreError
from verifier.store.interface import Store
from verifier.store.oci import Manifest
from verifier.store.referrers import attach_referrers, list_referrers

MAX_DEPTH = 8


@dataclass(frozen=True)
class CopyResult:
    """What a copy moved."""

    digest: Digest
    manifests: int
    blobs: int
    referrers: int


class _Copier:
    def __init__(self, src: Store, dst: Store) -> None:
        self.src = src
        self.dst = dst
        self.manifests = 0
        self.blobs = 0
        self.referrers = 0
        self._done: set[Digest] = set()
        self._src_tags: list[str] | None = None

    def manifest_tree(self, manifest: Manifest) -> None:
        """Children and blobs first, the manifest last (by digest), so nothing dangles."""
        if manifest.digest in self._done:
            return
        if manifest.is_index:
            for child in manifest.children:
                try:
                    child_manifest = self.src.get_manifest(child.digest)
                except NotFound:
                    raise StoreError(
                        f"{self.src.name}: index {manifest.digest} lists manifest "
                        f"{child.digest}, which does not exist"
                    ) from None
                self.manifest_tree(child_manifest)
        else:
            for blob in manifest.blobs():
                if self.dst.has_blob(blob.digest):
                    continue
                with self.src.open_blob(blob) as chunks:
                    self.dst.put_blob(blob, chunks)
                self.blobs += 1
        self.dst.put_manifest(manifest.raw, manifest.media_type)
        self.manifests += 1
        self._done.add(manifest.digest)

    def referrers_of(self, subject: Digest, depth: int) -> None:
        if depth >= MAX_DEPTH:
            return
        attach: list[tuple[bytes, str]] = []
        children: list[Digest] = []
        if self._src_tags is None:
            self._src_tags = self.src.list_tags()
        for referrer in list_referrers(self.src, subject, tags=self._src_tags):
            child = self.src.get_manifest(referrer.descriptor.digest)
            self.manifest_tree(child)
            if referrer.tag is not None:
                self.dst.put_manifest(child.raw, child.media_type, tag=referrer.tag)
            else:
                attach.append((child.raw, child.media_type))
            self.referrers += 1
            children.append(child.digest)
        attach_referrers(self.dst, attach)
        for child_digest in children:
            self.referrers_of(child_digest, depth + 1)


def copy_artifact(
    src: Store,
    reference: str | Digest,
    dst: Store,
    *,
    tag: str | None,
    with_referrers: bool = True,
    immutable: bool = False,
) -> CopyResult:
    """Copy the manifest ``reference`` names (and, by default, its referrers) from src to dst."""
    manifest = src.get_manifest(reference)
    copier = _Copier(src, dst)
    copier.manifest_tree(manifest)
    if tag is not None:
        dst.put_manifest(manifest.raw, manifest.media_type, tag=tag, immutable=immutable)
    if with_referrers:
        copier.referrers_of(manifest.digest, 0)
    return CopyResult(manifest.digest, copier.manifests, copier.blobs, copier.referrers)
