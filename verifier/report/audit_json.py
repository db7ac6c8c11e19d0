"""The audit report for machines: JSON, sorted keys, two-space indent.

``{"reportVersion": 1, "command": "audit", "generatedAt", "trust": [...], "policy",
"counts": {STATUS: N}, "entries": [...], "diffs": [...]}``; each entry as
:meth:`~verifier.audit.model.AuditEntry.to_dict` writes it.
"""

from __future__ import annotations

import json

from verifier.audit.model import AuditReport


class AuditJsonWriter:
    """JSON writer."""

    def render(self, report: AuditReport) -> str:
        """The report as canonical JSON text."""
        return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
