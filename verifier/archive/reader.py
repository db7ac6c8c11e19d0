"""The reader interface and the function that picks a reader by the archive's magic bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

from verifier.archive.detect import ArchiveFormat, Source, detect_format
from verifier.archive.gzip_reader import GzipReader
from verifier.archive.limits import DEFAULT_LIMITS, ArchiveError, Limits
from verifier.archive.member import Member
from verifier.archive.tar_reader import TarReader
from verifier.archive.zip_reader import ZipReader


class ArchiveReader(Protocol):
    """Iterate members and stream their contents, within limits."""

    path: Path
    label: str
    format: ArchiveFormat

    def members(self) -> Iterator[Member]: ...

    def archive_meta(self) -> tuple[tuple[str, str | int], ...]: ...

    def read(self, member: Member, limit: int | None = None) -> bytes: ...

    def open(self, member: Member) -> IO[bytes]: ...

    def close(self) -> None: ...


def open_archive(
    source: Source, limits: Limits = DEFAULT_LIMITS, *, label: str | None = None
) -> ArchiveReader:
    """Open a file or seekable stream with the reader its magic bytes call for.

    ``label`` names a stream in error messages (``outer.whl!inner.tar.gz``). ArchiveError
    when no reader fits.
    """
    match detect_format(source):
        case ArchiveFormat.ZIP:
            return ZipReader(source, limits, label)
        case ArchiveFormat.TAR:
            return TarReader(source, limits, label)
        case ArchiveFormat.GZIP:
            return GzipReader(source, limits, label)
        case None:
            raise ArchiveError(f"{label or source}: not a zip, tar or gzip archive")
