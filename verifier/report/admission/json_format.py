"""JSON: every decision as :meth:`Decision.to_dict`, sorted keys, stable."""

from __future__ import annotations

from verifier.attest.statement import canonical_json
from verifier.policy.decision import Outcome
from verifier.report.admission.interface import DecisionReport

REPORT_VERSION = 1


class JsonWriter:
    """``{"reportVersion", "command": "admit", "policySet", "summary", "decisions"}``."""

    def render(self, report: DecisionReport) -> str:
        """Canonical JSON text."""
        doc = {
            "reportVersion": REPORT_VERSION,
            "command": "admit",
            "policySet": str(report.policy_set),
            "policySource": report.policy_source,
            "exitCode": report.exit_code,
            "summary": {o.value: report.count(o) for o in Outcome},
            "decisions": [d.to_dict() for d in report.decisions],
        }
        return canonical_json(doc).decode()
