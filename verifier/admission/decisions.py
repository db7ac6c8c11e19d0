"""One AdmissionReview to one answer: images, routing, cache, single flight, deadline.

For each distinct image of the object under review:

1. the decider routes it locally (an explicit allow rule answers here, without the registry);
2. a cached decision for (image digest, policy digest, trust digest) answers next;
3. otherwise the decider runs in a worker thread. Concurrent reviews of the same image share
   one decision in flight rather than each reading the registry.

All of it under one deadline per review. A worker thread cannot be stopped once started: past
the deadline the review is answered by the failure mode and the thread's late result still
fills the cache. The pool is bounded, so a stalled registry makes later reviews wait for a
worker and time out too: they fail closed, never pile up threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from verifier.admission.cache import DecisionCache
from verifier.admission.deadline import DecisionLimits
from verifier.admission.decider import (
    Decider,
    DecisionKey,
    ImageDecision,
    ImageQuery,
    Outcome,
    Route,
    short_image,
)
from verifier.admission.metrics import Metrics
from verifier.admission.review import AdmissionRequest, Operation, ReviewResponse, allow, deny
from verifier.admission.workloads import images_of
from verifier.errors import VerifierError

log = logging.getLogger("verifier.serve")


@dataclass(frozen=True)
class ReviewResult:
    """The answer and the per-image decisions behind it (for the log)."""

    response: ReviewResponse
    decisions: tuple[ImageDecision, ...]


def denial_text(decision: ImageDecision) -> str:
    """``IMAGE: rule RULE: MESSAGE``: names the image and the rule, deterministic."""
    return f"{decision.image}: rule {decision.rule}: {decision.message}"


def combine(uid: str, decisions: Sequence[ImageDecision]) -> ReviewResponse:
    """Deny when any image is denied (every denial listed, in container order); else allow."""
    denied = [d for d in decisions if d.outcome is Outcome.DENIED]
    warnings: list[str] = []
    for d in decisions:
        warnings.extend(f"{short_image(d.image)}: {w}" for w in d.warnings)
    audit: dict[str, str] = {}
    failed_open = [d for d in decisions if d.outcome is Outcome.ALLOWED and not d.cacheable]
    if failed_open:
        audit["failure-mode"] = "unsafe-allow: " + ", ".join(d.image for d in failed_open)
    if denied:
        return deny(uid, "; ".join(denial_text(d) for d in denied), warnings=warnings, audit=audit)
    return allow(uid, warnings=warnings, audit=audit)


class AdmissionDecisions:
    """Decides AdmissionReviews with a :class:`Decider`, a cache and a deadline."""

    def __init__(
        self,
        decider: Decider,
        cache: DecisionCache,
        limits: DecisionLimits,
        metrics: Metrics,
        workers: int = 8,
    ) -> None:
        self.decider = decider
        self.cache = cache
        self.limits = limits
        self.metrics = metrics
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decide")
        self._in_flight: dict[Hashable, asyncio.Future[ImageDecision]] = {}

    def close(self) -> None:
        """Stop the worker pool without waiting for decisions stuck on a stalled registry."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def review(self, request: AdmissionRequest) -> ReviewResult:
        """The answer to one parsed AdmissionReview request."""
        if request.operation not in (Operation.CREATE, Operation.UPDATE):
            return ReviewResult(allow(request.uid), ())
        if request.object is None:
            return ReviewResult(
                deny(
                    request.uid, f"{request.operation} {request.kind.kind} has no object", code=400
                ),
                (),
            )
        try:
            containers = images_of(request.kind.kind, request.object)
            queries = list(
                dict.fromkeys(ImageQuery(c.image, request.namespace) for c in containers)
            )
        except VerifierError as exc:
            return ReviewResult(deny(request.uid, str(exc), code=400), ())
        deadline = asyncio.get_running_loop().time() + self.limits.deadline_seconds
        decisions = await asyncio.gather(*(self._decide(q, deadline) for q in queries))
        for d in decisions:
            self.metrics.decision(d.outcome.value, d.route.value)
        return ReviewResult(combine(request.uid, decisions), tuple(decisions))

    async def _decide(self, query: ImageQuery, deadline: float) -> ImageDecision:
        try:
            routing = self.decider.route(query)
        except VerifierError as exc:
            return self.limits.failed(query, Route.ERROR, str(exc))
        if routing.decision is not None:
            return routing.decision
        key: Hashable = query
        if routing.key is not None:
            cached = self.cache.get(routing.key)
            if cached is not None:
                return cached.answer_for(query.image, Route.CACHE)
            key = routing.key
        future = self._in_flight.get(key)
        if future is None:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(self._pool, self.decider.decide, query)
            self._in_flight[key] = future
            future.add_done_callback(lambda f: self._settle(key, routing.key, f))
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            decision = await asyncio.wait_for(asyncio.shield(future), timeout=max(remaining, 0))
        except TimeoutError:
            return self.limits.timed_out(query)
        except VerifierError as exc:
            return self.limits.failed(query, Route.ERROR, str(exc))
        except Exception as exc:
            log.exception("decider raised", extra={"fields": {"image": query.image}})
            reason = f"internal error while deciding ({type(exc).__name__})"
            return self.limits.failed(query, Route.ERROR, reason)
        # Reviews sharing a decision in flight may name the same digest differently.
        return decision.answer_for(query.image, decision.route)

    def _settle(
        self, key: Hashable, cache_key: DecisionKey | None, future: asyncio.Future[ImageDecision]
    ) -> None:
        self._in_flight.pop(key, None)
        if future.cancelled() or future.exception() is not None:
            return
        if isinstance(cache_key, DecisionKey):
            self.cache.put(cache_key, future.result())
