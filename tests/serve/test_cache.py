"""The decision cache: keyed by (image, policy, trust) digests, bounded, expiring."""

from __future__ import annotations

import pytest

from verifier.admission.cache import DecisionCache
from verifier.admission.decider import DecisionKey, ImageDecision, Outcome, Route
from verifier.digest import Digest
from verifier.errors import InputError


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def key(n: int, policy: bytes = b"p", trust: bytes = b"t") -> DecisionKey:
    return DecisionKey(
        Digest.of_bytes(str(n).encode()), Digest.of_bytes(policy), Digest.of_bytes(trust)
    )


def decision(image: str = "img", cacheable: bool = True) -> ImageDecision:
    return ImageDecision(image, Outcome.ALLOWED, "rule", "", Route.POLICY, cacheable=cacheable)


def test_hit_miss_and_ttl() -> None:
    ticks = Ticks()
    cache = DecisionCache(10, ttl_seconds=30, monotonic=ticks)
    assert cache.get(key(1)) is None
    cache.put(key(1), decision())
    assert cache.get(key(1)) == decision()
    ticks.now += 29.9
    assert cache.get(key(1)) is not None
    ticks.now += 0.2
    assert cache.get(key(1)) is None
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (2, 2, 0)


def test_another_policy_or_trust_is_another_entry() -> None:
    cache = DecisionCache(10, 60)
    cache.put(key(1), decision())
    assert cache.get(key(1, policy=b"other")) is None
    assert cache.get(key(1, trust=b"other")) is None


def test_bounded_least_recently_used_goes_first() -> None:
    cache = DecisionCache(3, 60)
    for n in range(3):
        cache.put(key(n), decision(str(n)))
    assert cache.get(key(0)) is not None  # 0 is now the most recent
    cache.put(key(3), decision("3"))
    assert cache.get(key(1)) is None
    assert cache.get(key(0)) is not None
    assert cache.stats().entries == 3
    assert cache.stats().evictions == 1


def test_undecided_answers_are_never_cached_and_size_zero_disables() -> None:
    cache = DecisionCache(3, 60)
    cache.put(key(1), decision(cacheable=False))
    assert cache.get(key(1)) is None
    off = DecisionCache(0, 60)
    off.put(key(1), decision())
    assert off.get(key(1)) is None


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(InputError):
        DecisionCache(-1, 60)
    with pytest.raises(InputError):
        DecisionCache(1, 0)
