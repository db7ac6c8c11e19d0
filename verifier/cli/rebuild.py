"""``verifier rebuild`` and ``verifier pin``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from verifier.attest.uris import DEFAULT_BUILDER_ID
from verifier.clock import source_date_epoch_clock
from verifier.compare import resolve
from verifier.errors import InputError
from verifier.pypi.fetch import DEFAULT_INDEX, normalize, parse_spec
from verifier.pypi.rebuild import PreparedRebuild, prepare_pypi_rebuild
from verifier.rebuild.engine import RebuildOptions, rebuild
from verifier.rebuild.pin import pin_recipe
from verifier.rebuild.sandbox import open_sandbox
from verifier.rebuild.variations import ALL_VARIATIONS, select_variations
from verifier.recipe import load_recipe
from verifier.report.paths import display_path
from verifier.report.rebuild import print_rebuild_summary, rebuild_report

from .app import app, console, run_command

_VARIATIONS_HELP = ", ".join(v.value for v in ALL_VARIATIONS)


def _progress(message: str) -> None:
    console.print(f"[dim]{escape(message)}[/]")


@app.command("rebuild")
def rebuild_command(
    recipe: Path = typer.Argument(
        Path("repro.toml"),
        help="The recipe (repro.toml), a directory holding one, or pypi:NAME==VERSION to "
        "rebuild a published wheel from its sdist.",
    ),
    builds: int = typer.Option(2, "--builds", "-n", help="How many independent builds to run."),
    vary: list[str] = typer.Option(
        [], "--vary", help=f"Vary this too (repeatable; 'all' or: {_VARIATIONS_HELP})."
    ),
    no_vary: list[str] = typer.Option(
        [], "--no-vary", help="Do not vary this (repeatable; 'all' to start from none)."
    ),
    timeout: float | None = typer.Option(
        None, "--timeout", help="Seconds each build may run (default: the recipe's timeout)."
    ),
    against: Path | None = typer.Option(
        None,
        "--against",
        help="A published artifact (file or directory) every rebuild must also match.",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Where logs, outputs and statements go (default .verifier/rebuild/NAME).",
    ),
    builder_id: str = typer.Option(
        DEFAULT_BUILDER_ID,
        "--builder-id",
        envvar="VERIFIER_BUILDER_ID",
        help="builder.id recorded in the provenance; name this machine or CI job.",
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", help="Builds run at once (default: the number of CPUs)."
    ),
    keep_build_dirs: bool = typer.Option(
        False, "--keep-build-dirs", help="Keep the build directories for inspection."
    ),
    unsafe_no_sandbox: bool = typer.Option(
        False,
        "--unsafe-no-sandbox",
        help="Build without bwrap isolation; recorded in every statement. Never in CI.",
    ),
    stabilize: list[str] = typer.Option(
        [],
        "--stabilize",
        "-s",
        help="Opt-in: an output equal only after this stabilizer is EQUIVALENT (name, "
        "name@version, family zip/tar/gzip/wheel/jar, or all; repeat or comma-separate).",
    ),
    index_url: str | None = typer.Option(
        None,
        "--index-url",
        help=f"pypi: only. The PEP 691 simple index (default {DEFAULT_INDEX}); also the "
        "toolchain's source unless --find-links is given.",
    ),
    find_links: list[str] = typer.Option(
        [],
        "--find-links",
        help="pypi: only. A directory (or URL) of wheels to take the toolchain from, and only "
        "from there (offline); repeatable. Written into the recipe.",
    ),
    emit_recipe: Path | None = typer.Option(
        None,
        "--emit-recipe",
        help="pypi: only. Write the inferred, pinned recipe to DIR/repro.toml "
        "(default .verifier/pypi/NAME-VERSION/).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the JSON report on stdout."),
) -> None:
    """Rebuild RECIPE several times in a sandbox with variations and compare every output.

    Every input must be pinned by sha256 (see 'verifier pin'). Builds run concurrently in
    fresh directories under bwrap with no network; build 1 is the control and the others vary
    the build path, time zone, locale, umask, HOME, user, hostname, domain name, CPU count,
    PYTHONHASHSEED, wall clock and file order. Each output gets a verdict: REPRODUCED, MISMATCH
    (with the differing files or archive members, their causes and fix hints), MISSING or
    BUILD_FAILED; with --stabilize, EQUIVALENT when equal only after those stabilizers.

    pypi:NAME==VERSION fetches the release's sdist and pure-Python wheel pinned by the index's
    digests, infers the recipe from the wheel, pins its toolchain by hash, prints the recipe
    (--emit-recipe saves it) and rebuilds it against the published wheel. Stabilizers the
    inference says are needed are named, and applied only when passed with --stabilize.

    Writes per build: outputs, build.log, provenance.json (SLSA provenance v1); and
    rebuild.vsa.json (SLSA verification summary v1) for the whole rebuild.

    Exit codes: 0 every output reproduced (or equivalent under --stabilize); 1 not
    reproducible, a build failed or an input does not match its pin; 2 bad recipe or usage
    (unpinned inputs are listed with the line to add);
    3 environment (no sandbox, build timed out, download failed).
    """

    def body() -> int:
        stabilizers = resolve(stabilize)  # an unknown name is exit 2 before anything is fetched
        spec = str(recipe)
        published = None
        reference = against
        if spec.startswith("pypi:"):
            if against is not None:
                raise InputError(
                    "pypi:NAME==VERSION is rebuilt against its published wheel; drop --against"
                )
            name, version = parse_spec(spec)
            work = Path(".verifier") / "pypi" / f"{normalize(name)}-{version}"
            prepared = prepare_pypi_rebuild(
                spec,
                work=work,
                recipe_dir=emit_recipe or work,
                index_url=index_url or DEFAULT_INDEX,
                find_links=find_links,
                on_progress=_progress,
            )
            _show_recipe(prepared, stabilize, json_output)
            recipe_path, reference = prepared.recipe_path, prepared.release.wheel.path
            published = prepared.published
        else:
            for flag, value in (
                ("--index-url", index_url),
                ("--find-links", find_links),
                ("--emit-recipe", emit_recipe),
            ):
                if value:
                    raise InputError(f"{flag} only applies to pypi:NAME==VERSION")
            recipe_path = recipe
        parsed = load_recipe(recipe_path)
        if unsafe_no_sandbox:
            console.print(
                "[yellow]warning:[/] --unsafe-no-sandbox: builds run without isolation; "
                "the statements record it"
            )
        options = RebuildOptions(
            builds=builds,
            variations=select_variations(vary, no_vary),
            results=out or Path(".verifier") / "rebuild" / parsed.name,
            timeout=timeout,
            against=reference,
            builder_id=builder_id,
            jobs=jobs,
            keep_build_dirs=keep_build_dirs,
            display_path=display_path(parsed.path),
            stabilizers=stabilizers,
            published=published,
        )
        sandbox = open_sandbox(unsafe_no_sandbox=unsafe_no_sandbox)
        result = rebuild(parsed, options, sandbox, source_date_epoch_clock(), _progress)
        print_rebuild_summary(result, console)
        if json_output:
            typer.echo(json.dumps(rebuild_report(result), sort_keys=True, indent=2))
        if result.verdict.passed:
            return 0
        return 3 if result.timed_out else 1

    run_command(body)


def _show_recipe(prepared: PreparedRebuild, stabilize: list[str], json_output: bool) -> None:
    """The recipe on stdout (stderr with --json), and what inference says about stabilizers."""
    # Verbatim (never re-wrapped), so it can be saved as it is.
    typer.echo(prepared.recipe_text, nl=False, err=json_output)
    console.print(f"[dim]recipe written to {escape(display_path(prepared.recipe_path))}[/]")
    for note in prepared.inferred.notes:
        console.print(f"note: {escape(note)}")
    chosen = {s.name for s in resolve(stabilize)}
    needed = [s for s in prepared.inferred.stabilizers if s not in chosen]
    if needed:
        members = prepared.inferred.wall_clock_members
        console.print(
            f"[yellow]note:[/] {len(members)} members of the published wheel carry its build's "
            f"wall clock ({escape(', '.join(members[:3]))}{', ...' if len(members) > 3 else ''}):"
            " no rebuild reproduces them bit for bit; pass "
            f"--stabilize {escape(','.join(needed))} to accept them as EQUIVALENT"
        )


@app.command("pin")
def pin_command(
    recipe: Path = typer.Argument(Path("repro.toml"), help="The recipe to pin in place."),
    update: bool = typer.Option(
        False, "--update", help="Recompute every pin, not only the missing ones."
    ),
) -> None:
    """Compute the sha256 of each unpinned input of RECIPE and write it into the recipe.

    Local paths are hashed (directories with the verifier tree digest), URLs downloaded, git
    inputs checked out at their commit. Review the change before committing it: pinning
    trusts what the inputs contain right now.

    Exit codes: 0 pinned (or nothing to do); 2 bad recipe; 3 download or checkout failed.
    """

    def body() -> int:
        parsed, changes = pin_recipe(recipe, update=update, on_progress=_progress)
        for change in changes:
            old = f"{change.old} -> " if change.old else ""
            console.print(f"{escape(change.name)}: {old}{change.new}")
        where = escape(display_path(parsed.path))
        console.print(
            f"{where}: {len(changes) or 'no'} pin(s) written"
            if changes
            else f"{where}: every input already pinned"
        )
        return 0

    run_command(body)
