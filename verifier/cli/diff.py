"""`verifier diff A B` and `verifier stabilizers`: thin wrappers over verifier.compare."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from verifier.cli.app import app, console, run_command
from verifier.compare import CATALOGUE, DeepDiff, compare_paths, resolve
from verifier.compare.output import DiffFormat


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
    json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
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
