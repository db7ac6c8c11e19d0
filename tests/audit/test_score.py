"""The SBOM quality score on hand-written CycloneDX documents: every check, exact values."""

from __future__ import annotations

from typing import Any

import pytest

from verifier.audit.facts import sbom_info
from verifier.audit.model import EvidenceState, QualityCheck
from verifier.audit.score import score_sbom
from verifier.errors import InputError

FULL: dict[str, Any] = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "metadata": {
        "timestamp": "2025-01-01T00:00:00Z",
        "tools": {"components": [{"type": "application", "name": "verifier"}]},
        "licenses": [{"license": {"id": "CC0-1.0"}}],
        "component": {
            "type": "application",
            "name": "app",
            "version": "1.0",
            "bom-ref": "app",
            "purl": "pkg:generic/app@1.0",
            "cpe": "cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*",
            "supplier": {"name": "acme"},
            "hashes": [{"alg": "SHA-256", "content": "a" * 64}],
            "licenses": [{"license": {"id": "MIT"}}],
        },
    },
    "components": [
        {
            "type": "library",
            "name": "lib",
            "version": "2.0",
            "bom-ref": "lib",
            "purl": "pkg:pypi/lib@2.0",
            "cpe": "cpe:2.3:a:lib:lib:2.0:*:*:*:*:*:*:*",
            "supplier": {"name": "lib org"},
            "hashes": [{"alg": "SHA-256", "content": "b" * 64}],
            "licenses": [{"expression": "Apache-2.0 OR MIT"}],
        }
    ],
    "dependencies": [{"ref": "app", "dependsOn": ["lib"]}, {"ref": "lib"}],
}


def _scores(document: dict[str, Any]) -> dict[str, float | None]:
    return {c.name: c.score for c in score_sbom(document).checks}


def test_a_complete_document_scores_ten_everywhere() -> None:
    score = score_sbom(FULL)
    assert {c.name: c.score for c in score.checks if c.score != 10.0} == {}
    assert score.total == 10.0 and score.ntia_complete
    assert list(score.category_scores()) == [
        "Structural",
        "NTIA-minimum-elements",
        "Semantic",
        "Quality",
        "Sharing",
    ]


def test_each_gap_lowers_its_own_check() -> None:
    doc: dict[str, Any] = {
        **FULL,
        "specVersion": "1.2",
        "metadata": {"component": FULL["metadata"]["component"]},
        "components": [
            {"type": "library", "name": "bare", "licenses": [{"license": {"name": "Custom"}}]}
        ],
        "dependencies": [],
    }
    scores = _scores(doc)
    assert scores["specification version"] == 0.0
    assert scores["timestamp"] == scores["author"] == 0.0
    assert scores["unencumbered data license"] == 0.0
    assert scores["supplier names"] == 5.0  # 1 of 2 components
    assert scores["component versions"] == scores["unique identifiers"] == 5.0
    assert scores["component checksums"] == 5.0
    assert scores["dependency relationships"] == 0.0
    assert scores["valid SPDX licenses"] == 5.0  # MIT yes, "Custom" no
    assert scores["component names"] == 10.0
    assert not score_sbom(doc).ntia_complete


def test_a_document_the_schema_refuses_scores_zero_on_schema() -> None:
    lib = {**FULL["components"][0], "licenses": [{"license": {"id": 5}}], "hashes": "zz"}
    doc: dict[str, Any] = {**FULL, "components": [lib]}
    (check,) = [c for c in score_sbom(doc).checks if c.name == "schema"]
    assert check.score == 0.0
    assert check.detail.startswith("2 schema violations, first: $.components[0].hashes")
    unknown = {**FULL, "specVersion": "9.9"}
    (check,) = [c for c in score_sbom(unknown).checks if c.name == "schema"]
    assert check.score == 0.0 and "specVersion '9.9' is not one we validate" in check.detail


def test_checks_over_no_components_do_not_apply() -> None:
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {}}
    score = score_sbom(doc)
    assert _scores(doc)["component names"] is None
    assert _scores(doc)["valid SPDX licenses"] is None
    applicable = [c.score for c in score.checks if c.score is not None]
    assert score.total == round(sum(applicable) / len(applicable), 1)


def test_sbom_facts_count_licenses_and_hashes() -> None:
    info = sbom_info(FULL, EvidenceState.VERIFIED)
    assert (info.components, info.with_sha256, info.sha256_share) == (2, 2, 1.0)
    assert info.licenses == (("Apache-2.0 OR MIT", 1), ("MIT", 1))
    assert info.spec_version == "1.6"


def test_a_score_out_of_range_is_refused() -> None:
    with pytest.raises(InputError, match=r"not in 0\.\.10"):
        QualityCheck("Structural", "x", 11.0, "")
