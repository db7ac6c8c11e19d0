"""Options several commands declare alike, and the StoreOptions the store commands build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from verifier.store.reference import StoreOptions

from .app import console

TIMEOUT_HELP = "One total deadline in seconds for all store work of this command."
PLAIN_HTTP_HELP = "Reach registries over plain HTTP (anyone on the path can change what we read)."
CA_HELP = "PEM file of the CA that signed the registry's TLS certificate."
JSON_HELP = "Print a JSON report on stdout."

TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.001, help=TIMEOUT_HELP)]
PlainHttpOpt = Annotated[bool, typer.Option("--unsafe-plain-http", help=PLAIN_HTTP_HELP)]
CaFileOpt = Annotated[
    Path | None, typer.Option("--ca-file", exists=True, dir_okay=False, help=CA_HELP)
]
JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
#: for commands whose --format chooses the report on stdout
FormatJsonOpt = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="oci-layout:PATH or HOST/REPO; REF is then a tag or @digest in it "
        "(default: the REF's own store, else .verifier/store).",
    ),
]


def store_options(timeout: float, plain_http: bool, ca_file: Path | None) -> StoreOptions:
    """The options as given, after saying aloud that --unsafe-plain-http weakens the check."""
    if plain_http:
        console.print("[yellow]warning:[/] --unsafe-plain-http: registry traffic is not protected")
    return StoreOptions(timeout=timeout, unsafe_plain_http=plain_http, ca_file=ca_file)
