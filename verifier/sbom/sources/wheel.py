"""A built wheel: the wheel is the subject; its declared requirements are the components."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.archive import ArchiveReader, Member, MemberKind, open_archive
from verifier.errors import InputError
from verifier.sbom.model import ComponentKind, Inventory, Package
from verifier.sbom.names import pypi_purl
from verifier.sbom.python_metadata import declared_requirements, parse_metadata, record_rows
from verifier.sbom.subject import subject_for_path

#: metadata files are small; anything larger is not metadata
METADATA_LIMIT = 16 << 20


def record_files(reader: ArchiveReader, record: Member, prefix: str) -> tuple[Package, ...]:
    """File components from a RECORD (path, sha256) inside an archive."""
    text = reader.read(record, METADATA_LIMIT).decode("utf-8", "replace")
    files = [
        Package(
            name=path,
            version=None,
            kind=ComponentKind.FILE,
            ref_override=f"file:{prefix}{path}",
            hashes=(digest,),
        )
        for path, digest in record_rows(text)
    ]
    return tuple(files)


@dataclass
class WheelSource:
    """``*.whl``: read ``*.dist-info/METADATA`` (and RECORD with ``files``) from the zip."""

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
            files = record_files(reader, record, "") if self.files and record else ()
        finally:
            reader.close()
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
            findings=meta.findings,
        )
