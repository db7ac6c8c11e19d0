"""The evaluation engine: a policy set and verified evidence in, a Decision out.

* Policies apply when their ``match`` covers the artifact; when none does, the artifact is
  denied (rule ``match``): a gate that nothing guards is not a pass.
* Each applicable policy runs every rule it has. In ``enforce`` mode a violation denies; in
  ``warn`` mode it is a warning.
* Fail closed: evidence that could not be gathered or verified (and a rule that could not
  run) makes the decision ``undecided`` (exit 3) under an enforcing policy, and a warning
  under a warning one.

The engine is pure: time comes in as ``now``, evidence comes in already verified.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from verifier.digest import Digest
from verifier.policy.decision import AppliedPolicy, Decision, Finding, Location, Outcome
from verifier.policy.evidence import Evidence
from verifier.policy.model import Mode, Policy, PolicySet
from verifier.policy.rules import (
    conditions,
    digest_pinned,
    provenance,
    reproducible,
    sbom,
    signatures,
    vulnerabilities,
)
from verifier.policy.rules.context import RuleContext


def _rule_checks(policy: Policy) -> list[tuple[str, Callable[[RuleContext], list[str]]]]:
    req = policy.require
    checks: list[tuple[str, Callable[[RuleContext], list[str]]]] = []
    if req.digest_pinned:
        checks.append(("digestPinned", lambda ctx: digest_pinned.check(True, ctx)))
    if (s := req.signatures) is not None:
        checks.append(("signatures", lambda ctx: signatures.check(s, ctx)))
    if (r := req.reproducible) is not None:
        checks.append(("reproducible", lambda ctx: reproducible.check(r, ctx)))
    if (b := req.sbom) is not None:
        checks.append(("sbom", lambda ctx: sbom.check(b, ctx)))
    if (p := req.provenance) is not None:
        checks.append(("provenance", lambda ctx: provenance.check(p, ctx)))
    if (v := req.vulnerabilities) is not None:
        checks.append(("vulnerabilities", lambda ctx: vulnerabilities.check(v, ctx)))
    return checks


def _evaluate_policy(policy: Policy, ctx: RuleContext) -> tuple[list[Finding], list[Finding]]:
    """(violations, errors) of one policy."""
    violations: list[Finding] = []
    errors = [Finding(policy.name, "evidence", message) for message in ctx.evidence.errors]
    for rule, run in _rule_checks(policy):
        try:
            messages = run(ctx)
        except Exception as exc:  # a rule that cannot run must never let the artifact pass
            errors.append(
                Finding(policy.name, rule, f"{ctx.label}: rule could not be evaluated: {exc!r}")
            )
            continue
        violations.extend(Finding(policy.name, rule, m) for m in messages)
    for name, message in conditions.check(policy.conditions, ctx):
        violations.append(Finding(policy.name, f"conditions/{name}", message))
    return violations, errors


def evaluate(
    policy_set: PolicySet,
    subject: Digest,
    name: str,
    evidence: Evidence,
    *,
    now: datetime,
    namespace: str | None = None,
    pinned: bool = True,
    location: Location | None = None,
) -> Decision:
    """Decide one artifact: ``pinned`` is False when it was named by a tag."""
    if evidence.subject != subject:
        raise ValueError(f"evidence is for {evidence.subject}, not {subject}")
    label = f"{name} ({subject.short})"
    applicable = policy_set.matching(name, namespace)
    violations: list[Finding] = []
    warnings: list[Finding] = []
    errors: list[Finding] = []
    if not applicable:
        violations.append(Finding("-", "match", f"{label}: no policy applies to this artifact"))
    for policy in applicable:
        ctx = RuleContext(policy, evidence, label, now, pinned, namespace)
        found, failed = _evaluate_policy(policy, ctx)
        if policy.mode is Mode.ENFORCE:
            violations.extend(found)
            errors.extend(failed)
        else:
            warnings.extend(found)
            warnings.extend(failed)
    outcome = Outcome.ALLOWED
    if errors:
        outcome = Outcome.UNDECIDED
    elif violations:
        outcome = Outcome.DENIED
    return Decision(
        name=name,
        subject=subject,
        outcome=outcome,
        violations=tuple(violations),
        warnings=tuple(warnings),
        errors=tuple(errors),
        evidence=evidence.digests,
        policies=tuple(AppliedPolicy(p.name, p.digest, p.mode.value) for p in applicable),
        policy_set=policy_set.digest,
        decided_at=now,
        namespace=namespace,
        location=location,
    )


def decide_unresolved(
    policy_set: PolicySet,
    name: str,
    reason: str,
    *,
    now: datetime,
    namespace: str | None = None,
    location: Location | None = None,
) -> Decision:
    """An artifact whose digest could not be found (a tag with no store to resolve it).

    Policies that require digest pinning deny it outright; otherwise it cannot be decided.
    """
    applicable = policy_set.matching(name, namespace)
    violations: list[Finding] = []
    warnings: list[Finding] = []
    errors: list[Finding] = []
    if not applicable:
        violations.append(Finding("-", "match", f"{name}: no policy applies to this artifact"))
    for policy in applicable:
        if policy.require.digest_pinned:
            finding = Finding(
                policy.name, "digestPinned", f"{name}: referenced by tag, not by digest"
            )
        else:
            finding = Finding(policy.name, "evidence", f"{name}: {reason}")
        enforce = policy.mode is Mode.ENFORCE
        if finding.rule == "evidence":
            (errors if enforce else warnings).append(finding)
        else:
            (violations if enforce else warnings).append(finding)
    outcome = Outcome.ALLOWED
    if violations:
        outcome = Outcome.DENIED
    elif errors:
        outcome = Outcome.UNDECIDED
    return Decision(
        name=name,
        subject=None,
        outcome=outcome,
        violations=tuple(violations),
        warnings=tuple(warnings),
        errors=tuple(errors),
        evidence=(),
        policies=tuple(AppliedPolicy(p.name, p.digest, p.mode.value) for p in applicable),
        policy_set=policy_set.digest,
        decided_at=now,
        namespace=namespace,
        location=location,
    )
