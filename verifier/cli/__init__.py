"""Command-line interface: parse, call the core, map errors to exit codes. No logic here."""

from __future__ import annotations

# Importing a command module registers its commands on the app.
from verifier.cli import admit as _admit  # noqa: F401
from verifier.cli import audit as _audit  # noqa: F401
from verifier.cli import diff as _diff  # noqa: F401
from verifier.cli import pins as _pins  # noqa: F401
from verifier.cli import policy as _policy  # noqa: F401
from verifier.cli import rebuild as _rebuild  # noqa: F401
from verifier.cli import release as _release  # noqa: F401
from verifier.cli import sbom as _sbom  # noqa: F401
from verifier.cli import serve as _serve  # noqa: F401
from verifier.cli import sign as _sign  # noqa: F401
from verifier.cli import store as _store  # noqa: F401
from verifier.cli.app import app
from verifier.cli.panels import assign_panels

assign_panels(app)


def main() -> None:
    """Console-script entry point."""
    app()
