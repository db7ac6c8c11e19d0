"""The decider `verifier serve` runs: allow rules, the signed-summary fast path, the engine.

Real policy files, real keys, real bundles, the real policy engine; nothing is mocked.
Images are named without a registry host so that the engine reads only the local evidence
directory (a name with a host would send it to that registry).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serve.policies import policy_digest_of, sign_image, write_policy
from tests.serve.summaries import summary_statement, write_summary
from verifier.admission.decider import ImageQuery, Outcome, Route
from verifier.admission.policy_decider import AllowRule, PolicyDecider
from verifier.admission.store_summaries import StoreSummaries
from verifier.admission.summary import SummaryDirectory, SummaryFastPath
from verifier.attest.predicates import VerificationResult
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.loader import load_policies
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import KeyAlgorithm
from verifier.store.reference import StoreOptions

IMAGE_DIGEST = Digest.of_bytes(b"image manifest")
OTHER_DIGEST = Digest.of_bytes(b"another image")
IMAGE = f"team/app@{IMAGE_DIGEST}"
UNSIGNED = "signed by 0 of the required 1 trusted authorities (signed: none; trusted: release)"


@pytest.fixture(scope="module")
def release_key():
    return KeyAlgorithm.ECDSA_P256.generate()


@pytest.fixture(scope="module")
def stranger_key():
    return KeyAlgorithm.ECDSA_P256.generate()


def decider(
    tmp_path: Path, policy: Path, summary_key=None, allow: tuple[str, ...] = ()
) -> PolicyDecider:
    fast_path = None
    if summary_key is not None:
        source = SummaryDirectory((tmp_path / "summaries").resolve())
        fast_path = SummaryFastPath(KeyTrust(summary_key.public_key), source)
    (tmp_path / "evidence").mkdir(exist_ok=True)
    return PolicyDecider(
        policy_set=load_policies(policy),
        store_options=StoreOptions(timeout=5),
        fast_path=fast_path,
        summary_trust_ids=("k",) if summary_key else (),
        allow_rules=tuple(AllowRule(p) for p in allow),
        evidence=LocalEvidenceDirectory(tmp_path / "evidence"),
    )


def decide(d: PolicyDecider, image: str = IMAGE, namespace: str = "prod"):
    query = ImageQuery(image, namespace)
    routing = d.route(query)
    return routing.decision or d.decide(query)


@pytest.fixture
def setup(tmp_path, release_key):
    (tmp_path / "summaries").mkdir()
    return write_policy(tmp_path / "policies", release_key)


def test_a_trusted_passing_summary_for_this_policy_admits(tmp_path, setup, release_key) -> None:
    statement = summary_statement(IMAGE_DIGEST, policy_digest_of(setup))
    write_summary(tmp_path / "summaries", "ok", release_key, statement)
    decision = decide(decider(tmp_path, setup, release_key))
    assert decision.outcome is Outcome.ALLOWED
    assert decision.route is Route.SUMMARY
    assert decision.rule == "verification-summary"
    assert str(release_key.public_key.fingerprint) in decision.message


@pytest.mark.parametrize(
    "case",
    ["another policy", "failed", "another subject", "untrusted signer", "provenance, not a VSA"],
)
def test_summaries_that_do_not_count_leave_it_to_the_engine(
    tmp_path, setup, release_key, stranger_key, case: str
) -> None:
    policy = policy_digest_of(setup)
    statement = {
        "another policy": summary_statement(IMAGE_DIGEST, Digest.of_bytes(b"lax policy")),
        "failed": summary_statement(IMAGE_DIGEST, policy, VerificationResult.FAILED),
        "another subject": summary_statement(OTHER_DIGEST, policy),
        "untrusted signer": summary_statement(IMAGE_DIGEST, policy),
        "provenance, not a VSA": summary_statement(
            IMAGE_DIGEST, policy, predicate_type="https://slsa.dev/provenance/v1"
        ),
    }[case]
    key = stranger_key if case == "untrusted signer" else release_key
    write_summary(tmp_path / "summaries", "x", key, statement)
    decision = decide(decider(tmp_path, setup, release_key))
    assert decision.outcome is Outcome.DENIED
    assert decision.route is Route.POLICY
    assert (decision.rule, decision.message) == ("gate/signatures", UNSIGNED)


def test_a_summary_relabelled_for_another_image_does_not_verify(
    tmp_path, setup, release_key
) -> None:
    bundle = write_summary(
        tmp_path / "summaries",
        "other",
        release_key,
        summary_statement(OTHER_DIGEST, policy_digest_of(setup)),
    )
    d = decider(tmp_path, setup, release_key)
    assert d.fast_path is not None
    d.fast_path.source._by_digest[IMAGE_DIGEST] = [bundle]  # the index lies; verification must not
    assert decide(d).outcome is Outcome.DENIED


def test_the_engine_admits_a_signed_image(tmp_path, setup, release_key) -> None:
    sign_image(tmp_path / "evidence", release_key, IMAGE_DIGEST, "app")
    decision = decide(decider(tmp_path, setup))
    assert (decision.outcome, decision.route, decision.rule) == (
        Outcome.ALLOWED,
        Route.POLICY,
        "gate",
    )


def test_warn_mode_admits_with_the_engine_warnings(tmp_path, release_key) -> None:
    policy = write_policy(tmp_path / "policies", release_key, name="advice", mode="warn")
    decision = decide(decider(tmp_path, policy))
    assert decision.outcome is Outcome.WARNED
    assert decision.warnings == (f"advice/signatures: {UNSIGNED}",)


def test_policies_select_namespaces(tmp_path, release_key) -> None:
    policy = write_policy(tmp_path / "policies", release_key, namespaces=["prod"])
    d = decider(tmp_path, policy)
    assert decide(d, namespace="prod").rule == "gate/signatures"
    elsewhere = decide(d, namespace="dev")
    assert (elsewhere.outcome, elsewhere.rule) == (Outcome.DENIED, "match")
    assert elsewhere.message == "no policy applies to this image"


def test_references_by_tag_go_to_the_engine_and_digest_pinned_denies(tmp_path, release_key) -> None:
    policy = write_policy(tmp_path / "policies", release_key, digest_pinned=True)
    d = decider(tmp_path, policy)
    assert d.route(ImageQuery("team/app:1.0", "prod")).key is None  # never cached by tag
    decision = decide(d, "team/app:1.0")
    assert decision.outcome is Outcome.DENIED
    assert "gate/digestPinned" in decision.rule


def test_allow_rules_answer_locally_and_keys_name_the_policy(tmp_path, setup, release_key) -> None:
    d = decider(tmp_path, setup, allow=("registry.k8s.io/*",))
    routing = d.route(ImageQuery("registry.k8s.io/pause:3.10", "kube-system"))
    assert routing.decision is not None
    assert routing.decision.route is Route.ALLOW_RULE
    assert routing.decision.rule == "allow-image registry.k8s.io/*"
    key = d.route(ImageQuery(IMAGE, "prod")).key
    assert key is not None
    assert (key.image, key.policy) == (IMAGE_DIGEST, policy_digest_of(setup))


def test_an_allow_rule_for_everything_is_refused() -> None:
    with pytest.raises(InputError, match="would admit every image"):
        AllowRule("*")


def test_a_layout_path_is_no_image_reference(tmp_path, setup, release_key) -> None:
    decision = decide(decider(tmp_path, setup), f"oci-layout:/var/lib/store@{IMAGE_DIGEST}")
    assert (decision.outcome, decision.rule) == (Outcome.DENIED, "reference")


def test_summaries_in_the_image_registry_skip_names_without_one(
    tmp_path, setup, release_key
) -> None:
    # `team/app` names no registry: no summary can be there, and the engine decides.
    options = StoreOptions(timeout=5)
    d = decider(tmp_path, setup)
    d.fast_path = SummaryFastPath(KeyTrust(release_key.public_key), StoreSummaries(options))
    sign_image(tmp_path / "evidence", release_key, IMAGE_DIGEST, "app")
    decision = decide(d)
    assert (decision.outcome, decision.route) == (Outcome.ALLOWED, Route.POLICY)
