"""What the wheel and sdist sources share: finding their metadata files, the subject."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from verifier.archive import ArchiveReader, Member, MemberKind
from verifier.errors import InputError
from verifier.sbom.model import ComponentKind, Subject
from verifier.sbom.names import pypi_purl
from verifier.sbom.python_metadata import PythonMetadata, parse_metadata
from verifier.sbom.subject import subject_for_path

#: metadata files are small; anything larger is not metadata
METADATA_LIMIT = 16 << 20


@dataclass(frozen=True)
class DistributionMetadata:
    """A distribution's parsed core metadata, where it was read, and its companion file."""

    meta: PythonMetadata
    where: str
    companion: Member | None


def read_metadata(
    reader: ArchiveReader,
    path: Path,
    *,
    directory_suffix: str,
    metadata: str,
    companion: str,
    twice: str,
    missing: str,
) -> DistributionMetadata:
    """Parse the ``DIR/<metadata>`` file of a distribution; find its ``DIR/<companion>``.

    DIR is a top-level directory whose name ends in ``directory_suffix``. No metadata file is
    an InputError saying ``missing``, a second one an InputError saying ``twice``; of several
    companions the last one counts.
    """
    found: Member | None = None
    other: Member | None = None
    for member in reader.members():
        parts = member.name.split("/")
        if member.kind is not MemberKind.FILE or len(parts) != 2:
            continue
        if not parts[0].endswith(directory_suffix):
            continue
        if parts[1] == metadata:
            if found is not None:
                raise InputError(twice)
            found = member
        elif parts[1] == companion:
            other = member
    if found is None:
        raise InputError(missing)
    where = f"{path}!{found.name}"
    meta = parse_metadata(reader.read(found, METADATA_LIMIT), where=where)
    return DistributionMetadata(meta, where, other)


def distribution_subject(path: Path, meta: PythonMetadata) -> Subject:
    """The distribution file as subject, named, licensed and described by its metadata."""
    return subject_for_path(
        path,
        name=meta.name,
        version=meta.version,
        kind=ComponentKind.LIBRARY,
        purl=pypi_purl(meta.name, meta.version),
        licenses=meta.licenses,
        supplier=meta.supplier,
        author=meta.author,
        description=meta.summary,
    )
