"""Store backend for OCI registries, speaking the distribution API beneath oras-py."""

from verifier.store.registry.store import RegistryStore

__all__ = ["RegistryStore"]
