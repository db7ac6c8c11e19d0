"""`verifier policy lint` and `verifier policy test`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.admission.conftest import Scenario
from verifier.cli import app

SUITE = """\
policy: policies
now: "2026-11-10T00:00:00Z"
cases:
  - name: the signed release passes
    artifact: app.tar.gz
    evidence: evidence
    expect: allowed
    warnings:
      - "app.tar.gz ({app}): 1 SBOM component(s) without a sha256 hash: pkg:npm/left-pad@1.3.0"
  - name: a foreign signature is refused
    artifact: lib.tar.gz
    evidence: evidence
    expect: denied
  - name: tags are not judged without a store
    reference: registry.example/app:1.0
    expect: undecided
"""


def run_policy(scenario: Scenario, *args: str) -> tuple[int, str, str]:
    cwd = Path.cwd()
    os.chdir(scenario.root)
    try:
        result = CliRunner().invoke(app, ["policy", *args])
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout, result.stderr


def _app_digest(scenario: Scenario) -> str:
    _, out, _ = scenario.admit("app.tar.gz", "--policy", "policies", "--json")
    return str(json.loads(out)["decisions"][0]["subject"])[:19]


def test_lint_ok_and_json(scenario: Scenario) -> None:
    code, out, err = run_policy(scenario, "lint", "policies", "--json")
    assert code == 0
    assert [p["name"] for p in json.loads(out)["policies"]] == ["advice", "gate"]
    assert "ok: policies/gate.yaml: policy gate (enforce, sha256:" in err


def test_lint_bad_file_names_line(scenario: Scenario) -> None:
    (scenario.root / "policies" / "gate.yaml").write_text(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: gate}\nspec:\n  mood: warn\n"
    )
    code, out, err = run_policy(scenario, "lint", "policies/gate.yaml")
    assert code == 2
    assert out == ""
    assert err.strip() == "error: policies/gate.yaml:5:3: spec.mood: unknown field 'mood'"


def test_policy_test_suite_passes(scenario: Scenario) -> None:
    suite = scenario.root / "release.test.yaml"
    suite.write_text(SUITE.replace("{app}", _app_digest(scenario)))
    code, out, err = run_policy(scenario, "test", ".", "--json")
    assert code == 0, err
    assert json.loads(out)["passed"] == 3
    assert "3 passed, 0 failed" in err


def test_policy_test_reports_a_wrong_expectation(scenario: Scenario) -> None:
    wrong = SUITE.replace("{app}", _app_digest(scenario)).replace(
        "expect: denied", "expect: allowed"
    )
    (scenario.root / "release.test.yaml").write_text(wrong)
    code, _, err = run_policy(scenario, "test", "release.test.yaml")
    assert code == 1
    assert "FAIL release.test.yaml: a foreign signature is refused" in err
    assert "expected allowed, got denied" in err
    assert "2 passed, 1 failed" in err


def test_policy_test_bad_suite_is_bad_input(scenario: Scenario) -> None:
    (scenario.root / "x.test.yaml").write_text("policy: policies\nnow: yesterday\ncases: [{}]\n")
    code, _, err = run_policy(scenario, "test", ".")
    assert code == 2
    assert "x.test.yaml: 'now' is not an RFC 3339 time: 'yesterday'" in err


def test_policy_test_without_suites_is_bad_input(scenario: Scenario) -> None:
    shutil.rmtree(scenario.root / "policies")
    code, _, err = run_policy(scenario, "test", "evidence")
    assert code == 2
    assert "evidence: no *.test.yaml suite found" in err


BAD_CASE = 'policy: policies\nnow: "2026-11-10T00:00:00Z"\ncases:\n  - name: c\n'


@pytest.mark.parametrize(
    ("case", "message"),
    [
        # Two expectations: one was silently dropped and the case could not fail.
        (
            "    subject: sha256:{hex}\n    expect: denied\n    expect: allowed\n",
            "s.test.yaml:7:5: cases[0].expect: duplicate key",
        ),
        (
            "    subject: sha256:abc\n    expect: denied\n",
            "s.test.yaml: cases[0]: invalid sha256 digest 'abc': "
            "expected 64 lowercase hex characters",
        ),
        (
            "    subject: sha256:{hex}\n    evidence: nope\n    expect: denied\n",
            "s.test.yaml: cases[0]: evidence nope is not a directory",
        ),
        (
            "    subject: sha256:{hex}\n    artifact: app.tar.gz\n    expect: denied\n",
            "s.test.yaml: cases[0]: give one of 'artifact', 'reference' or 'subject', not both",
        ),
        (
            "    subject: sha256:{hex}\n    namespace: [prod]\n    expect: denied\n",
            "s.test.yaml: cases[0]: 'namespace' must be a string",
        ),
    ],
)
def test_policy_test_malformed_case_names_the_suite(
    scenario: Scenario, case: str, message: str
) -> None:
    (scenario.root / "s.test.yaml").write_text(BAD_CASE + case.replace("{hex}", "a" * 64))
    code, _, err = run_policy(scenario, "test", "s.test.yaml")
    assert code == 2
    assert err.strip() == f"error: {message}"
