"""The ``verifier pins`` report as SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).

Shape (OASIS SARIF v2.1.0, sections 3.13 sarifLog, 3.14 run, 3.19 toolComponent, 3.49
reportingDescriptor, 3.27 result, 3.28 location, 3.30 region): one run whose driver lists one
rule per finding kind (all of them, so ``ruleIndex`` is stable); each result names its rule,
says what and how to fix in ``message.text``, and points at ``PATH`` relative to
``%SRCROOT%`` (the scanned root) with ``region.startLine``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from verifier import __version__
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.scan import PinsReport

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_KINDS = tuple(FindingKind)


def rule_id(kind: FindingKind) -> str:
    """``pins/KIND``."""
    return f"pins/{kind.value}"


def _rule(kind: FindingKind) -> dict[str, Any]:
    name = "".join(part.capitalize() for part in kind.value.split("-")) + "Unpinned"
    return {
        "id": rule_id(kind),
        "name": name,
        "shortDescription": {"text": kind.description},
        "fullDescription": {
            "text": f"{kind.description}. An input that is not pinned by digest can change "
            "between builds without any change in this repository."
        },
        "help": {"text": f"Fix: {kind.hint}.", "markdown": f"**Fix:** {kind.hint}."},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "supply-chain"]},
    }


def _result(finding: Finding) -> dict[str, Any]:
    identity = f"{finding.path}\0{finding.kind.value}\0{finding.reference}".encode()
    return {
        "ruleId": rule_id(finding.kind),
        "ruleIndex": _KINDS.index(finding.kind),
        "level": "error",
        "message": {
            "text": f"{finding.kind.description}: {finding.reference}. Fix: {finding.hint}."
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.path), "uriBaseId": SRCROOT},
                    "region": {"startLine": finding.line},
                }
            }
        ],
        "partialFingerprints": {"pinsFinding/v1": hashlib.sha256(identity).hexdigest()},
    }


def pins_sarif(report: PinsReport) -> dict[str, Any]:
    """The SARIF log as a JSON value."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "verifier",
                        "version": __version__,
                        "rules": [_rule(kind) for kind in _KINDS],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f) for f in report.findings],
            }
        ],
    }


class PinsSarifWriter:
    """SARIF 2.1.0 JSON, keys sorted."""

    def render(self, report: PinsReport) -> str:
        """The SARIF log."""
        return json.dumps(pins_sarif(report), indent=2, sort_keys=True) + "\n"
