"""Which archive format a file or stream holds, by its magic bytes."""

from __future__ import annotations

import tarfile
from enum import StrEnum
from pathlib import Path
from typing import IO

from verifier.archive.limits import ArchiveError

#: A file on disk, or an open seekable binary stream (a member of another archive).
Source = Path | IO[bytes]

_MAGIC = {
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",  # empty zip
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
}


class ArchiveFormat(StrEnum):
    """Archive formats we read."""

    ZIP = "zip"
    TAR = "tar"  # plain, gzip, bzip2 or xz compressed
    GZIP = "gzip"  # a single gzip-compressed file that is not a tar


def compression_of(head: bytes) -> str | None:
    """The compression wrapper named by the first bytes: gzip, bzip2, xz, or None."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic) and kind != "zip":
            return kind
    return None


def format_of_head(head: bytes) -> ArchiveFormat | None:
    """The format the first 512 bytes announce, without decompressing (gzip may be a tar)."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            if kind == "zip":
                return ArchiveFormat.ZIP
            return ArchiveFormat.GZIP if kind == "gzip" else ArchiveFormat.TAR
    if len(head) >= 262 and head[257:262] == b"ustar":
        return ArchiveFormat.TAR
    return None


def detect_format(source: Source) -> ArchiveFormat | None:
    """The archive format of a file or seekable stream by its magic bytes, or None."""
    try:
        if isinstance(source, Path):
            with source.open("rb") as f:
                head = f.read(512)
        else:
            source.seek(0)
            head = source.read(512)
            source.seek(0)
    except OSError as exc:
        raise ArchiveError(f"{source}: cannot read: {exc.strerror or exc}") from exc
    kind = format_of_head(head)
    if kind is ArchiveFormat.GZIP or (kind is ArchiveFormat.TAR and compression_of(head)):
        if _is_compressed_tar(source):
            return ArchiveFormat.TAR
        return ArchiveFormat.GZIP if kind is ArchiveFormat.GZIP else None
    return kind


def _is_compressed_tar(source: Source) -> bool:
    try:
        if isinstance(source, Path):
            with tarfile.open(source, "r:*") as tf:
                tf.next()
            return True
        source.seek(0)
        with tarfile.open(fileobj=source, mode="r:*") as tf:
            tf.next()
        return True
    except (tarfile.TarError, OSError, EOFError):
        return False
    finally:
        if not isinstance(source, Path):
            source.seek(0)
