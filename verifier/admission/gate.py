"""The gate: gather evidence, verify it, evaluate the policies, one Decision per target.

This is the library call behind `verifier admit` (and, for each image of an admission
request, `verifier serve`): :func:`admit_targets`, or :func:`admit_target` for one.

Evidence comes from the local directory when one is given, else from the store the
reference names. A store that cannot be reached makes that target undecided (fail closed);
a tag that cannot be resolved is judged by
:func:`~verifier.policy.engine.decide_unresolved`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from verifier.admission.resolve import StoreResolver
from verifier.admission.targets import Target
from verifier.errors import VerifierError
from verifier.policy.decision import Decision
from verifier.policy.engine import decide_unresolved, evaluate
from verifier.policy.evidence import Evidence, EvidenceSource, gather_evidence
from verifier.policy.model import PolicySet, TrustSet

NO_STORE = "referenced by tag and no store was given to resolve it (use --store or a digest)"


def admit_target(
    target: Target,
    policy_set: PolicySet,
    source: EvidenceSource | None,
    *,
    now: datetime,
    trust: TrustSet | None = None,
    resolver: StoreResolver | None = None,
) -> Decision:
    """Decide one target (``source`` None and no store: judged on no evidence at all)."""
    # With a local evidence directory a store is only asked to resolve tags.
    use_store = target.ref is not None and (source is None or target.artifact is None)
    if resolver is not None and use_store:
        try:
            target, store_source = resolver.resolve(target)
        except VerifierError as exc:
            if target.artifact is None:
                return _unresolved(target, policy_set, f"cannot resolve the tag: {exc}", now)
            evidence = Evidence(target.artifact.digest, target.name, errors=(str(exc),))
            return _evaluate(target, policy_set, evidence, now)
        source = source if source is not None else store_source
    if target.artifact is None:
        return _unresolved(target, policy_set, NO_STORE, now)
    trust = trust if trust is not None else policy_set.trust()
    if source is None:
        evidence = Evidence(target.artifact.digest, target.name)
    else:
        evidence = gather_evidence(
            source, target.artifact, trust, name=target.name, container=target.container
        )
    return _evaluate(target, policy_set, evidence, now)


def _unresolved(target: Target, policy_set: PolicySet, reason: str, now: datetime) -> Decision:
    return decide_unresolved(
        policy_set,
        target.name,
        reason,
        now=now,
        namespace=target.namespace,
        location=target.location,
    )


def _evaluate(target: Target, policy_set: PolicySet, evidence: Evidence, now: datetime) -> Decision:
    assert target.artifact is not None
    return evaluate(
        policy_set,
        target.artifact.digest,
        target.name,
        evidence,
        now=now,
        namespace=target.namespace,
        pinned=target.pinned,
        location=target.location,
    )


def admit_targets(
    targets: Sequence[Target],
    policy_set: PolicySet,
    source: EvidenceSource | None,
    *,
    now: datetime,
    resolver: StoreResolver | None = None,
    progress: Callable[[Decision], None] | None = None,
) -> list[Decision]:
    """Decide every target, in order (the trust set is built once)."""
    trust = policy_set.trust()
    decisions = []
    for target in targets:
        decision = admit_target(target, policy_set, source, now=now, trust=trust, resolver=resolver)
        decisions.append(decision)
        if progress is not None:
            progress(decision)
    return decisions
