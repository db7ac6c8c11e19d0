"""``verifier release``, ``verifier releases`` and ``verifier rollback-check``."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from verifier.attest.uris import DEFAULT_BUILDER_ID
from verifier.cli.app import app, console, run_command
from verifier.cli.passwords import key_password
from verifier.clock import source_date_epoch_clock
from verifier.errors import InputError
from verifier.policy.loader import load_policies
from verifier.rebuild.engine import RebuildOptions
from verifier.rebuild.sandbox import open_sandbox
from verifier.rebuild.variations import select_variations
from verifier.recipe import load_recipe
from verifier.release.history import list_releases, rollback_decision
from verifier.release.pipeline import ReleaseRequest, ReleaseStatus, release, results_dir
from verifier.release.signing_key import DEFAULT_KEY, release_key, running_in_ci
from verifier.release.version import ReleaseVersion
from verifier.report.paths import display_path
from verifier.sign.key_signer import KeySigner
from verifier.sign.keyless import KeylessSigner
from verifier.sign.keys import PublicKey, read_small_file
from verifier.sign.signer import Signer
from verifier.store.deadline import DEFAULT_TIMEOUT
from verifier.store.layout import DEFAULT_LAYOUT
from verifier.store.reference import LAYOUT_PREFIX, StoreOptions, parse_store

DEFAULT_POLICY = Path(".verifier") / "policy.yaml"
DEFAULT_STORE = f"{LAYOUT_PREFIX}{DEFAULT_LAYOUT}"

_Store = Annotated[
    str,
    typer.Option(
        "--store", help="oci-layout:PATH or HOST/REPOSITORY (default: the local .verifier/store)."
    ),
]
_Timeout = Annotated[
    float, typer.Option("--timeout", help="Seconds the store may take, in all (per phase).")
]
_PlainHttp = Annotated[
    bool, typer.Option("--unsafe-plain-http", help="Talk to the registry over plain HTTP.")
]
_CaFile = Annotated[Path | None, typer.Option("--ca-file", help="CA bundle for the registry.")]


def _progress(message: str) -> None:
    console.print(f"[dim]{escape(message)}[/]")


def _policy_path(policy: Path | None) -> Path:
    """--policy, or the embedded default written on first use (never silently under CI)."""
    if policy is not None:
        return policy
    if DEFAULT_POLICY.is_file():
        return DEFAULT_POLICY
    if running_in_ci():
        raise InputError(
            f"no policy: CI=true and {DEFAULT_POLICY} does not exist; pass --policy FILE"
        )
    template = resources.files("verifier.release").joinpath("data/release-policy.yaml")
    DEFAULT_POLICY.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_POLICY.write_bytes(template.read_bytes())
    console.print(
        f"[yellow]notice:[/] wrote the default release policy {DEFAULT_POLICY} "
        "(trusts .verifier/keys/release.pub); edit it, or pass --policy"
    )
    return DEFAULT_POLICY


def _signer(key: Path | None, keyless: bool) -> Signer:
    if keyless:
        if key is not None:
            raise InputError("give --key KEY or --keyless, not both")
        return KeylessSigner.from_ambient()
    chosen = release_key(
        key,
        key_password,
        on_notice=lambda m: console.print(f"[yellow]notice:[/] {escape(m)}"),
    )
    return KeySigner(chosen.key)


@app.command("release")
def release_command(
    recipe: Annotated[Path, typer.Argument(help="The recipe (repro.toml) or its directory.")],
    version: Annotated[str, typer.Option("--version", help="Semantic version, e.g. 1.4.0.")],
    store: _Store = DEFAULT_STORE,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Signing key (default: .verifier/keys/release.key, made once)."),
    ] = None,
    keyless: Annotated[
        bool, typer.Option("--keyless", help="Sign keyless with the CI's OIDC identity.")
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy file or directory (default: .verifier/policy.yaml)."),
    ] = None,
    builds: Annotated[int, typer.Option("--builds", "-n", help="Rebuilds to compare.")] = 2,
    against: Annotated[
        Path | None, typer.Option("--against", help="A published artifact the rebuilds must match.")
    ] = None,
    no_vary: Annotated[
        list[str], typer.Option("--no-vary", help="Do not vary this between builds.")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    builder_id: Annotated[
        str, typer.Option("--builder-id", envvar="VERIFIER_BUILDER_ID", help="builder.id.")
    ] = DEFAULT_BUILDER_ID,
    timeout: _Timeout = DEFAULT_TIMEOUT,
    unsafe_plain_http: _PlainHttp = False,
    ca_file: _CaFile = None,
    unsafe_no_sandbox: Annotated[
        bool, typer.Option("--unsafe-no-sandbox", help="Rebuild without bwrap (recorded).")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the release record.")] = False,
) -> None:
    """Rebuild, SBOM, sign and gate RECIPE on a policy; publish it as VERSION only if allowed.

    Steps: check the version tag; rebuild (N builds, varied, sandboxed); package the outputs
    as one OCI manifest; CycloneDX SBOM; sign (release signature, SBOM, provenance, rebuild
    verdict); evaluate the policy on exactly that evidence; publish the files and evidence;
    sign and attach the release manifest and verification summary; tag vVERSION, last and
    immutably. A refused release publishes nothing; re-running a published release is a no-op.

    Embedded defaults: the store .verifier/store, the key .verifier/keys/release.key (created on
    first use, password from VERIFIER_PASSWORD or a prompt), the policy .verifier/policy.yaml
    (written on first use). Under CI=true a missing key or policy is an error.

    Exit codes: 0 released (or already released); 1 refused (reasons listed) or the version
    exists for another build; 2 bad input; 3 environment (sandbox, store, timeout).
    """

    def body() -> int:
        parsed_version = ReleaseVersion.parse(version)
        parsed = load_recipe(recipe)
        location = parse_store(store)
        signer = _signer(key, keyless)  # first: the default policy trusts the default key
        policy_path = _policy_path(policy)
        policy_set = load_policies(policy_path)
        sandbox = open_sandbox(unsafe_no_sandbox=unsafe_no_sandbox)
        request = ReleaseRequest(
            recipe=parsed,
            version=parsed_version,
            store=location,
            store_options=StoreOptions(
                timeout=timeout, unsafe_plain_http=unsafe_plain_http, ca_file=ca_file
            ),
            policy_set=policy_set,
            policy_uri=display_path(policy_path),
            rebuild=RebuildOptions(
                builds=builds,
                variations=select_variations([], no_vary),
                results=results_dir(parsed, parsed_version),
                against=against,
                builder_id=builder_id,
                display_path=display_path(parsed.path),
            ),
        )
        result = release(
            request,
            signer=signer,
            sandbox=sandbox,
            clock=source_date_epoch_clock(),
            on_progress=_progress,
        )
        if result.status is ReleaseStatus.REFUSED:
            console.print(
                f"[red]refused[/]: {escape(parsed.name)} {parsed_version.text}; "
                "nothing was published"
            )
            for reason in result.reasons:
                console.print(f"  - {escape(reason)}")
        elif result.status is ReleaseStatus.UNCHANGED:
            console.print(f"{escape(parsed_version.tag)} already released as {result.artifact}")
        else:
            console.print(
                f"[green]released[/] {escape(parsed.name)} {escape(parsed_version.tag)} "
                f"{escape(str(location))}@{result.artifact}"
            )
            console.print(
                f"  admit it with: verifier admit {escape(str(location))}:{parsed_version.tag} "
                f"--policy {escape(display_path(policy_path))}"
            )
        if json_output:
            typer.echo(json.dumps(result.to_dict(), sort_keys=True, indent=2))
        return result.exit_code

    run_command(body)


def _trusted_key(key: Path | None) -> PublicKey | None:
    path = key or DEFAULT_KEY.with_suffix(".pub")
    if key is None and not path.is_file():
        return None
    return PublicKey.from_pem(read_small_file(path, 64 * 1024), str(path))


@app.command("releases")
def releases_command(
    store: _Store = DEFAULT_STORE,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key", help="Public key that signs releases (default .verifier/keys/release.pub)."
        ),
    ] = None,
    timeout: _Timeout = DEFAULT_TIMEOUT,
    unsafe_plain_http: _PlainHttp = False,
    ca_file: _CaFile = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List the releases in a store: version, digest, date and verification state.

    The state comes from each release's signed verification summary, checked against the
    release public key: "verified" (signed by that key, PASSED), "unverified" (no key to
    check with), "invalid" (signed, but not PASSED) or "missing" (no summary signed by it).

    Exit codes: 0 listed; 1 a release's summary is invalid or missing; 2 bad input; 3 store.
    """

    def body() -> int:
        location = parse_store(store)
        options = StoreOptions(
            timeout=timeout, unsafe_plain_http=unsafe_plain_http, ca_file=ca_file
        )
        entries = list_releases(location.open(options), _trusted_key(key))
        for entry in entries:
            style = {"verified": "green", "unverified": "yellow"}.get(entry.state, "red")
            console.print(
                f"{escape(entry.version.tag):<14} {entry.digest.short}  {entry.created or '-':<20} "
                f"[{style}]{entry.state}[/]  {escape(entry.detail)}"
            )
        if not entries:
            console.print(f"no releases in {escape(str(location))}")
        if json_output:
            typer.echo(json.dumps([e.to_dict() for e in entries], sort_keys=True, indent=2))
        return 1 if any(e.state in ("invalid", "missing") for e in entries) else 0

    run_command(body)


@app.command("rollback-check")
def rollback_check_command(
    version: Annotated[str, typer.Argument(help="The release to roll back to, e.g. v1.2.0.")],
    policy: Annotated[
        Path, typer.Option("--policy", help="Today's policy file or directory.")
    ] = DEFAULT_POLICY,
    store: _Store = DEFAULT_STORE,
    timeout: _Timeout = DEFAULT_TIMEOUT,
    unsafe_plain_http: _PlainHttp = False,
    ca_file: _CaFile = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the decision.")] = False,
) -> None:
    """Re-evaluate an older release against today's policy and trust, before deploying it.

    The evidence attached to the release is gathered from the store and verified again with
    the keys and identities today's policy trusts, then the policy decides, exactly as
    'verifier admit' would for that release.

    Exit codes: 0 admissible; 1 denied; 2 bad input; 3 could not decide (store, evidence).
    """

    def body() -> int:
        parsed_version = ReleaseVersion.parse(version)
        location = parse_store(store)
        options = StoreOptions(
            timeout=timeout, unsafe_plain_http=unsafe_plain_http, ca_file=ca_file
        )
        decision = rollback_decision(
            location, options, parsed_version, load_policies(policy), source_date_epoch_clock()
        )
        verdict = decision.outcome.value
        console.print(f"{escape(parsed_version.tag)}: {verdict} under {escape(str(policy))}")
        for finding in (*decision.violations, *decision.errors):
            console.print(f"  - {escape(f'[{finding.rule}]')} {escape(finding.message)}")
        for finding in decision.warnings:
            console.print(
                f"  [yellow]warning[/] {escape(f'[{finding.rule}]')} {escape(finding.message)}"
            )
        if json_output:
            typer.echo(decision.to_json().decode(), nl=False)
        return decision.outcome.exit_code

    run_command(body)
