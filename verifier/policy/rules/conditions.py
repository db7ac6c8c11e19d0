"""``conditions``: custom CEL expressions over the evidence, each with its own message.

The variables an expression sees:

* ``subject``: ``name``, ``digest`` (``sha256:...``), ``namespace`` (empty string outside
  Kubernetes);
* ``evidence.signatures``: ``[{signer, authorities, source}]`` (authorities of this policy);
* ``evidence.attestations``: ``[{predicateType, signer, authorities, source, predicate}]``;
* ``evidence.sbom``: the newest trusted-by-anyone CycloneDX document, or ``{}``;
* ``evidence.provenance``: ``[{builder, repositories, refs}]``;
* ``evidence.refused``: ``[{source, reason}]``.
"""

from __future__ import annotations

from typing import Any

from verifier.policy.cel import CompiledCondition, ConditionError, to_cel
from verifier.policy.rules.context import RuleContext
from verifier.policy.rules.provenance import PROVENANCE_PREDICATES, provenance_facts
from verifier.policy.rules.sbom import SBOM_PREDICATES, sbom_document


def activation(ctx: RuleContext) -> dict[str, Any]:
    """The CEL variables for one artifact under one policy (plain JSON data)."""
    names = tuple(ctx.policy.authorities)
    attestations: list[dict[str, Any]] = []
    signatures: list[dict[str, Any]] = []
    for item in ctx.evidence.verified:
        authorities = ctx.authority_names(item.trusted_by, names)
        if not authorities:
            continue
        if item.is_signature:
            signatures.append(
                {"signer": item.signer, "authorities": authorities, "source": item.source}
            )
        if item.statement is not None:
            attestations.append(
                {
                    "predicateType": item.statement.predicate_type,
                    "signer": item.signer,
                    "authorities": authorities,
                    "source": item.source,
                    "predicate": item.predicate,
                }
            )
    sboms = [
        sbom_document(a["predicate"])
        for a in attestations
        if str(a["predicateType"]).startswith(SBOM_PREDICATES)
    ]
    sboms.sort(key=lambda d: str((d.get("metadata") or {}).get("timestamp", "")), reverse=True)
    provenance = []
    for a in attestations:
        if str(a["predicateType"]).startswith(PROVENANCE_PREDICATES):
            facts = provenance_facts(a["predicate"])
            provenance.append(
                {
                    "builder": facts.builder,
                    "repositories": list(facts.repositories),
                    "refs": list(facts.refs),
                }
            )
    return {
        "subject": {
            "name": ctx.evidence.name,
            "digest": str(ctx.evidence.subject),
            "namespace": ctx.namespace or "",
        },
        "evidence": {
            "signatures": signatures,
            "attestations": attestations,
            "sbom": sboms[0] if sboms else {},
            "provenance": provenance,
            "refused": [{"source": r.source, "reason": r.reason} for r in ctx.evidence.refused],
        },
    }


def check(conditions: tuple[CompiledCondition, ...], ctx: RuleContext) -> list[tuple[str, str]]:
    """(condition name, message) for every condition that is false or errors."""
    if not conditions:
        return []
    variables = to_cel(activation(ctx))
    problems = []
    for condition in conditions:
        try:
            holds = condition.holds(variables)
        except ConditionError as exc:
            problems.append(
                (
                    condition.name,
                    f"{ctx.label}: condition '{condition.name}' could not be evaluated: {exc}",
                )
            )
            continue
        if not holds:
            problems.append((condition.name, f"{ctx.label}: {condition.message}"))
    return problems
