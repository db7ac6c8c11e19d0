"""Test deciders: stand-ins for the policy engine, behind the real Decider interface.

They exist because the webhook's HTTP layer, cache, single flight and deadline are tested
independently of any policy (the engine has its own tests). Each decides from a fixed table
or from a socket the test controls; none of them is used by ``verifier serve`` itself.
"""

from __future__ import annotations

import fnmatch
import threading
import time
import urllib.request
from collections import Counter

from verifier.admission.decider import (
    DecisionKey,
    ImageDecision,
    ImageQuery,
    Outcome,
    Route,
    Routing,
)
from verifier.digest import Digest

POLICY = Digest.of_bytes(b"test policy")
TRUST = Digest.of_bytes(b"test trust")


class TableDecider:
    """Decides from ``table`` (image -> outcome); allow rules are glob patterns on the image."""

    def __init__(
        self,
        table: dict[str, Outcome],
        *,
        allow_patterns: tuple[str, ...] = ("registry.k8s.io/*",),
        delay_seconds: float = 0.0,
        is_ready: bool = True,
    ) -> None:
        self.table = table
        self.allow_patterns = allow_patterns
        self.delay_seconds = delay_seconds
        self.is_ready = is_ready
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def ready(self) -> bool:
        return self.is_ready

    def route(self, query: ImageQuery) -> Routing:
        for pattern in self.allow_patterns:
            if fnmatch.fnmatchcase(query.image, pattern):
                return Routing(
                    decision=ImageDecision(
                        query.image, Outcome.ALLOWED, f"allow {pattern}", "", Route.ALLOW_RULE
                    )
                )
        digest = query.digest
        return Routing(key=DecisionKey(digest, POLICY, TRUST) if digest else None)

    def decide(self, query: ImageQuery) -> ImageDecision:
        with self._lock:
            self.calls[query.image] += 1
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        outcome = self.table.get(query.image, Outcome.DENIED)
        message = {
            Outcome.ALLOWED: "",
            Outcome.DENIED: "no signed reproducible-build attestation",
            Outcome.WARNED: "sbom attestation older than 30d",
        }[outcome]
        warnings = (f"release-strict: {message}",) if outcome is Outcome.WARNED else ()
        return ImageDecision(
            query.image, outcome, "release-strict", message, Route.POLICY, warnings
        )


class StalledRegistryDecider(TableDecider):
    """Asks a 'registry' at ``url`` that accepts connections and never answers."""

    def __init__(self, url: str) -> None:
        super().__init__({})
        self.url = url

    def decide(self, query: ImageQuery) -> ImageDecision:
        with self._lock:
            self.calls[query.image] += 1
        # The registry never answers: only our deadline ends the review; this read gives up
        # on its own after 20 s so the test's worker threads end too.
        with urllib.request.urlopen(self.url, timeout=20) as response:
            response.read()
        return ImageDecision(query.image, Outcome.ALLOWED, "release-strict", "", Route.POLICY)
