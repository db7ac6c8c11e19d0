"""The ``verifier pins`` report for machines: JSON with stable keys and sorted findings.

``{"reportVersion": 1, "command": "pins", "root", "filesScanned", "unpinned", "counts":
{KIND: N}, "findings": [{"path", "line", "kind", "reference", "hint"}]}``; paths are relative
to ``root``.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from verifier.pins.scan import PinsReport
from verifier.report.paths import display_path

REPORT_VERSION = 1


def pins_json(report: PinsReport) -> dict[str, Any]:
    """The report as a JSON value."""
    counts = Counter(f.kind.value for f in report.findings)
    return {
        "reportVersion": REPORT_VERSION,
        "command": "pins",
        "root": display_path(report.root),
        "filesScanned": report.files_scanned,
        "unpinned": len(report.findings),
        "counts": dict(sorted(counts.items())),
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "kind": f.kind.value,
                "reference": f.reference,
                "hint": f.hint,
            }
            for f in report.findings
        ],
    }


class PinsJsonWriter:
    """Indented JSON, keys sorted."""

    def render(self, report: PinsReport) -> str:
        """The JSON report."""
        return json.dumps(pins_json(report), indent=2, sort_keys=True) + "\n"
