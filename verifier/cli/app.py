"""The typer application and the one place where errors become exit codes."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape

from verifier import __version__
from verifier.errors import VerifierError

app = typer.Typer(
    name="verifier",
    help=(
        "Decide which builds may become releases and which releases may be deployed.\n\n"
        "Exit codes: 0 passed, 1 the check said no, 2 bad input, 3 the environment failed."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

#: People read stderr; stdout is reserved for machine-readable reports (``--json``).
#: No emoji codes: ``sha256:abc:`` or a path like ``x:thumbs_up:y`` must print as written.
console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"verifier {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """Decide which builds may become releases and which releases may be deployed."""


class _WarningLines(logging.Handler):
    """Libraries' warnings (sigstore-python's, for one) as ``warning: ...`` lines on stderr.

    Without a handler Python prints them bare, and a reader cannot tell them from our output.
    """

    def emit(self, record: logging.LogRecord) -> None:
        console.print(f"[yellow]warning:[/] {escape(record.getMessage())}")


def run_command(body: Callable[[], int]) -> None:
    """Run a command body and turn its result or error into the process exit code.

    Every failure is fail-closed: an unexpected exception exits 3, never 0. Set
    ``VERIFIER_DEBUG=1`` to see the traceback of an unexpected error.
    """
    root = logging.getLogger()
    if not any(isinstance(h, _WarningLines) for h in root.handlers):
        root.addHandler(_WarningLines(logging.WARNING))
    try:
        code = body()
    except VerifierError as err:
        console.print(f"[red]error:[/] {escape(str(err))}")
        for line in err.details:
            console.print(f"  {escape(line)}")
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        console.print("[red]error:[/] interrupted")
        raise typer.Exit(3) from None
    except Exception as err:
        if os.environ.get("VERIFIER_DEBUG"):
            raise
        console.print(
            f"[red]internal error:[/] {escape(type(err).__name__)}: {escape(str(err))} "
            "(set VERIFIER_DEBUG=1 for the traceback)"
        )
        raise typer.Exit(3) from None
    raise typer.Exit(code)
