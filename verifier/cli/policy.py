"""Commands for policy authors: `verifier policy lint` and `verifier policy test`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from verifier.admission.policy_tests import run_policy_tests
from verifier.cli.app import app, console, run_command
from verifier.policy.loader import load_policies

policy_app = typer.Typer(help="Write and test admission policies.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


@policy_app.command("lint")
def lint(
    paths: Annotated[list[Path], typer.Argument(help="Policy files or directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="A JSON report on stdout.")] = False,
) -> None:
    """Check policy files against the schema and the model; exit 2 naming file and line."""

    def body() -> int:
        report = []
        for path in paths:
            policy_set = load_policies(path)
            for policy in policy_set.policies:
                console.print(
                    f"ok: {escape(policy.source)}: policy {escape(policy.name)} "
                    f"({policy.mode.value}, {policy.digest.short})"
                )
                report.append(
                    {
                        "source": policy.source,
                        "name": policy.name,
                        "mode": policy.mode.value,
                        "digest": str(policy.digest),
                    }
                )
        if as_json:
            typer.echo(json.dumps({"policies": report}, indent=2, sort_keys=True))
        return 0

    run_command(body)


@policy_app.command("test")
def test(
    directory: Annotated[Path, typer.Argument(help="A directory of *.test.yaml suites.")],
    as_json: Annotated[bool, typer.Option("--json", help="A JSON report on stdout.")] = False,
) -> None:
    """Run policy test suites: each case's decision must be the expected one (exit 1 if not)."""

    def body() -> int:
        results = run_policy_tests(directory)
        failed = [r for r in results if not r.passed]
        for r in results:
            mark = "[green]pass[/]" if r.passed else "[red]FAIL[/]"
            console.print(f"{mark} {escape(r.suite)}: {escape(r.name)}")
            for problem in r.problems:
                console.print(f"    {escape(problem)}")
        console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
        if as_json:
            doc = {
                "cases": [
                    {
                        "suite": r.suite,
                        "name": r.name,
                        "passed": r.passed,
                        "problems": list(r.problems),
                        "decision": r.decision.to_dict(),
                    }
                    for r in results
                ],
                "passed": len(results) - len(failed),
                "failed": len(failed),
            }
            typer.echo(json.dumps(doc, indent=2, sort_keys=True))
        return 1 if failed else 0

    run_command(body)
