"""The decider ``verifier serve`` runs: allow rules, then the summary fast path, then policy.

* An explicit allow rule (a glob over the image reference, given by the operator) admits
  without reading anything: cluster add-ons such as ``registry.k8s.io/*``.
* A reference by tag is refused: the decision is about content, and only a digest names it.
* A trusted, passing verification summary for this digest and this policy digest admits.
* Otherwise the full evaluation decides when one is configured; without one, the image is
  denied by the rule ``verification-summary`` (the release gate: only what ``verifier
  release`` admitted under this exact policy runs).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from verifier.admission.decider import (
    DecisionKey,
    ImageDecision,
    ImageQuery,
    Outcome,
    Route,
    Routing,
)
from verifier.admission.summary import SummaryFastPath
from verifier.digest import Digest
from verifier.errors import InputError


@dataclass(frozen=True)
class AllowRule:
    """Admit images whose reference matches ``pattern`` (fnmatch glob, case-sensitive)."""

    pattern: str

    def __post_init__(self) -> None:
        if not self.pattern.strip() or self.pattern.strip() in ("*", "**"):
            raise InputError(f"allow rule {self.pattern!r} would admit every image")

    def matches(self, image: str) -> bool:
        """True when the image reference matches."""
        return fnmatch.fnmatchcase(image, self.pattern)


class FullEvaluation(Protocol):
    """The policy engine's evaluation of one image pinned by digest; may read the registry."""

    def evaluate(self, query: ImageQuery, digest: Digest) -> ImageDecision:
        """The decision; raise VerifierError when it cannot be made."""
        ...


def trust_digest(fingerprints: Sequence[str]) -> Digest:
    """One digest over the trusted authorities (sorted, one a line)."""
    return Digest.of_bytes("".join(f"{f}\n" for f in sorted(set(fingerprints))).encode())


@dataclass(frozen=True)
class PolicyDecider:
    """A :class:`~verifier.admission.decider.Decider` for one policy."""

    policy_name: str
    policy_digest: Digest
    trust: Digest
    fast_path: SummaryFastPath
    allow_rules: tuple[AllowRule, ...] = ()
    evaluation: FullEvaluation | None = None

    def ready(self) -> bool:
        """Policy and trust are loaded when this object exists."""
        return True

    def route(self, query: ImageQuery) -> Routing:
        """Allow rules and references by tag are answered here; the rest has a cache key."""
        for rule in self.allow_rules:
            if rule.matches(query.image):
                return Routing(
                    decision=ImageDecision(
                        query.image,
                        Outcome.ALLOWED,
                        f"allow-image {rule.pattern}",
                        "",
                        Route.ALLOW_RULE,
                    )
                )
        digest = query.digest
        if digest is None:
            return Routing(
                decision=ImageDecision(
                    query.image,
                    Outcome.DENIED,
                    "digest-pinned",
                    "referenced by tag; pin the image by digest (name@sha256:...)",
                    Route.POLICY,
                )
            )
        return Routing(key=DecisionKey(digest, self.policy_digest, self.trust))

    def decide(self, query: ImageQuery) -> ImageDecision:
        """Fast path first, then the full evaluation, else the release-gate denial."""
        digest = query.digest
        if digest is None:  # route() answers these; a caller that skipped it gets an error
            raise InputError(f"{query.image}: referenced by tag; pin the image by digest")
        summary = self.fast_path.check(query, digest, self.policy_digest)
        if summary is not None:
            return summary
        if self.evaluation is not None:
            return self.evaluation.evaluate(query, digest)
        return ImageDecision(
            query.image,
            Outcome.DENIED,
            "verification-summary",
            f"no passing verification summary for policy {self.policy_name} "
            f"({self.policy_digest.short}) signed by a trusted authority",
            Route.SUMMARY,
        )
