"""``require.reproducible``: a signed rebuild verdict, by enough independent builders.

The verdict is the SLSA VSA ``verifier rebuild`` writes (docs/rebuild.md): its
``predicate.rebuild`` extension names the ``builder`` and gives every output's ``verdict``
and ``digests``; an ``EQUIVALENT`` output lists the ``stabilizers`` it needed. Builders are
counted by distinct builder id across the acceptable VSAs and the trusted SLSA provenance
statements that name the artifact's digest (each such builder produced these exact bytes).
"""

from __future__ import annotations

from typing import Any

from verifier.attest.uris import PROVENANCE_V1, VSA_V1
from verifier.policy.evidence import VerifiedEvidence
from verifier.policy.requirements import ReproducibleRule
from verifier.policy.rules.context import RuleContext, parse_time, too_old


def _output_for(predicate: dict[str, Any], subject: str) -> dict[str, Any] | None:
    rebuild = predicate.get("rebuild")
    if not isinstance(rebuild, dict) or not isinstance(rebuild.get("outputs"), list):
        return None
    for output in rebuild["outputs"]:
        if isinstance(output, dict) and subject in (output.get("digests") or []):
            return output
    return None


def _stabilizers(value: object) -> list[str]:
    """Stabilizer names from a verdict: ``{"name@version": [members]}`` (what rebuild writes)."""
    if isinstance(value, dict):
        value = list(value)
    if not isinstance(value, list):
        return []
    return [s for s in value if isinstance(s, str) and s]


def _allowed(used: str, allowed: tuple[str, ...]) -> bool:
    """A policy entry without ``@version`` allows every version of that stabilizer."""
    name = used.split("@", 1)[0]
    return used in allowed or name in allowed


def _judge(
    vsa: VerifiedEvidence, rule: ReproducibleRule, ctx: RuleContext
) -> tuple[str | None, str | None]:
    """(builder id, None) when acceptable, else (None, why not)."""
    predicate = vsa.predicate
    where = vsa.source
    output = _output_for(predicate, str(ctx.evidence.subject))
    if output is None:
        return None, f"{where} has no rebuild verdict for this digest"
    verdict = output.get("verdict")
    if verdict not in rule.verdicts:
        allowed = " or ".join(rule.verdicts)
        return None, f"{where} says {verdict}, the policy allows only {allowed}"
    if verdict == "EQUIVALENT":
        used = _stabilizers(output.get("stabilizers"))
        if not used:
            return None, f"{where} says EQUIVALENT without naming its stabilizers"
        denied = sorted(s for s in used if not _allowed(s, rule.stabilizers))
        if denied:
            return None, (
                f"{where} says EQUIVALENT after stabilizer {', '.join(denied)}, "
                "which the policy does not allow"
            )
    age = too_old(parse_time(predicate.get("timeVerified")), rule.max_age, ctx.now)
    if age:
        return None, f"{where} {age}"
    builder = predicate["rebuild"].get("builder")
    if not isinstance(builder, str) or not builder:
        return None, f"{where} names no builder"
    return builder, None


def _provenance_builder(statement: VerifiedEvidence) -> str | None:
    run = statement.predicate.get("runDetails")
    if isinstance(run, dict) and isinstance(run.get("builder"), dict):
        builder = run["builder"].get("id")
        return builder if isinstance(builder, str) and builder else None
    return None


def check(rule: ReproducibleRule, ctx: RuleContext) -> list[str]:
    """At least one acceptable VSA, and ``min_builders`` distinct builders."""
    trusted = ctx.trust_ids(rule.authorities)
    builders: set[str] = set()
    reasons: list[str] = []
    for vsa in ctx.evidence.attestations((VSA_V1,), trusted):
        builder, why = _judge(vsa, rule, ctx)
        if builder is not None:
            builders.add(builder)
        elif why is not None:
            reasons.append(why)
    if not builders:
        because = f": {'; '.join(reasons)}" if reasons else ctx.refused_note((VSA_V1,))
        return [
            f"{ctx.label}: no acceptable signed rebuild verdict from "
            f"{', '.join(rule.authorities)}{because}"
        ]
    for statement in ctx.evidence.attestations((PROVENANCE_V1,), trusted):
        builder = _provenance_builder(statement)
        if builder is not None:
            builders.add(builder)
    if len(builders) < rule.min_builders:
        return [
            f"{ctx.label}: reproduced by {len(builders)} independent builder(s) "
            f"({', '.join(sorted(builders))}), {rule.min_builders} required"
        ]
    return []
