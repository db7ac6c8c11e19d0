"""Store backend: one repository of an OCI registry (distribution-spec v1.1)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

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
    MANIFEST_TYPES,
    MAX_MANIFEST_BYTES,
    OCI_INDEX,
    Descriptor,
    Manifest,
    check_tag,
)
from verifier.store.registry.connections import RegistryConnection
from verifier.store.registry.content_cache import CachedContent, ContentCache
from verifier.store.registry.transport import RegistryClient, registry_message
from verifier.store.verified import counted_chunks, verified_chunks

_ACCEPT = ", ".join(MANIFEST_TYPES)


class _SizedStream:
    """A file-like view of a chunk iterator with a known length.

    A bare iterator would go out with ``Transfer-Encoding: chunked``; with a length we send
    ``Content-Length`` (set by the client) and the connection reads the body through
    ``read()``, one block at a time.
    """

    def __init__(self, chunks: Iterable[bytes], size: int) -> None:
        self._chunks = iter(chunks)
        self._size = size
        self._current = b""
        self._offset = 0

    def __len__(self) -> int:
        return self._size

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` < 0); b"" at the end."""
        parts: list[bytes] = []
        wanted = n
        while wanted != 0:
            if self._offset >= len(self._current):
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._current, self._offset = chunk, 0
                continue
            take = len(self._current) - self._offset if wanted < 0 else wanted
            piece = self._current[self._offset : self._offset + take]
            self._offset += len(piece)
            parts.append(piece)
            if wanted > 0:
                wanted -= len(piece)
        return b"".join(parts)


class RegistryStore:
    """One repository (``HOST/NAME``) of a registry."""

    def __init__(
        self,
        host: str,
        repository: str,
        deadline: Deadline,
        *,
        plain_http: bool = False,
        ca_file: Path | None = None,
        shared: RegistryConnection | None = None,
    ) -> None:
        """``shared``: the registry's long-lived connection to use instead of a new one."""
        self.host = host
        self.repository = repository
        self.client = RegistryClient(
            host, deadline, plain_http=plain_http, ca_file=ca_file, shared=shared
        )
        # Blobs seen present in this repository during this command: saves a HEAD per reuse.
        self._known_blobs: set[Digest] = set()
        self._content: ContentCache | None = shared.content if shared is not None else None

    @property
    def name(self) -> str:
        """``HOST/REPOSITORY``."""
        return f"{self.host}/{self.repository}"

    def _path(self, kind: str, ref: str = "") -> str:
        return f"/v2/{self.repository}/{kind}/{quote(ref, safe=':@')}"

    # -- blobs -------------------------------------------------------------------------------

    def has_blob(self, digest: Digest) -> bool:
        """HEAD the blob."""
        if digest in self._known_blobs:
            return True
        resp = self.client.request(
            "HEAD", self._path("blobs", str(digest)), expected=(200, 404), what=f"blob {digest}"
        )
        resp.close()
        if resp.status_code == 200:
            self._known_blobs.add(digest)
        return resp.status_code == 200

    def put_blob(self, descriptor: Descriptor, chunks: Iterable[bytes]) -> None:
        """Upload in one streamed PUT; the registry and our stream both check the digest."""
        if self.has_blob(descriptor.digest):
            return
        label = f"blob {descriptor.digest}"
        start = self.client.request(
            "POST", f"/v2/{self.repository}/blobs/uploads/", expected=(202,), what=label
        )
        start.close()
        location = start.headers.get("Location")
        if not location:
            raise StoreError(f"registry {self.host}: {label}: upload started without a Location")
        sep = "&" if "?" in location else "?"
        target = f"{location}{sep}{urlencode({'digest': str(descriptor.digest)})}"
        # The registry hashes what it receives and refuses a digest that does not match
        # (DIGEST_INVALID), so the bytes are only counted here, not hashed a second time.
        body = _SizedStream(counted_chunks(chunks, descriptor, self.name), descriptor.size)
        done = self.client.request(
            "PUT",
            target,
            expected=(201, 400),
            headers={"Content-Type": "application/octet-stream"},
            data=body,
            what=label,
        )
        done.close()
        if done.status_code == 400:
            detail = registry_message(done)
            if "DIGEST_INVALID" in detail or "SIZE_INVALID" in detail:
                raise DigestMismatch(
                    f"registry {self.host}: {label}: the uploaded bytes do not match ({detail})"
                )
            raise StoreError(f"registry {self.host}: {label}: HTTP 400 {detail}")
        stored = done.headers.get("Docker-Content-Digest")
        if stored and stored != str(descriptor.digest):
            raise DigestMismatch(f"registry {self.host}: {label}: registry stored {stored}")
        self._known_blobs.add(descriptor.digest)

    @contextlib.contextmanager
    def open_blob(self, descriptor: Descriptor) -> Iterator[Iterator[bytes]]:
        """GET the blob as a digest-checked stream (from the content cache when kept there)."""
        cache = self._content
        if cache is not None and cache.admits(descriptor.size):
            kept = cache.get(self.repository, descriptor.digest)
            if kept is not None:
                yield verified_chunks([kept.data], descriptor, self.name)
                return
        label = f"blob {descriptor.digest}"
        resp = self.client.request(
            "GET",
            self._path("blobs", str(descriptor.digest)),
            expected=(200,),
            stream=True,
            what=label,
        )
        try:
            chunks = verified_chunks(self.client.iter_body(resp, label), descriptor, self.name)
            if cache is not None and cache.admits(descriptor.size):
                chunks = self._kept_when_verified(chunks, cache, descriptor.digest)
            yield chunks
        finally:
            resp.close()

    def _kept_when_verified(
        self, chunks: Iterator[bytes], cache: ContentCache, digest: Digest
    ) -> Iterator[bytes]:
        """Pass ``chunks`` through; keep them once all were read (so the digest matched)."""
        parts: list[bytes] = []
        for chunk in chunks:
            parts.append(chunk)
            yield chunk
        cache.put(self.repository, digest, CachedContent(b"".join(parts)))

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
        """PUT the bytes as they are, by tag or digest; report whether ``subject`` was indexed."""
        if len(raw) > MAX_MANIFEST_BYTES:
            raise StoreError(
                f"registry {self.host}: manifest is {len(raw)} bytes, "
                "over the 4 MiB registries accept"
            )
        manifest = Manifest.parse(raw, self.name, media_type)
        if tag is not None:
            check_tag(tag)
            self._check_immutable(tag, manifest.digest, immutable)
        ref = tag if tag is not None else str(manifest.digest)
        headers = {"Content-Type": manifest.media_type}
        if condition is not None and tag is not None:
            if condition.current is None:
                headers["If-None-Match"] = "*"
            else:
                headers["If-Match"] = f'"{condition.current}"'
        resp = self.client.request(
            "PUT",
            self._path("manifests", ref),
            expected=(201, 412),
            headers=headers,
            data=raw,
            what=f"manifest {ref}",
        )
        resp.close()
        if resp.status_code == 412:
            raise TagChanged(f"registry {self.name}: tag {ref!r} moved since it was read")
        stored = resp.headers.get("Docker-Content-Digest")
        if stored and stored != str(manifest.digest):
            raise DigestMismatch(
                f"registry {self.host}: manifest {ref}: registry stored {stored}, "
                f"we sent {manifest.digest}"
            )
        return PushedManifest(manifest.descriptor, subject_indexed="OCI-Subject" in resp.headers)

    def _check_immutable(self, tag: str, digest: Digest, immutable: bool) -> None:
        # NOTE: distribution has no conditional tag update; the check and the PUT can race.
        if not immutable:
            return
        current = self.resolve(tag)
        if current is not None and current.digest != digest:
            raise TagImmutable(
                f"registry {self.name}: tag {tag!r} already points at {current.digest}; "
                "refusing to move an immutable tag"
            )

    def get_manifest(self, reference: str | Digest) -> Manifest:
        """GET the manifest; the digest comes from the bytes and must match what named them."""
        ref = str(reference)
        if not isinstance(reference, Digest):
            check_tag(ref)
        elif self._content is not None:
            kept = self._content.get(self.repository, reference)
            if kept is not None:
                return Manifest.parse(kept.data, f"{self.name}@{ref}", kept.media_type)
        label = f"manifest {ref}"
        resp = self.client.request(
            "GET",
            self._path("manifests", ref),
            expected=(200,),
            stream=True,
            what=label,
            headers={"Accept": _ACCEPT},
        )
        content_type = resp.headers.get("Content-Type", "").split(";")[0].strip() or None
        header_digest = resp.headers.get("Docker-Content-Digest")
        raw = self.client.read_body(resp, MAX_MANIFEST_BYTES, label)
        where = f"{self.name}@{ref}" if isinstance(reference, Digest) else f"{self.name}:{ref}"
        media_type = content_type if content_type in MANIFEST_TYPES else None
        manifest = Manifest.parse(raw, where, media_type)
        if isinstance(reference, Digest) and manifest.digest != reference:
            raise DigestMismatch(f"{where}: manifest bytes hash to {manifest.digest}")
        if header_digest and header_digest != str(manifest.digest):
            raise DigestMismatch(
                f"{where}: registry says {header_digest} but the bytes hash to {manifest.digest}"
            )
        if isinstance(reference, Digest) and self._content is not None:
            # Only what was asked for by digest: a tag's target is a different question.
            self._content.put(self.repository, reference, CachedContent(raw, media_type))
        return manifest

    def resolve(self, tag: str) -> Descriptor | None:
        """HEAD the tag; None when it does not exist."""
        check_tag(tag)
        resp = self.client.request(
            "HEAD",
            self._path("manifests", tag),
            expected=(200, 404),
            what=f"tag {tag}",
            headers={"Accept": _ACCEPT},
        )
        resp.close()
        if resp.status_code == 404:
            return None
        digest = resp.headers.get("Docker-Content-Digest")
        size = resp.headers.get("Content-Length", "")
        media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
        if not digest or not size.isdigit() or media_type not in MANIFEST_TYPES:
            return self.get_manifest(tag).descriptor
        try:
            return Descriptor(media_type, Digest.parse(digest), int(size))
        except InputError as exc:
            raise StoreError(f"registry {self.name}: tag {tag}: {exc}") from None

    def tag(self, digest: Digest, tag: str, *, immutable: bool = False) -> None:
        """Re-PUT the manifest's exact bytes under ``tag``."""
        manifest = self.get_manifest(digest)
        self.put_manifest(manifest.raw, manifest.media_type, tag=tag, immutable=immutable)

    def list_tags(self) -> list[str]:
        """Every tag, following ``Link`` pages; a repository that does not exist has none."""
        tags: set[str] = set()
        path: str | None = f"/v2/{self.repository}/tags/list?n=1000"
        while path is not None:
            try:
                resp = self.client.request("GET", path, expected=(200,), what="tags/list")
            except NotFound:
                return []
            try:
                body = resp.json()
            except (ValueError, RecursionError):
                raise StoreError(f"registry {self.name}: tags/list is not JSON") from None
            if not isinstance(body, dict):
                raise StoreError(f"registry {self.name}: tags/list is not a JSON object")
            tags.update(t for t in (body.get("tags") or []) if isinstance(t, str))
            path = resp.next_link()
        return sorted(tags)

    def referrers_api(
        self, subject: Digest, artifact_type: str | None = None
    ) -> list[Descriptor] | None:
        """``GET /v2/<name>/referrers/<digest>`` with paging; None when the registry lacks it.

        A registry with the API must not answer 404 (distribution-spec), so 404 means "use the
        tag schema"; a shared connection remembers it for a while and the probe is skipped.
        The filter is a hint: callers filter again on each child's own type.
        """
        shared = self.client.shared
        if shared is not None and shared.referrers_api_absent():
            return None
        query = f"?{urlencode({'artifactType': artifact_type})}" if artifact_type else ""
        path: str | None = self._path("referrers", str(subject)) + query
        found: list[Descriptor] = []
        while path is not None:
            resp = self.client.request(
                "GET",
                path,
                expected=(200, 404),
                what=f"referrers of {subject}",
                headers={"Accept": OCI_INDEX},
                stream=True,
            )
            if resp.status_code == 404:
                resp.close()
                if shared is not None:
                    shared.note_referrers_api_absent()
                return None
            raw = self.client.read_body(resp, MAX_MANIFEST_BYTES, f"referrers of {subject}")
            index = Manifest.parse(raw, f"{self.name} referrers of {subject}", OCI_INDEX)
            found.extend(index.children)
            path = resp.next_link()
        return found
