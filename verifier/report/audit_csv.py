"""The audit report for spreadsheets: one CSV row per artifact, fixed columns.

Lists inside a cell are joined with ``; ``. Numbers are plain (``0.5``, ``7.3``); an empty
cell means the evidence was absent.
"""

from __future__ import annotations

import csv
import io

from verifier.audit.model import AuditEntry, AuditReport

COLUMNS = (
    "reference",
    "version",
    "digest",
    "status",
    "signed",
    "signers",
    "decision",
    "rebuild_verdict",
    "builds",
    "builders",
    "stabilizers",
    "sbom_components",
    "sbom_sha256_share",
    "licenses",
    "sbom_quality",
    "ntia_complete",
    "provenance_builders",
    "errors",
)


def row(entry: AuditEntry) -> list[str]:
    """The cells of one artifact, in :data:`COLUMNS` order."""
    rebuild, sbom = entry.rebuild, entry.sbom
    return [
        entry.reference,
        entry.version or "",
        entry.digest or "",
        entry.status,
        entry.signed,
        "; ".join(f"{s.signer} ({s.state.value})" for s in entry.signatures),
        entry.decision.outcome if entry.decision else "",
        rebuild.verdict if rebuild else "",
        str(rebuild.builds) if rebuild else "",
        "; ".join(rebuild.builders) if rebuild else "",
        "; ".join(rebuild.stabilizers) if rebuild else "",
        str(sbom.components) if sbom else "",
        "" if sbom is None or sbom.sha256_share is None else str(sbom.sha256_share),
        "; ".join(f"{name}={count}" for name, count in sbom.licenses) if sbom else "",
        str(sbom.quality.total) if sbom else "",
        ("yes" if sbom.quality.ntia_complete else "no") if sbom else "",
        "; ".join(sorted({p.builder_id for p in entry.provenance})),
        "; ".join(entry.errors),
    ]


class AuditCsvWriter:
    """CSV writer (RFC 4180 quoting, ``\\n`` line ends)."""

    def render(self, report: AuditReport) -> str:
        """A header row, then one row per artifact."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for entry in report.entries:
            writer.writerow(row(entry))
        return out.getvalue()
