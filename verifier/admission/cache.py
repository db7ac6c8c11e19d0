"""Decision cache: bounded in entries, each entry expiring after a TTL.

Keyed by :class:`~verifier.admission.decider.DecisionKey` (image digest, policy digest, trust
digest), so a changed policy or trust root never reuses an old answer. Only definite decisions
are stored. Time comes from an injected monotonic function; the cache is used from the event
loop's thread only, so it needs no lock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from verifier.admission.decider import DecisionKey, ImageDecision
from verifier.errors import InputError


@dataclass(frozen=True)
class CacheStats:
    """Counters for /metrics."""

    hits: int
    misses: int
    entries: int
    evictions: int


class DecisionCache:
    """LRU of decisions with a time to live; ``max_entries`` 0 disables caching."""

    def __init__(
        self,
        max_entries: int,
        ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 0 or ttl_seconds <= 0:
            raise InputError("cache size must be >= 0 and TTL > 0 seconds")
        self._max = max_entries
        self._ttl = ttl_seconds
        self._now = monotonic
        self._entries: OrderedDict[DecisionKey, tuple[float, ImageDecision]] = OrderedDict()
        self._hits = 0
        self._misses = 0
        self._evictions = 0

    def get(self, key: DecisionKey) -> ImageDecision | None:
        """The cached decision, or None (counted as a miss) when absent or expired."""
        entry = self._entries.get(key)
        if entry is not None:
            expires, decision = entry
            if self._now() < expires:
                self._entries.move_to_end(key)
                self._hits += 1
                return decision
            del self._entries[key]
        self._misses += 1
        return None

    def put(self, key: DecisionKey, decision: ImageDecision) -> None:
        """Store a definite decision; evicts the least recently used past the bound."""
        if self._max == 0 or not decision.cacheable:
            return
        self._entries[key] = (self._now() + self._ttl, decision)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
            self._evictions += 1

    def clear(self) -> None:
        """Forget every decision (policies or trust reloaded)."""
        self._entries.clear()

    def stats(self) -> CacheStats:
        """Hits, misses, current entries, evictions."""
        return CacheStats(self._hits, self._misses, len(self._entries), self._evictions)
