"""``verifier pins``: find build inputs that are not pinned by digest."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from verifier.errors import InputError
from verifier.pins.scan import scan_path
from verifier.pins.walker import MAX_FILE_BYTES
from verifier.report.pins_format import PinsFormat

from .app import app, console, run_command


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc


@app.command("pins")
def pins_command(
    path: Path = typer.Argument(Path(), help="A directory to scan, or one file."),
    report_format: PinsFormat = typer.Option(
        PinsFormat.TEXT,
        "--format",
        "-f",
        help="Report on stdout: json or sarif (text goes to stderr only).",
        case_sensitive=False,
    ),
    json_output: bool = typer.Option(False, "--json", help="Same as --format json."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to this file instead of stdout."
    ),
    max_file_bytes: int = typer.Option(
        MAX_FILE_BYTES,
        "--max-file-bytes",
        min=1,
        help="Larger files are reported unreadable instead of parsed.",
    ),
) -> None:
    """Find build inputs in PATH that are not pinned by digest.

    Reads Dockerfiles, GitHub Actions workflows and actions, GitLab CI, Kubernetes manifests,
    kustomizations, Helm values, requirements*.txt, package.json with its lock, shell scripts
    and repro.toml. Each finding names the file, line, kind, the reference and how to pin it.
    Files that do not parse are findings of kind 'unreadable'.

    Exit codes: 0 every input is pinned; 1 something is unpinned or unreadable; 2 PATH (or a
    file in it) cannot be read, or bad usage.
    """
    chosen = PinsFormat.JSON if json_output else report_format

    def body() -> int:
        report = scan_path(path, max_file_bytes=max_file_bytes)
        console.print(escape(PinsFormat.TEXT.writer().render(report).rstrip("\n")))
        if chosen is not PinsFormat.TEXT or output is not None:
            rendered = chosen.writer().render(report)
            if output is not None:
                _write_output(output, rendered)
            else:
                typer.echo(rendered, nl=False)
        return 0 if report.clean else 1

    run_command(body)
