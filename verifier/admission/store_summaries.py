"""Verification summaries attached in an OCI store (cosign v3 bundle referrers).

The release step attaches each signed VSA as a referrer of the image manifest: one manifest
per bundle, ``artifactType`` the bundle media type, annotation
``dev.sigstore.bundle.predicateType`` = the VSA type (formats.md §2.5). We list the image's
referrers (API or tag-schema fallback, :mod:`verifier.store.referrers`), keep bundle referrers
announcing the VSA type, and read their one layer. The annotation only narrows the search;
every bundle is verified in full by the fast path.

Every store call of one lookup shares one :class:`~verifier.store.deadline.Deadline` (the
review's deadline plus a second, set by ``verifier serve``): a stalled registry gives up on
its own instead of holding a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from verifier.admission.summary import VSA_PREDICATE_TYPE
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sign.bundle import MAX_BUNDLE_BYTES, MEDIA_TYPES, Bundle
from verifier.store.deadline import Deadline
from verifier.store.oci import ANNOTATION_BUNDLE_PREDICATE
from verifier.store.reference import StoreLocation, StoreOptions, parse_store
from verifier.store.referrers import list_referrers

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

    def summaries(self, image: str, digest: Digest) -> Sequence[Bundle]:
        """Bundles announcing a VSA for ``digest``; StoreError when the store fails."""
        location = self.location(image)
        if location is None:
            return ()
        store = location.open(self.options, Deadline(self.options.timeout))
        found: list[Bundle] = []
        for referrer in list_referrers(store, digest):
            if referrer.artifact_type not in MEDIA_TYPES:
                continue
            if referrer.annotations.get(ANNOTATION_BUNDLE_PREDICATE) != VSA_PREDICATE_TYPE:
                continue
            manifest = store.get_manifest(referrer.descriptor.digest)
            layers = manifest.layers
            if len(layers) != 1 or layers[0].size > MAX_BUNDLE_BYTES:
                continue
            with store.open_blob(layers[0]) as chunks:
                data = b"".join(chunks)
            where = f"{location}@{referrer.descriptor.digest}"
            try:
                found.append(Bundle.from_json(data, source=where))
            except InputError:
                continue  # not a bundle we can read; others may still be
        return found
