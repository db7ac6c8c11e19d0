"""``require.vulnerabilities``: no unresolved finding at or above a severity.

The report must be a signed attestation about the artifact (an unsigned scan proves
nothing about these bytes). Predicate types read: ``https://cyclonedx.org/vex``,
``https://cyclonedx.org/bom`` (a VDR: an SBOM with ``vulnerabilities``) and cosign's
``https://cosign.sigstore.dev/attestation/vuln/v1`` whose ``scanner.result`` holds the raw
osv-scanner, trivy or grype JSON. VEX ``not_affected`` statements resolve findings with the
same id (for the same component, or for every component when the VEX names none).
"""

from __future__ import annotations

from verifier.policy.requirements import VulnerabilitiesRule
from verifier.policy.rules.context import RuleContext
from verifier.policy.rules.vulnerability_reports import VulnFinding, read_report

VULN_PREDICATES = (
    "https://cyclonedx.org/vex",
    "https://cyclonedx.org/bom",
    "https://cosign.sigstore.dev/attestation/vuln/v1",
)
_LIST_LIMIT = 10


def check(rule: VulnerabilitiesRule, ctx: RuleContext) -> list[str]:
    """Every unresolved finding at or above the threshold is a violation."""
    reports = ctx.evidence.attestations(VULN_PREDICATES, ctx.trust_ids(rule.authorities))
    findings: list[VulnFinding] = []
    read = 0
    for report in reports:
        got = read_report(report.predicate)
        if got is None:
            continue
        if report.predicate_type == "https://cyclonedx.org/bom" and (
            "vulnerabilities" not in report.predicate
        ):
            continue  # an SBOM without a vulnerabilities list is not a vulnerability report
        read += 1
        findings.extend(got)
    if not read:
        return [
            f"{ctx.label}: no vulnerability report signed by {', '.join(rule.authorities)}"
            f"{ctx.refused_note(VULN_PREDICATES)}"
        ]
    resolved = {(f.id, f.component) for f in findings if f.resolved}
    resolved_everywhere = {f.id for f in findings if f.resolved and f.component == "*"}
    open_findings = sorted(
        {
            f
            for f in findings
            if not f.resolved
            and f.rank >= rule.severity.rank
            and f.id not in rule.ignore
            and f.id not in resolved_everywhere
            and (f.id, f.component) not in resolved
        },
        key=lambda f: (-f.rank, f.id, f.component),
    )
    problems = [
        f"{ctx.label}: {f.id} ({f.severity}) in {f.component} is unresolved"
        for f in open_findings[:_LIST_LIMIT]
    ]
    if len(open_findings) > _LIST_LIMIT:
        problems.append(
            f"{ctx.label}: {len(open_findings) - _LIST_LIMIT} more unresolved findings at or "
            f"above {rule.severity.value}"
        )
    return problems
