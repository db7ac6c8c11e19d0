"""`verifier admit`: may these artifacts, or these manifests' images, be released or deployed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from verifier.admission.gate import admit_targets
from verifier.admission.manifests import scan_manifests
from verifier.admission.resolve import StoreResolver
from verifier.admission.targets import Target, target_of
from verifier.cli.app import app, run_command
from verifier.cli.options import FormatJsonOpt, store_options
from verifier.clock import source_date_epoch_clock
from verifier.errors import InputError
from verifier.policy.evidence import EvidenceSource
from verifier.policy.loader import load_policies
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.report.admission.interface import DecisionReport, ReportFormat


def _targets(
    artifacts: list[str], manifests: str | None, namespace: str | None, store: str | None
) -> list[Target]:
    targets = [target_of(a, namespace=namespace, store=store) for a in artifacts]
    if manifests is not None:
        stdin_text = sys.stdin.read() if manifests == "-" else None
        uses = scan_manifests(manifests, stdin_text=stdin_text)
        if not uses:
            raise InputError(f"{manifests}: no container image found in these manifests")
        targets += [
            target_of(u.image, location=u.location, namespace=u.namespace or namespace, store=None)
            for u in uses
        ]
    if not targets:
        raise InputError("nothing to decide: give artifacts, references or --manifests")
    return targets


@app.command()
def admit(
    artifacts: Annotated[
        list[str] | None, typer.Argument(help="Files or image references (by digest).")
    ] = None,
    policy: Annotated[
        Path, typer.Option("--policy", help="A policy file or a directory of them.")
    ] = Path("policies"),
    evidence: Annotated[
        Path | None, typer.Option("--evidence", help="A directory of *.sigstore.json bundles.")
    ] = None,
    manifests: Annotated[
        str | None,
        typer.Option("--manifests", help="Kubernetes YAML file or directory, or - for stdin."),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option("--store", help="oci-layout:PATH or HOST/REPO: resolve tags, read evidence."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds for all store access together.")
    ] = 30.0,
    unsafe_plain_http: Annotated[
        bool, typer.Option("--unsafe-plain-http", help="Talk to registries without TLS.")
    ] = False,
    namespace: Annotated[
        str | None, typer.Option("--namespace", help="Namespace for policies' match.")
    ] = None,
    report_format: Annotated[
        ReportFormat,
        typer.Option("--format", help="Machine-readable report on stdout (text: stderr only)."),
    ] = ReportFormat.TEXT,  # text: the report on stderr only
    as_json: FormatJsonOpt = False,
) -> None:
    """Decide each artifact under the policies.

    Exit 0 allowed, 1 denied, 2 bad input, 3 could not decide.
    """

    def body() -> int:
        fmt = ReportFormat.JSON if as_json else report_format
        policy_set = load_policies(policy)
        targets = _targets(list(artifacts or []), manifests, namespace, store)
        resolver = StoreResolver(store_options(timeout, unsafe_plain_http, None))
        source: EvidenceSource | None = (
            LocalEvidenceDirectory(evidence) if evidence is not None else None
        )
        now = source_date_epoch_clock().now()

        decisions = admit_targets(targets, policy_set, source, now=now, resolver=resolver)
        report = DecisionReport(tuple(decisions), policy_set.digest, str(policy))
        # People read stderr: the text report always goes there; stdout holds only a
        # machine-readable report, when one was asked for.
        typer.echo(ReportFormat.TEXT.writer().render(report), nl=False, err=True)
        if fmt is not ReportFormat.TEXT:
            typer.echo(fmt.writer().render(report), nl=False)
        return report.exit_code

    run_command(body)
