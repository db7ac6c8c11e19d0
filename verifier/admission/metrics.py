"""Counters and a latency histogram, rendered in the Prometheus text exposition format 0.0.4.

Written here rather than pulling in a client library: five metric families, one process, no
labels beyond small fixed sets. Updated from the event loop's thread only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from verifier.admission.cache import CacheStats
from verifier.store.registry.content_cache import ContentCacheStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Seconds; the webhook answers in milliseconds from the cache and within its deadline otherwise.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    inner = ",".join(f'{k}="{escape(v)}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


class Metrics:
    """What /metrics reports: requests, reviews, per-image decisions, latency, cache."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()  # (path, HTTP code)
        self.reviews: Counter[str] = Counter()  # allowed / denied
        self.decisions: Counter[tuple[str, str]] = Counter()  # (result, route)
        self._bucket_counts = [0] * len(LATENCY_BUCKETS)
        self._latency_sum = 0.0
        self._latency_count = 0
        self.in_flight = 0

    def request(self, path: str, code: int) -> None:
        """Count one HTTP request by path and status code."""
        self.requests[(path, str(code))] += 1

    def review(self, allowed: bool) -> None:
        """Count one AdmissionReview answered."""
        self.reviews["allowed" if allowed else "denied"] += 1

    def decision(self, result: str, route: str) -> None:
        """Count one per-image decision."""
        self.decisions[(result, route)] += 1

    def observe_latency(self, seconds: float) -> None:
        """Record one /validate request's duration."""
        self._latency_sum += seconds
        self._latency_count += 1
        for i, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                self._bucket_counts[i] += 1

    def render(self, cache: CacheStats, content: ContentCacheStats | None = None) -> bytes:
        """The exposition text; ``content``: the registry content cache, when there is one."""
        out: list[str] = []

        def family(name: str, kind: str, help_text: str) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")

        family("verifier_http_requests_total", "counter", "HTTP requests by path and status code.")
        for (path, code), n in sorted(self.requests.items()):
            out.append(
                f"verifier_http_requests_total{_labels([('path', path), ('code', code)])} {n}"
            )
        family(
            "verifier_admission_reviews_total", "counter", "AdmissionReviews answered by result."
        )
        for result in ("allowed", "denied"):
            out.append(
                f"verifier_admission_reviews_total{_labels([('result', result)])} "
                f"{self.reviews[result]}"
            )
        family(
            "verifier_admission_decisions_total",
            "counter",
            "Per-image decisions by result (allowed, denied, warned) and route.",
        )
        for (result, route), n in sorted(self.decisions.items()):
            labels = _labels([("result", result), ("route", route)])
            out.append(f"verifier_admission_decisions_total{labels} {n}")
        name = "verifier_admission_request_duration_seconds"
        family(name, "histogram", "Time to answer one AdmissionReview on /validate.")
        for bound, n in zip(LATENCY_BUCKETS, self._bucket_counts, strict=True):
            out.append(f"{name}_bucket{_labels([('le', _number(bound))])} {n}")
        out.append(f'{name}_bucket{{le="+Inf"}} {self._latency_count}')
        out.append(f"{name}_sum {_number(self._latency_sum)}")
        out.append(f"{name}_count {self._latency_count}")
        family("verifier_decision_cache_hits_total", "counter", "Decision cache hits.")
        out.append(f"verifier_decision_cache_hits_total {cache.hits}")
        family("verifier_decision_cache_misses_total", "counter", "Decision cache misses.")
        out.append(f"verifier_decision_cache_misses_total {cache.misses}")
        family("verifier_decision_cache_evictions_total", "counter", "Entries evicted by size.")
        out.append(f"verifier_decision_cache_evictions_total {cache.evictions}")
        family("verifier_decision_cache_entries", "gauge", "Decisions currently cached.")
        out.append(f"verifier_decision_cache_entries {cache.entries}")
        if content is not None:
            prefix = "verifier_registry_content_cache"
            family(f"{prefix}_hits_total", "counter", "Registry content read from the cache.")
            out.append(f"{prefix}_hits_total {content.hits}")
            family(f"{prefix}_misses_total", "counter", "Registry content not in the cache.")
            out.append(f"{prefix}_misses_total {content.misses}")
            family(f"{prefix}_bytes", "gauge", "Bytes of registry content kept.")
            out.append(f"{prefix}_bytes {content.bytes}")
        family("verifier_admission_in_flight", "gauge", "AdmissionReviews being decided now.")
        out.append(f"verifier_admission_in_flight {self.in_flight}")
        return ("\n".join(out) + "\n").encode()
