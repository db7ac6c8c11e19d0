"""The decision table of issue 7: every row with its exact outcome and violation text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.policy.conftest import NOW, Kit, Rebuilt, equivalent_vsa, label
from verifier.admission.gate import admit_target
from verifier.admission.targets import target_of
from verifier.attest.uris import PROVENANCE_V1
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.decision import Outcome
from verifier.policy.loader import load_policies
from verifier.sign.artifact import Artifact

AUTHORITIES = """
  authorities:
    - {name: alice, key: {file: alice.pub}}
    - {name: bob, key: {file: bob.pub}}
    - {name: carol, key: {file: carol.pub}}
    - {name: rebuilders, key: {file: rebuilders.pub}}
"""


def policy(kit: Kit, require: str, extra: str = "") -> Path:
    return kit.policy(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: table}\nspec:\n"
        + AUTHORITIES
        + "  require:\n"
        + "\n".join("    " + line for line in require.strip().splitlines())
        + "\n"
        + extra
    )


def messages(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.message for f in decision.violations]


SIGNED_BY_ALICE = "signatures: {authorities: [alice]}"
TWO_OF_THREE = "signatures: {authorities: [alice, bob, carol], threshold: 2}"


def test_signed_is_allowed(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE), app)
    assert decision.outcome is Outcome.ALLOWED
    assert decision.violations == ()
    assert len(decision.evidence) == 1


def test_unsigned_is_denied(kit: Kit) -> None:
    app = kit.artifact()
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE), app)
    assert decision.outcome is Outcome.DENIED
    assert messages(decision) == [
        f"{label(app)}: signed by 0 of the required 1 trusted authorities "
        "(signed: none; trusted: alice)"
    ]


def test_wrong_signer_is_denied(kit: Kit) -> None:
    app = kit.artifact()
    bundle = kit.sign("mallory", app)
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE), app)
    assert messages(decision) == [
        f"{label(app)}: signed by 0 of the required 1 trusted authorities "
        f"(signed: none; trusted: alice); refused {bundle}: not signed by any trusted key"
    ]


def test_wrong_signer_with_one_trusted_key(kit: Kit) -> None:
    app = kit.artifact()
    bundle = kit.sign("mallory", app)
    path = kit.policy(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: one}\nspec:\n"
        "  authorities: [{name: alice, key: {file: alice.pub}}]\n"
        "  require: {signatures: {authorities: [alice]}}\n"
    )
    decision = kit.decide(path, app)
    alice = kit.keys["alice"].public_key.fingerprint.short
    assert messages(decision) == [
        f"{label(app)}: signed by 0 of the required 1 trusted authorities "
        f"(signed: none; trusted: alice); refused {bundle}: signature over app.tar.gz "
        f"does not verify with key {alice}"
    ]


def test_two_of_three_met(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    kit.sign("carol", app)
    decision = kit.decide(policy(kit, TWO_OF_THREE), app)
    assert decision.outcome is Outcome.ALLOWED


def test_two_of_three_unmet(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    decision = kit.decide(policy(kit, TWO_OF_THREE), app)
    assert messages(decision) == [
        f"{label(app)}: signed by 1 of the required 2 trusted authorities "
        "(signed: alice; trusted: alice, bob, carol)"
    ]


def test_same_signer_twice_counts_once(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    kit.sign("alice", app, out="app.tar.gz.again.sigstore.json")
    decision = kit.decide(policy(kit, TWO_OF_THREE), app)
    assert decision.outcome is Outcome.DENIED
    assert "signed by 1 of the required 2" in messages(decision)[0]


def test_required_authority_missing(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    kit.sign("bob", app)
    rule = "signatures: {authorities: [alice, bob, carol], threshold: 2, required: [carol]}"
    decision = kit.decide(policy(kit, rule), app)
    assert messages(decision) == [f"{label(app)}: not signed by required authority 'carol'"]


def _sbom(components: list[dict[str, object]], spec: str = "1.6") -> dict[str, object]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": {"timestamp": "2026-11-01T00:00:00Z"},
        "components": components,
    }


HASH = [{"alg": "SHA-256", "content": "ab" * 32}]
SBOM_RULE = (
    "sbom: {authorities: [alice], requireHashes: true, minSpecVersion: '1.5', "
    "deniedLicenses: [GPL-3.0-only, AGPL-*]}"
)


def _attest_sbom(kit: Kit, app: Path, components: list[dict[str, object]]) -> Path:
    subject = (app.name, Artifact.from_path(app).digest)
    return kit.attest(
        "alice",
        subject,
        "https://cyclonedx.org/bom",
        _sbom(components),
        "app.tar.gz.sbom.sigstore.json",
    )


def test_sbom_with_a_denied_license(kit: Kit) -> None:
    app = kit.artifact()
    _attest_sbom(
        kit,
        app,
        [
            {
                "name": "ok",
                "purl": "pkg:pypi/ok@1.0",
                "hashes": HASH,
                "licenses": [{"expression": "MIT OR GPL-3.0-only"}],
            },
            {
                "name": "bad",
                "purl": "pkg:pypi/bad@2.0",
                "hashes": HASH,
                "licenses": [{"license": {"id": "GPL-3.0-only"}}],
            },
            {
                "name": "worse",
                "purl": "pkg:npm/worse@3.1",
                "hashes": HASH,
                "licenses": [{"expression": "MIT AND AGPL-3.0-or-later"}],
            },
        ],
    )
    decision = kit.decide(policy(kit, SBOM_RULE), app)
    assert messages(decision) == [
        f"{label(app)}: component pkg:npm/worse@3.1 has denied license MIT AND AGPL-3.0-or-later",
        f"{label(app)}: component pkg:pypi/bad@2.0 has denied license GPL-3.0-only",
    ]


def test_sbom_missing_hashes(kit: Kit) -> None:
    app = kit.artifact()
    _attest_sbom(
        kit,
        app,
        [
            {
                "name": "ok",
                "purl": "pkg:pypi/ok@1.0",
                "hashes": HASH,
                "licenses": [{"license": {"id": "MIT"}}],
            },
            {
                "name": "nohash",
                "purl": "pkg:pypi/nohash@2.0",
                "licenses": [{"license": {"id": "MIT"}}],
            },
        ],
    )
    decision = kit.decide(policy(kit, SBOM_RULE), app)
    assert messages(decision) == [
        f"{label(app)}: 1 SBOM component(s) without a sha256 hash: pkg:pypi/nohash@2.0"
    ]


def test_sbom_clean_is_allowed(kit: Kit) -> None:
    app = kit.artifact()
    _attest_sbom(
        kit,
        app,
        [
            {
                "name": "ok",
                "purl": "pkg:pypi/ok@1.0",
                "hashes": HASH,
                "licenses": [{"license": {"id": "MIT"}}],
            }
        ],
    )
    assert kit.decide(policy(kit, SBOM_RULE), app).outcome is Outcome.ALLOWED


REPRODUCED_TWICE = "reproducible: {authorities: [rebuilders], minBuilders: 2, maxAge: 30d}"


def _rebuild_evidence(kit: Kit, rebuilt: Rebuilt, builders: list[str]) -> Path:
    for builder in builders:
        short = builder.rsplit(":", 1)[1]
        kit.sign_statement("rebuilders", rebuilt.vsas[builder], f"vsa-{short}.sigstore.json")
    return rebuilt.output


def test_reproduced_by_two_builders_is_allowed(kit: Kit, rebuilt: Rebuilt) -> None:
    output = _rebuild_evidence(kit, rebuilt, ["urn:builder:a", "urn:builder:b"])
    decision = kit.decide(policy(kit, REPRODUCED_TWICE), output)
    assert decision.outcome is Outcome.ALLOWED, decision.violations


def test_reproduced_by_one_builder_when_two_required(kit: Kit, rebuilt: Rebuilt) -> None:
    output = _rebuild_evidence(kit, rebuilt, ["urn:builder:a"])
    decision = kit.decide(policy(kit, REPRODUCED_TWICE), output)
    assert messages(decision) == [
        f"{label(output)}: reproduced by 1 independent builder(s) (urn:builder:a), 2 required"
    ]


def test_provenance_from_a_second_builder_counts(kit: Kit, rebuilt: Rebuilt) -> None:
    output = _rebuild_evidence(kit, rebuilt, ["urn:builder:a"])
    kit.sign_statement("rebuilders", rebuilt.provenance["urn:builder:b"], "prov-b.sigstore.json")
    decision = kit.decide(policy(kit, REPRODUCED_TWICE), output)
    assert decision.outcome is Outcome.ALLOWED, decision.violations


EQUIVALENT_RULE = (
    "reproducible: {authorities: [rebuilders], verdicts: [REPRODUCED, EQUIVALENT], "
    "stabilizers: [zip-modified-time]}"
)


def test_equivalent_with_an_allowed_stabilizer(kit: Kit, rebuilt: Rebuilt) -> None:
    vsa = equivalent_vsa(rebuilt.vsas["urn:builder:a"], ["zip-modified-time"])
    kit.sign_statement("rebuilders", vsa, "vsa-eq.sigstore.json")
    decision = kit.decide(policy(kit, EQUIVALENT_RULE), rebuilt.output)
    assert decision.outcome is Outcome.ALLOWED, decision.violations


def test_equivalent_with_a_disallowed_stabilizer(kit: Kit, rebuilt: Rebuilt) -> None:
    vsa = equivalent_vsa(rebuilt.vsas["urn:builder:a"], ["zip-modified-time", "strip-pyc"])
    bundle = kit.sign_statement("rebuilders", vsa, "vsa-eq.sigstore.json")
    decision = kit.decide(policy(kit, EQUIVALENT_RULE), rebuilt.output)
    assert messages(decision) == [
        f"{label(rebuilt.output)}: no acceptable signed rebuild verdict from rebuilders: "
        f"{bundle} says EQUIVALENT after stabilizer strip-pyc@1, which the policy does not allow"
    ]


def test_equivalent_not_allowed_at_all(kit: Kit, rebuilt: Rebuilt) -> None:
    vsa = equivalent_vsa(rebuilt.vsas["urn:builder:a"], ["zip-modified-time"])
    bundle = kit.sign_statement("rebuilders", vsa, "vsa-eq.sigstore.json")
    decision = kit.decide(policy(kit, "reproducible: {authorities: [rebuilders]}"), rebuilt.output)
    assert messages(decision) == [
        f"{label(rebuilt.output)}: no acceptable signed rebuild verdict from rebuilders: "
        f"{bundle} says EQUIVALENT, the policy allows only REPRODUCED"
    ]


def test_stale_evidence(kit: Kit, rebuilt: Rebuilt) -> None:
    output = _rebuild_evidence(kit, rebuilt, ["urn:builder:a"])
    rule = "reproducible: {authorities: [rebuilders], maxAge: 30d}"
    later = datetime(2027, 1, 1, tzinfo=UTC)  # 61 days after the rebuild
    decision = kit.decide(policy(kit, rule), output, now=later)
    assert messages(decision) == [
        f"{label(output)}: no acceptable signed rebuild verdict from rebuilders: "
        f"{kit.evidence / 'vsa-a.sigstore.json'} is 61 days old, older than the maximum 30d"
    ]
    assert kit.decide(policy(kit, rule), output, now=NOW).outcome is Outcome.ALLOWED


def test_reference_by_tag(kit: Kit) -> None:
    path = policy(kit, "digestPinned: true\nsignatures: {authorities: [alice]}")
    decision = admit_target(target_of("reg.example/app:1.0"), load_policies(path), None, now=NOW)
    assert decision.outcome is Outcome.DENIED
    assert messages(decision) == ["reg.example/app:1.0: referenced by tag, not by digest"]


def test_reference_by_digest_is_pinned(kit: Kit) -> None:
    digest = Digest.of_bytes(b"image manifest")
    path = policy(kit, "digestPinned: true")
    decision = admit_target(
        target_of(f"reg.example/app@{digest}"), load_policies(path), None, now=NOW
    )
    assert decision.outcome is Outcome.ALLOWED


def test_malformed_policy(kit: Kit) -> None:
    path = policy(kit, "signatures: {authorities: [alice], threshold: two}")
    with pytest.raises(InputError) as err:
        load_policies(path)
    assert str(err.value) == (
        f"{path}:12:40: spec.require.signatures.threshold: 'two' is not of type 'integer'"
    )


def test_cel_expression_that_errors(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    conditions = (
        "  conditions:\n"
        "    - name: has-sbom\n"
        "      expression: evidence.sbom.metadata.timestamp != ''\n"
        "      message: the SBOM has no timestamp\n"
    )
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE, conditions), app)
    assert decision.outcome is Outcome.DENIED
    assert messages(decision) == [
        f"{label(app)}: condition 'has-sbom' could not be evaluated: "
        "no such member in mapping: 'metadata'"
    ]


def test_cel_condition_false_and_true(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    conditions = (
        "  conditions:\n"
        "    - name: two-signers\n"
        "      expression: size(evidence.signatures) >= 2\n"
        "      message: needs two signatures\n"
        "    - name: named\n"
        "      expression: subject.name.endsWith('.tar.gz')\n"
        "      message: must be a tarball\n"
    )
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE, conditions), app)
    assert messages(decision) == [f"{label(app)}: needs two signatures"]
    assert [f.rule for f in decision.violations] == ["conditions/two-signers"]


def test_substitution_is_refused(kit: Kit) -> None:
    app = kit.artifact()
    other = kit.artifact("other.tar.gz", b"another artifact\n")
    # A valid alice signature over another artifact, filed under this artifact's name.
    bundle = kit.sign("alice", other, out="app.tar.gz.sigstore.json")
    decision = kit.decide(policy(kit, SIGNED_BY_ALICE), app)
    other_digest = Artifact.from_path(other).digest.short
    app_digest = Artifact.from_path(app).digest.short
    assert messages(decision) == [
        f"{label(app)}: signed by 0 of the required 1 trusted authorities "
        f"(signed: none; trusted: alice); refused {bundle}: signed digest {other_digest} "
        f"is not the artifact's ({app_digest})"
    ]


def test_substituted_attestation_is_refused(kit: Kit) -> None:
    app = kit.artifact()
    other = kit.artifact("other.tar.gz", b"another artifact\n")
    subject = ("other.tar.gz", Artifact.from_path(other).digest)
    bundle = kit.attest(
        "alice", subject, PROVENANCE_V1, {"runDetails": {}}, "app.tar.gz.prov.sigstore.json"
    )
    decision = kit.decide(policy(kit, "provenance: {authorities: [alice]}"), app)
    assert messages(decision) == [
        f"{label(app)}: no provenance signed by alice; refused {bundle}: the statement's "
        f"subjects do not include app.tar.gz ({Artifact.from_path(app).digest.short})"
    ]


def test_keyless_identity(kit: Kit, conformance: Callable[[str], Path]) -> None:
    case = conformance("happy-path-v0.3")
    artifact = kit.artifact("a.txt", (case.parent / "a.txt").read_bytes())
    (kit.evidence / "a.txt.sigstore.json").write_bytes((case / "bundle.sigstore.json").read_bytes())
    identity = (
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
        ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    )
    text = (
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: keyless}\nspec:\n"
        "  authorities:\n"
        "    - name: beacon\n"
        "      keyless:\n"
        "        issuer: https://token.actions.githubusercontent.com\n"
        f"        subjectRegExp: {SUBJECT}\n"
        "  require:\n"
        "    signatures: {authorities: [beacon]}\n"
    )
    allowed = kit.decide(kit.policy(text.replace(SUBJECT, identity.replace(".", "\\."))), artifact)
    assert allowed.outcome is Outcome.ALLOWED, allowed.violations
    denied = kit.decide(
        kit.policy(text.replace(SUBJECT, "https://github\\.com/acme/.*"), "acme.yaml"), artifact
    )
    assert denied.outcome is Outcome.DENIED
    assert messages(denied)[0].startswith(
        f"{label(artifact)}: signed by 0 of the required 1 trusted authorities "
        "(signed: none; trusted: beacon); refused "
    )


SUBJECT = "@@SUBJECT@@"
