"""The pins report formats: golden files for text, JSON and SARIF, and SARIF validity.

Golden files are regenerated with VERIFIER_REGEN_GOLDEN=1. The SARIF check uses a schema we
wrote from the SARIF 2.1.0 standard's stated requirements (tests/pins/sarif_minimal.schema.json)
plus the cross-references a schema cannot express; nothing is fetched from the network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import REPO
from tests.pins.conftest import PINNED, UNPINNED
from verifier.pins.finding import FindingKind
from verifier.pins.scan import PinsReport, scan_path
from verifier.report.pins_format import PinsFormat

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads((Path(__file__).parent / "sarif_minimal.schema.json").read_text())


@pytest.fixture
def unpinned(monkeypatch: pytest.MonkeyPatch) -> PinsReport:
    monkeypatch.chdir(REPO)
    return scan_path(Path("fixtures/pins/unpinned"))


def _check(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        golden.write_text(actual)
    assert actual == golden.read_text(), f"{golden} differs (VERIFIER_REGEN_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        (PinsFormat.TEXT, "pins.txt"),
        (PinsFormat.JSON, "pins.json"),
        (PinsFormat.SARIF, "pins.sarif"),
    ],
)
def test_golden(unpinned: PinsReport, fmt: PinsFormat, name: str) -> None:
    _check(name, fmt.writer().render(unpinned))


def test_json_matches_findings(unpinned: PinsReport) -> None:
    report = json.loads(PinsFormat.JSON.writer().render(unpinned))
    assert report["root"] == "fixtures/pins/unpinned"
    assert report["unpinned"] == len(unpinned.findings) == sum(report["counts"].values())
    assert [(f["path"], f["line"], f["kind"]) for f in report["findings"]] == [
        (f.path, f.line, f.kind.value) for f in unpinned.findings
    ]


def _validate_sarif(log: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(
        SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/"), "uris are relative to %SRCROOT%"


def test_sarif_is_valid(unpinned: PinsReport) -> None:
    log = json.loads(PinsFormat.SARIF.writer().render(unpinned))
    _validate_sarif(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f"pins/{k.value}" for k in FindingKind]
    assert all(r["help"]["text"].startswith("Fix: ") for r in rules)
    lines = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }
    assert (".github/workflows/ci.yml", 17) in lines


def test_sarif_of_a_clean_scan_is_valid_with_no_results() -> None:
    log = json.loads(PinsFormat.SARIF.writer().render(scan_path(PINNED)))
    _validate_sarif(log)
    assert log["runs"][0]["results"] == []


def test_the_schema_check_can_fail(unpinned: PinsReport) -> None:
    log = json.loads(PinsFormat.SARIF.writer().render(unpinned))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(AssertionError, match="startLine"):
        _validate_sarif(log)
    log = json.loads(PinsFormat.SARIF.writer().render(unpinned))
    log["runs"][0]["results"][0]["ruleIndex"] = 0
    with pytest.raises(AssertionError):
        _validate_sarif(log)


def test_paths_with_spaces_are_uri_encoded(tmp_path: Path) -> None:
    (tmp_path / "my app").mkdir()
    (tmp_path / "my app" / "Dockerfile").write_text("FROM python:3\n")
    log = json.loads(PinsFormat.SARIF.writer().render(scan_path(tmp_path)))
    _validate_sarif(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20app/Dockerfile"


def test_text_report_is_what_cli_prints() -> None:
    text = PinsFormat.TEXT.writer().render(scan_path(UNPINNED))
    assert text.endswith("56 unpinned input(s) in 21 file(s) (23 file(s) scanned)\n")


def test_docs_list_every_kind_in_rule_order() -> None:
    docs = (REPO / "docs" / "pins.md").read_text()
    rows = [line.split("`")[1] for line in docs.splitlines() if line.startswith("| `")]
    kinds = [kind for kind in rows if kind in {k.value for k in FindingKind}]
    assert kinds == [k.value for k in FindingKind]
