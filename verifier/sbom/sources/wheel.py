"""A built wheel: the wheel is the subject; its declared requirements are the components."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.archive import Member, MemberKind, open_archive
from verifier.errors import InputError
from verifier.sbom.archive_files import file_components
from verifier.sbom.model import ComponentKind, Inventory, Package
from verifier.sbom.names import pypi_purl
from verifier.sbom.python_metadata import declared_requirements, parse_metadata, record_rows
from verifier.sbom.subject import subject_for_path

#: metadata files are small; anything larger is not metadata
METADATA_LIMIT = 16 << 20


def check_record(files: list[Package], record_text: str | None, *, where: str) -> list[str]:
    """Findings where the wheel's contents and its RECORD disagree (PEP 376/427)."""
    if record_text is None:
        return [f"{where}: no RECORD; file hashes are computed, not checked"]
    recorded = dict(record_rows(record_text))
    findings = []
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
            metadata: Member | None = None
            record: Member | None = None
            for member in reader.members():
                parts = member.name.split("/")
                if member.kind is not MemberKind.FILE or len(parts) != 2:
                    continue
                if not parts[0].endswith(".dist-info"):
                    continue
                if parts[1] == "METADATA":
                    if metadata is not None:
                        raise InputError(f"{self.path}: more than one .dist-info/METADATA")
                    metadata = member
                elif parts[1] == "RECORD":
                    record = member
            if metadata is None:
                raise InputError(f"{self.path}: not a wheel: no *.dist-info/METADATA")
            where = f"{self.path}!{metadata.name}"
            meta = parse_metadata(reader.read(metadata, METADATA_LIMIT), where=where)
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
        subject = subject_for_path(
            self.path,
            name=meta.name,
            version=meta.version,
            kind=ComponentKind.LIBRARY,
            purl=pypi_purl(meta.name, meta.version),
            licenses=meta.licenses,
            supplier=meta.supplier,
            author=meta.author,
            description=meta.summary,
        )
        return Inventory(
            subject=subject,
            packages=requirements + files,
            direct=tuple(p.ref for p in requirements + files),
            findings=tuple(findings),
        )
