"""The rebuild report: JSON for machines, a readable summary for people."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from verifier.digest import Digest
from verifier.rebuild.engine import RebuildResult
from verifier.rebuild.runner import BuildStatus
from verifier.rebuild.verdicts import Verdict
from verifier.report.paths import display_path

REPORT_VERSION = 1
_STYLE = {
    Verdict.REPRODUCED: "green",
    Verdict.EQUIVALENT: "yellow",
    Verdict.MISMATCH: "red",
    Verdict.BUILD_FAILED: "red",
    Verdict.MISSING: "red",
}


def _d(digest: Digest | None) -> str | None:
    return str(digest) if digest is not None else None


def rebuild_report(result: RebuildResult) -> dict[str, Any]:
    """The JSON report (stable keys; paths relative to the working directory)."""
    return {
        "reportVersion": REPORT_VERSION,
        "command": "rebuild",
        "recipe": {
            "name": result.recipe.name,
            "path": display_path(result.recipe.path),
            "digest": str(result.recipe.digest),
        },
        "verdict": result.verdict.value,
        "sandbox": result.sandbox.value,
        "sourceDateEpoch": "none" if result.no_source_date_epoch else result.source_date_epoch,
        "inputs": [
            {"name": s.spec.name, "uri": s.uri, "digest": str(s.digest)} for s in result.staged
        ],
        "toolchain": (
            {
                "path": str(result.toolchain.path),
                "digest": str(result.toolchain.digest),
                "cached": result.toolchain_cached,
                "python": result.toolchain.interpreter.version,
            }
            if result.toolchain
            else None
        ),
        "outputs": [
            {
                "name": v.name,
                "verdict": v.verdict.value,
                "reason": v.reason,
                "digests": [_d(d) for d in v.digests],
                "reference": _d(v.reference),
                "differences": list(v.differences),
                "causes": [c.to_dict() for c in v.causes],
                "stabilizers": {k: list(m) for k, m in v.stabilizers.items()},
            }
            for v in result.verdicts
        ],
        "builds": [
            {
                "build": r.number,
                "status": r.status.value,
                "exitCode": r.exit_code,
                "message": r.message,
                "log": display_path(r.log),
                "variations": r.variations.recorded(),
            }
            for r in result.runs
        ],
        "statements": {
            "provenance": [display_path(p) for p, _ in result.provenance],
            "summary": display_path(result.summary[0]),
        },
        "results": display_path(result.results),
        **({"published": dict(result.published)} if result.published is not None else {}),
    }


def print_rebuild_summary(result: RebuildResult, console: Console) -> None:
    """The people's view on stderr: one line per output, logs on failure, where evidence is."""
    for v in result.verdicts:
        style = _STYLE[v.verdict]
        digest = v.digest.short if v.digest else "-"
        console.print(
            f"[{style}]{v.verdict.value:<12}[/] {escape(v.name)}  {digest}  {escape(v.reason)}"
        )
    for v in result.verdicts:
        for line in v.differences:
            console.print(f"  {escape(v.name)}: {escape(line)}")
        for cause in v.causes:
            console.print(
                f"  {escape(v.name)}: {cause.count} x {escape(cause.cause)}: {escape(cause.hint)}"
            )
        if v.verdict is Verdict.EQUIVALENT:
            for label, members in v.stabilizers.items():
                shown = ", ".join(members[:5]) + (
                    f", ... ({len(members)} in all)" if len(members) > 5 else ""
                )
                console.print(
                    f"  {escape(v.name)}: [yellow]{escape(label)}[/] changed {escape(shown)}"
                )
    for run in result.runs:
        if run.status is not BuildStatus.SUCCEEDED:
            console.print(
                f"[red]build {run.number} {run.status.value}[/]: {escape(run.message)}; "
                f"log: {escape(display_path(run.log))}"
            )
    skipped = sorted(
        {
            f"{name} ({status})"
            for run in result.runs
            for name, status in run.variations.status.items()
            if status.startswith("unavailable")
        }
    )
    if skipped:
        console.print("[yellow]variations not applied:[/] " + escape("; ".join(skipped)))
    if result.sandbox.value != "bwrap":
        console.print(f"[yellow]sandbox: {escape(result.sandbox.value)}[/]")
    stabilized = sorted({k for v in result.verdicts for k in v.stabilizers})
    note = (
        f" (after stabilizers {', '.join(stabilized)})"
        if result.verdict is Verdict.EQUIVALENT
        else ""
    )
    console.print(
        f"[bold]{result.verdict.value}[/] {escape(result.recipe.name)}{escape(note)}: "
        f"{len(result.runs)} builds; evidence in {escape(display_path(result.results))}"
    )
