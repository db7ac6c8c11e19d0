"""The gate: gather evidence, verify it, evaluate the policies, one Decision per target.

This is the library call behind `verifier admit` (and, for each image of an admission
request, `verifier serve`): :func:`admit_targets`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from verifier.admission.targets import Target
from verifier.policy.decision import Decision
from verifier.policy.engine import decide_unresolved, evaluate
from verifier.policy.evidence import Evidence, EvidenceSource, gather_evidence
from verifier.policy.model import PolicySet, TrustSet


def admit_target(
    target: Target,
    policy_set: PolicySet,
    source: EvidenceSource | None,
    *,
    now: datetime,
    trust: TrustSet | None = None,
) -> Decision:
    """Decide one target. Without a digest it is judged by :func:`decide_unresolved`."""
    if target.artifact is None:
        return decide_unresolved(
            policy_set,
            target.name,
            "referenced by tag and no store was given to resolve it (use --store or a digest)",
            now=now,
            namespace=target.namespace,
            location=target.location,
        )
    trust = trust if trust is not None else policy_set.trust()
    if source is None:
        evidence = Evidence(target.artifact.digest, target.name)
    else:
        evidence = gather_evidence(source, target.artifact, trust, name=target.name)
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
    progress: Callable[[Decision], None] | None = None,
) -> list[Decision]:
    """Decide every target, in order (the trust set is built once)."""
    trust = policy_set.trust()
    decisions = []
    for target in targets:
        decision = admit_target(target, policy_set, source, now=now, trust=trust)
        decisions.append(decision)
        if progress is not None:
            progress(decision)
    return decisions
