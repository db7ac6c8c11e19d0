"""Store commands: push, attach, pull, discover, copy. Parse, call verifier.store, print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from verifier.clock import source_date_epoch_clock
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.artifacts import FileLayer, attach_bundle, pull_to_dir, push_files
from verifier.store.copy import copy_artifact
from verifier.store.deadline import DEFAULT_TIMEOUT, Deadline
from verifier.store.discover import discover, tree_json, tree_text
from verifier.store.oci import DEFAULT_ARTIFACT_TYPE, MAX_MANIFEST_BYTES, OCTET_STREAM
from verifier.store.reference import ArtifactRef, parse_reference, parse_reference_in

from .app import app, console, run_command
from .options import CaFileOpt, JsonOpt, PlainHttpOpt, StoreOpt, TimeoutOpt, store_options

RefArg = Annotated[str, typer.Argument(metavar="REF")]


def _emit(report: dict[str, Any]) -> None:
    typer.echo(json.dumps(report, sort_keys=True, indent=2))


def _annotations(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--annotation {pair!r}: expected KEY=VALUE")
        out[key] = value
    return out


@app.command()
def push(
    args: Annotated[
        list[str], typer.Argument(metavar="FILE... REF", help="Files, then where to store them.")
    ],
    artifact_type: Annotated[
        str, typer.Option("--artifact-type", help="artifactType of the manifest.")
    ] = DEFAULT_ARTIFACT_TYPE,
    media_type: Annotated[
        str, typer.Option("--media-type", help="Media type of every layer.")
    ] = OCTET_STREAM,
    annotation: Annotated[
        list[str] | None,
        typer.Option("--annotation", "-a", help="Manifest annotation KEY=VALUE, repeatable."),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            "--subject", help="Attach as a referrer of this tag or digest in the same store."
        ),
    ] = None,
    immutable: Annotated[
        bool, typer.Option("--immutable", help="Refuse to move an existing tag.")
    ] = False,
    store_spec: StoreOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store files as one OCI artifact (empty config, one layer per file) at REF."""

    def body() -> int:
        if len(args) < 2:
            raise InputError("push needs at least one FILE and a REF")
        ref = parse_reference_in(args[-1], store_spec)
        if ref.digest is not None:
            raise InputError(f"{args[-1]}: push to a tag, not a digest")
        if ref.tag is None and subject is None:
            raise InputError(
                f"{args[-1]}: name a tag (:TAG) or a --subject; an untagged artifact is "
                "unreachable and garbage collection deletes it"
            )
        files = [FileLayer(Path(p), media_type) for p in args[:-1]]
        store = ref.store.open(store_options(timeout, plain_http, ca_file))
        subject_desc = None
        if subject is not None:
            target = (
                Digest.parse(subject) if subject.startswith(("sha256:", "sha512:")) else subject
            )
            subject_desc = store.get_manifest(target).descriptor
        descriptor = push_files(
            store,
            files,
            tag=ref.tag,
            artifact_type=artifact_type,
            annotations=_annotations(annotation or []),
            created=source_date_epoch_clock().now(),
            subject=subject_desc,
            immutable=immutable,
        )
        where = f"{ref.store}:{ref.tag}" if ref.tag else str(ref.store)
        console.print(f"pushed {escape(where)}@{descriptor.digest}", soft_wrap=True)
        if as_json:
            _emit({"reference": f"{ref.store}@{descriptor.digest}", **descriptor.to_json()})
        return 0

    run_command(body)


@app.command()
def attach(
    args: Annotated[
        list[str],
        typer.Argument(metavar="BUNDLE... REF", help="Sigstore bundles, then the artifact."),
    ],
    store_spec: StoreOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Attach Sigstore bundles to the artifact REF as referrers (cosign v3's layout)."""

    def body() -> int:
        if len(args) < 2:
            raise InputError("attach needs at least one BUNDLE and a REF")
        ref = parse_reference_in(args[-1], store_spec)
        bundles = [(Path(p), _read_bundle(Path(p))) for p in args[:-1]]
        store = ref.store.open(store_options(timeout, plain_http, ca_file))
        subject = store.get_manifest(ref.reference).descriptor
        created = source_date_epoch_clock().now()
        attached = []
        for path, data in bundles:
            descriptor = attach_bundle(store, subject, data, created=created, where=str(path))
            console.print(f"attached {escape(str(path))} as {descriptor.digest}", soft_wrap=True)
            attached.append({"bundle": str(path), "digest": str(descriptor.digest)})
        if as_json:
            _emit({"referrers": attached, "subject": f"{ref.store}@{subject.digest}"})
        return 0

    run_command(body)


def _read_bundle(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise InputError(f"{path}: bundle is over 4 MiB")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


@app.command()
def pull(
    reference: RefArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to write the files into.")
    ],
    store_spec: StoreOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the layers of REF into a directory, checking every digest while streaming."""

    def body() -> int:
        ref = parse_reference_in(reference, store_spec)
        store = ref.store.open(store_options(timeout, plain_http, ca_file))
        manifest = store.get_manifest(ref.reference)
        written = pull_to_dir(store, manifest, output)
        for path in written:
            console.print(f"wrote {escape(str(path))}")
        if as_json:
            _emit(
                {
                    "digest": str(manifest.digest),
                    "files": [str(p) for p in written],
                    "reference": str(ref),
                }
            )
        return 0

    run_command(body)


@app.command(name="discover")
def discover_command(
    reference: RefArg,
    artifact_type: Annotated[
        str | None,
        typer.Option("--artifact-type", help="List only referrers of this (their own) type."),
    ] = None,
    store_spec: StoreOpt = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the tree of referrers of REF: SBOMs, signature bundles, attestations."""

    def body() -> int:
        ref = parse_reference_in(reference, store_spec)
        store = ref.store.open(store_options(timeout, plain_http, ca_file))
        tree = discover(store, ref.reference, artifact_type=artifact_type)
        if as_json:
            _emit(tree_json(tree))
        else:
            for line in tree_text(tree):
                console.print(escape(line), soft_wrap=True)
        return 0

    run_command(body)


def _copy_target(src: ArtifactRef, dst: ArtifactRef) -> str | None:
    if dst.digest is not None:
        raise InputError(f"{dst}: copy to a tag or a store, not a digest")
    return dst.tag or src.tag


@app.command()
def copy(
    source: Annotated[str, typer.Argument(metavar="SRC")],
    destination: Annotated[str, typer.Argument(metavar="DST")],
    referrers: Annotated[
        bool, typer.Option("--referrers/--no-referrers", help="Copy referrers too.")
    ] = True,
    immutable: Annotated[
        bool, typer.Option("--immutable", help="Refuse to move an existing tag.")
    ] = False,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Copy an artifact and all its referrers between stores, digests unchanged."""

    def body() -> int:
        src = parse_reference(source)
        dst = parse_reference(destination)
        tag = _copy_target(src, dst)
        options = store_options(timeout, plain_http, ca_file)
        deadline = Deadline(options.timeout)
        result = copy_artifact(
            src.store.open(options, deadline),
            src.reference,
            dst.store.open(options, deadline),
            tag=tag,
            with_referrers=referrers,
            immutable=immutable,
        )
        console.print(
            f"copied {escape(str(src))} to {escape(str(dst.store))}@{result.digest}: "
            f"{result.manifests} manifests, {result.blobs} blobs, {result.referrers} referrers",
            soft_wrap=True,
        )
        if as_json:
            _emit(
                {
                    "blobs": result.blobs,
                    "digest": str(result.digest),
                    "manifests": result.manifests,
                    "referrers": result.referrers,
                    "source": str(src),
                    "destination": f"{dst.store}@{result.digest}",
                    "tag": tag,
                }
            )
        return 0

    run_command(body)
