"""`verifier diff A B`, `verifier stabilizers` and `verifier infer-recipe WHEEL SDIST`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from verifier.cli.app import app, console, run_command
from verifier.cli.options import FormatJsonOpt
from verifier.compare import CATALOGUE, DeepDiff, compare_paths, resolve
from verifier.compare.output import DiffFormat
from verifier.digest import hash_file
from verifier.errors import InputError
from verifier.pypi import infer_recipe


@app.command("diff")
def diff_command(
    a: Annotated[Path, typer.Argument(help="First file, archive or directory.")],
    b: Annotated[Path, typer.Argument(help="Second file, archive or directory.")],
    stabilize: Annotated[
        list[str] | None,
        typer.Option(
            "--stabilize",
            "-s",
            help="Opt-in normalization (name, name@version, family zip/tar/gzip/wheel/jar, "
            "or all); repeat or comma-separate.",
        ),
    ] = None,
    build_path: Annotated[
        list[str] | None,
        typer.Option(help="A build directory to look for in differing content (repeat)."),
    ] = None,
    hostname: Annotated[
        list[str] | None,
        typer.Option(help="A build host name to look for in differing content (repeat)."),
    ] = None,
    user: Annotated[
        list[str] | None,
        typer.Option(help="A build user name to look for in differing content (repeat)."),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Report on stdout: text, json, markdown.")
    ] = DiffFormat.TEXT,
    json_output: FormatJsonOpt = False,
    deep: Annotated[
        bool, typer.Option("--deep", help="Run diffoscope on each differing member.")
    ] = False,
    deep_timeout: Annotated[
        float, typer.Option("--deep-timeout", help="Seconds per diffoscope run.")
    ] = 30.0,
    max_diff_lines: Annotated[
        int, typer.Option("--max-diff-lines", help="Lines of unified diff shown per member.")
    ] = 40,
) -> None:
    """Explain how two artifacts differ: exit 0 identical (or equivalent), 1 different."""

    def body() -> int:
        stabilizers = resolve(stabilize or ())
        deep_diff = DeepDiff.locate(timeout=deep_timeout) if deep else None
        comparison = compare_paths(
            a,
            b,
            stabilizers=stabilizers,
            build_paths=build_path or (),
            hostnames=hostname or (),
            users=user or (),
            max_diff_lines=max_diff_lines,
            deep=deep_diff,
        )
        fmt = DiffFormat.JSON if json_output else output_format
        sys.stdout.write(fmt.writer().render(comparison))
        if fmt is not DiffFormat.TEXT:
            console.print(f"{comparison.verdict}: {len(comparison.remaining)} differences left")
        return 0 if comparison.equivalent else 1

    run_command(body)


@app.command("stabilizers")
def stabilizers_command() -> None:
    """List the stabilizers `verifier diff --stabilize` accepts."""

    def body() -> int:
        for stabilizer in CATALOGUE:
            sys.stdout.write(f"{stabilizer.label:32} {stabilizer.erases}\n")
        return 0

    run_command(body)


@app.command("infer-recipe")
def infer_recipe_command(
    wheel: Annotated[Path, typer.Argument(help="The published wheel.")],
    sdist: Annotated[Path, typer.Argument(help="The sdist it was built from.")],
    sdist_ref: Annotated[
        str | None,
        typer.Option("--sdist-ref", help="URL or path to write for the sdist input."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the facts as JSON.")] = False,
) -> None:
    """Infer backend, SOURCE_DATE_EPOCH, time zone and umask from a wheel; print a recipe."""

    def body() -> int:
        for path in (wheel, sdist):
            if not path.is_file():
                raise InputError(f"{path}: no such file")
        inferred = infer_recipe(wheel, sdist)
        if json_output:
            sys.stdout.write(json.dumps(inferred.to_dict(), indent=2, sort_keys=True) + "\n")
        else:
            digest = hash_file(sdist)
            sys.stdout.write(inferred.to_toml(sdist_ref or str(sdist), digest.hex))
        console.print(f"{inferred.name} {inferred.version}: built by {inferred.generator}")
        for note in inferred.notes:
            console.print(f"  note: {note}")
        return 0

    run_command(body)
