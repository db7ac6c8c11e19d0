"""A real EQUIVALENT rebuild (zip timestamps) judged by the reproducible rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.policy.conftest import Kit, label
from tests.policy.test_decision_table import EQUIVALENT_RULE, messages, policy
from tests.rebuild.conftest import rebuild, require_bwrap
from verifier.policy.decision import Outcome

pytestmark = pytest.mark.slow


@pytest.fixture
def equivalent(tmp_path: Path) -> tuple[Path, bytes]:
    require_bwrap()
    out = tmp_path / "rebuild"
    outcome = rebuild(
        FIXTURES / "unrepro-zipmtime" / "repro.toml", out, "--stabilize", "zip-modified-time"
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.report["outputs"][0]["verdict"] == "EQUIVALENT"
    artifact = out / "build-1" / "outputs" / "out" / "bundle.zip"
    return artifact, (out / "rebuild.vsa.json").read_bytes()


def test_allowed_stabilizer_admits_a_real_equivalent_rebuild(
    kit: Kit, equivalent: tuple[Path, bytes]
) -> None:
    artifact, vsa = equivalent
    kit.sign_statement("rebuilders", vsa, "vsa.sigstore.json")
    decision = kit.decide(policy(kit, EQUIVALENT_RULE), artifact)
    assert decision.outcome is Outcome.ALLOWED, decision.violations


def test_stabilizer_outside_the_allow_list_denies_it(
    kit: Kit, equivalent: tuple[Path, bytes]
) -> None:
    artifact, vsa = equivalent
    bundle = kit.sign_statement("rebuilders", vsa, "vsa.sigstore.json")
    rule = EQUIVALENT_RULE.replace("[zip-modified-time]", "[tar-modified-time]")
    decision = kit.decide(policy(kit, rule), artifact)
    assert messages(decision) == [
        f"{label(artifact)}: no acceptable signed rebuild verdict from rebuilders: "
        f"{bundle} says EQUIVALENT after stabilizer zip-modified-time@1, "
        "which the policy does not allow"
    ]
