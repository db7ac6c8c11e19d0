"""Reaching the stores references name: resolve a tag to a digest once, read evidence there.

One store is opened per location and shared by every target in it; all of them share one
deadline (``--timeout``), so a slow registry cannot hold a gate for longer than that.

A resolver (and the evidence sources it opens, which list a store's tags once) belongs to one
run or one admission request: a long-running server makes a new one per request, so its
deadline and its view of the store are fresh. Its registry connections may outlive it
(``connections``): they are pooled by the server, each call still bounded by this deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from verifier.admission.targets import Target
from verifier.policy.evidence import EvidenceSource
from verifier.policy.sources.oci_store import StoreEvidenceSource
from verifier.sign.artifact import Artifact
from verifier.store.deadline import Deadline
from verifier.store.interface import Store
from verifier.store.oci import EMPTY_MEDIA_TYPE
from verifier.store.reference import StoreLocation, StoreOptions
from verifier.store.registry.connections import RegistryConnections


@dataclass
class StoreResolver:
    """Opens stores lazily and keeps them (and their evidence sources) for the run."""

    options: StoreOptions = field(default_factory=StoreOptions)
    connections: RegistryConnections | None = None
    _deadline: Deadline | None = field(default=None, init=False, repr=False)
    _sources: dict[str, StoreEvidenceSource] = field(default_factory=dict, init=False)

    def _store(self, location: StoreLocation) -> StoreEvidenceSource:
        key = str(location)
        if key not in self._sources:
            if self._deadline is None:
                self._deadline = Deadline(self.options.timeout)
            store: Store = location.open(self.options, self._deadline, self.connections)
            self._sources[key] = StoreEvidenceSource(store)
        return self._sources[key]

    def resolve(self, target: Target) -> tuple[Target, EvidenceSource | None]:
        """The target with its digest (a tag resolved once), and its store's evidence.

        A pushed file (a manifest with the empty config and exactly one layer) is judged as
        that file: its subject is the layer's digest, with the manifest as its container, so
        statements about the file (rebuild verdicts, SBOMs) and signatures over the manifest
        both count.
        """
        if target.ref is None:
            return target, None
        source = self._store(target.ref.store)
        manifest = source.store.get_manifest(target.ref.reference)
        config = manifest.config
        layers = manifest.layers
        if (
            not manifest.is_index
            and config is not None
            and config.media_type == EMPTY_MEDIA_TYPE
            and len(layers) == 1
            and layers[0].media_type != EMPTY_MEDIA_TYPE
        ):
            file = Artifact(layers[0].digest)
            return replace(target, artifact=file, container=Artifact(manifest.digest)), source
        return replace(target, artifact=Artifact(manifest.digest)), source
