"""Reading facts out of statements: rebuild verdicts with stabilizers, provenance, signers."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED
from verifier.audit.evidence import claimed_signer
from verifier.audit.facts import provenance_info, rebuild_info
from verifier.audit.model import EvidenceState
from verifier.sign.bundle import Bundle

CONFORMANCE = SHARED / "conformance" / "sigstore" / "bundle-verify"


def test_equivalent_outputs_name_their_stabilizers() -> None:
    predicate = {
        "verificationResult": "PASSED",
        "rebuild": {
            "builder": "urn:example:builder:a",
            "builds": [{"build": 1}, {"build": 2}, {"build": 3}],
            "outputs": [
                {"name": "b.whl", "verdict": "EQUIVALENT", "stabilizers": ["zip-mtime"]},
                {"name": "a.tar.gz", "verdict": "REPRODUCED"},
                {"name": "c.jar", "verdict": "EQUIVALENT", "stabilizers": ["jar-order", 7]},
            ],
        },
    }
    info = rebuild_info(predicate, EvidenceState.VERIFIED, ["urn:example:builder:b"])
    assert info.verdict == "EQUIVALENT"  # the worst output
    assert info.builds == 3
    assert info.builders == ("urn:example:builder:a", "urn:example:builder:b")
    assert info.stabilizers == ("jar-order", "zip-mtime")  # a non-string is left out
    assert [o.name for o in info.outputs] == ["a.tar.gz", "b.whl", "c.jar"]


def test_a_mismatch_outranks_everything_but_failures() -> None:
    outputs = [{"name": "x", "verdict": "MISMATCH"}, {"name": "y", "verdict": "REPRODUCED"}]
    info = rebuild_info({"rebuild": {"outputs": outputs}}, EvidenceState.UNVERIFIED, [])
    assert (info.verdict, info.builds, info.builders) == ("MISMATCH", 0, ())


def test_provenance_source_prefers_what_the_build_names() -> None:
    github = {
        "buildDefinition": {
            "buildType": "https://actions.github.io/buildtypes/workflow/v1",
            "externalParameters": {
                "workflow": {"repository": "https://github.com/acme/app", "ref": "refs/tags/v1"}
            },
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner"}},
    }
    info = provenance_info(github, EvidenceState.VERIFIED)
    assert info.source == "https://github.com/acme/app@refs/tags/v1"
    assert info.builder_id == "https://github.com/actions/runner"
    bare = provenance_info({}, EvidenceState.VERIFIED)
    assert (bare.builder_id, bare.build_type, bare.source) == ("(not stated)",) * 3


def test_keyless_signer_is_the_certificate_identity() -> None:
    path = CONFORMANCE / "happy-path-v0.3" / "bundle.sigstore.json"
    if not path.is_file():
        pytest.skip(f"conformance data absent: {path}")
    bundle = Bundle.load(path)
    signer = claimed_signer(bundle)
    assert signer.startswith("identity ") and "(" not in signer, signer
