"""Property tests: the bundle, envelope, statement and key parsers never crash.

Whatever the bytes, a parser returns a value or raises InputError (or WrongPassword for a
key that does not decrypt): never another exception, never a hang.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.digest import Digest
from verifier.errors import VerifierError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle, MessageSignature
from verifier.sign.cosign_key import ScryptParams, encrypt_private_key, load_private_key
from verifier.sign.dsse import decode_base64
from verifier.sign.intoto import InTotoStatement
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import KeyAlgorithm, PublicKey
from verifier.sign.verify import verify_bundle

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

b64_text = st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())
bundle_like = st.fixed_dictionaries(
    {
        "mediaType": st.sampled_from(
            [
                "application/vnd.dev.sigstore.bundle.v0.3+json",
                "application/vnd.dev.sigstore.bundle+json;version=0.1",
                "x",
            ]
        ),
        "verificationMaterial": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "publicKey": st.one_of(
                        json_values, st.fixed_dictionaries({"hint": st.text(max_size=10)})
                    )
                },
                optional={"tlogEntries": json_values, "timestampVerificationData": json_values},
            ),
            st.fixed_dictionaries(
                {"certificate": st.fixed_dictionaries({"rawBytes": b64_text | json_values})}
            ),
        ),
    },
    optional={
        "messageSignature": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"signature": b64_text | json_values},
                optional={
                    "messageDigest": st.fixed_dictionaries(
                        {"algorithm": st.sampled_from(["SHA2_256", "MD5"]), "digest": b64_text}
                    )
                },
            ),
        ),
        "dsseEnvelope": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {
                    "payload": b64_text | json_values,
                    "payloadType": st.text(max_size=10) | json_values,
                    "signatures": st.lists(
                        st.fixed_dictionaries({"sig": b64_text | json_values}), max_size=3
                    )
                    | json_values,
                }
            ),
        ),
    },
)


def _parses_or_input_error(data: bytes) -> None:
    try:
        Bundle.from_json(data, "fuzz.json")
    except VerifierError as exc:
        assert exc.exit_code == 2
        assert str(exc).startswith("fuzz.json")


@SETTINGS
@given(st.binary(max_size=512))
def test_bundle_parser_on_random_bytes(data: bytes) -> None:
    _parses_or_input_error(data)


@SETTINGS
@given(bundle_like)
def test_bundle_parser_on_bundle_shaped_json(doc: dict[str, Any]) -> None:
    _parses_or_input_error(json.dumps(doc).encode())


@SETTINGS
@given(st.text(max_size=80))
def test_base64_decoder(text: str) -> None:
    try:
        decode_base64(text, "field")
    except VerifierError as exc:
        assert exc.exit_code == 2


@SETTINGS
@given(json_values)
def test_statement_parser(doc: Any) -> None:
    try:
        InTotoStatement.parse(json.dumps(doc).encode(), "stmt")
    except VerifierError as exc:
        assert exc.exit_code == 2


@SETTINGS
@given(st.binary(max_size=300))
def test_public_key_parser(data: bytes) -> None:
    for candidate in (
        data,
        b"-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(data) + b"\n-----END PUBLIC KEY-----\n",
    ):
        try:
            PublicKey.from_pem(candidate, "pub")
        except VerifierError as exc:
            assert exc.exit_code == 2


_KEY_PEM = encrypt_private_key(KeyAlgorithm.ECDSA_P256.generate(), b"", params=ScryptParams(32768))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(_KEY_PEM) - 1), st.integers(min_value=1, max_value=255)
)
def test_private_key_parser_on_corrupted_files(position: int, flip: int) -> None:
    data = bytearray(_KEY_PEM)
    data[position] ^= flip
    try:
        load_private_key(bytes(data), b"", "key")
    except VerifierError as exc:
        assert exc.exit_code in (1, 2)


@SETTINGS
@given(json_values)
def test_private_key_parser_on_arbitrary_envelopes(doc: Any) -> None:
    body = base64.b64encode(json.dumps(doc).encode()).decode()
    label = "ENCRYPTED SIGSTORE PRIVATE KEY"
    pem = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
    try:
        load_private_key(pem.encode(), b"", "key")
    except VerifierError as exc:
        assert exc.exit_code in (1, 2)


_SIGNED_KEY = KeyAlgorithm.ECDSA_P256.generate()
_ARTIFACT = Artifact(Digest.of_bytes(b"property artifact"))
_SIGNED = KeySigner(_SIGNED_KEY).sign_artifact(_ARTIFACT).to_json()
_ORIGINAL = Bundle.from_json(_SIGNED)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(_SIGNED) - 1), st.integers(min_value=1, max_value=255)
)
def test_a_mutated_bundle_verifies_only_if_it_still_means_the_same(
    position: int, flip: int
) -> None:
    data = bytearray(_SIGNED)
    data[position] ^= flip
    try:
        bundle = Bundle.from_json(bytes(data), "mutant.json")
        verify_bundle(bundle, _ARTIFACT, KeyTrust(_SIGNED_KEY.public_key))
    except VerifierError as exc:
        assert exc.exit_code in (1, 2)
        return
    # It verified: then the change was meaningless (whitespace, base64 padding, hint text, or
    # dropping the optional claimed digest: the signature itself covers the digest).
    assert isinstance(bundle.content, MessageSignature)
    assert isinstance(_ORIGINAL.content, MessageSignature)
    assert bundle.content.signature == _ORIGINAL.content.signature
    assert bundle.content.digest in (None, _ORIGINAL.content.digest)
