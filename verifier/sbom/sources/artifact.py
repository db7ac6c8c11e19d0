"""Any artifact without an ecosystem: a zip, a tar or a directory, optionally file by file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from verifier.digest import Algorithm
from verifier.errors import InputError
from verifier.sbom.archive_files import file_components
from verifier.sbom.model import ComponentKind, Inventory
from verifier.sbom.names import generic_purl
from verifier.sbom.subject import subject_for_path


@dataclass
class ArtifactSource:
    """The artifact itself as subject; with ``files`` every regular file is a component."""

    path: Path
    files: bool = False

    @property
    def location(self) -> str:
        """The artifact path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """Subject with sha256 and sha512; file components with their sha256 when asked."""
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file or directory")
        subject = subject_for_path(self.path, kind=ComponentKind.FILE)
        sha256 = next(d for d in subject.hashes if d.algorithm is Algorithm.SHA256)
        subject = replace(subject, purl=generic_purl(self.path.name, None, sha256.hex))
        packages = tuple(file_components(self.path)) if self.files else ()
        return Inventory(subject, packages, tuple(p.ref for p in packages))
