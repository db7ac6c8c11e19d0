"""`verifier admit`: exit codes, stdout/stderr split, and a golden file per report format."""

from __future__ import annotations

import json

import pytest

from tests.admission.conftest import Scenario, check_golden

ARTIFACTS = ("app.tar.gz", "lib.tar.gz", "broken.tar.gz")


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [
        ("text", "admit.txt"),
        ("json", "admit.json"),
        ("sarif", "admit.sarif"),
        ("junit", "admit.junit.xml"),
        ("markdown", "admit.md"),
    ],
)
def test_report_formats(scenario: Scenario, fmt: str, golden: str) -> None:
    code, out, err = scenario.admit(
        *ARTIFACTS, "--policy", "policies", "--evidence", "evidence", "--format", fmt
    )
    assert code == 3  # broken.tar.gz could not be decided; that outranks the denial
    if fmt == "text":
        assert out == ""  # people's text goes to stderr; stdout is for machines
        check_golden(golden, err)
    else:
        check_golden(golden, out)
        check_golden("admit.txt", err)


def test_allowed_exits_zero_with_warnings(scenario: Scenario) -> None:
    code, out, err = scenario.admit(
        "app.tar.gz", "--policy", "policies", "--evidence", "evidence", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    decision = report["decisions"][0]
    assert decision["outcome"] == "allowed"
    assert [w["message"] for w in decision["warnings"]] == [
        f"app.tar.gz ({decision['subject'][:19]}): 1 SBOM component(s) without a sha256 "
        "hash: pkg:npm/left-pad@1.3.0"
    ]
    assert "1 allowed, 0 denied, 0 undecided" in err


def test_denied_exits_one(scenario: Scenario) -> None:
    code, out, _ = scenario.admit(
        "lib.tar.gz", "--policy", "policies", "--evidence", "evidence", "--json"
    )
    assert code == 1
    assert json.loads(out)["decisions"][0]["outcome"] == "denied"


def test_undecided_exits_three(scenario: Scenario) -> None:
    code, out, _ = scenario.admit(
        "broken.tar.gz", "--policy", "policies", "--evidence", "evidence", "--json"
    )
    assert code == 3
    errors = json.loads(out)["decisions"][0]["errors"]
    assert errors == [
        {
            "message": "evidence/broken.tar.gz.sigstore.json: unknown bundle media type 'nope'",
            "policy": "gate",
            "rule": "evidence",
        }
    ]


def test_bad_input_exits_two_with_one_line(scenario: Scenario) -> None:
    (scenario.root / "policies" / "gate.yaml").write_text("apiVersion: verifier/v1\nkind: [\n")
    code, out, err = scenario.admit("app.tar.gz", "--policy", "policies")
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "error: policies/gate.yaml:3:1: invalid YAML: "
        "expected the node content, but found '<stream end>'"
    )


@pytest.mark.parametrize("name", ["nope/missing.tar.gz", "./dist/app.tar.gz", "app.whl"])
def test_missing_file_exits_two(scenario: Scenario, name: str) -> None:
    code, _, err = scenario.admit(name, "--policy", "policies")
    assert code == 2
    assert err.strip() == (
        f"error: {name}: no such file (an image reference needs ':tag' or '@sha256:<hex>')"
    )


def test_nothing_to_decide_exits_two(scenario: Scenario) -> None:
    code, _, err = scenario.admit("--policy", "policies")
    assert code == 2
    assert "nothing to decide" in err


def test_no_matching_policy_is_denied(scenario: Scenario) -> None:
    policy = scenario.root / "only-ghcr.yaml"
    policy.write_text(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: ghcr}\nspec:\n"
        "  match: {names: ['ghcr.io/*']}\n  require: {digestPinned: true}\n"
    )
    code, out, _ = scenario.admit("app.tar.gz", "--policy", "only-ghcr.yaml", "--json")
    assert code == 1
    violation = json.loads(out)["decisions"][0]["violations"][0]
    assert violation["rule"] == "match"
    assert violation["message"].endswith("no policy applies to this artifact")


def test_golden_junit_and_sarif_are_well_formed() -> None:
    import xml.etree.ElementTree as ET

    from tests.admission.conftest import GOLDEN

    suite = ET.parse(GOLDEN / "admit.junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert [c.get("name", "")[:10] for c in suite.iter("testcase")] == [
        "app.tar.gz",
        "lib.tar.gz",
        "broken.tar",
    ]
    assert suite.get("failures") == "1" and suite.get("errors") == "1"
    sarif = json.loads((GOLDEN / "admit.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} == rule_ids
    assert all(r["level"] in ("error", "warning") for r in run["results"])


def test_a_deeply_nested_bundle_in_the_evidence_is_undecided_not_a_crash(
    scenario: Scenario,
) -> None:
    # json.loads raises RecursionError, not ValueError, on deep nesting.
    deep = scenario.root / "evidence" / "app.tar.gz.deep.sigstore.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    code, _, err = scenario.admit("app.tar.gz", "--policy", "policies", "--evidence", "evidence")
    assert code == 3
    assert "internal error" not in err
    assert "app.tar.gz.deep.sigstore.json: not valid JSON: maximum recursion depth" in err
