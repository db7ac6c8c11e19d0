"""SARIF 2.1.0 for code-scanning uploads: one result per violation, error and warning.

Manifest findings carry the file and line of the image; artifacts given as files carry
their path. Rule ids are ``<policy>/<rule>``. (Format: OASIS SARIF 2.1.0.)
"""

from __future__ import annotations

from typing import Any

from verifier import __version__
from verifier.attest.statement import canonical_json
from verifier.report.admission.interface import DecisionReport, findings_of

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "violation": "error", "warning": "warning"}


class SarifWriter:
    """A single run of the ``verifier`` tool."""

    def render(self, report: DecisionReport) -> str:
        """SARIF JSON text (sorted keys)."""
        rules: dict[str, dict[str, Any]] = {}
        results: list[dict[str, Any]] = []
        for decision in report.decisions:
            for kind, policy, rule, message in findings_of(decision):
                rule_id = f"{policy}/{rule}"
                rules.setdefault(
                    rule_id,
                    {
                        "id": rule_id,
                        "name": rule,
                        "shortDescription": {"text": f"policy {policy}: {rule}"},
                    },
                )
                result: dict[str, Any] = {
                    "ruleId": rule_id,
                    "level": _LEVEL[kind],
                    "kind": "fail",
                    "message": {"text": message},
                    "properties": {"outcome": decision.outcome.value, "finding": kind},
                }
                if decision.subject is not None:
                    result["partialFingerprints"] = {"subject": str(decision.subject)}
                if decision.location is not None:
                    physical: dict[str, Any] = {"artifactLocation": {"uri": decision.location.path}}
                    if decision.location.line is not None:
                        physical["region"] = {"startLine": decision.location.line}
                    result["locations"] = [{"physicalLocation": physical}]
                results.append(result)
        doc = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "verifier",
                            "version": __version__,
                            "rules": [rules[k] for k in sorted(rules)],
                        }
                    },
                    "results": results,
                    "properties": {"policySet": str(report.policy_set)},
                }
            ],
        }
        return canonical_json(doc).decode()
