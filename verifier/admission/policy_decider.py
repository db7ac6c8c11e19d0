"""The decider ``verifier serve`` runs: allow rules, the summary fast path, then the policies.

For one image in one namespace:

1. an explicit allow rule (a glob over the image reference, given by the operator) admits
   without reading anything: cluster add-ons such as ``registry.k8s.io/*``;
2. the policies that select the image and namespace are found locally (``match``); none is a
   denial by the rule ``match``, as in ``verifier admit``;
3. a trusted, passing verification summary for this digest and these policies' digest admits
   (:mod:`verifier.admission.summary`);
4. otherwise the policy engine decides, exactly as ``verifier admit`` does
   (:func:`verifier.admission.gate.admit_target`): evidence from ``--evidence DIR`` or from the
   store the image reference names, every bundle verified, every rule evaluated. A reference
   by tag is resolved there once (``digestPinned`` policies deny it outright).

The cache key is (image digest, digest of the policies that apply, digest of whom they
trust). A summary must name the digest of the whole policy set loaded (what ``verifier
release`` records when it ran with the same policies), or of the set of policies that apply
to this image here; both use :class:`~verifier.policy.model.PolicySet`'s digest formula.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

from verifier.admission.decider import (
    DecisionKey,
    ImageDecision,
    ImageQuery,
    Outcome,
    Route,
    Routing,
)
from verifier.admission.gate import admit_target
from verifier.admission.resolve import StoreResolver
from verifier.admission.summary import SummaryFastPath
from verifier.admission.targets import Target, target_of
from verifier.clock import Clock, SystemClock
from verifier.digest import Digest
from verifier.errors import EnvironmentFailure, InputError
from verifier.policy.decision import Decision, Finding, Location
from verifier.policy.decision import Outcome as PolicyOutcome
from verifier.policy.evidence import EvidenceSource
from verifier.policy.model import Policy, PolicySet, TrustSet
from verifier.store.reference import LAYOUT_PREFIX, StoreOptions
from verifier.store.registry.connections import RegistryConnections


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


def trust_digest(trust_ids: Sequence[str]) -> Digest:
    """One digest over the trusted authorities (sorted, one a line)."""
    return Digest.of_bytes("".join(f"{t}\n" for t in sorted(set(trust_ids))).encode())


def applicable_digest(policies: Sequence[Policy]) -> Digest:
    """The digest of the set of policies that apply (the formula of ``PolicySet.digest``)."""
    return PolicySet(tuple(policies)).digest


def _without_label(decision: Decision, finding: Finding) -> str:
    prefix = f"{decision.label}: "
    text = finding.message
    return text[len(prefix) :] if text.startswith(prefix) else text


def image_decision(image: str, decision: Decision) -> ImageDecision:
    """The engine's Decision as the webhook's answer for one image.

    Undecided (evidence that could not be read or verified under an enforcing policy) is an
    error: the failure mode answers it, and it is never cached.
    """
    names = ",".join(p.name for p in decision.policies) or "-"
    if decision.outcome is PolicyOutcome.UNDECIDED:
        reasons = "; ".join(
            f"{f.policy}/{f.rule}: {_without_label(decision, f)}" for f in decision.errors
        )
        raise EnvironmentFailure(f"could not decide: {reasons}")
    warnings = tuple(
        f"{f.policy}/{f.rule}: {_without_label(decision, f)}" for f in decision.warnings
    )
    if decision.outcome is PolicyOutcome.DENIED:
        rules = ",".join(dict.fromkeys(f"{f.policy}/{f.rule}" for f in decision.violations))
        message = "; ".join(_without_label(decision, f) for f in decision.violations)
        return ImageDecision(image, Outcome.DENIED, rules, message, Route.POLICY, warnings)
    outcome = Outcome.WARNED if warnings else Outcome.ALLOWED
    return ImageDecision(image, outcome, names, "", Route.POLICY, warnings)


@dataclass
class PolicyDecider:
    """A :class:`~verifier.admission.decider.Decider` over a policy set and the engine."""

    policy_set: PolicySet
    store_options: StoreOptions
    fast_path: SummaryFastPath | None = None
    #: Whom the fast path trusts, for the cache key (empty without a fast path).
    summary_trust_ids: tuple[str, ...] = ()
    allow_rules: tuple[AllowRule, ...] = ()
    evidence: EvidenceSource | None = None
    clock: Clock = field(default_factory=SystemClock)
    #: Registry connections kept across decisions (None: each decision opens its own).
    connections: RegistryConnections | None = None
    _trust: TrustSet = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._trust = self.policy_set.trust()

    def ready(self) -> bool:
        """Policies and trust are loaded when this object exists."""
        return True

    def _target(self, query: ImageQuery) -> Target:
        location = Location("AdmissionReview", detail=f"namespace {query.namespace}")
        return target_of(query.image, location=location, namespace=query.namespace or None)

    def _policies(self, target: Target) -> tuple[Policy, ...]:
        return self.policy_set.matching(target.name, target.namespace)

    def _key(self, digest: Digest, policies: Sequence[Policy]) -> DecisionKey:
        trust_ids = [a.trust_id for p in policies for a in p.authorities.values()]
        trust_ids += [f"summary {t}" for t in self.summary_trust_ids]
        return DecisionKey(digest, applicable_digest(policies), trust_digest(trust_ids))

    def route(self, query: ImageQuery) -> Routing:
        """Allow rules and unmatched images are answered here; the rest gets its cache key."""
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
        if query.image.startswith(LAYOUT_PREFIX):
            # A path on this server's disk is no image a node could pull.
            return Routing(
                decision=ImageDecision(
                    query.image,
                    Outcome.DENIED,
                    "reference",
                    "not a container image reference",
                    Route.POLICY,
                )
            )
        target = self._target(query)
        policies = self._policies(target)
        if not policies:
            return Routing(
                decision=ImageDecision(
                    query.image,
                    Outcome.DENIED,
                    "match",
                    "no policy applies to this image",
                    Route.POLICY,
                )
            )
        if target.subject is None:
            return Routing()  # a tag: resolved by the engine, never cached under a digest
        return Routing(key=self._key(target.subject, policies))

    def decide(self, query: ImageQuery) -> ImageDecision:
        """Fast path first, then the engine; raises when it cannot decide (fail closed)."""
        target = self._target(query)
        policies = self._policies(target)
        digest = target.subject
        if self.fast_path is not None and digest is not None and policies:
            accepted = (applicable_digest(policies), self.policy_set.digest)
            summary = self.fast_path.check(query, digest, accepted)
            if summary is not None:
                return summary
        # A resolver per decision: its store deadline is this decision's (--deadline); the
        # connections under it are the server's.
        decision = admit_target(
            target,
            self.policy_set,
            self.evidence,
            now=self.clock.now(),
            trust=self._trust,
            resolver=StoreResolver(self.store_options, self.connections),
        )
        return image_decision(query.image, decision)
