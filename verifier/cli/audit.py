"""``verifier audit``: signatures, rebuilds, SBOMs, provenance and decisions across releases."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from verifier.audit.gather import AuditOptions, run_audit
from verifier.audit.model import AuditEntry
from verifier.clock import source_date_epoch_clock
from verifier.errors import InputError
from verifier.policy.loader import load_policies
from verifier.report.audit_format import AuditFormat
from verifier.sign.keys import PublicKey
from verifier.store.deadline import DEFAULT_TIMEOUT
from verifier.store.reference import StoreOptions

from .app import app, console, run_command
from .options import CaFileOpt, PlainHttpOpt, TimeoutOpt

COLOURS = {"ok": "green", "unverified": "yellow", "denied": "red", "unsigned": "red"}


class FailOn(StrEnum):
    """Statuses that make ``--fail-on`` exit 1."""

    DENIED = "denied"
    UNDECIDED = "undecided"
    UNSIGNED = "unsigned"
    UNVERIFIED = "unverified"


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc


@app.command("audit")
def audit_command(
    references: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="REF...",
            help="Store references: oci-layout:PATH:v1.0.0, HOST/REPO@sha256:..., "
            "or a tag/digest in --store.",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option("--store", help="oci-layout:PATH or HOST/REPO the references are in."),
    ] = None,
    all_releases: Annotated[
        bool, typer.Option("--all-releases", help="Audit every vX.Y.Z release in --store.")
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy file or directory: its trust, and a decision."),
    ] = None,
    keys: Annotated[
        list[Path] | None,
        typer.Option("--key", help="A trusted public key (PEM); repeatable."),
    ] = None,
    report_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", case_sensitive=False, help="Report format.")
    ] = AuditFormat.HTML,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here, not stdout.")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, max=64, help="Artifacts gathered at once.")
    ] = 4,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option("--fail-on", case_sensitive=False, help="Exit 1 if any artifact is this."),
    ] = None,
    timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    plain_http: PlainHttpOpt = False,
    ca_file: CaFileOpt = None,
) -> None:
    """Audit artifacts or every release of a store: who signed, reproduced how, what's inside.

    For each artifact: signatures (key fingerprint or keyless identity), the rebuild verdict
    (builds, builders, REPRODUCED or EQUIVALENT, stabilizers), the SBOM (components, licenses,
    share with SHA-256, a quality score), provenance (builder, source, build type) and, with
    --policy, the policy decision. Trust comes from --policy and --key; without it evidence
    is read but reported "unverified". Progress goes to stderr; the report to stdout or -o.

    Exit codes: 0 report written; 1 report written and an artifact has a --fail-on status;
    2 bad reference, policy, key or option; 3 a store or evidence failed (the report is still
    written, the failing artifacts marked "error").
    """

    def body() -> int:
        policy_set = load_policies(policy) if policy is not None else None
        trusted = tuple(PublicKey.load(k) for k in keys or [])
        if plain_http:
            console.print(
                "[yellow]warning:[/] --unsafe-plain-http: registry traffic is not protected"
            )
        options = AuditOptions(
            references=tuple(references or []),
            store=store,
            all_releases=all_releases,
            policy_set=policy_set,
            policy_label=str(policy) if policy is not None else None,
            keys=trusted,
            store_options=StoreOptions(
                timeout=timeout, unsafe_plain_http=plain_http, ca_file=ca_file
            ),
            jobs=jobs,
        )
        if policy_set is None and not trusted:
            console.print(
                "[yellow]warning:[/] no --policy or --key: evidence is read but not verified"
            )

        def progress(done: int, total: int, entry: AuditEntry) -> None:
            colour = COLOURS.get(entry.status, "red")
            console.print(f"[{done}/{total}] [{colour}]{entry.status}[/] {escape(entry.reference)}")

        report = run_audit(options, now=source_date_epoch_clock().now(), progress=progress)
        text = report_format.writer().render(report)
        if output is not None:
            _write(output, text)
            console.print(f"wrote {escape(str(output))}")
        else:
            typer.echo(text, nl=False)
        counts = ", ".join(f"{n} {s}" for s, n in report.counts().items())
        console.print(f"audited {len(report.entries)} artifact(s): {counts}")
        if any(e.status == "error" for e in report.entries):
            return 3
        failing = {f.value for f in fail_on or []}
        return 1 if any(e.flags & failing for e in report.entries) else 0

    run_command(body)
