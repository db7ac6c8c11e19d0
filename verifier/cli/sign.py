"""Commands: keygen, sign, attest, verify, verify-attestation, conformance verify-bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from verifier.attest.statement import Statement, subjects_of
from verifier.cli.app import app, console, run_command
from verifier.cli.options import JsonOpt
from verifier.cli.passwords import key_password
from verifier.errors import InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import BUNDLE_SUFFIX, Bundle
from verifier.sign.conformance import conformance_verify
from verifier.sign.cosign_key import read_private_key
from verifier.sign.identity import Match
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keyfiles import write_atomically, write_key_pair
from verifier.sign.keyless import KeylessSigner
from verifier.sign.keyless_policy import KeylessTrust
from verifier.sign.keys import KeyAlgorithm, PublicKey, read_small_file
from verifier.sign.policy import Threshold, ThresholdResult, TrustPolicy
from verifier.sign.signer import Signer
from verifier.sign.verify import PredicateTypeIs, verify_bundles

MAX_PREDICATE_BYTES = 16 * 1024 * 1024

conformance_app = typer.Typer(
    help="Peer test-suite client protocols (sigstore-conformance).", no_args_is_help=True
)
app.add_typer(conformance_app, name="conformance")


# --------------------------------------------------------------------------- passwords


# --------------------------------------------------------------------------- keygen


@app.command()
def keygen(
    algorithm: Annotated[
        KeyAlgorithm, typer.Option("--algorithm", help="Key type.")
    ] = KeyAlgorithm.ECDSA_P256,
    output_prefix: Annotated[
        Path, typer.Option("--output-prefix", help="Writes PREFIX.key and PREFIX.pub.")
    ] = Path("cosign"),
    unsafe_unencrypted: Annotated[
        bool, typer.Option("--unsafe-unencrypted", help="Write the private key without encryption.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace existing key files.")] = False,
) -> None:
    """Make a key pair: the private key in cosign's encrypted format (mode 0600), PEM public key."""

    def body() -> int:
        password = None if unsafe_unencrypted else key_password(confirm=True)
        if unsafe_unencrypted:
            console.print("[yellow]warning:[/] writing an UNENCRYPTED private key")
        key = algorithm.generate()
        private, public = write_key_pair(output_prefix, key, password, overwrite=force)
        console.print(f"wrote {private} and {public} ({algorithm.value}, {key.public_key.hint})")
        return 0

    run_command(body)


# --------------------------------------------------------------------------- sign / attest


def _signer(key: Path | None, keyless: bool, unsafe_unencrypted_key: bool) -> Signer:
    if keyless == (key is not None):
        raise InputError("give exactly one of --key KEY or --keyless")
    if keyless:
        return KeylessSigner.from_ambient()
    assert key is not None
    password = None if unsafe_unencrypted_key else key_password(confirm=False)
    return KeySigner(read_private_key(key, password))


_KeyOption = Annotated[
    Path | None, typer.Option("--key", help="Private key (cosign encrypted format).")
]
_KeylessOption = Annotated[
    bool,
    typer.Option("--keyless", help="Sign keyless with the CI's OIDC identity (needs the network)."),
]
_UnencryptedOption = Annotated[
    bool,
    typer.Option(
        "--unsafe-unencrypted-key", help="The --key file is an unencrypted PKCS#8 PEM key."
    ),
]


@app.command()
def sign(
    file: Annotated[Path, typer.Argument(help="The artifact to sign.")],
    key: _KeyOption = None,
    keyless: _KeylessOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Default: FILE.sigstore.json.")
    ] = None,
    unsafe_unencrypted_key: _UnencryptedOption = False,
) -> None:
    """Sign FILE: a Sigstore bundle v0.3 with a message signature."""

    def body() -> int:
        signer = _signer(key, keyless, unsafe_unencrypted_key)
        artifact = Artifact.from_path(file)
        bundle = signer.sign_artifact(artifact)
        target = output or file.with_name(file.name + BUNDLE_SUFFIX)
        write_atomically(target, bundle.to_json())
        console.print(f"wrote {target} ({artifact.digest.short})")
        return 0

    run_command(body)


@app.command()
def attest(
    subject: Annotated[
        Path, typer.Option("--subject", help="The artifact the statement is about.")
    ],
    predicate_type: Annotated[str, typer.Option("--predicate-type", help="Predicate type URI.")],
    predicate: Annotated[Path, typer.Option("--predicate", help="The predicate, a JSON object.")],
    key: _KeyOption = None,
    keyless: _KeylessOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Default: SUBJECT.intoto.sigstore.json.")
    ] = None,
    unsafe_unencrypted_key: _UnencryptedOption = False,
) -> None:
    """Sign an in-toto Statement v1 about SUBJECT in a DSSE envelope (Sigstore bundle v0.3)."""

    def body() -> int:
        raw = read_small_file(predicate, MAX_PREDICATE_BYTES)
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError(f"{predicate}: not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InputError(f"{predicate}: the predicate must be a JSON object")
        signer = _signer(key, keyless, unsafe_unencrypted_key)
        artifact = Artifact.from_path(subject)
        subjects = subjects_of([(subject.name, artifact.digest)])
        statement = Statement(subjects, predicate_type, doc).to_json()
        bundle = signer.sign_statement(statement)
        target = output or subject.with_name(subject.name + ".intoto" + BUNDLE_SUFFIX)
        write_atomically(target, bundle.to_json())
        console.print(f"wrote {target} ({predicate_type} for {artifact.digest.short})")
        return 0

    run_command(body)


# --------------------------------------------------------------------------- verify


def _trust(
    keys: list[Path],
    identity: str | None,
    identity_regexp: str | None,
    issuer: str | None,
    issuer_regexp: str | None,
    trusted_root: Path | None,
) -> list[TrustPolicy]:
    policies: list[TrustPolicy] = [KeyTrust(PublicKey.load(k), trusted_root) for k in keys]
    if identity and identity_regexp:
        raise InputError("give --cert-identity or --cert-identity-regexp, not both")
    if issuer and issuer_regexp:
        raise InputError("give --cert-oidc-issuer or --cert-oidc-issuer-regexp, not both")
    wants_identity = identity or identity_regexp
    wants_issuer = issuer or issuer_regexp
    if (wants_identity and not wants_issuer) or (wants_issuer and not wants_identity):
        raise InputError("keyless verification needs both an identity and an OIDC issuer")
    if wants_identity:
        policies.append(
            KeylessTrust(
                Match(identity or identity_regexp or "", regexp=identity is None),
                Match(issuer or issuer_regexp or "", regexp=issuer is None),
                trusted_root,
            )
        )
    if not policies:
        raise InputError(
            "nothing to trust: give --key PUB, or --cert-identity(-regexp) with "
            "--cert-oidc-issuer(-regexp)"
        )
    return policies


def _report(
    artifact: Artifact, result: ThresholdResult, as_json: bool, predicate_type: str | None
) -> None:
    if as_json:
        doc: dict[str, Any] = {
            "artifact": str(artifact.digest),
            "bundles": [v.bundle for v in result.verified],
            "refused": list(result.refused),
            "signers": list(result.signers),
            "verified": True,
        }
        if predicate_type is not None:
            doc["predicateType"] = predicate_type
        typer.echo(json.dumps(doc, sort_keys=True, indent=2))
    for verified in result.verified:
        console.print(f"verified: {verified.bundle} signed by {verified.signer}")
    console.print(f"OK: {artifact.name} ({artifact.digest.short})")


_Bundles = Annotated[list[Path] | None, typer.Option("--bundle", help="Bundle file (repeatable).")]
_PublicKeys = Annotated[
    list[Path] | None, typer.Option("--key", help="Trusted public key, PEM (repeatable).")
]
_Identity = Annotated[
    str | None, typer.Option("--cert-identity", help="Exact keyless identity (SAN).")
]
_IdentityRe = Annotated[
    str | None, typer.Option("--cert-identity-regexp", help="Identity regexp (anchored).")
]
_Issuer = Annotated[str | None, typer.Option("--cert-oidc-issuer", help="Exact OIDC issuer URL.")]
_IssuerRe = Annotated[
    str | None, typer.Option("--cert-oidc-issuer-regexp", help="Issuer regexp (anchored).")
]
_Root = Annotated[
    Path | None,
    typer.Option(
        "--trusted-root", help="trusted_root.json (default: the one sigstore-python embeds)."
    ),
]
_ThresholdOption = Annotated[
    int, typer.Option("--threshold", help="Distinct trusted signers required.")
]


def _default_bundle(target: str, suffix: str) -> Path:
    if target.startswith("sha256:"):
        raise InputError("verifying a digest needs --bundle (there is no file to name it after)")
    return Path(target + suffix)


def _verify(
    target: str,
    bundles: list[Path] | None,
    keys: list[Path] | None,
    identity: str | None,
    identity_regexp: str | None,
    issuer: str | None,
    issuer_regexp: str | None,
    trusted_root: Path | None,
    threshold: int,
    as_json: bool,
    predicate_type: str | None,
) -> int:
    policies = _trust(keys or [], identity, identity_regexp, issuer, issuer_regexp, trusted_root)
    if predicate_type is not None:
        policies = [PredicateTypeIs(p, predicate_type) for p in policies]
    suffix = BUNDLE_SUFFIX if predicate_type is None else ".intoto" + BUNDLE_SUFFIX
    paths = bundles or [_default_bundle(target, suffix)]
    loaded = [Bundle.load(p) for p in paths]
    artifact = Artifact.from_argument(target)
    result = verify_bundles(loaded, artifact, Threshold(threshold, tuple(policies)))
    _report(artifact, result, as_json, predicate_type)
    return 0


@app.command()
def verify(
    file: Annotated[str, typer.Argument(help="The artifact, or its digest as sha256:<hex>.")],
    bundle: _Bundles = None,
    key: _PublicKeys = None,
    cert_identity: _Identity = None,
    cert_identity_regexp: _IdentityRe = None,
    cert_oidc_issuer: _Issuer = None,
    cert_oidc_issuer_regexp: _IssuerRe = None,
    trusted_root: _Root = None,
    threshold: _ThresholdOption = 1,
    json_output: JsonOpt = False,
) -> None:
    """Verify FILE against Sigstore bundles signed by a trusted key or keyless identity."""
    run_command(
        lambda: _verify(
            file,
            bundle,
            key,
            cert_identity,
            cert_identity_regexp,
            cert_oidc_issuer,
            cert_oidc_issuer_regexp,
            trusted_root,
            threshold,
            json_output,
            None,
        )
    )


@app.command("verify-attestation")
def verify_attestation(
    file: Annotated[
        str, typer.Argument(help="The subject artifact, or its digest as sha256:<hex>.")
    ],
    predicate_type: Annotated[
        str, typer.Option("--predicate-type", help="Required predicate type.")
    ],
    bundle: _Bundles = None,
    key: _PublicKeys = None,
    cert_identity: _Identity = None,
    cert_identity_regexp: _IdentityRe = None,
    cert_oidc_issuer: _Issuer = None,
    cert_oidc_issuer_regexp: _IssuerRe = None,
    trusted_root: _Root = None,
    threshold: _ThresholdOption = 1,
    json_output: JsonOpt = False,
) -> None:
    """Verify signed in-toto attestations about FILE with the given predicate type."""
    run_command(
        lambda: _verify(
            file,
            bundle,
            key,
            cert_identity,
            cert_identity_regexp,
            cert_oidc_issuer,
            cert_oidc_issuer_regexp,
            trusted_root,
            threshold,
            json_output,
            predicate_type,
        )
    )


# --------------------------------------------------------------------------- conformance


@conformance_app.command("verify-bundle")
def conformance_verify_bundle(
    artifact: Annotated[str, typer.Argument(help="Artifact path or sha256:<hex>.")],
    bundle: Annotated[Path, typer.Option("--bundle", help="The bundle.")],
    certificate_identity: Annotated[str | None, typer.Option("--certificate-identity")] = None,
    certificate_oidc_issuer: Annotated[
        str | None, typer.Option("--certificate-oidc-issuer")
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help="PEM public key.")] = None,
    trusted_root: Annotated[Path | None, typer.Option("--trusted-root")] = None,
) -> None:
    """The sigstore-conformance client protocol's verify-bundle."""

    def body() -> int:
        result = conformance_verify(
            bundle,
            artifact,
            key=key,
            identity=certificate_identity,
            issuer=certificate_oidc_issuer,
            trusted_root=trusted_root,
        )
        console.print(f"OK: {bundle} signed by {result.signer}")
        return 0

    run_command(body)
