"""The audit report for people in a repository or job summary: GitHub-flavoured Markdown.

A summary table (one row per artifact), then a section per artifact (signatures, rebuild,
SBOM with its quality checks, provenance, the policy decision, errors), then the component
changes between consecutive releases.
"""

from __future__ import annotations

from verifier.audit.model import AuditEntry, AuditReport, ComponentDiffInfo


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def short(digest: str | None) -> str:
    """``sha256:`` and the first 12 hex digits."""
    return digest[:19] if digest else "-"


def _share(entry: AuditEntry) -> str:
    if entry.sbom is None or entry.sbom.sha256_share is None:
        return "-"
    return f"{entry.sbom.sha256_share * 100:.0f}%"


def _summary_row(entry: AuditEntry) -> str:
    rebuild, sbom = entry.rebuild, entry.sbom
    cells = [
        entry.reference,
        entry.version or "-",
        f"`{short(entry.digest)}`",
        f"**{entry.status}**",
        entry.signed,
        f"{rebuild.verdict} ({rebuild.builds} builds)" if rebuild else "none",
        str(sbom.components) if sbom else "none",
        _share(entry),
        f"{sbom.quality.total}/10" if sbom else "-",
        entry.decision.outcome if entry.decision else "-",
    ]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def _details(entry: AuditEntry) -> list[str]:
    lines = [f"### {entry.reference}", ""]
    lines.append(f"- digest: `{entry.digest or '-'}`")
    lines.append(f"- status: **{entry.status}**")
    if entry.signatures:
        for sig in entry.signatures:
            note = f" ({sig.detail})" if sig.detail else ""
            lines.append(f"- signature: {sig.signer}: {sig.state.value}{note}")
    else:
        lines.append("- signature: none found")
    if entry.rebuild:
        r = entry.rebuild
        lines.append(
            f"- rebuild ({r.state.value}): {r.result}, {r.verdict}, {r.builds} builds, "
            f"builders: {', '.join(r.builders) or '-'}, "
            f"stabilizers: {', '.join(r.stabilizers) or 'none'}"
        )
        for output in r.outputs:
            stab = f" after {', '.join(output.stabilizers)}" if output.stabilizers else ""
            lines.append(f"  - `{output.name}`: {output.verdict}{stab}")
    else:
        lines.append("- rebuild: no rebuild verification summary")
    if entry.sbom:
        s = entry.sbom
        share = _share(entry)
        lines.append(
            f"- SBOM ({s.state.value}): CycloneDX {s.spec_version}, {s.components} components, "
            f"{share} with SHA-256, quality {s.quality.total}/10, NTIA minimum elements "
            f"{'complete' if s.quality.ntia_complete else 'incomplete'}"
        )
        licenses = ", ".join(f"{name} ({count})" for name, count in s.licenses)
        lines.append(f"  - licenses: {licenses or 'no components'}")
        for category, score in s.quality.category_scores().items():
            shown = "n/a" if score is None else f"{score}/10"
            lines.append(f"  - {category}: {shown}")
        for check in s.quality.checks:
            if check.score is not None and check.score < 10.0:
                lines.append(f"    - {check.name}: {check.score}/10 ({check.detail})")
    else:
        lines.append("- SBOM: none")
    for prov in entry.provenance:
        lines.append(
            f"- provenance ({prov.state.value}): builder {prov.builder_id}, "
            f"build type {prov.build_type}, source {prov.source}"
        )
    if not entry.provenance:
        lines.append("- provenance: none")
    if entry.decision:
        lines.append(f"- policy: **{entry.decision.outcome}**")
        lines.extend(f"  - {reason}" for reason in entry.decision.reasons)
    lines.extend(f"- error: {error}" for error in entry.errors)
    lines.append("")
    return lines


def _diff(diff: ComponentDiffInfo) -> list[str]:
    lines = [f"### {diff.old} → {diff.new}", ""]
    if not (diff.added or diff.removed or diff.changed):
        lines.append(f"No component changed ({diff.unchanged} unchanged).")
    lines.extend(f"- added: {name}" for name in diff.added)
    lines.extend(f"- removed: {name}" for name in diff.removed)
    lines.extend(f"- changed: {name}" for name in diff.changed)
    if diff.added or diff.removed or diff.changed:
        lines.append(f"- unchanged: {diff.unchanged}")
    lines.append("")
    return lines


class AuditMarkdownWriter:
    """Markdown writer."""

    def render(self, report: AuditReport) -> str:
        """The whole report."""
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
        lines = [
            "# verifier audit",
            "",
            f"Generated {report.generated_at}; {len(report.entries)} artifacts: {counts}.",
            "",
            f"Policy: {report.policy or 'none (no decision)'}. "
            f"Trust: {', '.join(report.trust) if report.trust else 'none (evidence unverified)'}.",
            "",
            "| artifact | version | digest | status | signed | rebuild | components "
            "| SHA-256 | SBOM quality | policy |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        lines.extend(_summary_row(e) for e in report.entries)
        lines += ["", "## Artifacts", ""]
        for entry in report.entries:
            lines.extend(_details(entry))
        if report.diffs:
            lines += ["## Component changes between releases", ""]
            for diff in report.diffs:
                lines.extend(_diff(diff))
        return "\n".join(lines).rstrip("\n") + "\n"
