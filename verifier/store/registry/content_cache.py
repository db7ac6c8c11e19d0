"""Registry content named by digest, kept by a long-running process (``verifier serve``).

A manifest or blob fetched by digest cannot change: its digest is checked when it is read, so
the same bytes are what the registry would serve again. ``verifier serve`` keeps such content
across decisions, bounded in bytes, least recently used out. What can change is never kept:
manifests read by tag, the ``sha256-<hex>`` fallback index, the referrers API's answer, tag
lists. So a decision still reads the registry's current list of summaries and still verifies
every signature: a summary dropped from the index and untagged stops counting at once, as it
would without the cache. (A summary deleted from the registry while the index still lists it
keeps counting while kept: its signature, not its storage, is what it is trusted for. Without
the cache the dangling entry is a store error, answered by the failure mode.)

NOTE: in ``bench/webhook_load.sh`` (decision cache off) a decision made three registry reads:
the fallback index, the summary's manifest and its bundle blob. The blob alone cost the
registry 2.2 ms CPU and the manifest 1.0 ms (docs/serve.md "Load (measured)"); with both kept
here an uncached decision reads the index only.

Entries are keyed by repository as well as digest: content counts as present in the
repository that served it, never in another one of the same registry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from verifier.digest import Digest
from verifier.errors import InputError

#: Largest single entry: summaries and their manifests are a few KiB; images' layers are not.
MAX_ENTRY_BYTES = 1 << 20


@dataclass(frozen=True)
class CachedContent:
    """Bytes whose digest was checked when read, and the media type the registry gave them."""

    data: bytes
    media_type: str | None = None


@dataclass(frozen=True)
class ContentCacheStats:
    """Counters for /metrics, summed over registries."""

    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0

    def __add__(self, other: ContentCacheStats) -> ContentCacheStats:
        return ContentCacheStats(
            self.hits + other.hits,
            self.misses + other.misses,
            self.entries + other.entries,
            self.bytes + other.bytes,
        )


@dataclass
class ContentCache:
    """Digest-checked registry content, at most ``max_bytes`` in all; thread-safe."""

    max_bytes: int
    _entries: OrderedDict[tuple[str, Digest], CachedContent] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _size: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    hits: int = field(default=0, init=False)
    misses: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.max_bytes < 0:
            raise InputError(f"content cache size {self.max_bytes} bytes is negative")

    def admits(self, size: int) -> bool:
        """Whether content of ``size`` bytes would be kept."""
        return self.max_bytes > 0 and 0 <= size <= min(self.max_bytes, MAX_ENTRY_BYTES)

    def get(self, repository: str, digest: Digest) -> CachedContent | None:
        """The content ``repository`` served under ``digest``, if kept."""
        key = (repository, digest)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, repository: str, digest: Digest, content: CachedContent) -> None:
        """Keep ``content``, read from ``repository`` and checked against ``digest``."""
        size = len(content.data)
        if not self.admits(size):
            return
        key = (repository, digest)
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous.data)
            self._entries[key] = content
            self._size += size
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.data)

    def stats(self) -> ContentCacheStats:
        """Hits, misses, entries and bytes kept now."""
        with self._lock:
            return ContentCacheStats(self.hits, self.misses, len(self._entries), self._size)
