"""Store backend: a local OCI image layout directory (image-spec ``image-layout.md``).

``oci-layout`` marks the directory, ``blobs/<alg>/<hex>`` holds blobs and manifests, and
``index.json`` lists tagged manifests with the ``org.opencontainers.image.ref.name``
annotation (the convention skopeo and oras use). Updates of ``index.json`` are serialized
across processes with ``flock`` on the layout directory and written by atomic rename.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.deadline import Deadline
from verifier.store.errors import (
    DigestMismatch,
    NotFound,
    StoreError,
    TagChanged,
    TagImmutable,
)
from verifier.store.interface import PushedManifest, TagCondition
from verifier.store.oci import (
    ANNOTATION_REF_NAME,
    MAX_MANIFEST_BYTES,
    OCI_INDEX,
    Descriptor,
    Manifest,
    canonical_json,
    check_tag,
)
from verifier.store.verified import file_chunks, verified_chunks, write_atomically

LAYOUT_MARKER = b'{"imageLayoutVersion":"1.0.0"}'
DEFAULT_LAYOUT = Path(".verifier/store")


class LayoutStore:
    """An OCI image layout directory, created on first write."""

    def __init__(self, root: Path, deadline: Deadline) -> None:
        self.root = root
        self.deadline = deadline
        self._index_cache: (
            tuple[tuple[int, int, int], dict[str, object], list[Descriptor] | None] | None
        ) = None

    @property
    def name(self) -> str:
        """``oci-layout:PATH``."""
        return f"oci-layout:{self.root}"

    # -- files -------------------------------------------------------------------------------

    def _blob_path(self, digest: Digest) -> Path:
        return self.root / "blobs" / digest.algorithm.value / digest.hex

    def _ensure(self) -> None:
        marker = self.root / "oci-layout"
        if marker.exists():
            return
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"{self.name}: {self.root} is a file, not an OCI layout directory")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if any(p.name not in {"blobs", "index.json"} for p in self.root.iterdir()):
                raise StoreError(f"{self.name}: directory exists and is not an OCI image layout")
            write_atomically([LAYOUT_MARKER], marker)
            if not (self.root / "index.json").exists():
                write_atomically([canonical_json(self._empty_index())], self.root / "index.json")
        except OSError as exc:
            raise StoreError(f"{self.name}: cannot create layout: {exc.strerror or exc}") from exc

    def _check_layout(self) -> None:
        if not (self.root / "oci-layout").is_file():
            raise NotFound(f"{self.name}: no OCI image layout here (missing oci-layout file)")

    @staticmethod
    def _empty_index() -> dict[str, object]:
        return {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}

    def _read_index(self, *, fresh: bool = False) -> dict[str, object]:
        """index.json, parsed (a fresh top-level dict; callers replace, never mutate, entries).

        ``fresh`` skips the cache: updates under the lock must see the very latest version.
        """
        path = self.root / "index.json"
        try:
            st = path.stat()
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            if not fresh and self._index_cache is not None and self._index_cache[0] == key:
                return dict(self._index_cache[1])
            body = json.loads(path.read_bytes())
        except FileNotFoundError:
            self._index_cache = None
            return self._empty_index()
        except (OSError, ValueError, RecursionError) as exc:
            raise StoreError(f"{self.name}: index.json is unreadable: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("manifests", []), list):
            raise StoreError(f"{self.name}: index.json is not an image index")
        # index.json is only ever replaced by rename, so inode + mtime + size identify a version.
        self._index_cache = (key, body, None)
        return dict(body)

    def _index_entries(self) -> list[Descriptor]:
        body = self._read_index()
        cache = self._index_cache
        if cache is None:
            return []
        if cache[2] is None:
            listed = body.get("manifests", [])
            assert isinstance(listed, list)
            entries = [Descriptor.from_json(e, f"{self.name} index.json") for e in listed]
            self._index_cache = cache = (cache[0], cache[1], entries)
        assert cache[2] is not None
        return list(cache[2])

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._ensure()
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise StoreError(f"{self.name}: cannot lock: {exc.strerror}") from exc
                    self.deadline.check(f"{self.name}: waiting for the layout lock")
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)

    # -- blobs -------------------------------------------------------------------------------

    def has_blob(self, digest: Digest) -> bool:
        """True when ``blobs/<alg>/<hex>`` exists."""
        return self._blob_path(digest).is_file()

    def put_blob(self, descriptor: Descriptor, chunks: Iterable[bytes]) -> None:
        """Write the blob to a temporary file, check its digest, then rename it into place."""
        self._ensure()
        dest = self._blob_path(descriptor.digest)
        if dest.is_file():
            return
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self._timed(verified_chunks(chunks, descriptor, self.name)), dest)
        except OSError as exc:
            raise StoreError(f"{self.name}: cannot write blob: {exc.strerror or exc}") from exc

    def _timed(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.deadline.check(self.name)
            yield chunk

    @contextlib.contextmanager
    def open_blob(self, descriptor: Descriptor) -> Iterator[Iterator[bytes]]:
        """Stream the blob file through the digest check."""
        self._check_layout()
        path = self._blob_path(descriptor.digest)
        if not path.is_file():
            raise NotFound(f"{self.name}: blob {descriptor.digest} not found")
        yield self._timed(verified_chunks(file_chunks(path), descriptor, self.name))

    # -- manifests and tags ------------------------------------------------------------------

    def put_manifest(
        self,
        raw: bytes,
        media_type: str,
        *,
        tag: str | None = None,
        immutable: bool = False,
        condition: TagCondition | None = None,
    ) -> PushedManifest:
        """Store the manifest bytes as a blob; tag it when asked."""
        if len(raw) > MAX_MANIFEST_BYTES:
            raise StoreError(f"{self.name}: manifest is {len(raw)} bytes, over the 4 MiB limit")
        manifest = Manifest.parse(raw, self.name, media_type)
        self.put_blob(manifest.descriptor, [raw])
        if tag is not None:
            self._set_tag(manifest.descriptor, tag, immutable, condition)
        return PushedManifest(manifest.descriptor, subject_indexed=False)

    def get_manifest(self, reference: str | Digest) -> Manifest:
        """Read a manifest by tag (through index.json) or by digest, checked against it."""
        self._check_layout()
        if isinstance(reference, Digest):
            descriptor: Descriptor | None = None
            digest = reference
        else:
            descriptor = self.resolve(reference)
            if descriptor is None:
                raise NotFound(f"{self.name}: tag {reference!r} not found")
            digest = descriptor.digest
        path = self._blob_path(digest)
        try:
            with path.open("rb") as stream:
                raw = stream.read(MAX_MANIFEST_BYTES + 1)
        except FileNotFoundError:
            raise NotFound(f"{self.name}: manifest {digest} not found") from None
        except OSError as exc:
            raise StoreError(f"{self.name}: cannot read {path}: {exc.strerror}") from exc
        where = f"{self.name}@{digest}"
        manifest = Manifest.parse(raw, where, descriptor.media_type if descriptor else None)
        if manifest.digest != digest:
            raise DigestMismatch(f"{where}: manifest bytes hash to {manifest.digest}")
        return manifest

    def resolve(self, tag: str) -> Descriptor | None:
        """The index.json entry carrying this ref.name."""
        check_tag(tag)
        if not (self.root / "oci-layout").is_file():
            return None
        for entry in self._index_entries():
            if entry.annotations.get(ANNOTATION_REF_NAME) == tag:
                return Descriptor(entry.media_type, entry.digest, entry.size)
        return None

    def tag(self, digest: Digest, tag: str, *, immutable: bool = False) -> None:
        """Point ``tag`` at a manifest already in the layout."""
        self._set_tag(self.get_manifest(digest).descriptor, tag, immutable)

    def _set_tag(
        self,
        descriptor: Descriptor,
        tag: str,
        immutable: bool,
        condition: TagCondition | None = None,
    ) -> None:
        check_tag(tag)
        with self._locked():
            index = self._read_index(fresh=True)
            entries = index.get("manifests", [])
            assert isinstance(entries, list)
            if condition is not None:
                now = [
                    e.get("digest")
                    for e in entries
                    if (e.get("annotations") or {}).get(ANNOTATION_REF_NAME) == tag
                ]
                expected = [str(condition.current)] if condition.current is not None else []
                if now != expected:
                    raise TagChanged(f"{self.name}: tag {tag!r} moved since it was read")
            kept = []
            for entry in entries:
                if (entry.get("annotations") or {}).get(ANNOTATION_REF_NAME) != tag:
                    kept.append(entry)
                elif entry.get("digest") == str(descriptor.digest):
                    return
                elif immutable:
                    raise TagImmutable(
                        f"{self.name}: tag {tag!r} already points at {entry.get('digest')}; "
                        "refusing to move an immutable tag"
                    )
            kept.append(
                Descriptor(
                    descriptor.media_type,
                    descriptor.digest,
                    descriptor.size,
                    annotations={ANNOTATION_REF_NAME: tag},
                ).to_json()
            )
            index["manifests"] = kept
            try:
                write_atomically([canonical_json(index)], self.root / "index.json")
            except OSError as exc:
                raise StoreError(f"{self.name}: cannot write index.json: {exc.strerror}") from exc

    def list_tags(self) -> list[str]:
        """Every ref.name in index.json, sorted."""
        if not (self.root / "oci-layout").is_file():
            return []
        names = {e.annotations.get(ANNOTATION_REF_NAME) for e in self._index_entries()}
        return sorted(n for n in names if n)

    def referrers_api(
        self, subject: Digest, artifact_type: str | None = None
    ) -> list[Descriptor] | None:
        """A layout has no referrers API: referrers live in the tag schema, as on old registries."""
        return None
