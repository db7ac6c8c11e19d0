"""``verifier pins``: find build inputs that are not pinned by digest."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from verifier.errors import InputError
from verifier.pins.registry_tags import RegistryTagResolver
from verifier.pins.resolve import ResolvePlan, apply_rewrites, plan_resolve
from verifier.pins.scan import PinsReport, scan_path
from verifier.pins.walker import MAX_FILE_BYTES
from verifier.report.pins_format import PinsFormat
from verifier.store.deadline import DEFAULT_TIMEOUT
from verifier.store.reference import StoreOptions

from .app import app, console, run_command
from .options import CaFileOpt, FormatJsonOpt, PlainHttpOpt, TimeoutOpt, store_options


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc


def _print_plan(plan: ResolvePlan) -> None:
    for rewrite in plan.rewrites:
        where = f"{rewrite.display}:{rewrite.line}"
        change = (
            f"+ {rewrite.new.strip()}"
            if rewrite.insert
            else f"{rewrite.old.strip()} -> {rewrite.new.strip()}"
        )
        console.print(f"[green]resolved[/] {escape(where)}: {escape(change)}")
    for skipped in plan.skipped:
        if skipped.reason != "only image references are resolved":
            f = skipped.finding
            console.print(
                f"[yellow]not resolved[/] {escape(f'{f.path}:{f.line}: {f.reference}')}: "
                f"{escape(skipped.reason)}"
            )
    console.print(f"{len(plan.rewrites)} reference(s) rewritten to digests")


def _resolve(report: PinsReport, options: StoreOptions, max_file_bytes: int) -> PinsReport:
    plan = plan_resolve(report, RegistryTagResolver(options))
    apply_rewrites(plan.rewrites)
    _print_plan(plan)
    return scan_path(report.root, max_file_bytes=max_file_bytes)


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
    json_output: FormatJsonOpt = False,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report to this file instead of stdout."
    ),
    max_file_bytes: int = typer.Option(
        MAX_FILE_BYTES,
        "--max-file-bytes",
        min=1,
        help="Larger files are reported unreadable instead of parsed.",
    ),
    resolve: bool = typer.Option(
        False,
        "--resolve",
        help="Rewrite image tags in place to the digests their registries serve now.",
    ),
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
) -> None:
    """Find build inputs in PATH that are not pinned by digest.

    Reads Dockerfiles, GitHub Actions workflows and actions, GitLab CI, Kubernetes manifests,
    kustomizations, Helm values, requirements*.txt, package.json with its lock, shell scripts
    and repro.toml. Each finding names the file, line, kind, the reference and how to pin it.
    Files that do not parse are findings of kind 'unreadable'.

    With --resolve, every image tag that can be rewritten is looked up in its registry and
    pinned in place (each change printed); the report then lists what is still unpinned.
    Review the change: pinning trusts what the registry serves right now.

    Exit codes: 0 every input is pinned; 1 something is unpinned or unreadable; 2 PATH (or a
    file in it) cannot be read, or bad usage; 3 a registry failed during --resolve (nothing
    is then written).
    """
    chosen = PinsFormat.JSON if json_output else report_format

    def body() -> int:
        report = scan_path(path, max_file_bytes=max_file_bytes)
        if resolve:
            options = store_options(timeout, plain_http, ca_file)
            report = _resolve(report, options, max_file_bytes)
        console.print(escape(PinsFormat.TEXT.writer().render(report).rstrip("\n")))
        if chosen is not PinsFormat.TEXT or output is not None:
            rendered = chosen.writer().render(report)
            if output is not None:
                _write_output(output, rendered)
            else:
                typer.echo(rendered, nl=False)
        return 0 if report.clean else 1

    run_command(body)
