"""The decider `verifier serve` runs: allow rules, tags, and the signed-summary fast path.

Real keys, real DSSE bundles, real verification (verifier.sign); nothing is mocked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.summaries import summary_statement, write_summary
from verifier.admission.decider import ImageQuery, Outcome, Route
from verifier.admission.policy_decider import AllowRule, PolicyDecider, trust_digest
from verifier.admission.summary import SummaryDirectory, SummaryFastPath
from verifier.attest.predicates import VerificationResult
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import KeyAlgorithm

POLICY = Digest.of_bytes(b"apiVersion: verifier/v1\nkind: Policy\n")
IMAGE_DIGEST = Digest.of_bytes(b"image manifest")
OTHER_DIGEST = Digest.of_bytes(b"another image")
IMAGE = f"reg.example/app@{IMAGE_DIGEST}"


@pytest.fixture(scope="module")
def release_key():
    return KeyAlgorithm.ECDSA_P256.generate()


@pytest.fixture(scope="module")
def stranger_key():
    return KeyAlgorithm.ECDSA_P256.generate()


def gate(directory: Path, key, allow: tuple[str, ...] = ()) -> PolicyDecider:
    directory.mkdir(exist_ok=True)
    trust = KeyTrust(key.public_key)
    return PolicyDecider(
        policy_name="release-strict.yaml",
        policy_digest=POLICY,
        trust=trust_digest([str(key.public_key.fingerprint)]),
        fast_path=SummaryFastPath(trust, SummaryDirectory(directory)),
        allow_rules=tuple(AllowRule(p) for p in allow),
    )


def decide(decider: PolicyDecider, image: str = IMAGE):
    query = ImageQuery(image, "prod")
    routing = decider.route(query)
    return routing.decision or decider.decide(query)


def test_a_trusted_passing_summary_for_this_policy_admits(tmp_path, release_key) -> None:
    write_summary(tmp_path / "s", "ok", release_key, summary_statement(IMAGE_DIGEST, POLICY))
    decision = decide(gate(tmp_path / "s", release_key))
    assert decision.outcome is Outcome.ALLOWED
    assert decision.route is Route.SUMMARY
    assert decision.rule == "verification-summary"
    assert str(release_key.public_key.fingerprint) in decision.message


DENIED = (
    f"no passing verification summary for policy release-strict.yaml ({POLICY.short}) "
    "signed by a trusted authority"
)


@pytest.mark.parametrize(
    "case",
    ["another policy", "failed", "another subject", "untrusted signer", "provenance, not a VSA"],
)
def test_summaries_that_do_not_count(tmp_path, release_key, stranger_key, case: str) -> None:
    statement = {
        "another policy": summary_statement(IMAGE_DIGEST, Digest.of_bytes(b"lax policy")),
        "failed": summary_statement(IMAGE_DIGEST, POLICY, VerificationResult.FAILED),
        "another subject": summary_statement(OTHER_DIGEST, POLICY),
        "untrusted signer": summary_statement(IMAGE_DIGEST, POLICY),
        "provenance, not a VSA": summary_statement(
            IMAGE_DIGEST, POLICY, predicate_type="https://slsa.dev/provenance/v1"
        ),
    }[case]
    key = stranger_key if case == "untrusted signer" else release_key
    write_summary(tmp_path / "s", "x", key, statement)
    decision = decide(gate(tmp_path / "s", release_key))
    assert decision.outcome is Outcome.DENIED
    assert (decision.rule, decision.message) == ("verification-summary", DENIED)


def test_a_summary_relabelled_for_another_image_does_not_verify(tmp_path, release_key) -> None:
    # Substitution: a summary for OTHER_DIGEST copied where IMAGE_DIGEST's would be found.
    directory = tmp_path / "s"
    bundle = write_summary(directory, "other", release_key, summary_statement(OTHER_DIGEST, POLICY))
    source = SummaryDirectory(directory)
    source._by_digest[IMAGE_DIGEST] = [bundle]  # the index lies; verification must not
    trust = KeyTrust(release_key.public_key)
    decider = PolicyDecider("p", POLICY, trust_digest(["k"]), SummaryFastPath(trust, source))
    assert decide(decider).outcome is Outcome.DENIED


def test_references_by_tag_are_refused_without_any_lookup(tmp_path, release_key) -> None:
    decision = decide(gate(tmp_path / "s", release_key), "reg.example/app:1.0")
    assert decision.outcome is Outcome.DENIED
    assert decision.rule == "digest-pinned"


def test_allow_rules_answer_locally(tmp_path, release_key) -> None:
    decider = gate(tmp_path / "s", release_key, allow=("registry.k8s.io/*",))
    routing = decider.route(ImageQuery("registry.k8s.io/pause:3.10", "kube-system"))
    assert routing.decision is not None
    assert routing.decision.route is Route.ALLOW_RULE
    assert routing.decision.rule == "allow-image registry.k8s.io/*"
    key = decider.route(ImageQuery(IMAGE, "prod")).key
    assert key is not None
    assert (key.image, key.policy) == (IMAGE_DIGEST, POLICY)


def test_an_allow_rule_for_everything_is_refused() -> None:
    with pytest.raises(InputError, match="would admit every image"):
        AllowRule("*")
