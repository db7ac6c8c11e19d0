"""Tag lookups for ``--resolve`` through the store library's registry backend.

Each image's own registry is asked (``docker.io`` names go to ``registry-1.docker.io``, the
host Docker Hub serves its registry API on). The manifest is fetched and its digest computed
from the bytes received (a registry header that disagrees is a DigestMismatch), so the pin we
write is the content we saw, not a header we were told.
"""

from __future__ import annotations

from verifier.pins.images import DOCKER_HUB, ImageRef
from verifier.store.deadline import Deadline
from verifier.store.errors import NotFound
from verifier.store.interface import Store
from verifier.store.reference import StoreKind, StoreLocation, StoreOptions

DOCKER_HUB_API = "registry-1.docker.io"


def api_host(registry: str) -> str:
    """The host that answers the registry API for ``registry``."""
    return DOCKER_HUB_API if registry in (DOCKER_HUB, "index.docker.io") else registry


class RegistryTagResolver:
    """Resolves tags against live registries; one deadline for all lookups of a command."""

    def __init__(self, options: StoreOptions) -> None:
        self.options = options
        self.deadline = Deadline(options.timeout)
        self._stores: dict[tuple[str, str], Store] = {}
        self._digests: dict[tuple[str, str, str], str | None] = {}

    def _store(self, host: str, repository: str) -> Store:
        key = (host, repository)
        if key not in self._stores:
            location = StoreLocation(StoreKind.REGISTRY, host=host, repository=repository)
            self._stores[key] = location.open(self.options, self.deadline)
        return self._stores[key]

    def digest(self, image: ImageRef) -> str | None:
        """The digest of the manifest ``image``'s tag names now; None when there is none."""
        host = api_host(image.registry)
        key = (host, image.repository, image.effective_tag)
        if key not in self._digests:
            try:
                manifest = self._store(host, image.repository).get_manifest(image.effective_tag)
            except NotFound:
                self._digests[key] = None
            else:
                self._digests[key] = str(manifest.digest)
        return self._digests[key]
