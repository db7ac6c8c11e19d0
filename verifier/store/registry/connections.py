"""Registry connections a long-running process keeps across commands (``verifier serve``).

A command opens a store with its own deadline and, by default, its own connection pools: its
connections end with it. ``verifier serve`` opens a store per decision (the deadline is the
decision's), and with pools each that was a TCP handshake per registry call and a socket
left to the garbage collector. Stores opened with a :class:`RegistryConnections` share one
pool manager per registry instead; each call is still bounded by its own store's deadline
(:mod:`verifier.store.registry.cutoff` arms the socket a call uses with that call's deadline).

NOTE: uncached decisions of ``bench/webhook_load.sh`` at 500 req/s offered: 243 req/s
achieved and p99 676 ms with a session (and a cutoff timer thread) per decision; see
docs/serve.md "Load (measured)" for the numbers after.

Credentials and tokens stay per store (a store per decision answers its own challenges): a
token is scoped to a repository and short-lived, and keeping them here would need expiry.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from urllib3.poolmanager import PoolManager

from verifier.store.registry.content_cache import ContentCache, ContentCacheStats
from verifier.store.registry.cutoff import deadline_pool_manager

#: How long a registry that answered 404 to the referrers API is not asked again. Short, so a
#: registry upgraded to one with the API is used through it soon after.
REFERRERS_API_RECHECK_SECONDS = 60.0


def new_pools(ca_file: Path | None, pool_size: int = 10) -> PoolManager:
    """Pools whose sockets obey each call's deadline; TLS checked against ``ca_file``."""
    return deadline_pool_manager(pool_size, ca_file)


@dataclass
class RegistryConnection:
    """One registry's connection pools, and what we learnt about that registry."""

    pools: PoolManager
    #: Content read by digest, kept across stores (None: nothing kept).
    content: ContentCache | None = None
    _no_referrers_api_until: float = field(default=0.0, init=False)

    def referrers_api_absent(self) -> bool:
        """The registry answered 404 to the referrers API within the last minute."""
        return time.monotonic() < self._no_referrers_api_until

    def note_referrers_api_absent(self) -> None:
        """Remember the 404: the next stores use the tag schema without asking again."""
        self._no_referrers_api_until = time.monotonic() + REFERRERS_API_RECHECK_SECONDS


@dataclass
class RegistryConnections:
    """A :class:`RegistryConnection` per registry host and TLS choice, made on first use.

    ``pool_size``: connections kept per registry; the number of threads using them at once.
    ``content_cache_bytes``: content read by digest kept per registry (0: none), see
    :mod:`verifier.store.registry.content_cache`.
    """

    pool_size: int = 16
    content_cache_bytes: int = 0
    _by_registry: dict[tuple[str, bool, Path | None], RegistryConnection] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def get(self, host: str, *, plain_http: bool, ca_file: Path | None) -> RegistryConnection:
        """The connection to ``host`` over HTTP or HTTPS (with ``ca_file``)."""
        key = (host, plain_http, ca_file)
        with self._lock:
            found = self._by_registry.get(key)
            if found is None:
                content = (
                    ContentCache(self.content_cache_bytes) if self.content_cache_bytes else None
                )
                found = RegistryConnection(new_pools(ca_file, self.pool_size), content)
                self._by_registry[key] = found
            return found

    def content_stats(self) -> ContentCacheStats:
        """The content caches' counters, summed over registries."""
        with self._lock:
            caches = [c.content for c in self._by_registry.values() if c.content is not None]
        return sum((cache.stats() for cache in caches), ContentCacheStats())
