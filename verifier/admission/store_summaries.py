"""Verification summaries attached in an OCI store (cosign v3 bundle referrers).

The release step attaches each signed VSA as a referrer of the image manifest: one manifest
per bundle, ``artifactType`` the bundle media type, annotation
``dev.sigstore.bundle.predicateType`` = the VSA type (formats.md §2.5). We keep bundle
referrers announcing the VSA type, and read their one layer. The annotation only narrows the
search; every bundle is verified in full by the fast path.

Candidates come in two rounds, read lazily (the fast path stops at the first it accepts):

1. the referrers the registry's API or the ``sha256-<hex>`` fallback index lists as VSA
   bundles, by the entry's own artifactType and annotation: the manifest and the bundle are
   then read, and the manifest must itself refer to the image and announce a VSA bundle;
2. then every other referrer :func:`~verifier.store.referrers.list_referrers` finds (the
   per-referrer tags, which need the repository's whole tag list; legacy tags), as before.

NOTE: the second round made every uncached decision of ``bench/webhook_load.sh`` list 600
tags and read each referrer manifest twice; with the index first, a decision reads the index,
one manifest and one blob (docs/serve.md "Load (measured)").

Every store call of one lookup shares one :class:`~verifier.store.deadline.Deadline` (the
review's deadline plus a second, set by ``verifier serve``): a stalled registry gives up on
its own instead of holding a worker thread. The connections under it may be the server's
(``connections``), kept across lookups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from verifier.admission.summary import VSA_PREDICATE_TYPE
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sign.bundle import MAX_BUNDLE_BYTES, MEDIA_TYPES, Bundle
from verifier.store.deadline import Deadline
from verifier.store.errors import NotFound, StoreError
from verifier.store.interface import Store
from verifier.store.oci import ANNOTATION_BUNDLE_PREDICATE, Descriptor, Manifest
from verifier.store.reference import StoreLocation, StoreOptions, parse_store
from verifier.store.referrers import fallback_entries, list_referrers
from verifier.store.registry.connections import RegistryConnections

_TAG_OR_DIGEST = re.compile(r"(@[a-z0-9]+:[0-9a-f]+|:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})$")


def repository_of(image: str) -> str:
    """``host/repo`` of an image reference (tag and digest removed)."""
    name = image
    while (match := _TAG_OR_DIGEST.search(name)) and "/" not in match.group(0):
        name = name[: match.start()]
    return name


@dataclass(frozen=True)
class StoreSummaries:
    """VSA bundles referring to the image in ``store``, or in the image's own repository."""

    options: StoreOptions
    store: StoreLocation | None = None
    #: Registry connections kept across lookups (None: each lookup opens its own).
    connections: RegistryConnections | None = None

    def location(self, image: str) -> StoreLocation | None:
        """Where to look for ``image``'s summaries; None when its name has no registry host.

        (``nginx@sha256:...`` names no registry we could ask; the engine judges it.)
        """
        if self.store is not None:
            return self.store
        try:
            return parse_store(repository_of(image))
        except InputError:
            return None

    def summaries(self, image: str, digest: Digest) -> Iterator[Bundle]:
        """Bundles announcing a VSA for ``digest``; StoreError when the store fails."""
        location = self.location(image)
        if location is None:
            return
        store = location.open(self.options, Deadline(self.options.timeout), self.connections)
        tried: set[Digest] = set()
        for entry in _listed(store, digest):
            if not _announces_vsa(entry.artifact_type, entry.annotations):
                continue
            tried.add(entry.digest)
            manifest = _referrer_manifest(store, digest, entry.digest)
            if _announces_vsa(manifest.artifact_type, manifest.annotations):
                bundle = _bundle(store, location, manifest)
                if bundle is not None:
                    yield bundle
        for referrer in list_referrers(store, digest):
            if referrer.descriptor.digest in tried:
                continue
            if not _announces_vsa(referrer.artifact_type, referrer.annotations):
                continue
            bundle = _bundle(store, location, store.get_manifest(referrer.descriptor.digest))
            if bundle is not None:
                yield bundle


def _announces_vsa(artifact_type: str | None, annotations: Mapping[str, str]) -> bool:
    if artifact_type not in MEDIA_TYPES:
        return False
    return annotations.get(ANNOTATION_BUNDLE_PREDICATE) == VSA_PREDICATE_TYPE


def _listed(store: Store, subject: Digest) -> list[Descriptor]:
    """The referrers API's answer, else the fallback index's entries (as their writers said)."""
    api = store.referrers_api(subject)
    return api if api is not None else fallback_entries(store, subject)


def _referrer_manifest(store: Store, subject: Digest, referrer: Digest) -> Manifest:
    """The listed referrer's manifest; StoreError when it is missing or refers elsewhere.

    The same checks as :func:`~verifier.store.referrers.list_referrers` (fail closed).
    """
    try:
        manifest = store.get_manifest(referrer)
    except NotFound:
        raise StoreError(
            f"{store.name}: referrers of {subject} list manifest {referrer}, which does not exist"
        ) from None
    if manifest.subject is None or manifest.subject.digest != subject:
        raise StoreError(
            f"{store.name}: referrers of {subject} list manifest {referrer}, "
            "whose subject is another manifest"
        )
    return manifest


def _bundle(store: Store, location: StoreLocation, manifest: Manifest) -> Bundle | None:
    """The bundle in the referrer's one layer; None when it holds no bundle we can read."""
    layers = manifest.layers
    if manifest.is_index or len(layers) != 1 or layers[0].size > MAX_BUNDLE_BYTES:
        return None
    with store.open_blob(layers[0]) as chunks:
        data = b"".join(chunks)
    try:
        return Bundle.from_json(data, source=f"{location}@{manifest.digest}")
    except InputError:
        return None  # not a bundle we can read; others may still be
