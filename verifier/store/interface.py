"""The Store interface: where artifacts and their evidence live, by digest.

Two backends implement it with the same behaviour: a local OCI image layout directory
(:mod:`verifier.store.layout`, the embedded default) and an OCI registry
(:mod:`verifier.store.registry`). Referrers are listed and attached on top of these
primitives by :mod:`verifier.store.referrers`, the same way for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from verifier.digest import Digest
from verifier.store.oci import Descriptor, Manifest


@dataclass(frozen=True)
class TagCondition:
    """Update a tag only if it still points where it did when read (compare-and-swap).

    ``current`` None means the tag must not exist yet. Registries get ``If-Match`` /
    ``If-None-Match: *`` (those that ignore them, like distribution 2.8, update anyway); the
    layout checks under its lock.
    """

    current: Digest | None


@dataclass(frozen=True)
class PushedManifest:
    """What storing a manifest gave back."""

    descriptor: Descriptor
    #: The store indexed the manifest's ``subject`` itself (registry replied ``OCI-Subject``);
    #: when False a referrer must also be added to the ``sha256-<hex>`` fallback index.
    subject_indexed: bool = False


class ReferrerSource(StrEnum):
    """How a referrer was found."""

    REFERRERS_API = "referrers-api"
    TAG_SCHEMA = "tag-schema"
    COSIGN_SIG = "cosign-sig"
    COSIGN_ATT = "cosign-att"


@dataclass(frozen=True)
class Referrer:
    """A manifest that refers to a subject, described from its own content."""

    descriptor: Descriptor
    #: The child manifest's own ``artifactType`` (or config media type), never the index entry's.
    artifact_type: str | None
    annotations: Mapping[str, str]
    source: ReferrerSource
    #: The tag it was read from (legacy cosign tags), else None.
    tag: str | None = None
    #: In-toto predicate types the manifest or its layers announce (for people; not verified).
    predicate_types: tuple[str, ...] = ()


class Store(Protocol):
    """Blobs, manifests, tags and referrers, addressed by digest.

    Every read is checked against its digest while it streams; every manifest is kept as the
    exact bytes stored. Errors are :mod:`verifier.store.errors` types naming the store.
    """

    @property
    def name(self) -> str:
        """The store, for messages: ``registry.example/repo`` or ``oci-layout:PATH``."""
        ...

    def has_blob(self, digest: Digest) -> bool:
        """True when the blob (or manifest) is present."""
        ...

    def put_blob(self, descriptor: Descriptor, chunks: Iterable[bytes]) -> None:
        """Store a blob streamed from ``chunks``; DigestMismatch when they do not match."""
        ...

    def open_blob(self, descriptor: Descriptor) -> AbstractContextManager[Iterator[bytes]]:
        """Stream a blob; the iterator raises DigestMismatch if the bytes do not match."""
        ...

    def put_manifest(
        self,
        raw: bytes,
        media_type: str,
        *,
        tag: str | None = None,
        immutable: bool = False,
        condition: TagCondition | None = None,
    ) -> PushedManifest:
        """Store manifest bytes as they are, optionally under ``tag`` (see :meth:`tag`).

        With ``condition``, TagChanged when the tag moved since it was read.
        """
        ...

    def get_manifest(self, reference: str | Digest) -> Manifest:
        """The manifest a tag or digest names, raw bytes checked against the digest."""
        ...

    def resolve(self, tag: str) -> Descriptor | None:
        """The manifest descriptor a tag points at, or None when the tag does not exist."""
        ...

    def tag(self, digest: Digest, tag: str, *, immutable: bool = False) -> None:
        """Point ``tag`` at a stored manifest; ``immutable`` refuses to move an existing tag."""
        ...

    def list_tags(self) -> list[str]:
        """Every tag, sorted."""
        ...

    def referrers_api(
        self, subject: Digest, artifact_type: str | None = None
    ) -> list[Descriptor] | None:
        """The OCI referrers API answer (all pages), or None where the store has no such API."""
        ...
