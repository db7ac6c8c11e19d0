from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.sign.conftest import build_statement
from verifier.digest import Digest
from verifier.errors import CheckFailed, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import MEDIA_TYPE_V03, Bundle, key_bundle
from verifier.sign.dsse import INTOTO_PAYLOAD_TYPE, Envelope, pae, sign_envelope
from verifier.sign.intoto import STATEMENT_V01
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey
from verifier.sign.policy import AllOf, AnyOf, Threshold
from verifier.sign.signer import sign_statement
from verifier.sign.verify import PredicateTypeIs, verify_bundle, verify_bundles

PTYPE = "https://slsa.dev/provenance/v1"


def _statement(artifact: Artifact, ptype: str = PTYPE) -> bytes:
    return build_statement([("app.tar.gz", artifact.digest)], ptype, {"k": "v"})


@pytest.mark.parametrize("which", ["ec_key", "ed_key"])
def test_message_bundle_round_trip(
    which: str, request: pytest.FixtureRequest, artifact_file: Path
) -> None:
    key: PrivateKey = request.getfixturevalue(which)
    artifact = Artifact.from_path(artifact_file)
    bundle = KeySigner(key).sign_artifact(artifact)
    doc = json.loads(bundle.to_json())
    assert doc["mediaType"] == MEDIA_TYPE_V03
    assert doc["verificationMaterial"] == {
        "publicKey": {"hint": key.public_key.hint},
        "tlogEntries": [],
    }
    assert doc["messageSignature"]["messageDigest"]["algorithm"] == "SHA2_256"
    reread = Bundle.from_json(bundle.to_json())
    result = verify_bundle(reread, artifact, KeyTrust(key.public_key))
    assert result.signer == f"key {key.public_key.fingerprint}"
    assert result.statement is None


def test_ecdsa_message_bundle_verifies_by_digest_alone(
    ec_key: PrivateKey, artifact_file: Path
) -> None:
    bundle = KeySigner(ec_key).sign_artifact(Artifact.from_path(artifact_file))
    by_digest = Artifact(Artifact.from_path(artifact_file).digest)
    verify_bundle(bundle, by_digest, KeyTrust(ec_key.public_key))


def test_ed25519_needs_the_artifact_itself(ed_key: PrivateKey, artifact_file: Path) -> None:
    bundle = KeySigner(ed_key).sign_artifact(Artifact.from_path(artifact_file))
    with pytest.raises(InputError, match="give the file"):
        verify_bundle(bundle, Artifact(bundle.content.digest), KeyTrust(ed_key.public_key))  # type: ignore[union-attr,arg-type]


def test_tampered_artifact_is_refused(ec_key: PrivateKey, artifact_file: Path) -> None:
    bundle = KeySigner(ec_key).sign_artifact(Artifact.from_path(artifact_file))
    artifact_file.write_bytes(artifact_file.read_bytes() + b"x")
    with pytest.raises(CheckFailed, match="is not the artifact's"):
        verify_bundle(bundle, Artifact.from_path(artifact_file), KeyTrust(ec_key.public_key))


def test_signature_over_another_digest_is_refused_even_without_claimed_digest(
    ec_key: PrivateKey, artifact_file: Path
) -> None:
    bundle = KeySigner(ec_key).sign_artifact(Artifact.from_path(artifact_file))
    doc = json.loads(bundle.to_json())
    del doc["messageSignature"]["messageDigest"]
    stripped = Bundle.from_json(json.dumps(doc).encode(), "stripped.json")
    other = Artifact(Digest.of_bytes(b"other"))
    with pytest.raises(CheckFailed, match="does not verify"):
        verify_bundle(stripped, other, KeyTrust(ec_key.public_key))


@pytest.mark.parametrize("which", ["ec_key", "ed_key"])
def test_dsse_bundle_round_trip(
    which: str, request: pytest.FixtureRequest, artifact_file: Path
) -> None:
    key: PrivateKey = request.getfixturevalue(which)
    artifact = Artifact.from_path(artifact_file)
    statement = _statement(artifact)
    bundle = sign_statement(statement, KeySigner(key))
    assert isinstance(bundle.content, Envelope)
    assert bundle.content.payload_type == INTOTO_PAYLOAD_TYPE
    assert key.public_key.verify(
        bundle.content.signatures[0].sig, pae(INTOTO_PAYLOAD_TYPE, statement)
    )
    result = verify_bundle(Bundle.from_json(bundle.to_json()), artifact, KeyTrust(key.public_key))
    assert result.payload == statement
    assert result.statement is not None
    assert result.statement.predicate_type == PTYPE
    policy = PredicateTypeIs(KeyTrust(key.public_key), PTYPE)
    verify_bundle(bundle, artifact, policy)
    with pytest.raises(CheckFailed, match="predicate type is"):
        verify_bundle(bundle, artifact, PredicateTypeIs(KeyTrust(key.public_key), "https://x/y"))


def test_pae_is_the_dsse_encoding() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def test_statement_v01_is_accepted(ec_key: PrivateKey, artifact_file: Path) -> None:
    artifact = Artifact.from_path(artifact_file)
    doc = json.loads(_statement(artifact))
    doc["_type"] = STATEMENT_V01
    envelope = sign_envelope(json.dumps(doc).encode(), INTOTO_PAYLOAD_TYPE, ec_key)
    result = verify_bundle(
        key_bundle(envelope, ec_key.public_key), artifact, KeyTrust(ec_key.public_key)
    )
    assert result.statement is not None and result.statement.statement_type == STATEMENT_V01


def test_subject_digest_mismatch_is_refused(ec_key: PrivateKey, artifact_file: Path) -> None:
    artifact = Artifact.from_path(artifact_file)
    bundle = sign_statement(_statement(Artifact(Digest.of_bytes(b"else"))), KeySigner(ec_key))
    with pytest.raises(CheckFailed, match="subjects do not include"):
        verify_bundle(bundle, artifact, KeyTrust(ec_key.public_key))


def test_signature_over_a_different_payload_type_is_refused(
    ec_key: PrivateKey, artifact_file: Path
) -> None:
    artifact = Artifact.from_path(artifact_file)
    envelope = sign_envelope(_statement(artifact), "application/json", ec_key)
    bundle = key_bundle(envelope, ec_key.public_key)
    with pytest.raises(CheckFailed, match="not an in-toto statement"):
        verify_bundle(bundle, artifact, KeyTrust(ec_key.public_key))
    # Relabelling the payload type breaks the signature, since PAE covers the type.
    doc = json.loads(bundle.to_json())
    doc["dsseEnvelope"]["payloadType"] = INTOTO_PAYLOAD_TYPE
    with pytest.raises(CheckFailed, match="does not verify"):
        verify_bundle(
            Bundle.from_json(json.dumps(doc).encode()), artifact, KeyTrust(ec_key.public_key)
        )


def test_wrong_key_is_refused(ec_key: PrivateKey, ed_key: PrivateKey, artifact_file: Path) -> None:
    artifact = Artifact.from_path(artifact_file)
    for bundle in (
        KeySigner(ec_key).sign_artifact(artifact),
        sign_statement(_statement(artifact), KeySigner(ec_key)),
    ):
        with pytest.raises(CheckFailed, match="does not verify"):
            verify_bundle(bundle, artifact, KeyTrust(ed_key.public_key))


def test_url_safe_base64_is_accepted(ec_key: PrivateKey, artifact_file: Path) -> None:
    artifact = Artifact.from_path(artifact_file)
    bundle = sign_statement(_statement(artifact), KeySigner(ec_key))
    doc = json.loads(bundle.to_json())
    env = doc["dsseEnvelope"]
    env["payload"] = base64.urlsafe_b64encode(base64.b64decode(env["payload"])).decode().rstrip("=")
    sig = base64.b64decode(env["signatures"][0]["sig"])
    env["signatures"][0]["sig"] = base64.urlsafe_b64encode(sig).decode()
    verify_bundle(Bundle.from_json(json.dumps(doc).encode()), artifact, KeyTrust(ec_key.public_key))


def test_threshold_counts_distinct_trusted_keys(artifact_file: Path, tmp_path: Path) -> None:
    from verifier.sign.keys import KeyAlgorithm

    artifact = Artifact.from_path(artifact_file)
    keys = [KeyAlgorithm.ECDSA_P256.generate() for _ in range(3)]
    stranger = KeyAlgorithm.ECDSA_P256.generate()
    bundles = [KeySigner(k).sign_artifact(artifact) for k in keys[:2]]
    twice = [bundles[0], KeySigner(keys[0]).sign_artifact(artifact)]
    trusted = tuple(KeyTrust(k.public_key) for k in keys)
    result = verify_bundles(bundles, artifact, Threshold(2, trusted))
    assert len(result.signers) == 2
    with pytest.raises(CheckFailed, match="2 of the required 3"):
        verify_bundles(bundles, artifact, Threshold(3, trusted))
    with pytest.raises(CheckFailed, match="1 of the required 2"):
        verify_bundles(twice, artifact, Threshold(2, trusted))
    untrusted = [*bundles[:1], KeySigner(stranger).sign_artifact(artifact)]
    with pytest.raises(CheckFailed, match="1 of the required 2"):
        verify_bundles(untrusted, artifact, Threshold(2, trusted))
    with pytest.raises(InputError, match="at least one"):
        Threshold(1, ())
    with pytest.raises(InputError, match="at least 1"):
        Threshold(0, trusted)


def test_any_of_and_all_of(ec_key: PrivateKey, ed_key: PrivateKey, artifact_file: Path) -> None:
    artifact = Artifact.from_path(artifact_file)
    bundle = KeySigner(ec_key).sign_artifact(artifact)
    ec, ed = KeyTrust(ec_key.public_key), KeyTrust(ed_key.public_key)
    verify_bundle(bundle, artifact, AnyOf((ed, ec)))
    with pytest.raises(CheckFailed):
        verify_bundle(bundle, artifact, AllOf((ec, ed)))
    verify_bundle(bundle, artifact, AllOf((ec, ec)))
    with pytest.raises(InputError):
        AnyOf(())
