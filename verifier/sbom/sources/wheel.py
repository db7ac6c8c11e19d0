"""A built wheel: the wheel is the subject; its declared requirements are the components."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.archive import open_archive
from verifier.sbom.archive_files import file_components
from verifier.sbom.model import Inventory, Package
from verifier.sbom.python_metadata import declared_requirements, record_rows
from verifier.sbom.sources.distribution import (
    METADATA_LIMIT,
    distribution_subject,
    read_metadata,
)


def check_record(files: list[Package], record_text: str | None, *, where: str) -> list[str]:
    """Findings where the wheel's contents and its RECORD disagree (PEP 376/427)."""
    if record_text is None:
        return [f"{where}: no RECORD; file hashes are computed, not checked"]
    rows, findings = record_rows(record_text, where=where)
    recorded = dict(rows)
    for package in files:
        claimed = recorded.get(package.name)
        actual = package.hashes[0]
        if claimed is None:
            if not package.name.endswith((".dist-info/RECORD", ".jws", ".p7s")):
                findings.append(f"{where}: {package.name} is not listed in RECORD")
        elif claimed.algorithm is actual.algorithm and claimed != actual:
            findings.append(f"{where}: {package.name} does not match its RECORD hash")
    return findings


@dataclass
class WheelSource:
    """``*.whl``: ``*.dist-info/METADATA``; with ``files``, every file checked against RECORD."""

    path: Path
    files: bool = False

    @property
    def location(self) -> str:
        """The wheel path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """The wheel as subject, its requirements (and files) as components."""
        reader = open_archive(self.path)
        try:
            found = read_metadata(
                reader,
                self.path,
                directory_suffix=".dist-info",
                metadata="METADATA",
                companion="RECORD",
                twice=f"{self.path}: more than one .dist-info/METADATA",
                missing=f"{self.path}: not a wheel: no *.dist-info/METADATA",
            )
            meta, record = found.meta, found.companion
            record_text = (
                reader.read(record, METADATA_LIMIT).decode("utf-8", "replace") if record else None
            )
        finally:
            reader.close()
        findings = list(meta.findings)
        files: tuple[Package, ...] = ()
        if self.files:
            listed = file_components(self.path)
            findings += check_record(listed, record_text, where=str(self.path))
            files = tuple(listed)
        requirements = declared_requirements(meta)
        subject = distribution_subject(self.path, meta)
        return Inventory(
            subject=subject,
            packages=requirements + files,
            direct=tuple(p.ref for p in requirements + files),
            findings=tuple(findings),
        )
