"""The SBOM source axis: anything we can list components from."""

from __future__ import annotations

from typing import Protocol

from verifier.sbom.model import Inventory


class SbomSource(Protocol):
    """A wheel, an sdist, an environment, a lock file, an archive or an OCI image.

    ``inventory()`` reads the input statically (never importing or running what it
    describes) and raises :class:`verifier.errors.InputError` naming the file on bad input.
    """

    @property
    def location(self) -> str:
        """What the source reads, for messages (a path, or ``python:/usr/bin/python3``)."""
        ...

    def inventory(self) -> Inventory:
        """The subject, its components and the dependency graph."""
        ...
