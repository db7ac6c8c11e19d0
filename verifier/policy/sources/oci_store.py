"""Evidence from an OCI store (layout or registry): Sigstore bundles attached as referrers.

Referrers are discovered with the storage library (referrers API, else the ``sha256-<hex>``
tag-schema index, as cosign v3 writes them: formats.md 2.5). Each referrer whose own
manifest's ``artifactType`` is a Sigstore bundle media type must hold exactly one layer, the
bundle, read digest-checked and size-limited. Legacy cosign ``.sig``/``.att`` layers are not
bundles and are not read here. A store that fails while listing or reading makes the
evidence fail closed (an error on the decision), never an empty set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.evidence import RawBundle
from verifier.sign.bundle import MAX_BUNDLE_BYTES, MEDIA_TYPES
from verifier.store.interface import Store
from verifier.store.referrers import list_referrers


@dataclass
class StoreEvidenceSource:
    """An :class:`~verifier.policy.evidence.EvidenceSource` over one store."""

    store: Store
    _tags: list[str] | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        """The store."""
        return self.store.name

    def _tag_list(self) -> list[str] | None:
        # Listed once per source: a run over many subjects must not list tags per subject.
        if self._tags is None and self.store.referrers_api(Digest.of_bytes(b"")) is None:
            self._tags = self.store.list_tags()
        return self._tags

    def bundles_for(self, subject: Digest, name: str) -> Iterator[RawBundle]:
        """Every bundle referrer of ``subject``."""
        for referrer in list_referrers(self.store, subject, tags=self._tag_list()):
            if referrer.artifact_type not in MEDIA_TYPES:
                continue
            where = f"{self.store.name}@{referrer.descriptor.digest}"
            manifest = self.store.get_manifest(referrer.descriptor.digest)
            layers = manifest.layers
            if len(layers) != 1:
                raise InputError(
                    f"{where}: a bundle referrer must have one layer, has {len(layers)}"
                )
            layer = layers[0]
            if layer.size > MAX_BUNDLE_BYTES:
                raise InputError(f"{where}: bundle layer is over {MAX_BUNDLE_BYTES} bytes")
            with self.store.open_blob(layer) as chunks:
                data = b"".join(chunks)
            yield RawBundle(where, data)
