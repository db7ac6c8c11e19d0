"""``require.signatures``: k of n trusted authorities signed the artifact, required ones too."""

from __future__ import annotations

from verifier.policy.requirements import SignaturesRule
from verifier.policy.rules.context import RuleContext


def check(rule: SignaturesRule, ctx: RuleContext) -> list[str]:
    """Count distinct authorities with a verified signature over the artifact."""
    trusted = ctx.trust_ids(rule.authorities)
    accepted: frozenset[str] = frozenset()
    for sig in ctx.evidence.signatures(trusted):
        accepted |= sig.trusted_by
    signed_by = ctx.authority_names(accepted, rule.authorities)
    problems: list[str] = []
    if len(signed_by) < rule.threshold:
        who = ", ".join(signed_by) if signed_by else "none"
        problems.append(
            f"{ctx.label}: signed by {len(signed_by)} of the required {rule.threshold} "
            f"trusted authorities (signed: {who}; trusted: {', '.join(rule.authorities)})"
            f"{ctx.refused_note()}"
        )
    for name in rule.required:
        if name not in signed_by:
            problems.append(f"{ctx.label}: not signed by required authority '{name}'")
    return problems
