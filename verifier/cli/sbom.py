"""``verifier sbom``: write, validate and compare CycloneDX SBOMs (the work is in verifier.sbom)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from verifier.cli.app import app, console, run_command
from verifier.errors import InputError
from verifier.sbom.diff_render import DiffFormat
from verifier.sbom.sources import SbomSource, SourceKind, SourceOptions, open_source
from verifier.sbom.sources.environment import EnvironmentSource
from verifier.sbom.spec import SpecVersion


class _GenerateByDefault(TyperGroup):
    """``verifier sbom PATH`` means ``verifier sbom generate PATH``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["generate", *args]
        return super().parse_args(ctx, args)


sbom_app = typer.Typer(
    name="sbom",
    cls=_GenerateByDefault,
    help=(
        "CycloneDX SBOMs: `verifier sbom PATH -o out.cdx.json` writes one; "
        "`validate` checks one; `diff` compares two."
    ),
    no_args_is_help=True,
)
app.add_typer(sbom_app)


def _write_output(data: bytes, output: Path | None) -> None:
    """stdout, or ``output`` replaced atomically: a failed run never leaves half a file."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    directory = output.parent if str(output.parent) else Path()
    try:
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        Path(temp).replace(output)
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc


@sbom_app.command("generate")
def generate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Wheel, sdist, venv, lock file, requirements, archive, directory, OCI layout.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout.")
    ] = None,
    kind: Annotated[
        SourceKind, typer.Option("--type", "-t", help="What PATH is.")
    ] = SourceKind.AUTO,
    python: Annotated[
        str | None,
        typer.Option(
            "--python", help="Describe the environment of this interpreter instead of PATH."
        ),
    ] = None,
    files: Annotated[
        bool, typer.Option("--files", help="List every file as a component too.")
    ] = False,
    ref: Annotated[
        str | None, typer.Option("--ref", help="OCI layout: the tag (ref.name) to use.")
    ] = None,
    target: Annotated[
        Path | None,
        typer.Option("--target", help="The artifact the SBOM describes (default: PATH itself)."),
    ] = None,
    spec_version: Annotated[
        SpecVersion, typer.Option("--spec-version", help="CycloneDX version to write.")
    ] = SpecVersion.V1_6,
    image: Annotated[
        str | None,
        typer.Option(
            "--image",
            help="An image in a store instead of PATH: HOST/REPO:TAG, HOST/REPO@sha256:..., "
            "oci-layout:DIR:TAG (copied digest-checked into a temporary layout).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="With --image: seconds the store may take.")
    ] = 60.0,
    unsafe_plain_http: Annotated[
        bool, typer.Option("--unsafe-plain-http", help="With --image: plain-HTTP registry.")
    ] = False,
    ca_file: Annotated[
        Path | None, typer.Option("--ca-file", help="With --image: the registry's CA bundle.")
    ] = None,
) -> None:
    """Write a CycloneDX SBOM of PATH (deterministic; time from SOURCE_DATE_EPOCH or none)."""

    def body() -> int:
        # the schema validator costs ~0.2 s to import: only commands that use it load it
        from verifier.sbom.build import build_from_inventory, source_date_epoch, with_target
        from verifier.sbom.ntia import ntia_gaps

        if sum(x is not None for x in (path, python, image)) > 1:
            raise InputError("give one of PATH, --python or --image")
        if image is not None:
            from verifier.image_sbom import image_inventory
            from verifier.store.reference import StoreOptions

            options = StoreOptions(
                timeout=timeout, unsafe_plain_http=unsafe_plain_http, ca_file=ca_file
            )
            inventory = image_inventory(image, options)
            location = image
        else:
            source: SbomSource
            if python is not None:
                source = EnvironmentSource(python=python, files=files)
            elif path is None:
                raise InputError("missing PATH (or --python INTERPRETER, or --image REF)")
            else:
                source = open_source(path, kind, SourceOptions(files=files, ref=ref))
            inventory = source.inventory()
            location = source.location
        if target is not None:
            inventory = with_target(inventory, target)
        data = build_from_inventory(
            inventory, spec_version=spec_version, timestamp=source_date_epoch()
        )
        for finding in inventory.findings:
            console.print(f"[yellow]finding:[/] {escape(finding)}")
        for gap in ntia_gaps(json.loads(data)):
            console.print(f"[yellow]NTIA minimum elements:[/] {escape(gap)}")
        _write_output(data, output)
        count = len(json.loads(data).get("components", []))
        where = str(output) if output else "stdout"
        console.print(
            f"wrote CycloneDX {spec_version} SBOM of {escape(location)}: "
            f"{count} components, {len(inventory.findings)} findings -> {escape(where)}"
        )
        return 0

    run_command(body)


@sbom_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="A CycloneDX JSON SBOM.")],
    spec_version: Annotated[
        SpecVersion | None,
        typer.Option(
            "--spec-version", help="Validate as this version (default: the document's own)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the issues as JSON on stdout.")
    ] = False,
) -> None:
    """Check an SBOM against the CycloneDX JSON schema; name each error's JSON path."""

    def body() -> int:
        from verifier.sbom.validate import validate_sbom

        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{file}: cannot read: {exc.strerror or exc}") from exc
        issues = validate_sbom(data, spec_version, where=str(file))
        if as_json:
            doc = {
                "file": str(file),
                "valid": not issues,
                "issues": [{"path": i.path, "message": i.message} for i in issues],
            }
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        for issue in issues:
            console.print(f"{escape(str(file))}: {escape(issue.path)}: {escape(issue.message)}")
        if issues:
            console.print(f"[red]invalid:[/] {escape(str(file))}: {len(issues)} schema errors")
            return 1
        console.print(f"valid: {escape(str(file))}")
        return 0

    run_command(body)


@sbom_app.command("diff")
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier SBOM.")],
    new: Annotated[Path, typer.Argument(help="The later SBOM.")],
    fmt: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Report format.")
    ] = DiffFormat.TEXT,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not stdout.")
    ] = None,
    exit_code: Annotated[
        bool,
        typer.Option(
            "--exit-code", help="Exit 1 when the SBOMs differ (like git diff --exit-code)."
        ),
    ] = False,
) -> None:
    """Components added, removed and changed (version, hashes, licenses) between two SBOMs."""

    def body() -> int:
        from verifier.sbom.diff import diff_sboms

        def read(path: Path) -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc

        result = diff_sboms(read(old), read(new), old_name=str(old), new_name=str(new))
        _write_output(fmt.render(result).encode(), output)
        return 1 if exit_code and not result.identical else 0

    run_command(body)
